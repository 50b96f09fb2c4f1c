"""Accounts over a real HTTP connection: sessions, CSRF, tokens, expiry, rate limits, and no
secret in a log line, an error or a repr."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from api_engine import PASSWORDS, api_engine

from callcenter.accounts import SessionStore, TokenStore
from callcenter.accounts.tokens import parse_scopes
from callcenter.http.models import LoginBody


async def test_no_session_is_401_and_login_logout_works(tmp_path: Path) -> None:
    async with api_engine(tmp_path) as live, live.client() as anonymous:
        response = await anonymous.get("/api/v1/agents")
        assert response.status_code == 401
        assert response.json()["error"] == "unauthorized"
        sam, csrf = await live.session("sam")
        cookie = sam.cookies.jar
        (morsel,) = [c for c in cookie if c.name == "cc_session"]
        assert morsel.has_nonstandard_attr("HttpOnly") or morsel._rest.get("HttpOnly") is not None
        who = (await sam.get("/api/v1/session")).json()
        assert (who["user"], who["role"], who["via"], who["csrf_token"]) == (
            "sam", "supervisor", "session", csrf)
        assert (await sam.delete("/api/v1/session", headers={"X-CSRF-Token": csrf})
                ).status_code == 204
        # the same cookie never works again, even sent by hand
        again = live.client(cookies={"cc_session": morsel.value})
        assert (await again.get("/api/v1/agents")).status_code == 401
        await again.aclose()
        await sam.aclose()


async def test_the_cookie_is_httponly_samesite_strict(tmp_path: Path) -> None:
    async with api_engine(tmp_path) as live, live.client() as client:
        response = await client.post("/api/v1/session",
                                     json={"user": "ann", "password": PASSWORDS["ann"]})
        header = response.headers["set-cookie"].lower()
        assert "httponly" in header and "samesite=strict" in header and "path=/api" in header
        assert "secure" not in header  # plain HTTP here; TLS or an https public URL adds it


async def test_a_state_change_without_the_csrf_token_is_403_and_audited(
        tmp_path: Path) -> None:
    async with api_engine(tmp_path) as live:
        agent, csrf = await live.session("desk-1001")
        response = await agent.post("/api/v1/agents/1001/pause", json={"reason": "lunch"})
        assert response.status_code == 403 and "X-CSRF-Token" in response.json()["reason"]
        wrong = await agent.post("/api/v1/agents/1001/pause", json={"reason": "lunch"},
                                 headers={"X-CSRF-Token": csrf[:-2] + "xx"})
        assert wrong.status_code == 403
        assert live.service.switchboard.agents["1001"].state.value == "available"
        rows = [r for r in await live.audit("desk-1001") if r.action == "csrf"]
        assert len(rows) == 2 and "POST /api/v1/agents/1001/pause" in (rows[0].detail or "")
        ok = await agent.post("/api/v1/agents/1001/pause", json={"reason": "lunch"},
                              headers={"X-CSRF-Token": csrf})
        assert ok.status_code == 200, ok.text
        assert live.service.switchboard.agents["1001"].reason == "lunch"
        await agent.aclose()


async def test_an_idle_or_old_session_is_401(tmp_path: Path) -> None:
    async with api_engine(tmp_path) as live:
        sam, _ = await live.session("sam")
        assert (await sam.get("/api/v1/agents")).status_code == 200
        live.offset[0] = live.service.config.http.session_idle_s + 1  # type: ignore[union-attr]
        response = await sam.get("/api/v1/agents")
        assert response.status_code == 401 and "expired" in response.json()["reason"]
        live.offset[0] = 0.0
        ann, _ = await live.session("ann")
        for step in range(1, 30):  # active all along, but past the absolute expiry
            live.offset[0] = step * 1700.0
            if (await ann.get("/api/v1/agents")).status_code == 401:
                break
        max_s = live.service.config.http.session_max_s  # type: ignore[union-attr]
        assert max_s - 1700 <= live.offset[0] <= max_s + 1700
        await sam.aclose()
        await ann.aclose()


async def test_tokens_scopes_and_revocation(tmp_path: Path) -> None:
    async with api_engine(tmp_path) as live:
        secret = await live.token("crm", "dial,customers:read,calls:read")
        crm = live.client(headers={"Authorization": f"Bearer {secret}"})
        assert (await crm.get("/api/v1/calls")).status_code == 200
        refused = await crm.get("/api/v1/agents")
        assert refused.status_code == 403
        assert refused.json()["reason"] == (
            "token crm lacks scope agents:read (it has: calls:read, customers:read, dial)")
        assert (await crm.post("/api/v1/agents/1002/pause", json={"reason": "x"})
                ).status_code == 403  # no supervisor command for a token, no CSRF needed
        (token,) = await TokenStore(live.db).all()
        assert token.last_used_at is not None
        # revoked with the CLI (another process, the same database): refused once this
        # engine's memory of it (http.auth_cache_s) is over
        await TokenStore(live.db).revoke("crm", live.server.context.clock())
        cache_s = live.service.config.http.auth_cache_s  # type: ignore[union-attr]
        assert (await crm.get("/api/v1/calls")).status_code == 200
        live.offset[0] = cache_s + 0.1
        response = await crm.get("/api/v1/calls")
        assert response.status_code == 401 and "revoked" in response.json()["reason"]
        bogus = live.client(headers={"Authorization": "Bearer cc_0123456789ab_" + "x" * 43})
        assert (await bogus.get("/api/v1/calls")).status_code == 401
        await crm.aclose()
        await bogus.aclose()


async def test_failed_logins_are_limited_per_user_and_per_address(tmp_path: Path) -> None:
    async with api_engine(tmp_path) as live, live.client() as client:
        async def login(user: str, password: str) -> httpx.Response:
            return await client.post("/api/v1/session",
                                     json={"user": user, "password": password})

        unknown = await login("nobody", "whatever-password")
        wrong = await login("sam", "not-sams-password")
        assert unknown.status_code == wrong.status_code == 401
        assert unknown.json() == wrong.json()  # no user enumeration
        for _ in range(2):
            assert (await login("sam", "not-sams-password")).status_code == 401
        blocked = await login("sam", PASSWORDS["sam"])  # 3 failures: even the right one waits
        assert blocked.status_code == 429
        assert 1 <= int(blocked.headers["Retry-After"]) <= 60
        assert blocked.json()["error"] == "too_many_attempts"
        # the address: 4 failures so far, 6 allowed, then everyone from it waits
        for user in ("ann", "ada"):
            assert (await login(user, "wrong-password-x")).status_code == 401
        assert (await login("ann", PASSWORDS["ann"])).status_code == 429
        live.offset[0] = 61.0  # the window is over
        assert (await login("sam", PASSWORDS["sam"])).status_code == 200


async def test_secrets_are_never_in_logs_errors_or_reprs(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with api_engine(tmp_path) as live:
        sam, csrf = await live.session("sam")
        session_id = sam.cookies["cc_session"]
        secret = await live.token("wallboard", "queues:read")
        board = live.client(headers={"Authorization": f"Bearer {secret}"})
        assert (await board.get("/api/v1/queues")).status_code == 200
        await sam.post("/api/v1/agents/1003/pause", json={"reason": "coaching"},
                       headers={"X-CSRF-Token": csrf})
        bad = await live.client().post("/api/v1/session",
                                       json={"user": "sam", "password": "sam-wrong-password"})
        text = bad.text + repr(LoginBody(user="sam", password=PASSWORDS["sam"]))
        session = await SessionStore(live.db, idle_s=60, max_s=60).find(
            session_id, live.server.context.clock())
        issued = await TokenStore(live.db).create("other", parse_scopes("dial"), 0.0)
        text += repr(session) + repr(issued)
        await sam.aclose()
        await board.aclose()
    # The test's own HTTP client (httpcore, at DEBUG) logs the cookies it is sent: not ours.
    logged = "\n".join(r.getMessage() for r in caplog.records
                       if not r.name.startswith(("httpcore", "httpx"))) + text
    assert "API login: supervisor sam" in logged  # the log was captured
    for value in (*PASSWORDS.values(), session_id, secret, csrf, "sam-wrong-password",
                  issued.secret):
        assert value not in logged, f"{value[:6]}... leaked"
