"""Local channel optimisation (d3) in the emulator: the relay pair leaves the path."""

from __future__ import annotations

from collections.abc import Callable

from callcenter.ami.events import LocalOptimizationBegin, LocalOptimizationEnd, decode_event
from callcenter.ami.testing import Record
from callcenter.emulator import Emulator
from callcenter.emulator.fidelity import run_transcript
from callcenter.tracker import CallOutcome, CallTracker

Transcript = Callable[[str], list[Record]]
SPEED = 5.0


async def test_relay_pair_is_optimised_away_and_the_call_goes_on(
    transcript: Transcript,
) -> None:
    records = transcript("d3")
    async with Emulator(speed=SPEED) as emu:
        got = await run_transcript(records, "127.0.0.1", emu.port, SPEED, emu)
    events = [decode_event(m, float(i)) for i, m in enumerate(got) if m.event]
    begin = [e for e in events if isinstance(e, LocalOptimizationBegin)]
    end = [e for e in events if isinstance(e, LocalOptimizationEnd)]
    assert len(begin) == 1 and len(end) == 1 and end[0].success
    assert begin[0].one.name.startswith("Local/1001@relay-")
    assert begin[0].source is not None and begin[0].source.name.startswith(
        "Local/40@callers-talking-")
    tracker = CallTracker()
    tracker.apply_all(events)
    assert tracker.channels == {} and tracker.bridges == {}
    (call,) = [c for c in tracker.calls.values() if c.outcome is not CallOutcome.MERGED]
    assert call.outcome is CallOutcome.ANSWERED and len(call.talk) == 1
    assert call.agent_interface == "Local/1001@agents"
