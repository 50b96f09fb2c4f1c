"""The `http:` section of the engine's YAML: where the API listens and how it guards itself.

No secret lives here: webhook signing keys come from the environment variables named by
`secret_env`, passwords and tokens from the database (`callcenter users set-password`,
`callcenter tokens create`).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

WebhookEvent = Literal["call.offered", "call.answered", "call.ended"]
WEBHOOK_EVENTS: tuple[WebhookEvent, ...] = ("call.offered", "call.answered", "call.ended")
_URL = re.compile(r"^https?://[^\s/?#]+(/[^\s]*)?$")
_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _url(value: str) -> str:
    if _URL.match(value) is None:
        raise ValueError(f"expected an http:// or https:// URL, got {value[:80]!r}")
    return value.rstrip("/")


class WebhookSettings(_Strict):
    """One receiver: where, which events, the environment variable holding its HMAC key."""

    url: str
    secret_env: str
    events: Annotated[list[WebhookEvent], Field(min_length=1)] = Field(
        default_factory=lambda: list(WEBHOOK_EVENTS))
    timeout_s: Annotated[float, Field(gt=0, le=60)] = 5.0
    max_attempts: Annotated[int, Field(ge=1, le=20)] = 6
    backoff_s: Annotated[float, Field(ge=0, le=600)] = 1.0  # doubled after each failure

    @field_validator("url")
    @classmethod
    def _valid_url(cls, value: str) -> str:
        return _url(value)

    @field_validator("secret_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if _ENV.match(value) is None:
            raise ValueError(f"expected an environment variable name, got {value[:40]!r}")
        return value


class LoginLimitSettings(_Strict):
    """Failed logins allowed per user name and per client address in each window."""

    per_user: Annotated[int, Field(ge=1)] = 5
    per_address: Annotated[int, Field(ge=1)] = 20
    window_s: Annotated[float, Field(gt=0, le=86400)] = 300.0


class HttpSettings(_Strict):
    """`http:`; without the section the engine serves no API."""

    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8080  # 0: any free port (tests)
    tls_cert: str | None = None  # PEM files; both or neither
    tls_key: str | None = None
    public_url: str | None = None  # e.g. https://cc.example.com, when behind a proxy
    behind_proxy: bool = False  # trust X-Forwarded-For/-Proto from `proxy_addresses`
    proxy_addresses: list[str] = Field(default_factory=lambda: ["127.0.0.1"])
    session_idle_s: Annotated[float, Field(ge=10, le=7 * 86400)] = 1800.0
    session_max_s: Annotated[float, Field(ge=60, le=90 * 86400)] = 12 * 3600.0
    login_limits: LoginLimitSettings = LoginLimitSettings()
    auth_cache_s: Annotated[float, Field(ge=0, le=60)] = 5.0  # how long a lookup is trusted
    websocket_buffer: Annotated[int, Field(ge=10, le=100_000)] = 1000  # messages per socket
    recordings_for_agents: bool = False  # may agents list and play their own recordings
    webhooks: list[WebhookSettings] = Field(default_factory=list)
    webhook_queue: Annotated[int, Field(ge=10, le=1_000_000)] = 10_000  # deliveries waiting

    @field_validator("public_url")
    @classmethod
    def _valid_public_url(cls, value: str | None) -> str | None:
        return None if value is None else _url(value)

    @model_validator(mode="after")
    def _tls_pair(self) -> HttpSettings:
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("tls_cert and tls_key: give both (PEM files) or neither")
        return self

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None

    def base_url(self, port: int) -> str:
        """Where clients reach the API: `public_url`, else the address it listens on."""
        if self.public_url:
            return self.public_url
        host = self.host if self.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"{'https' if self.tls else 'http'}://{host}:{port}"
