"""API accounts: password hashes, browser sessions, integration tokens, login rate limits.

All four live in the database (tables created by migration 0008), not in the YAML and not in
the engine's memory, so that a second engine (hot standby) sees the same sessions and tokens.
Who the users are and what they may do is `callcenter.supervision.roles`'s; this package only
says who someone is.

- `passwords`: argon2id hashes (argon2-cffi), checked in a thread.
- `credentials`: the hash of each user (`callcenter users set-password`).
- `sessions`: server-side browser sessions with idle and absolute expiry.
- `tokens`: integration tokens (`callcenter tokens create`), stored as SHA-256 digests.
- `ratelimit`: failed logins counted per user and per client address.

Secrets (passwords, session ids, tokens) are never in a repr, a log line or an error.
"""

from __future__ import annotations

from callcenter.accounts.credentials import CredentialStore
from callcenter.accounts.errors import AccountError
from callcenter.accounts.passwords import PasswordHasher
from callcenter.accounts.ratelimit import LoginLimiter, LoginLimits
from callcenter.accounts.sessions import Session, SessionStore
from callcenter.accounts.tokens import ApiToken, IssuedToken, TokenStore

__all__ = [
    "AccountError",
    "ApiToken",
    "CredentialStore",
    "IssuedToken",
    "LoginLimiter",
    "LoginLimits",
    "PasswordHasher",
    "Session",
    "SessionStore",
    "TokenStore",
]
