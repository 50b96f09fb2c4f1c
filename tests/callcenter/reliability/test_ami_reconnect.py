"""Connection cuts and PBX restarts: the adapter reconnects and resynchronises, and what a
client rebuilds from its events and `Resynced` snapshots agrees with the emulator's own view;
no call is lost or counted twice."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter

from callcenter.ami.client import AmiClient, AmiConfig
from callcenter.ami.events import (
    AmiEvent,
    BridgeEnter,
    BridgeLeave,
    Connected,
    Disconnected,
    Hangup,
    Newchannel,
    Resynced,
)
from callcenter.emulator import Agent, Caller, Emulator, Workload

SPEED = 20.0


def _config(port: int) -> AmiConfig:
    return AmiConfig("cc", "ccsecret", port=port, auth="md5", reconnect_initial=0.02,
                     reconnect_max=0.1, ping_interval=3600, action_timeout=5)


class LiveView:
    """The live channels as a client sees them (uniqueid -> (name, bridge id)): the last
    `Resynced` snapshot, overridden by this session's own events, which may be newer than
    the snapshot (it is listed after the login). Counts each channel's start and end, an
    end being its Hangup or its absence from a snapshot (it ended while we were away)."""

    def __init__(self) -> None:
        self.channels: dict[str, tuple[str, str | None]] = {}
        self.started: Counter[str] = Counter()
        self.ended: Counter[str] = Counter()
        self.ended_away: set[str] = set()
        self.bridged: set[str] = set()
        self._new: set[str] = set()  # created, hung up, moved since the login
        self._gone: set[str] = set()
        self._moved: set[str] = set()

    def apply(self, event: AmiEvent) -> None:
        if isinstance(event, Connected | Disconnected):
            self._new, self._gone, self._moved = set(), set(), set()
        elif isinstance(event, Newchannel):
            self._put(event.channel.uniqueid, event.channel.name, None)
            self._new.add(event.channel.uniqueid)
        elif isinstance(event, BridgeEnter | BridgeLeave):
            uid = event.channel.uniqueid
            bridge = event.bridge.uniqueid if isinstance(event, BridgeEnter) else None
            self._put(uid, event.channel.name, bridge)
            self._moved.add(uid)
        elif isinstance(event, Hangup):
            uid = event.channel.uniqueid
            self._gone.add(uid)
            if self.channels.pop(uid, None) is not None:
                self.ended[uid] += 1
        elif isinstance(event, Resynced):
            listed = {item.channel.uniqueid: item for item in event.channels}
            for uid in [u for u in self.channels if u not in listed and u not in self._new]:
                del self.channels[uid]
                self.ended[uid] += 1
                self.ended_away.add(uid)
            for uid, item in listed.items():
                if uid in self._gone:
                    continue
                known = self.channels.get(uid)
                bridge = known[1] if known is not None and uid in self._moved else (
                    item.bridge_id or None)
                self._put(uid, item.channel.name, bridge)

    def _put(self, uid: str, name: str, bridge: str | None) -> None:
        if uid not in self.channels:
            self.started[uid] += 1
        self.channels[uid] = (name, bridge)
        if bridge is not None:
            self.bridged.add(uid)


class Consumer:
    """Feeds the client's events to a `LiveView`, counting resyncs and sessions."""

    def __init__(self, ami: AmiClient) -> None:
        self.ami = ami
        self.view = LiveView()
        self.resyncs = 0
        self.sessions = 0

    async def run(self) -> None:
        async for event in self.ami.events():
            self.view.apply(event)
            if isinstance(event, Resynced):
                self.resyncs += 1
            elif isinstance(event, Connected):
                self.sessions = event.session


async def _agree(consumer: Consumer, emu: Emulator, timeout: float = 3.0) -> None:
    """Wait until the client's live channels and bridges equal the emulator's."""
    try:
        async with asyncio.timeout(timeout):
            while consumer.view.channels != emu.pbx.live_view():
                await asyncio.sleep(0.005)
    except TimeoutError:
        mine, theirs = consumer.view.channels, emu.pbx.live_view()
        diff = {u: (mine.get(u), theirs.get(u)) for u in set(mine) | set(theirs)
                if mine.get(u) != theirs.get(u)}
        raise AssertionError(f"client and emulator disagree: {diff}") from None


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
    view = consumer.view
    calls = {f"call-{i}" for i in range(50)}  # each caller's ;1 channel
    assert {u: view.started[u] for u in calls} == dict.fromkeys(calls, 1)
    assert {u: view.ended[u] for u in calls} == dict.fromkeys(calls, 1)  # none lost, none twice
    assert all(n == 1 for n in view.started.values())  # no channel, agents' included, twice
    assert calls <= view.bridged  # every caller was answered
    assert calls & view.ended_away  # some ended while we were away
    assert view.channels == {}


async def test_core_restart_reconnects_and_resynchronises() -> None:
    async with Emulator(speed=SPEED) as emu:
        load = Workload(emu.pbx)
        for i in range(5):
            load.add_agent(Agent(f"12{i:02d}", ring=1, talk=600))
        async with AmiClient(_config(emu.port)) as ami:
            consumer = Consumer(ami)
            task = asyncio.create_task(consumer.run(), name="test-consumer")
            try:
                before = {f"before-{i}" for i in range(5)}
                for call_id in sorted(before):
                    load.place(Caller(patience=900), call_id=call_id)
                async with asyncio.timeout(5):
                    while len(consumer.view.bridged & before) < 5:
                        await asyncio.sleep(0.01)
                old_names = {name for name, _ in consumer.view.channels.values()}
                await emu.core_restart(down_for=0.3)
                async with asyncio.timeout(5):
                    while consumer.resyncs < 2:
                        await asyncio.sleep(0.005)
                await _agree(consumer, emu)
                # Calls hung up by the restart were seen live: their Hangups came.
                view = consumer.view
                assert {u: view.ended[u] for u in before} == dict.fromkeys(before, 1)
                assert not before & view.ended_away
                # After the restart the Local suffixes start at 0 again: a new call reuses
                # a pair name and must be tracked as a new call.
                Workload(emu.pbx).add_agent(Agent("1299", ring=1, talk=600))
                Workload(emu.pbx).place(Caller(patience=900), call_id="after-0")
                async with asyncio.timeout(5):
                    while "after-0" not in consumer.view.bridged:
                        await asyncio.sleep(0.01)
                await _agree(consumer, emu)
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    assert consumer.sessions == 2
    view = consumer.view
    calls = before | {"after-0"}
    assert {u: view.started[u] for u in calls} == dict.fromkeys(calls, 1)
    assert {u: view.ended[u] for u in calls} == {**dict.fromkeys(before, 1), "after-0": 0}
    assert view.channels["after-0"][0] in old_names  # the name was reused, and is right
