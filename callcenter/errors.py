"""The root of the application's error hierarchy."""


class CallcenterError(Exception):
    """Base of every error the application raises on purpose."""
