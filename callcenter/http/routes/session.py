"""Logging in and out: `POST|GET|DELETE /api/v1/session`."""

from __future__ import annotations

import logging
import math

from fastapi import APIRouter, Request, Response

from callcenter.accounts.ratelimit import address_key, user_key
from callcenter.engine.payloads import utc
from callcenter.http.auth import SESSION_COOKIE, Guarded, client_address
from callcenter.http.context import context
from callcenter.http.errors import ApiError, conflict, unauthorized
from callcenter.http.models import LoginBody, SessionInfo

router = APIRouter(tags=["session"])
log = logging.getLogger(__name__)
BAD_LOGIN = "wrong user name or password"  # the same for an unknown user (no enumeration)


def _secure(request: Request) -> bool:
    """Secure cookies over TLS, behind a proxy that says https (X-Forwarded-Proto, trusted
    by uvicorn from `proxy_addresses`), or when the public URL is https."""
    public = context(request).settings.public_url or ""
    return request.url.scheme == "https" or public.startswith("https://")


@router.post("/session", response_model=SessionInfo, summary="Log in (browser session)")
async def login(body: LoginBody, request: Request, response: Response) -> SessionInfo:
    """Check the password; set the session cookie; answer the CSRF token for later requests.

    Failed logins are limited per user name and per client address (429 with Retry-After);
    an unknown user and a wrong password get the same answer, after the same work."""
    ctx = context(request)
    now = ctx.clock()
    address = client_address(request)
    keys = [user_key(body.user), address_key(address)]
    wait = await ctx.limiter.retry_after(keys, now)
    if wait is not None:
        raise ApiError(429, "too_many_attempts",
                       f"too many failed logins: try again in {math.ceil(wait)} s",
                       headers={"Retry-After": str(max(1, math.ceil(wait)))})
    user = ctx.account(body.user)
    stored = await ctx.credentials.hash_of(user.id) if user is not None else None
    if not await ctx.hasher.verify(stored, body.password) or user is None:
        await ctx.limiter.failed(keys, now)
        log.warning("API login refused from %s", address)
        raise unauthorized(BAD_LOGIN)
    await ctx.limiter.succeeded(keys[0])
    session = await ctx.sessions.create(user.id, now, address)
    log.info("API login: %s %s from %s", user.role.value, user.id, address)
    response.set_cookie(SESSION_COOKIE, session.session_id, max_age=int(ctx.sessions.max_s),
                        path="/api", httponly=True, samesite="strict", secure=_secure(request))
    return SessionInfo(user=user.id, role=user.role.value, agent=user.agent, team=user.team,
                       via="session", csrf_token=session.csrf_token,
                       expires_at=utc(session.expires_at),
                       idle_expires_at=utc(session.idle_expires_at(ctx.sessions.idle_s)))


@router.get("/session", response_model=SessionInfo, summary="Who am I")
async def whoami(guard: Guarded) -> SessionInfo:
    caller = guard.caller
    who = caller.principal
    if caller.session is not None:
        session = caller.session
        return SessionInfo(
            user=who.id, role=who.role.value, agent=who.agent, team=who.team, via="session",
            csrf_token=session.csrf_token, expires_at=utc(session.expires_at),
            idle_expires_at=utc(session.idle_expires_at(guard.ctx.sessions.idle_s)))
    scopes = sorted(s.value for s in caller.token.scopes) if caller.token else []
    return SessionInfo(user=who.id, role=who.role.value, agent=None, team=None, via="token",
                       scopes=scopes)


@router.delete("/session", status_code=204, summary="Log out")
async def logout(guard: Guarded, response: Response) -> Response:
    """End the session: its id never works again (a token is revoked with the CLI)."""
    session = guard.caller.session
    if session is None:
        raise conflict("a token has no session: revoke it with `callcenter tokens revoke`")
    await guard.ctx.sessions.revoke(session.session_id, guard.ctx.clock())
    guard.ctx.session_cache.forget(session.session_id)
    log.info("API logout: %s", guard.who.id)
    response.delete_cookie(SESSION_COOKIE, path="/api", httponly=True, samesite="strict")
    response.status_code = 204
    return response
