"""The engine end to end: the emulator (real AMI wire protocol) carrying calls the engine routes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from live_engine import e2e_config, live_engine

from acd import AgentState
from callcenter.emulator import InboundCaller, Softphone
from cdr.records import HangupBy, Outcome, SegmentKind


async def test_a_call_is_routed_announced_bridged_and_written(tmp_path: Path) -> None:
    config = e2e_config(agents=1)
    async with live_engine(config, db_path=tmp_path / "cc.db") as live:
        live.emulator.trunk.place(InboundCaller(number="5551234", did="4000", patience_s=60,
                                                talk_s=10))
        (record,) = await live.wait_records(1)
        assert record.outcome is Outcome.ANSWERED
        assert record.agent_id == "1001" and record.agent_display_id == "7001"
        assert record.caller == "5551234" and record.queue == "support"
        kinds = [s.kind for s in record.segments]
        assert kinds == [SegmentKind.QUEUE, SegmentKind.RING, SegmentKind.TALK,
                         SegmentKind.WRAP_UP]
        assert record.hangup_by is HangupBy.CALLER
        sb = live.service.switchboard
        assert sb.agents["1001"].state is AgentState.AVAILABLE
        assert sb.calls == {} and sb.legs == {}


async def test_ring_no_answer_moves_the_call_to_the_next_agent() -> None:
    config = e2e_config(agents=2)
    phones = {"1001": Softphone("PJSIP/1001", answers=False)}
    async with live_engine(config, phones=phones) as live:
        sb = live.service.switchboard
        sb.pause("1002", "coffee", live.service.now())
        live.service.perform_pending()
        live.emulator.trunk.place(InboundCaller(did="4000", patience_s=100, talk_s=5))
        await live.wait_for(lambda: sb.agents["1001"].state is AgentState.PAUSED, 5.0, "RONA")
        assert sb.agents["1001"].reason == "RONA"
        sb.ready("1002", live.service.now())
        live.service.perform_pending()
        (record,) = await live.wait_records(1)
        assert record.outcome is Outcome.ANSWERED and record.agent_id == "1002"
        rings = [s for s in record.segments if s.kind is SegmentKind.RING]
        assert [(s.agent_id, s.answered) for s in rings] == [("1001", False), ("1002", True)]


async def test_caller_hangs_up_while_waiting_is_an_abandon() -> None:
    config = e2e_config(agents=1)
    async with live_engine(config, login=False) as live:
        live.emulator.trunk.place(InboundCaller(did="4000", patience_s=10, talk_s=5))
        (record,) = await live.wait_records(1)
        assert record.outcome is Outcome.ABANDONED
        assert record.segments[0].kind is SegmentKind.QUEUE
        assert 0.3 < record.segments[0].end - record.segments[0].start < 2.0  # 10 s / 20


async def test_vip_callers_are_answered_before_callers_who_waited_longer() -> None:
    config = e2e_config(agents=1)
    async with live_engine(config, login=False) as live:
        sb = live.service.switchboard
        for number in ("5550001", "5550002"):
            live.emulator.trunk.place(InboundCaller(number=number, did="4000", patience_s=400,
                                                    talk_s=4))
            await asyncio.sleep(0.1)
        # DID 4001 is the VIP line of sales (priority 5); the agent serves both queues
        live.emulator.trunk.place(InboundCaller(number="5559999", did="4001", patience_s=400,
                                                talk_s=4))
        await live.wait_for(lambda: len(sb.calls) == 3, 5.0, "three callers queued")
        sb.login("1001", None, live.service.now())
        live.service.perform_pending()
        records = await live.wait_records(3, timeout=20)
        assert [r.caller for r in records] == ["5559999", "5550001", "5550002"]
        assert records[0].priority == 5 and records[0].tier == "vip"


async def test_hold_unhold_commands_and_the_hold_segment() -> None:
    config = e2e_config(agents=1)
    phones = {"1001": Softphone("PJSIP/1001", ring_s=0.5, talk_s=100.0)}
    async with live_engine(config, phones=phones) as live:
        sb = live.service.switchboard
        live.emulator.trunk.place(InboundCaller(did="4000", patience_s=100, talk_s=60))
        await live.wait_for(lambda: any(c.bridged for c in sb.calls.values()), 10.0, "bridge")
        sb.hold("1001", live.service.now())
        live.service.perform_pending()
        await asyncio.sleep(0.4)
        (caller,) = [c for c in live.emulator.pbx.channels.values()
                     if c.name.startswith("PJSIP/trunk-")]
        assert caller.bridge is None and caller.moh  # hearing music, out of the bridge
        sb.unhold("1001", live.service.now())
        live.service.perform_pending()
        await live.wait_for(lambda: caller.bridge is not None, 5.0, "bridged again")
        (record,) = await live.wait_records(1, timeout=20)
        holds = [s for s in record.segments if s.kind is SegmentKind.HOLD]
        assert len(holds) == 1 and 0.3 < holds[0].end - holds[0].start < 2.0


async def test_an_offline_device_pauses_its_agent_until_it_is_back() -> None:
    config = e2e_config(agents=1)
    async with live_engine(config) as live:
        sb = live.service.switchboard
        live.emulator.phones.set_online("PJSIP/1001", False)
        await live.wait_for(lambda: sb.agents["1001"].reason == "device-offline", 5.0,
                            "device-offline pause")
        live.emulator.trunk.place(InboundCaller(did="4000", patience_s=400, talk_s=4))
        await asyncio.sleep(0.5)
        assert all(not c.legs for c in sb.calls.values())  # not offered to the offline agent
        live.emulator.phones.set_online("PJSIP/1001", True)
        (record,) = await live.wait_records(1, timeout=20)
        assert record.outcome is Outcome.ANSWERED


async def test_overflow_to_voicemail_by_rule() -> None:
    config = e2e_config(agents=1, queues=[
        {"name": "support", "skills": {"support": 1},
         "rules": [{"action": "overflow", "after_s": 0.5, "target": "voicemail"}]},
        {"name": "sales", "skills": {"sales": 1}},
    ])
    async with live_engine(config, login=False) as live:
        live.emulator.trunk.place(InboundCaller(did="4000", patience_s=400, talk_s=4,
                                                message_s=3.0, number="5550101"))
        live.emulator.trunk.place(InboundCaller(did="4000", patience_s=400, talk_s=4,
                                                number="5550102"))  # hangs up at the beep
        records = {r.caller: r for r in await live.wait_records(2, timeout=20)}
    assert records["5550101"].outcome is Outcome.VOICEMAIL
    # No message was recorded: the record must not say voicemail.
    assert records["5550102"].outcome is Outcome.OVERFLOWED


async def test_blind_transfer_to_another_agent_and_click_to_dial() -> None:
    config = e2e_config(agents=2)
    phones = {agent: Softphone(f"PJSIP/{agent}", ring_s=0.5, talk_s=1000.0)
              for agent in ("1001", "1002")}
    async with live_engine(config, phones=phones) as live:
        sb = live.service.switchboard
        sb.pause("1002", "meeting", live.service.now())
        live.service.perform_pending()
        live.emulator.trunk.place(InboundCaller(number="5550042", did="4000", patience_s=100,
                                                talk_s=60))
        await live.wait_for(lambda: any(c.bridged for c in sb.calls.values()), 10.0, "bridge")
        sb.ready("1002", live.service.now())
        sb.transfer("1001", "blind", "agent", "1002", live.service.now())
        live.service.perform_pending()
        await live.wait_for(
            lambda: any(c.bridged and c.leg and c.leg.agent_id == "1002"
                        for c in sb.calls.values()), 10.0, "bridged to 1002")
        # 1001, after its 0.2 s wrap-up, dials a customer from its desktop
        await live.wait_for(lambda: sb.agents["1001"].state is AgentState.AVAILABLE, 5.0,
                            "1001 out of wrap-up")
        sb.dial("1001", "0612345678", live.service.now())
        live.service.perform_pending()
        assert sb.agents["1001"].reason == "outbound-call"
        records = await live.wait_records(2, timeout=30)
        inbound = next(r for r in records if r.caller == "5550042")
        assert inbound.transferred
        talks = [s.agent_id for s in inbound.segments if s.kind is SegmentKind.TALK]
        assert talks == ["1001", "1002"]
        outbound = next(r for r in records if r.direction.value == "outbound")
        assert outbound.agent_id == "1001" and outbound.dnis == "0612345678"
        await live.wait_for(lambda: sb.agents["1001"].state is AgentState.AVAILABLE, 5.0,
                            "1001 available again after its outbound call")
