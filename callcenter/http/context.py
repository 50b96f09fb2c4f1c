"""What every request handler reaches: the running engine, the account stores, the hub."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Request

from callcenter.accounts import (
    CredentialStore,
    LoginLimiter,
    PasswordHasher,
    SessionStore,
    TokenStore,
)
from callcenter.engine.config import EngineConfig
from callcenter.engine.service import EngineService
from callcenter.http.hub import EventHub
from callcenter.http.settings import HttpSettings
from callcenter.supervision.roles import Roster, User
from cdr.db import Database


@dataclass(eq=False)
class ApiContext:
    service: EngineService
    settings: HttpSettings
    db: Database
    hub: EventHub
    hasher: PasswordHasher
    credentials: CredentialStore
    sessions: SessionStore
    tokens: TokenStore
    limiter: LoginLimiter
    base_url: str = ""
    clock: Callable[[], float] = time.time
    _requests: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def config(self) -> EngineConfig:
        return self.service.config

    @property
    def roster(self) -> Roster:
        return self.service.supervision.roster

    def account(self, user_id: str) -> User | None:
        """The user `user_id` logs in as (supervision.users, or an agent's desktop user)."""
        return self.roster.account(user_id, self.service.switchboard.agents)

    def request_id(self) -> str:
        """The `id` of a command the API sends the engine (audit rows and replies show it)."""
        return f"api-{int(self.clock())}-{next(self._requests)}"


def context(request: Request) -> ApiContext:
    ctx = request.app.state.ctx
    assert isinstance(ctx, ApiContext)
    return ctx
