"""Connection cuts and PBX restarts: the adapter reconnects, resynchronises, and the
tracker agrees with the emulator's own view; no call is lost or counted twice."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter

from callcenter.ami.client import AmiClient, AmiConfig
from callcenter.ami.events import Connected, Resynced
from callcenter.emulator import Agent, Caller, Emulator, Workload
from callcenter.tracker import CallOutcome, CallTracker
from callcenter.tracker import facts as f

SPEED = 20.0


def _config(port: int) -> AmiConfig:
    return AmiConfig("cc", "ccsecret", port=port, auth="md5", reconnect_initial=0.02,
                     reconnect_max=0.1, ping_interval=3600, action_timeout=5)


class Consumer:
    """Feeds the client's events to a tracker, counting facts and sessions."""

    def __init__(self, ami: AmiClient) -> None:
        self.ami = ami
        self.tracker = CallTracker()
        self.facts: list[f.Fact] = []
        self.resyncs = 0
        self.sessions = 0

    async def run(self) -> None:
        async for event in self.ami.events():
            self.facts.extend(self.tracker.apply(event))
            if isinstance(event, Resynced):
                self.resyncs += 1
            elif isinstance(event, Connected):
                self.sessions = event.session


async def _agree(consumer: Consumer, emu: Emulator, timeout: float = 3.0) -> None:
    """Wait until the tracker's live channels and bridges equal the emulator's."""
    try:
        async with asyncio.timeout(timeout):
            while consumer.tracker.live_view() != emu.pbx.live_view():
                await asyncio.sleep(0.005)
    except TimeoutError:
        mine, theirs = consumer.tracker.live_view(), emu.pbx.live_view()
        diff = {u: (mine.get(u), theirs.get(u)) for u in set(mine) | set(theirs)
                if mine.get(u) != theirs.get(u)}
        raise AssertionError(f"tracker and emulator disagree: {diff}") from None


async def test_twenty_cuts_with_fifty_calls_in_progress() -> None:
    async with Emulator(speed=SPEED) as emu:
        load = Workload(emu.pbx)
        for i in range(50):
            # Talk times from 20 s to 167 s (1 to 8 s real): calls end before, during
            # and after the cuts, some of them while the adapter is away.
            load.add_agent(Agent(f"11{i:02d}", ring=1, talk=20 + 3 * i))
        async with AmiClient(_config(emu.port)) as ami:
            consumer = Consumer(ami)
            task = asyncio.create_task(consumer.run(), name="test-consumer")
            try:
                for i in range(50):
                    load.place(Caller(patience=900, number=f"555{i:04d}"), call_id=f"call-{i}")
                await asyncio.sleep(0.3)
                for cut in range(20):
                    before = consumer.resyncs
                    await emu.cut(0.1)  # calls go on (and some end) while we are away
                    async with asyncio.timeout(5):
                        while consumer.resyncs == before:
                            await asyncio.sleep(0.005)
                    await _agree(consumer, emu)
                    assert consumer.sessions == cut + 2
                    await asyncio.sleep(0.05)
                async with asyncio.timeout(15):
                    while emu.pbx.channels:
                        await asyncio.sleep(0.05)
                await _agree(consumer, emu)
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    calls = {c.call_id: c for c in consumer.tracker.calls.values()
             if c.outcome is not CallOutcome.MERGED}
    assert set(calls) == {f"call-{i}" for i in range(50)}
    ended = Counter(x.call_id for x in consumer.facts if isinstance(x, f.CallEnded))
    assert ended == Counter({cid: 1 for cid in calls})  # none lost, none twice
    started = Counter(x.call_id for x in consumer.facts if isinstance(x, f.CallStarted))
    assert all(n == 1 for n in started.values())
    assert all(c.outcome is CallOutcome.ANSWERED for c in calls.values())
    assert any(not c.end_known for c in calls.values())  # some ended while we were away
    assert consumer.tracker.channels == {} and consumer.tracker.bridges == {}


async def test_core_restart_reconnects_and_resynchronises() -> None:
    async with Emulator(speed=SPEED) as emu:
        load = Workload(emu.pbx)
        for i in range(5):
            load.add_agent(Agent(f"12{i:02d}", ring=1, talk=600))
        async with AmiClient(_config(emu.port)) as ami:
            consumer = Consumer(ami)
            task = asyncio.create_task(consumer.run(), name="test-consumer")
            try:
                for i in range(5):
                    load.place(Caller(patience=900), call_id=f"before-{i}")
                async with asyncio.timeout(5):
                    while sum(1 for c in consumer.tracker.active_calls() if c.talk) < 5:
                        await asyncio.sleep(0.01)
                await emu.core_restart(down_for=0.3)
                async with asyncio.timeout(5):
                    while consumer.resyncs < 2:
                        await asyncio.sleep(0.005)
                await _agree(consumer, emu)
                # Calls hung up by the restart were seen live: their end time is known.
                before = [c for c in consumer.tracker.calls.values()
                          if c.call_id.startswith("before-")]
                assert len(before) == 5 and all(c.ended and c.end_known for c in before)
                # After the restart the Local suffixes start at 0 again: a new call reuses
                # a pair name and must be tracked as a new call.
                Workload(emu.pbx).add_agent(Agent("1299", ring=1, talk=600))
                Workload(emu.pbx).place(Caller(patience=900), call_id="after-0")
                async with asyncio.timeout(5):
                    while not any(c.call_id == "after-0" and c.talk
                                  for c in consumer.tracker.active_calls()):
                        await asyncio.sleep(0.01)
                await _agree(consumer, emu)
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    assert consumer.sessions == 2
    ended = Counter(x.call_id for x in consumer.facts if isinstance(x, f.CallEnded))
    assert all(n == 1 for n in ended.values()) and "after-0" not in ended
