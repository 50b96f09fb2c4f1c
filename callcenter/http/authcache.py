"""A short memory of who a session id or token is, so that a busy client (a wallboard at
several requests a second) does not cost a database round trip per request.

The database stays the truth (a second engine shares it): an entry is trusted for at most
`ttl_s` (`http.auth_cache_s`), then looked up again, which also moves the session's
last-seen and the token's last-used time. A logout through this engine forgets its entry at
once; a token revoked with the CLI, or a session ended in another engine, stops working
within `ttl_s`. Keys are the secrets' digests, never the secrets.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from callcenter.accounts.digests import digest

T = TypeVar("T")
MAX_ENTRIES = 10_000


@dataclass(frozen=True, slots=True)
class _Entry(Generic[T]):
    value: T
    until: float


class AuthCache(Generic[T]):
    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._entries: dict[str, _Entry[T]] = {}

    async def get(self, secret: str, now: float,
                  load: Callable[[], Awaitable[T | None]]) -> T | None:
        """The cached answer for `secret`, or `load()`'s (cached when found)."""
        key = digest(secret)
        entry = self._entries.get(key)
        if entry is not None and now < entry.until:
            return entry.value
        value = await load()
        if value is None:
            self._entries.pop(key, None)
            return None
        if self.ttl_s > 0:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries = {k: e for k, e in self._entries.items() if now < e.until}
            self._entries[key] = _Entry(value, now + self.ttl_s)
        return value

    def forget(self, secret: str) -> None:
        self._entries.pop(digest(secret), None)
