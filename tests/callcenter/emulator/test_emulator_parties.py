"""Scripted parties: agents that answer or not, callers that abandon or press keys."""

from __future__ import annotations

import asyncio

from callcenter.ami.client import AmiClient, AmiConfig
from callcenter.ami.events import AmiEvent, DTMFEnd
from callcenter.emulator import Agent, Caller, Emulator, Workload
from callcenter.tracker import CallOutcome, CallTracker, RingOutcome


async def _run(emu: Emulator, tracker: CallTracker, seen: list[AmiEvent], calls: int,
               ready: asyncio.Event) -> None:
    async with AmiClient(AmiConfig("cc", "ccsecret", port=emu.port, resync=False)) as ami:
        ready.set()
        async with asyncio.timeout(10):
            async for event in ami.events():
                seen.append(event)
                tracker.apply(event)
                if sum(1 for c in tracker.calls.values() if c.ended) >= calls:
                    return


async def test_agents_that_do_not_answer_and_callers_that_abandon_or_press_keys() -> None:
    ready = asyncio.Event()
    tracker = CallTracker()
    seen: list[AmiEvent] = []
    async with Emulator(speed=20) as emu:
        load = Workload(emu.pbx)
        for q in emu.pbx.queues.queues.values():
            q.members.clear()  # only our scripted agents
        load.add_agent(Agent("1500", answers=False), queues=("sales",))
        load.add_agent(Agent("1501", ring=1, talk=10), queues=("support",))
        consumer = asyncio.create_task(_run(emu, tracker, seen, 2, ready), name="test-consumer")
        await asyncio.wait_for(ready.wait(), 5)
        load.place(Caller(patience=8, queue="sales", number="5550101"), call_id="impatient")
        load.place(Caller(patience=60, queue="support", number="5550102", dtmf="42#",
                          dtmf_after=0.5), call_id="keys")
        await asyncio.wait_for(consumer, 15)
    impatient, keys = tracker.calls["impatient"], tracker.calls["keys"]
    assert impatient.outcome is CallOutcome.ABANDONED
    assert impatient.rings and all(r.outcome in (RingOutcome.NO_ANSWER, RingOutcome.CANCELLED)
                                   for r in impatient.rings)
    assert keys.outcome is CallOutcome.ANSWERED and keys.agent_interface == "Local/1501@agents"
    digits = [e.digit for e in seen if isinstance(e, DTMFEnd) and e.channel.uniqueid == "keys"]
    assert digits == ["4", "2", "#"]
