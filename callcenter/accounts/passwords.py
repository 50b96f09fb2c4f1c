"""Password hashing: argon2id (RFC 9106) through argon2-cffi, in a thread, a few at a time.

argon2-cffi's defaults are the RFC's second recommended option for memory-constrained use
(argon2id, t=3, m=64 MiB, p=4): about 50-100 ms and 64 MiB per check, so checks run in a
worker thread (never on the event loop) and at most `concurrency` at once. A user without a
hash is checked against a dummy hash, so that an unknown user and a wrong password take the
same time and give the same answer (no user enumeration).
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher as _Argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from callcenter.accounts.errors import AccountError

MIN_LENGTH = 10
MAX_LENGTH = 1024


def check_strength(password: str) -> None:
    """AccountError unless the password is 10..1024 characters (the message shows none)."""
    if len(password) < MIN_LENGTH:
        raise AccountError(f"password: expected at least {MIN_LENGTH} characters,"
                           f" got {len(password)}")
    if len(password) > MAX_LENGTH:
        raise AccountError(f"password: expected at most {MAX_LENGTH} characters")


class PasswordHasher:
    """`hash(password)` for storing; `await verify(stored, password)` for logging in."""

    def __init__(self, *, concurrency: int = 2, time_cost: int | None = None,
                 memory_kib: int | None = None) -> None:
        defaults = _Argon2()
        self._argon2 = _Argon2(time_cost=time_cost or defaults.time_cost,
                               memory_cost=memory_kib or defaults.memory_cost)
        self._slots = asyncio.Semaphore(concurrency)
        self._dummy = self._argon2.hash("no such user: the same work as a wrong password")

    def hash(self, password: str) -> str:
        """The PHC string (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`). Blocking."""
        check_strength(password)
        return self._argon2.hash(password)

    async def verify(self, stored: str | None, password: str) -> bool:
        """Whether `password` matches `stored` (None: no such user; always False, same cost)."""
        if len(password) > MAX_LENGTH:
            password = password[:MAX_LENGTH]  # still hashed, so the time says nothing
        async with self._slots:
            return await asyncio.to_thread(self._check, stored, password)

    def _check(self, stored: str | None, password: str) -> bool:
        try:
            self._argon2.verify(stored or self._dummy, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return stored is not None
