"""An engine-style call (the engine routes itself: hold, originate the agent, bridge)
through the typed action helpers, against the emulator, seen through the tracker."""

from __future__ import annotations

import asyncio

import pytest

from callcenter.ami import actions
from callcenter.ami.client import AmiClient, AmiConfig
from callcenter.ami.errors import AmiActionError
from callcenter.ami.events import AmiEvent, MixMonitorStart, MixMonitorStop, OriginateResponse
from callcenter.emulator import Emulator
from callcenter.tracker import CallOutcome, CallTracker, RingOutcome
from callcenter.tracker import facts as f


async def _until(ami: AmiClient, tracker: CallTracker, seen: list[AmiEvent],
                 done: object, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        async for event in ami.events():
            seen.append(event)
            tracker.apply(event)
            if done(event):  # type: ignore[operator]
                return


async def test_hold_originate_agent_bridge_record_hangup() -> None:
    tracker = CallTracker()
    seen: list[AmiEvent] = []
    async with Emulator(speed=20) as emu, \
            AmiClient(AmiConfig("cc", "ccsecret", port=emu.port)) as ami:
        await ami.send(actions.setvar("", "RING_1002", "1"))
        await ami.send(actions.setvar("", "TALK_1002", "600"))
        await ami.send(actions.originate("Local/600@callers", context="holding", exten="hold",
                                         caller_id='"Ann" <5551234>', channel_id="call-1",
                                         variables={"CC_CALL_ID": "1"}))
        await ami.send(actions.originate("Local/1002@agents", context="holding", exten="park",
                                         channel_id="leg-1"))
        answered = {"call-1": False, "leg-1": False}

        def both_up(e: AmiEvent) -> bool:
            if isinstance(e, OriginateResponse) and e.uniqueid in answered:
                answered[e.uniqueid] = e.success
            return all(answered.values())

        await _until(ami, tracker, seen, both_up)
        caller = next(c for c in tracker.channels.values() if c.uniqueid == "call-1").name
        agent = next(c for c in tracker.channels.values() if c.uniqueid == "leg-1").name
        reply = await ami.send(actions.getvar("CC_CALL_ID", channel=caller))
        assert reply.headers.get("Value") == "1"
        await ami.send(actions.bridge(caller, agent))
        await ami.send(actions.mixmonitor(caller, "call-1.wav"))
        await _until(ami, tracker, seen, lambda e: isinstance(e, MixMonitorStart))
        await ami.send(actions.stop_mixmonitor(caller))
        with pytest.raises(AmiActionError, match="Could not stop monitoring channel"):
            await ami.send(actions.stop_mixmonitor(caller))
        await _until(ami, tracker, seen, lambda e: isinstance(e, MixMonitorStop))
        await ami.send(actions.hangup(agent))
        await _until(ami, tracker, seen, lambda e: not tracker.channels)
    merged = [c for c in tracker.calls.values() if c.outcome is CallOutcome.MERGED]
    (call,) = [c for c in tracker.calls.values() if c.outcome is not CallOutcome.MERGED]
    assert [c.call_id for c in merged] == ["leg-1"]  # the agent leg joined the caller's call
    assert call.call_id == "call-1" and call.caller_num == "5551234"
    assert call.outcome is CallOutcome.ANSWERED and call.hung_up_by == "agent"
    assert call.agent_interface == "Local/1002@agents"
    assert call.rings == [] and call.talk and call.talk[0].end is not None


async def test_redirect_from_hold_to_a_dialled_agent() -> None:
    tracker = CallTracker()
    seen: list[AmiEvent] = []
    async with Emulator(speed=20) as emu, \
            AmiClient(AmiConfig("cc", "ccsecret", port=emu.port)) as ami:
        await ami.send(actions.setvar("", "RING_1001", "2"))
        await ami.send(actions.setvar("", "TALK_1001", "5"))
        await ami.send(actions.originate("Local/60@callers", context="holding", exten="hold",
                                         channel_id="call-2"))
        await _until(ami, tracker, seen, lambda e: isinstance(e, OriginateResponse))
        caller = tracker.channels["call-2"].name
        await ami.send(actions.redirect(caller, "dial-agent", "1001"))

        def ended(e: AmiEvent) -> bool:
            return any(isinstance(x, f.CallEnded) for x in tracker.apply(e))

        async with asyncio.timeout(5):
            async for event in ami.events():
                if ended(event):
                    break
    call = tracker.calls["call-2"]
    (ring,) = call.rings
    assert ring.interface == "Local/1001@agents" and ring.outcome is RingOutcome.ANSWERED
    assert call.outcome is CallOutcome.ANSWERED and call.hung_up_by == "agent"
    assert call.talk_time == pytest.approx(5 / 20, abs=0.1)
