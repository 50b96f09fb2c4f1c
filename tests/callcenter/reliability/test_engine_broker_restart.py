"""The MQTT broker (a real Mosquitto) is stopped and restarted while calls are routed:
routing goes on, and every screen-pop published meanwhile reaches the desktop afterwards."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "engine"))

from live_engine import e2e_config, live_engine

from callcenter.bus.client import BusConfig, MqttBus
from callcenter.bus.testing import MosquittoProcess
from callcenter.emulator import InboundCaller, Softphone
from callcenter.engine.desktops import MqttDesktops
from cdr.records import Outcome

CALLS = 12


async def test_screen_pops_survive_a_broker_restart() -> None:
    why = MosquittoProcess.available()
    if why is not None:
        pytest.skip(why)
    async with MosquittoProcess() as broker:
        # Clean sessions: a desktop gets what is published while it is subscribed. The desktop
        # comes back at once, as desktops that retry quickly (and re-read their retained state)
        # would; the engine retries 2.4-3.6 s after the loss (3 s with jitter), well after the
        # broker's 1 s outage. (With 1 s the engine's first retry could land right after the
        # broker's start, before the desktop's, and flush its outbox to nobody.)
        engine_config = BusConfig(port=broker.port, client_id="restart-engine",
                                  reconnect_initial=3.0, reconnect_max=3.0)
        desk_config = BusConfig(port=broker.port, client_id="restart-desk",
                                reconnect_initial=0.05, reconnect_max=0.1)
        phones = {f"10{i:02d}": Softphone(f"PJSIP/10{i:02d}", ring_s=0.5, talk_s=6.0)
                  for i in range(1, 5)}
        pops: set[str] = set()
        async with MqttBus(engine_config) as engine_bus, MqttBus(desk_config) as desk:

            async def watch() -> None:
                screenpops = f"{desk.topics.base}/agents/+/screenpop"
                async for _topic, payload in desk.messages(screenpops):
                    pops.add(json.loads(payload)["pop_id"])  # a desktop shows each pop once

            watcher = asyncio.create_task(watch())
            await asyncio.sleep(0.5)
            async with live_engine(e2e_config(agents=4), phones=phones,
                                   desktops=MqttDesktops(engine_bus)) as live:
                for i in range(CALLS):
                    if i == 4:
                        await broker.stop()  # screen-pops of the next calls wait in the outbox
                    if i == 8:
                        await broker.start()
                    live.emulator.trunk.place(InboundCaller(number=f"55501{i:02d}", did="4000",
                                                            patience_s=400, talk_s=4))
                    await asyncio.sleep(0.25)
                records = await live.wait_records(CALLS, timeout=40)
                assert {r.outcome for r in records} == {Outcome.ANSWERED}
                # one pop per offer: every ring segment of every call
                expected = sum(1 for r in records for s in r.segments if s.kind.value == "ring")
                try:
                    await asyncio.wait_for(_until(lambda: len(pops) >= expected), 20)
                except TimeoutError:
                    pytest.fail(f"{len(pops)} of {expected} screen-pops reached the desktop;"
                                f" engine bus {engine_bus.stats}, desktop {desk.stats}")
            watcher.cancel()
        assert len(pops) == expected
        assert engine_bus.stats.connection_losses >= 1 and engine_bus.stats.dropped == 0


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.05)
