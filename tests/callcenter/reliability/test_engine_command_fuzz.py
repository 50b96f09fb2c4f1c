"""10,000 malformed agent commands over real Mosquitto: the engine answers every one with an
error, keeps running, and its routing state does not change."""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "engine"))

from live_engine import e2e_config, live_engine

from acd.testing import fingerprint
from callcenter.bus.client import BusConfig, MqttBus, probe, unique_client_id
from callcenter.bus.topics import unique_prefix
from callcenter.engine.desktops import MqttDesktops

COMMANDS = 10_000


def malformed(rng: np.random.Generator, i: int) -> bytes:
    """A payload the engine must refuse: broken bytes, bad JSON, bad fields, bad values."""
    kind = i % 12
    rid = f"fz-{i}"
    if kind == 0:
        return bytes(rng.integers(0, 256, size=int(rng.integers(1, 64)), dtype=np.uint8))
    if kind == 1:
        return b'{"v": 1, "id": "' + rid.encode() + b'", "cmd": "pause", '  # cut short
    if kind == 2:
        return json.dumps([1, 2, 3]).encode()
    if kind == 3:
        return json.dumps({"v": 2, "id": rid, "cmd": "ready"}).encode()
    if kind == 4:
        return json.dumps({"v": 1, "id": rid, "cmd": "fly"}).encode()
    if kind == 5:
        return json.dumps({"v": 1, "id": rid, "cmd": "pause"}).encode()  # no reason
    if kind == 6:
        return json.dumps({"v": 1, "id": rid, "cmd": "pause", "reason": 7}).encode()
    if kind == 7:
        return json.dumps({"v": 1, "id": rid, "cmd": "login", "device": "not a device"}).encode()
    if kind == 8:
        return json.dumps({"v": 1, "id": rid, "cmd": "wrapup_extend", "seconds": -5}).encode()
    if kind == 9:
        return json.dumps({"v": 1, "id": rid, "cmd": "ready", "extra": True}).encode()
    if kind == 10:
        return json.dumps({"v": 1, "id": rid, "cmd": "dial", "number": "12ab"}).encode()
    # well-formed but refused by the engine: nothing to hold, no call to transfer
    cmd = ("hold", "unhold", "hangup")[i % 3]
    return json.dumps({"v": 1, "id": rid, "cmd": cmd}).encode()


async def test_ten_thousand_malformed_commands_are_answered_and_change_nothing() -> None:
    config = BusConfig(topic_prefix=unique_prefix("test-fuzz"))  # this run's, on a shared broker
    problem = await probe(config)
    if problem is not None:
        pytest.skip(f"no MQTT broker at {config.address}: {problem}")
    async with MqttBus(config) as engine_bus:
        desktops = MqttDesktops(engine_bus)
        async with live_engine(e2e_config(agents=2), desktops=desktops) as live:
            sb = live.service.switchboard
            before = (fingerprint(sb.router),
                      {a.id: (a.state, a.reason) for a in sb.agents.values()})
            replies: dict[str | None, bool] = {}
            nulls = 0
            done = asyncio.Event()
            ready = asyncio.Event()
            async with MqttBus(replace(config, client_id=unique_client_id("fuzz-desk"),
                                       outbox_limit=20_000)) as desk:

                async def collect() -> None:
                    nonlocal nulls
                    ready.set()
                    replies_filter = f"{desk.topics.base}/agents/+/replies"
                    async for _topic, payload in desk.messages(replies_filter):
                        data = json.loads(payload)
                        if not data["id"] or not str(data["id"]).startswith("fz-"):
                            nulls += data["id"] is None
                        else:
                            replies[data["id"]] = data["ok"]
                        if len(replies) + nulls >= COMMANDS:
                            done.set()

                reader = asyncio.create_task(collect())
                await ready.wait()
                await asyncio.sleep(0.5)  # the subscription reaches the broker
                rng = np.random.default_rng(20261123)
                for i in range(COMMANDS):
                    agent = ("1001", "1002", "9999")[i % 3]
                    desk.publish(desk.topics.agent_commands(agent), malformed(rng, i), qos=1)
                    if i % 500 == 0:
                        await asyncio.sleep(0)
                await asyncio.wait_for(done.wait(), 120)
                reader.cancel()
            assert not any(replies.values())  # every one refused
            assert len(replies) + nulls == COMMANDS
            assert (fingerprint(sb.router),
                    {a.id: (a.state, a.reason) for a in sb.agents.values()}) == before
            assert not live.task.done()
