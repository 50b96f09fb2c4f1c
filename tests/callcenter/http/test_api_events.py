"""The WebSocket of live events: the same payloads as MQTT, only what the role may read, and
a slow reader dropped without holding the engine."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from api_engine import api_config, api_engine
from websockets.exceptions import InvalidStatus
from ws_client import events_socket

from callcenter.emulator import InboundCaller, Softphone
from callcenter.http.hub import SLOW_CONSUMER


async def _wait(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


async def test_a_screen_pop_reaches_its_agent_only_with_the_mqtt_payload(
        tmp_path: Path) -> None:
    phones = {a: Softphone(f"PJSIP/{a}", ring_s=1.0, talk_s=1000.0) for a in ("1001", "1002")}
    async with api_engine(tmp_path, phones=phones) as live:
        sb = live.service.switchboard
        sb.pause("1003", "training", live.service.now())
        sb.pause("1002", "meeting", live.service.now())
        live.service.perform_pending()
        mqtt_pops: list[bytes] = []

        async def mqtt() -> None:
            async for _topic, payload in live.bus.messages("callcenter/v1/agents/+/screenpop"):
                mqtt_pops.append(payload)

        reader = asyncio.create_task(mqtt())
        one, _ = await live.session("desk-1001")
        two, _ = await live.session("1002")
        sam, _ = await live.session("sam")
        async with events_socket(live.url, cookie=one.cookies["cc_session"]) as a, \
                events_socket(live.url, cookie=two.cookies["cc_session"]) as b, \
                events_socket(live.url, cookie=sam.cookies["cc_session"]) as s:
            await _wait(lambda: all(x.topics("/stats") for x in (a, b, s)), 5, "retained stats")
            assert {p["agent"] for p in a.topics("/state")} == {"1001"}
            assert {p["agent"] for p in s.topics("/state")} == {"1001", "1002", "1003"}
            await asyncio.sleep(0.3)  # the MQTT subscription is live
            offered_at = time.monotonic()
            live.emulator.trunk.place(InboundCaller(number="5550100", did="4000",
                                                    patience_s=100, talk_s=60))
            await _wait(lambda: a.topics("/screenpop"), 5, "the pop on 1001's socket")
            pop_delay = time.monotonic() - offered_at
            (pop,) = a.topics("/screenpop")
            assert pop["agent"] == "1001" and pop["caller"]["number"] == "5550100"
            await _wait(lambda: mqtt_pops, 5, "the pop over MQTT")
            assert json.loads(mqtt_pops[0]) == pop  # the same JSON, field for field
            await _wait(lambda: any(c.bridged for c in sb.calls.values()), 10, "the bridge")
            assert b.topics("/screenpop") == [] and s.topics("/screenpop") == []
            assert any(p["state"] == "on-call" for p in a.topics("/state"))
            assert all(p["agent"] == "1001" for p in a.topics("/state"))
            assert pop_delay < 5
        reader.cancel()
        for client in (one, two, sam):
            await client.aclose()


async def test_sockets_need_a_session_or_token_and_the_own_origin(tmp_path: Path) -> None:
    async with api_engine(tmp_path) as live:
        with pytest.raises(InvalidStatus):
            async with events_socket(live.url):
                pass
        sam, _ = await live.session("sam")
        with pytest.raises(InvalidStatus):
            async with events_socket(live.url, cookie=sam.cookies["cc_session"],
                                     origin="http://evil.example"):
                pass
        token = await live.token("board", "queues:read")
        async with events_socket(live.url, token=token) as board:
            await _wait(lambda: board.topics("/stats"), 5, "queue stats")
            assert board.topics("/state") == []  # no agents:read scope
        await sam.aclose()


async def test_a_reader_that_falls_behind_is_closed_not_waited_for(tmp_path: Path) -> None:
    config = api_config(http={"port": 0, "websocket_buffer": 10})
    async with api_engine(tmp_path, config) as live:
        sam, _ = await live.session("sam")
        async with events_socket(live.url, cookie=sam.cookies["cc_session"],
                                 read=False) as slow:
            await _wait(lambda: live.server.context.hub.subscribers == 1, 5, "subscribed")
            started = time.monotonic()
            sb = live.service.switchboard
            for n in range(3000):  # far more state changes than the socket buffers
                agent = ("1001", "1002", "1003")[n % 3]
                if n % 2:
                    sb.ready(agent, live.service.now())
                else:
                    sb.pause(agent, "flood", live.service.now())
                live.service.perform_pending()
            elapsed = time.monotonic() - started
            await _wait(lambda: live.server.context.hub.subscribers == 0, 5, "dropped")
            assert live.server.context.hub.dropped == 1
            assert elapsed < 5  # the engine never waited for the reader
            with pytest.raises(Exception):  # noqa: B017 - closed by the server
                for _ in range(100_000):
                    await asyncio.wait_for(slow.socket.recv(), 2)
            assert slow.socket.close_code == SLOW_CONSUMER
            assert "slow consumer" in (slow.socket.close_reason or "")
        await sam.aclose()
