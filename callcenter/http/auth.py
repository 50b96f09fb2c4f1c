"""Who is asking, and may they: sessions (cookie + CSRF header), tokens (Bearer), the check.

A browser logs in with `POST /api/v1/session` and gets an HttpOnly, SameSite=Strict cookie
holding a random session id (Secure over TLS or behind a proxy that says https); every
state-changing request made with that cookie must carry the session's CSRF token in
`X-CSRF-Token` (returned by the login and by `GET /api/v1/session`). An integration sends
`Authorization: Bearer cc_...` instead and needs no CSRF token (no browser sends it by
itself). Every refusal by the permission table is audited like a supervisor command.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import (
    APIKeyCookie,
    APIKeyHeader,
    HTTPAuthorizationCredentials,
    HTTPBearer,
)
from starlette.requests import HTTPConnection

from callcenter.accounts import ApiToken, Session
from callcenter.accounts.digests import same
from callcenter.http.context import ApiContext, context
from callcenter.http.errors import forbidden, unauthorized
from callcenter.supervision.audit import AuditEntry
from callcenter.supervision.roles import (
    Action,
    AgentTarget,
    CallTarget,
    Integration,
    Principal,
    Scope,
    Target,
    authorize,
    scope_of,
)

SESSION_COOKIE = "cc_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Declared for the OpenAPI document (security schemes); the checks are below.
cookie_scheme = APIKeyCookie(name=SESSION_COOKIE, auto_error=False,
                             description="Session cookie from POST /api/v1/session")
csrf_scheme = APIKeyHeader(name=CSRF_HEADER, auto_error=False,
                           description="The session's CSRF token, on every non-GET request")
bearer_scheme = HTTPBearer(auto_error=False, description="An API token: cc_<id>_<secret>")


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated principal of a request; `session` or `token` says how."""

    principal: Principal
    session: Session | None
    token: ApiToken | None
    address: str


def client_address(request: HTTPConnection) -> str:
    return request.client.host if request.client else "unknown"


async def _token_caller(ctx: ApiContext, header: str, address: str) -> Caller:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise unauthorized("expected the header Authorization: Bearer <token>")
    token = await ctx.token(value.strip())
    if token is None:
        raise unauthorized("the token is unknown or revoked")
    return Caller(Integration(token.name, token.scopes), None, token, address)


async def authenticate(
    request: Request,
    _cookie: Annotated[str | None, Depends(cookie_scheme)],
    _csrf: Annotated[str | None, Depends(csrf_scheme)],
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Caller:
    """The dependency every protected operation has: 401 without a live session or token,
    403 (audited) for a cookie request that changes state without its CSRF token."""
    ctx = context(request)
    address = client_address(request)
    header = request.headers.get("authorization")
    if header is not None:
        return await _token_caller(ctx, header, address)
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        raise unauthorized("not logged in: POST /api/v1/session, or send"
                           " Authorization: Bearer <token>")
    session = await ctx.session(session_id)
    if session is None:
        raise unauthorized("the session expired or was logged out: log in again")
    user = ctx.account(session.user_id)
    if user is None:
        raise unauthorized(f"user {session.user_id} is no longer configured")
    caller = Caller(user, session, None, address)
    if request.method not in SAFE_METHODS:
        presented = request.headers.get(CSRF_HEADER, "")
        if not presented or not same(presented, session.csrf_token):
            reason = (f"missing or wrong {CSRF_HEADER} header: a request that changes"
                      " something with a session cookie must carry the session's CSRF token")
            await audit_refusal(ctx, caller, "csrf", None, reason, request)
            raise forbidden(reason)
    return caller


async def audit_refusal(ctx: ApiContext, caller: Caller, action: str,
                        target: Target | None, reason: str, request: Request) -> None:
    """Write the refusal to the audit table, as refused supervisor commands are."""
    who = caller.principal
    agent = target.agent if isinstance(target, AgentTarget) else None
    call = target.call_id if isinstance(target, CallTarget) else None
    await ctx.service.audit(AuditEntry(
        ctx.clock(), who.id, who.role.value, action, agent, call,
        f"api {request.method} {request.url.path}"[:200], None, reason))


class Guard:
    """The permission checks of one request (a parameter `guard: Guarded`)."""

    def __init__(self, ctx: ApiContext, caller: Caller, request: Request) -> None:
        self.ctx = ctx
        self.caller = caller
        self.request = request

    @property
    def who(self) -> Principal:
        return self.caller.principal

    def agent_target(self, agent_id: str) -> AgentTarget:
        return self.ctx.roster.agent_target(agent_id)

    async def allow(self, action: Action, target: Target) -> None:
        """403 (audited) unless the table lets the caller do `action` on `target`."""
        reason = authorize(self.who, action, target)
        if reason is not None:
            await audit_refusal(self.ctx, self.caller, action.value, target, reason,
                                self.request)
            raise forbidden(reason)

    async def scope(self, action: Action) -> Scope:
        """The caller's scope for a list; 403 (audited) when it is none at all."""
        scope = scope_of(self.who, action)
        if scope is Scope.NONE:
            reason = authorize(self.who, action, CallTarget("", "")) or "refused"
            await audit_refusal(self.ctx, self.caller, action.value, None, reason,
                                self.request)
            raise forbidden(reason)
        return scope

    async def refuse(self, action: Action, agent_id: str | None, reason: str) -> None:
        """Audit a refusal decided outside the table (e.g. a token sending a supervisor
        command)."""
        target = None if agent_id is None else self.agent_target(agent_id)
        await audit_refusal(self.ctx, self.caller, action.value, target, reason, self.request)

    def sees(self, action: Action, target: Target) -> bool:
        """Whether a list shows `target` to the caller (no audit: it is a filter)."""
        return authorize(self.who, action, target) is None

    @staticmethod
    async def of(request: Request, caller: Annotated[Caller, Depends(authenticate)]) -> Guard:
        # async: FastAPI would run a plain function in a worker thread, for every request
        return Guard(context(request), caller, request)


Guarded = Annotated[Guard, Depends(Guard.of)]
"""An operation's parameter: authenticated (401), CSRF-checked (403), with its checks."""
