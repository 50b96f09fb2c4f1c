"""Errors of the AMI adapter: one small hierarchy under `CallcenterError`.

Messages say what was expected, what came and where; they never contain a secret.
"""

from __future__ import annotations

from callcenter.errors import CallcenterError


class AmiError(CallcenterError):
    """Base of every error raised by the AMI adapter."""


class AmiConnectionError(AmiError):
    """The TCP connection could not be opened, or was lost."""


class AmiProtocolError(AmiError):
    """The peer sent something that is not AMI (bad banner, unparsable frame)."""


class AmiAuthenticationError(AmiError):
    """Login was refused (wrong user or secret; Asterisk does not say which)."""


class AmiActionError(AmiError):
    """An action got `Response: Error`; the message says which action and what came back."""

    def __init__(self, action: str, message: str) -> None:
        super().__init__(f"AMI action {action!r} failed: {message}")
        self.action = action
        self.message = message


class AmiTimeoutError(AmiError):
    """No reply to an action within its timeout."""


class AmiNotConnectedError(AmiError):
    """An action was sent while no session is logged in."""
