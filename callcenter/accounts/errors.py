"""The accounts package's one error."""

from __future__ import annotations

from callcenter.errors import CallcenterError


class AccountError(CallcenterError):
    """A password, token or session operation that cannot be done (the message says why and
    never contains the secret)."""
