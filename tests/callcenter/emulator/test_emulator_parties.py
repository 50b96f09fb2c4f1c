"""Scripted parties: agents that answer or not, callers that abandon or press keys."""

from __future__ import annotations

import asyncio

from callcenter.ami.client import AmiClient, AmiConfig
from callcenter.ami.events import (
    AgentCalled,
    AgentConnect,
    AgentRingNoAnswer,
    AmiEvent,
    DTMFEnd,
    Hangup,
    Newchannel,
    QueueCallerAbandon,
)
from callcenter.emulator import Agent, Caller, Emulator, Workload


async def _run(emu: Emulator, seen: list[AmiEvent], calls: set[str],
               ready: asyncio.Event) -> None:
    """Collect events until every channel of `calls` (by Linkedid) has hung up."""
    live: dict[str, set[str]] = {call: set() for call in calls}
    over: set[str] = set()
    async with AmiClient(AmiConfig("cc", "ccsecret", port=emu.port, resync=False)) as ami:
        ready.set()
        async with asyncio.timeout(10):
            async for event in ami.events():
                seen.append(event)
                if isinstance(event, Newchannel) and event.channel.linkedid in live:
                    live[event.channel.linkedid].add(event.channel.uniqueid)
                elif isinstance(event, Hangup) and event.channel.linkedid in live:
                    channels = live[event.channel.linkedid]
                    channels.discard(event.channel.uniqueid)
                    if not channels:
                        over.add(event.channel.linkedid)
                if over == calls:
                    return


async def test_agents_that_do_not_answer_and_callers_that_abandon_or_press_keys() -> None:
    ready = asyncio.Event()
    seen: list[AmiEvent] = []
    async with Emulator(speed=20) as emu:
        load = Workload(emu.pbx)
        for q in emu.pbx.queues.queues.values():
            q.members.clear()  # only our scripted agents
        load.add_agent(Agent("1500", answers=False), queues=("sales",))
        load.add_agent(Agent("1501", ring=1, talk=10), queues=("support",))
        consumer = asyncio.create_task(_run(emu, seen, {"impatient", "keys"}, ready),
                                       name="test-consumer")
        await asyncio.wait_for(ready.wait(), 5)
        load.place(Caller(patience=8, queue="sales", number="5550101"), call_id="impatient")
        load.place(Caller(patience=60, queue="support", number="5550102", dtmf="42#",
                          dtmf_after=0.5), call_id="keys")
        await asyncio.wait_for(consumer, 15)

    # The impatient caller rang the agent who never answers, and gave up in the queue.
    rings = [e for e in seen if isinstance(e, AgentCalled) and e.caller is not None
             and e.caller.uniqueid == "impatient"]
    no_answers = [e for e in seen if isinstance(e, AgentRingNoAnswer) and e.caller is not None
                  and e.caller.uniqueid == "impatient"]
    assert rings and {e.interface for e in rings} == {"Local/1500@agents-noanswer"}
    # Each ring timed out, but the last one, which the caller's hang-up may have cut short.
    assert len(no_answers) <= len(rings) <= len(no_answers) + 1
    (abandon,) = [e for e in seen if isinstance(e, QueueCallerAbandon)]
    assert abandon.channel.uniqueid == "impatient" and abandon.queue == "sales"
    # The patient caller was answered by the agent who answers, and pressed its keys.
    connects = [e for e in seen if isinstance(e, AgentConnect)]
    assert [(e.caller.uniqueid if e.caller else None, e.interface) for e in connects] == [
        ("keys", "Local/1501@agents")]
    digits = [e.digit for e in seen if isinstance(e, DTMFEnd) and e.channel.uniqueid == "keys"]
    assert digits == ["4", "2", "#"]
