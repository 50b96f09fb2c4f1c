"""Webhooks against real local HTTP receivers: signed, retried, dead-lettered, and never in
the engine's way."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
from api_engine import api_config, api_engine
from receiver import Received, receiver
from sqlalchemy import select

from callcenter.accounts.schema import WebhookDeadLetterRow
from callcenter.emulator import InboundCaller, Softphone
from callcenter.http.webhooks import SIGNATURE_HEADER, verify

KEY_A, KEY_B = "hook-a-signing-key", "hook-b-signing-key"


def _flaky(request: Received, seen: list[Received]) -> int | None:
    """/a fails each delivery's first attempt with a 500; /b never answers."""
    if request.path == "/b":
        return None
    delivery = request.headers["x-callcenter-delivery"]
    tries = [r for r in seen if r.headers.get("x-callcenter-delivery") == delivery]
    return 500 if len(tries) == 1 else 204


async def test_offered_answered_ended_signed_retried_and_dead_lettered(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CC_TEST_HOOK_A", KEY_A)
    monkeypatch.setenv("CC_TEST_HOOK_B", KEY_B)
    (tmp_path / "rec").mkdir()
    async with receiver(_flaky) as hooks:
        config = api_config(
            recording={"directory": str(tmp_path / "rec"), "settle_s": 0.2,
                       "policy": {"rules": [{"mode": "all"}]}},
            http={"port": 0, "webhooks": [
                {"url": f"http://127.0.0.1:{hooks.port}/a", "secret_env": "CC_TEST_HOOK_A",
                 "backoff_s": 0.1},
                {"url": f"http://127.0.0.1:{hooks.port}/b", "secret_env": "CC_TEST_HOOK_B",
                 "events": ["call.ended"], "timeout_s": 0.5, "max_attempts": 2,
                 "backoff_s": 0.1}]})
        phones = {a: Softphone(f"PJSIP/{a}", ring_s=0.3, talk_s=1000.0)
                  for a in ("1001", "1002", "1003")}
        async with api_engine(tmp_path, config, phones=phones) as live:
            started = time.monotonic()
            live.emulator.trunk.place(InboundCaller(number="5550400", did="4000",
                                                    patience_s=100, talk_s=1.0))
            await live.wait_for(lambda: len(live.records) == 1, 20, "the call record")
            assert time.monotonic() - started < 10  # /b hanging did not hold the call up

            def retried_kinds() -> set[str]:
                """Events whose delivery to /a got its second attempt (the 2xx)."""
                tries: dict[str, list[Received]] = {}
                for request in hooks.at("/a"):
                    tries.setdefault(request.headers["x-callcenter-delivery"], []).append(
                        request)
                return {r[0].headers["x-callcenter-event"] for r in tries.values()
                        if len(r) >= 2}

            await live.wait_for(lambda: retried_kinds() >= {
                "call.offered", "call.answered", "call.ended"}, 15, "three events, retried")
            await live.wait_for(lambda: live.server.context.hub is not None
                                and _dead(live) == 1, 10, "/b given up")
            by_delivery: dict[str, list[bytes]] = {}
            for request in hooks.at("/a"):
                assert verify(KEY_A.encode(), request.headers[SIGNATURE_HEADER.lower()],
                              request.body, time.time())
                assert not verify(KEY_B.encode(), request.headers[SIGNATURE_HEADER.lower()],
                                  request.body, time.time())
                by_delivery.setdefault(request.headers["x-callcenter-delivery"],
                                       []).append(request.body)
            # each delivery twice (500, then 2xx), the same body both times (a ring-no-answer
            # on a loaded machine can add a second offer: it is retried the same way)
            assert all(len(b) == 2 and b[0] == b[1] for b in by_delivery.values())
            events = {json.loads(b[0])["event"]: json.loads(b[0])
                      for b in by_delivery.values()}
            assert set(events) == {"call.offered", "call.answered", "call.ended"}
            offered = events["call.offered"]["call"]
            assert offered["caller"] == "5550400" and offered["queue"] == "support"
            ended = events["call.ended"]["call"]
            (record,) = live.records
            assert ended["call_id"] == record.call_id and ended["outcome"] == "answered"
            assert ended["agent"] == record.agent_id and ended["caller"] == "5550400"
            assert ended["recording_url"].endswith(
                f"/api/v1/recordings/{record.call_id}/audio")
            assert "disposition" in ended
            rows: list[Any] = []
            for _ in range(100):  # counted as dead before the row is committed
                async with live.db.engine.connect() as conn:
                    rows = list((await conn.execute(select(WebhookDeadLetterRow))).all())
                if rows:
                    break
                await asyncio.sleep(0.05)
            (row,) = rows
            assert (row.event, row.attempts) == ("call.ended", 2)
            assert row.url.endswith("/b") and "Timeout" in row.error
            assert json.loads(row.payload)["call"]["call_id"] == record.call_id


def _dead(live: object) -> int:
    webhooks = live.service.desktops.listeners[1]  # type: ignore[attr-defined]
    return int(webhooks.dead)


async def test_a_missing_signing_key_stops_the_start(tmp_path: Path) -> None:
    from callcenter.http.webhooks import WebhookError

    config = api_config(http={"port": 0, "webhooks": [
        {"url": "http://127.0.0.1:9/x", "secret_env": "CC_TEST_HOOK_NOT_SET_ANYWHERE"}]})
    with pytest.raises(WebhookError, match="CC_TEST_HOOK_NOT_SET_ANYWHERE"):
        async with api_engine(tmp_path, config):
            pass
