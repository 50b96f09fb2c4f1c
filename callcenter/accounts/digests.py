"""New secrets and the digests stored in their place."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


def new_secret(nbytes: int = 32) -> str:
    """A URL-safe random secret (`nbytes` of entropy)."""
    return secrets.token_urlsafe(nbytes)


def digest(secret: str) -> str:
    """SHA-256 hex of a high-entropy secret: what the database keeps instead of it.

    A session id or token has 256 bits of entropy, so a fast hash is enough (no guessing
    attack on a digest of it is feasible); passwords get argon2id instead."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison."""
    return hmac.compare_digest(a.encode(), b.encode())


def derived(secret: str, purpose: str) -> str:
    """A value derived from `secret` that does not reveal it (HMAC-SHA256, URL-safe)."""
    mac = hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
