"""What every request handler reaches: the running engine, the account stores, the hub."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Request

from callcenter.accounts import (
    ApiToken,
    CredentialStore,
    LoginLimiter,
    PasswordHasher,
    Session,
    SessionStore,
    TokenStore,
)
from callcenter.engine.config import EngineConfig
from callcenter.engine.service import EngineService
from callcenter.http.authcache import AuthCache
from callcenter.http.hub import EventHub
from callcenter.http.settings import HttpSettings
from callcenter.http.views import QueueViews
from callcenter.supervision.roles import Roster, User
from cdr import Database


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
    session_cache: AuthCache[Session] = field(init=False)
    token_cache: AuthCache[ApiToken] = field(init=False)
    queues: QueueViews = field(init=False)

    def __post_init__(self) -> None:
        self.session_cache = AuthCache(self.settings.auth_cache_s)
        self.token_cache = AuthCache(self.settings.auth_cache_s)
        self.queues = QueueViews(self.service)

    async def session(self, session_id: str) -> Session | None:
        """The live session with this id (a lookup at most every `auth_cache_s`)."""
        now = self.clock()
        session = await self.session_cache.get(
            session_id, now, lambda: self.sessions.find(session_id, now))
        if session is not None and (now >= session.expires_at
                                    or now >= session.last_seen_at + self.sessions.idle_s):
            self.session_cache.forget(session_id)
            session = await self.sessions.find(session_id, now)
        return session

    async def token(self, presented: str) -> ApiToken | None:
        """The live token (a lookup at most every `auth_cache_s`)."""
        now = self.clock()
        return await self.token_cache.get(
            presented, now, lambda: self.tokens.authenticate(presented, now))

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
