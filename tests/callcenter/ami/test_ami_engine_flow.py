"""An engine-style call (the engine routes itself: hold, originate the agent, bridge)
through the typed action helpers, against the emulator, read off the event stream."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from callcenter.ami import actions
from callcenter.ami.client import AmiClient, AmiConfig
from callcenter.ami.errors import AmiActionError
from callcenter.ami.events import (
    AmiEvent,
    BridgeEnter,
    BridgeLeave,
    DialBegin,
    DialEnd,
    Hangup,
    MixMonitorStart,
    MixMonitorStop,
    Newchannel,
    OriginateResponse,
)
from callcenter.emulator import Emulator


async def _until(ami: AmiClient, seen: list[AmiEvent], done: Callable[[AmiEvent], bool],
                 timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        async for event in ami.events():
            seen.append(event)
            if done(event):
                return


def _names(seen: list[AmiEvent]) -> dict[str, str]:
    """Uniqueid -> channel name of every channel created so far."""
    return {e.channel.uniqueid: e.channel.name for e in seen if isinstance(e, Newchannel)}


def _all_hung_up(seen: list[AmiEvent]) -> Callable[[AmiEvent], bool]:
    def done(event: AmiEvent) -> bool:
        gone = {e.channel.uniqueid for e in seen if isinstance(e, Hangup)}
        return isinstance(event, Hangup) and set(_names(seen)) <= gone
    return done


def _hangups(seen: list[AmiEvent]) -> list[str]:
    return [e.channel.name for e in seen if isinstance(e, Hangup)]


async def test_hold_originate_agent_bridge_record_hangup() -> None:
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

        await _until(ami, seen, both_up)
        caller, agent = _names(seen)["call-1"], _names(seen)["leg-1"]
        reply = await ami.send(actions.getvar("CC_CALL_ID", channel=caller))
        assert reply.headers.get("Value") == "1"
        await ami.send(actions.bridge(caller, agent))
        await ami.send(actions.mixmonitor(caller, "call-1.wav"))
        await _until(ami, seen, lambda e: isinstance(e, MixMonitorStart))
        await ami.send(actions.stop_mixmonitor(caller))
        with pytest.raises(AmiActionError, match="Could not stop monitoring channel"):
            await ami.send(actions.stop_mixmonitor(caller))
        await _until(ami, seen, lambda e: isinstance(e, MixMonitorStop))
        await ami.send(actions.hangup(agent))
        await _until(ami, seen, _all_hung_up(seen))
    assert agent.startswith("Local/1002@agents-")
    # Bridged together, nobody dialled; at the bridge the agent's leg takes the caller's
    # Linkedid: one call from then on.
    enters = {e.channel.uniqueid: e for e in seen if isinstance(e, BridgeEnter)}
    assert enters["call-1"].channel.caller_id_num == "5551234"
    assert enters["call-1"].bridge.uniqueid == enters["leg-1"].bridge.uniqueid
    assert enters["leg-1"].channel.linkedid == "call-1"
    assert not [e for e in seen if isinstance(e, DialBegin) and e.caller is not None]
    assert [e.channel.name for e in seen if isinstance(e, MixMonitorStart | MixMonitorStop)] == [
        caller, caller]
    # The agent hung up first; the talk ended with both leaving the bridge.
    leaves = [e.channel.uniqueid for e in seen if isinstance(e, BridgeLeave)]
    assert {"call-1", "leg-1"} <= set(leaves)
    hangups = _hangups(seen)
    assert hangups.index(agent) < hangups.index(caller)


async def test_redirect_from_hold_to_a_dialled_agent() -> None:
    seen: list[AmiEvent] = []
    async with Emulator(speed=20) as emu, \
            AmiClient(AmiConfig("cc", "ccsecret", port=emu.port)) as ami:
        await ami.send(actions.setvar("", "RING_1001", "2"))
        await ami.send(actions.setvar("", "TALK_1001", "5"))
        await ami.send(actions.originate("Local/60@callers", context="holding", exten="hold",
                                         channel_id="call-2"))
        await _until(ami, seen, lambda e: isinstance(e, OriginateResponse))
        caller = _names(seen)["call-2"]
        await ami.send(actions.redirect(caller, "dial-agent", "1001"))
        await _until(ami, seen, _all_hung_up(seen))
    # One ring, to agent 1001, answered.
    (ring,) = [e for e in seen if isinstance(e, DialBegin) and e.caller is not None]
    assert ring.caller is not None and ring.caller.uniqueid == "call-2"
    assert ring.dest.name.startswith("Local/1001@agents-")
    (end,) = [e for e in seen if isinstance(e, DialEnd) and e.dest.name == ring.dest.name]
    assert end.status == "ANSWER"
    # They talked the agent's 5 s (÷ speed 20) in one bridge; the agent hung up first.
    bridge = next(e.bridge.uniqueid for e in seen
                  if isinstance(e, BridgeEnter) and e.channel.uniqueid == "call-2")
    enters = [e.received_at for e in seen
              if isinstance(e, BridgeEnter) and e.bridge.uniqueid == bridge]
    leaves = [e.received_at for e in seen
              if isinstance(e, BridgeLeave) and e.bridge.uniqueid == bridge]
    assert len(enters) == 2
    assert min(leaves) - max(enters) == pytest.approx(5 / 20, abs=0.1)
    (first, *_) = _hangups(seen)
    assert first.startswith("Local/1001@agents-")
