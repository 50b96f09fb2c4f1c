"""The defects found on a real Asterisk 22 with PJSIP phones, end to end: the engine over real
AMI against the emulator, which now behaves as that PBX did (fixtures asterisk-ami-pjsip/)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import aiomqtt
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from live_engine import e2e_config, live_engine

from acd import AgentState
from callcenter.bus.client import BusConfig, MqttBus, probe, unique_client_id
from callcenter.bus.topics import unique_prefix
from callcenter.emulator import InboundCaller, Softphone
from callcenter.engine.desktops import MqttDesktops
from cdr.records import Outcome, SegmentKind


async def test_an_abandon_while_ringing_does_not_cost_the_next_caller_its_agent() -> None:
    # Caller A gives up while 1001's phone rings; B is waiting. The engine offers B to 1001 at
    # once; Asterisk then reports A's leg (OriginateResponse Failure, Uniqueid = A's leg)
    # before that leg's Hangup. On the old engine this dropped B's leg and paused 1001 RONA.
    config = e2e_config(agents=1)
    phones = {"1001": Softphone("PJSIP/1001", ring_s=3.0, talk_s=4.0)}
    async with live_engine(config, phones=phones) as live:
        sb = live.service.switchboard
        live.emulator.trunk.place(InboundCaller(number="5550001", did="4000", patience_s=1.0,
                                                talk_s=5))
        await asyncio.sleep(0.02)
        live.emulator.trunk.place(InboundCaller(number="5550002", did="4000", patience_s=200,
                                                talk_s=5))
        records = {r.caller: r for r in await live.wait_records(2, timeout=20)}
        assert records["5550001"].outcome is Outcome.ABANDONED
        assert records["5550002"].outcome is Outcome.ANSWERED
        assert records["5550002"].agent_id == "1001"
        await live.wait_for(lambda: sb.agents["1001"].state is AgentState.AVAILABLE, 5.0,
                            "1001 free again")
        assert sb.agents["1001"].reason is None  # never paused RONA
        agent_legs = [c for c in live.emulator.pbx.channels.values()
                      if c.name.startswith("PJSIP/1001-")]
        assert agent_legs == []  # no phone left off-hook in Wait()


async def test_a_caller_gone_during_the_agent_id_is_recorded_so() -> None:
    # SayDigits of "7001" takes 3.6 s on the PBX (0.9 s a digit); this caller gives up 2 s
    # after arriving, while hearing it (fixture h4: no Bridge event).
    config = e2e_config(agents=1)
    phones = {"1001": Softphone("PJSIP/1001", ring_s=0.3, talk_s=30.0)}
    async with live_engine(config, phones=phones) as live:
        live.emulator.trunk.place(InboundCaller(did="4000", patience_s=2.0, talk_s=30))
        (record,) = await live.wait_records(1, timeout=20)
    assert record.outcome is Outcome.ANNOUNCEMENT_HANGUP
    assert record.answered_at is not None  # the agent did answer
    kinds = [s.kind for s in record.segments]
    assert SegmentKind.ANNOUNCEMENT in kinds and SegmentKind.TALK not in kinds


async def test_an_agent_whose_phone_is_not_registered_is_not_offered_calls() -> None:
    # On the real PBX the engine offered a call to a phone that had never registered
    # ("Could not create dialog to invalid URI"), paused its agent RONA and popped the screen.
    config = e2e_config(agents=1)
    phones = {"1001": Softphone("PJSIP/1001", ring_s=0.5, talk_s=4.0, online=False)}
    async with live_engine(config, phones=phones) as live:
        sb = live.service.switchboard
        await live.wait_for(lambda: sb.agents["1001"].reason == "device-offline", 5.0,
                            "1001 paused device-offline")
        assert sb.agents["1001"].device_state == "UNAVAILABLE"
        live.emulator.trunk.place(InboundCaller(did="4000", patience_s=400, talk_s=4))
        await asyncio.sleep(0.5)
        assert all(not c.legs for c in sb.calls.values())  # nobody rang the dead phone
        live.emulator.phones.register("PJSIP/1001")
        (record,) = await live.wait_records(1, timeout=20)
    assert record.outcome is Outcome.ANSWERED and record.agent_id == "1001"
    rings = [s for s in record.segments if s.kind is SegmentKind.RING]
    assert [s.answered for s in rings] == [True]  # one ring, answered: no RONA


async def test_the_longest_wait_on_the_wallboard_grows_while_a_caller_waits() -> None:
    # Queue stats were published only when a figure changed, so `longest_wait_s` stayed 0.0
    # while a caller waited with nobody free.
    bus_config = BusConfig(topic_prefix=unique_prefix("test-longest"))
    problem = await probe(bus_config)
    if problem is not None:
        pytest.skip(f"no MQTT broker at {bus_config.address}: {problem}")
    waits: list[float] = []
    async with aiomqtt.Client("127.0.0.1", 1883,
                              identifier=unique_client_id("longest-listener")) as listener, \
            MqttBus(bus_config) as bus, \
            live_engine(e2e_config(agents=1), login=False, desktops=MqttDesktops(bus)) as live:
        await listener.subscribe(bus.topics.queue_stats("support"), qos=0)
        live.emulator.trunk.place(InboundCaller(did="4000", patience_s=1000, talk_s=5))
        async with asyncio.timeout(10):
            async for message in listener.messages:
                payload = message.payload if isinstance(message.payload, bytes) else b"{}"
                stats = json.loads(payload)
                if stats.get("waiting"):
                    waits.append(stats["longest_wait_s"])
                if len(waits) >= 3:
                    break
    assert waits == sorted(waits) and waits[-1] - waits[0] >= 1.5, waits  # about 1 s apart
