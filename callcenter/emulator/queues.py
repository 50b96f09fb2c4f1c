"""app_queue as the emulator plays it: queues, members, the Queue() application and
the queue actions (QueueAdd/Remove/Pause/Penalty/MemberRingInUse, QueueStatus/Summary).

Configuration defaults to the fixture's `queues.conf`. Event layouts and variable
sequences follow the transcripts (b1..b4, c1, c2, e2, e3); `Agent*` events carry the
caller block and a `Dest` agent block only while each channel still exists, as
`queue_multi_channel_to_ami` in apps/app_queue.c builds them; a device state change
updates each queue's member (QueueMemberStatus) then its cached `Queue:<q>_avail`
state, as its `device_state_cb` does.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from callcenter.emulator.model import RINGING, EBridge, EChannel, Pairs

if TYPE_CHECKING:
    from callcenter.emulator.pbx import Pbx

NOT_INUSE, INUSE, RINGING_STATUS = 1, 2, 6


@dataclass(eq=False)
class Member:
    interface: str
    name: str
    state_interface: str
    penalty: int = 0
    dynamic: bool = False
    paused: bool = False
    paused_reason: str = ""
    ringinuse: bool = False
    calls_taken: int = 0
    last_call: int = 0
    last_pause: int = 0
    login_time: int = field(default_factory=lambda: int(time.time()))
    status: int = NOT_INUSE
    in_call: bool = False
    reserved: bool = False
    """Being rung for a caller right now (keeps two callers off one agent)."""

    def pairs(self, queue: str) -> Pairs:
        return [
            ("Queue", queue),
            ("MemberName", self.name),
            ("Interface", self.interface),
            ("StateInterface", self.state_interface),
            ("Membership", "dynamic" if self.dynamic else "static"),
            ("Penalty", str(self.penalty)),
            ("CallsTaken", str(self.calls_taken)),
            ("LastCall", str(self.last_call)),
            ("LastPause", str(self.last_pause)),
            ("LoginTime", str(self.login_time)),
            ("InCall", "1" if self.in_call else "0"),
            ("Status", str(self.status)),
            ("Paused", "1" if self.paused else "0"),
            ("PausedReason", self.paused_reason),
            ("Ringinuse", "1" if self.ringinuse else "0"),
            ("Wrapuptime", "0"),
        ]

    def list_pairs(self, queue: str) -> Pairs:
        """The `QueueMember` list item: `Name`/`Location`, no `Ringinuse`."""
        renamed = {"MemberName": "Name", "Interface": "Location"}
        return [(renamed.get(k, k), v) for k, v in self.pairs(queue) if k != "Ringinuse"]


@dataclass(eq=False)
class Waiting:
    channel: EChannel
    joined: float
    position: int


@dataclass(eq=False)
class Queue:
    name: str
    strategy: str
    timeout: float
    retry: float
    setvars: bool = False
    members: list[Member] = field(default_factory=list)
    callers: list[Waiting] = field(default_factory=list)
    completed: int = 0
    abandoned: int = 0
    holdtime: int = 0
    talktime: int = 0
    rr_next: int = 0

    def member(self, interface: str) -> Member | None:
        for m in self.members:
            if m.interface == interface:
                return m
        return None


def default_queues() -> list[Queue]:
    """The fixture's queues.conf."""

    def agent(ext: str) -> Member:
        iface = f"Local/{ext}@agents"
        return Member(iface, f"Agent {ext}", iface)

    # Listed in the order Asterisk's queue container iterates them (e2 QueueStatus).
    return [
        Queue("ringall", "ringall", 10, 2, members=[agent("1001"), agent("1002")]),
        Queue("backoffice", "leastrecent", 10, 2),
        Queue("support", "rrmemory", 10, 2, setvars=True,
              members=[agent("1001"), agent("1002")]),
        Queue("sales", "ringall", 4, 1, members=[
            Member("Local/2001@agents-noanswer", "Agent 2001 (never answers)",
                   "Local/2001@agents-noanswer")]),
    ]


@dataclass(eq=False)
class _Leg:
    member: Member
    one: EChannel
    two: EChannel
    started: float
    answered: bool = False
    gone: bool = False
    row: int = 0
    """Index of this attempt's CDR row on the caller (one row per dial attempt)."""


class QueueSystem:
    """All queues of the emulated PBX."""

    def __init__(self, pbx: Pbx, queues: list[Queue] | None = None) -> None:
        self.pbx = pbx
        self.queues = {q.name: q for q in (default_queues() if queues is None else queues)}
        self._device_cache: dict[str, str] = {}
        for q in self.queues.values():
            self._device_cache[f"Queue:{q.name}_avail"] = self._avail(q)

    # -- device state ----------------------------------------------------------------------

    def _avail(self, q: Queue) -> str:
        ok = any(not m.paused and m.status == NOT_INUSE for m in q.members)
        return "NOT_INUSE" if ok else "INUSE"

    def _cached_device(self, device: str, state: str) -> None:
        if self._device_cache.get(device) != state:
            self._device_cache[device] = state
            self.pbx.device_state(device, state)

    def device_changed(self, device: str) -> None:
        """Re-evaluate members whose state interface is `device`; QueueMemberStatus if changed."""
        if not any(m.state_interface == device for q in self.queues.values() for m in q.members):
            return  # no member watches this device: skip the scan over all channels
        busy = any(c.device == device for c in self.pbx.channels.values())
        status = INUSE if busy else NOT_INUSE
        for q in sorted(self.queues.values(), key=lambda q: q.name):
            for m in q.members:
                if m.state_interface == device and m.status != status:
                    m.status = status
                    self.pbx.emit("QueueMemberStatus", "agent,all", m.pairs(q.name))
                    self._cached_device(f"Queue:{q.name}_avail", self._avail(q))

    # -- actions -------------------------------------------------------------------------------

    def add(self, queue: str, interface: str, name: str, state_interface: str, penalty: int,
            paused: bool, reason: str) -> str | None:
        """QueueAdd; returns an error message or None."""
        q = self.queues.get(queue)
        if q is None:
            return "Unable to add interface to queue: No such queue"
        if q.member(interface) is not None:
            return "Unable to add interface: Already there"
        m = Member(interface, name or interface, state_interface or interface, penalty,
                   dynamic=True, paused=paused, paused_reason=reason, ringinuse=True)
        q.members.append(m)
        self.pbx.device_state(f"Queue:{q.name}_pause_{interface}",
                              "INUSE" if paused else "NOT_INUSE")
        self.pbx.emit("QueueMemberAdded", "agent,all", m.pairs(q.name))
        self._cached_device(f"Queue:{q.name}_avail", self._avail(q))
        return None

    def remove(self, queue: str, interface: str) -> str | None:
        q = self.queues.get(queue)
        if q is None:
            return "Unable to remove interface from queue: No such queue"
        m = q.member(interface)
        if m is None:
            return "Unable to remove interface: Not there"
        q.members.remove(m)
        self.pbx.emit("QueueMemberRemoved", "agent,all", m.pairs(q.name))
        self._cached_device(f"Queue:{q.name}_avail", self._avail(q))
        return None

    def pause(self, queue: str, interface: str, paused: bool, reason: str) -> str | None:
        targets = [
            (q, m) for q in sorted(self.queues.values(), key=lambda q: q.name)
            if not queue or q.name == queue
            for m in q.members if m.interface == interface
        ]
        if not targets:
            return "Interface not found"
        for q, m in targets:
            m.paused = paused
            m.paused_reason = reason
            if paused:
                m.last_pause = int(time.time())
            self.pbx.device_state(f"Queue:{q.name}_pause_{interface}",
                                  "INUSE" if paused else "NOT_INUSE")
            self._cached_device(f"Queue:{q.name}_avail", self._avail(q))
            self.pbx.emit("QueueMemberPause", "agent,all", m.pairs(q.name))
        return None

    def _memberships(self, queue: str, interface: str) -> list[tuple[Queue, Member]]:
        """(queue, member) for `interface` in `queue`, or in every queue when `queue` is empty."""
        return [(q, m) for q in self.queues.values() if not queue or q.name == queue
                for m in q.members if m.interface == interface]

    def penalty(self, queue: str, interface: str, penalty: int) -> str | None:
        targets = self._memberships(queue, interface)
        if not targets:
            return "Invalid interface, queuename or penalty"
        for q, m in targets:
            m.penalty = penalty
            self.pbx.emit("QueueMemberPenalty", "agent,all", m.pairs(q.name))
        return None

    def ringinuse(self, queue: str, interface: str, value: bool) -> str | None:
        targets = self._memberships(queue, interface)
        if not targets:
            return "Invalid interface, queuename, or ringinuse value"
        for q, m in targets:
            m.ringinuse = value
            self.pbx.emit("QueueMemberRinginuse", "agent,all", m.pairs(q.name))
        return None

    def status_items(self, queue: str, member: str) -> list[tuple[str, Pairs]]:
        """The QueueStatus list: per queue, QueueParams, its QueueMembers, its QueueEntries."""
        items: list[tuple[str, Pairs]] = []
        now = time.monotonic()
        for q in self.queues.values():
            if queue and q.name != queue:
                continue
            items.append(("QueueParams", [
                ("Queue", q.name), ("Max", "0"), ("Strategy", q.strategy),
                ("Calls", str(len(q.callers))), ("Holdtime", str(q.holdtime)),
                ("TalkTime", str(q.talktime)), ("Completed", str(q.completed)),
                ("Abandoned", str(q.abandoned)), ("ServiceLevel", "0"),
                ("ServicelevelPerf", "0.0"), ("ServicelevelPerf2", "0.0"), ("Weight", "0"),
            ]))
            for m in q.members:
                if member and m.interface != member:
                    continue
                items.append(("QueueMember", m.list_pairs(q.name)))
            for pos, w in enumerate(q.callers, 1):
                ch = w.channel
                items.append(("QueueEntry", [
                    ("Queue", q.name), ("Position", str(pos)), ("Channel", ch.name),
                    ("Uniqueid", ch.uniqueid), ("CallerIDNum", ch.cid_num),
                    ("CallerIDName", ch.cid_name), ("ConnectedLineNum", ch.conn_num),
                    ("ConnectedLineName", ch.conn_name),
                    ("Wait", str(int((now - w.joined) * self.pbx.speed))), ("Priority", "0"),
                ]))
        return items

    def summary_items(self, queue: str) -> list[tuple[str, Pairs]]:
        now = time.monotonic()
        items: list[tuple[str, Pairs]] = []
        for q in self.queues.values():
            if queue and q.name != queue:
                continue
            longest = max((now - w.joined for w in q.callers), default=0.0)
            items.append(("QueueSummary", [
                ("Queue", q.name), ("LoggedIn", str(len(q.members))),
                ("Available", str(sum(1 for m in q.members
                                      if not m.paused and m.status == NOT_INUSE))),
                ("Callers", str(len(q.callers))), ("HoldTime", str(q.holdtime)),
                ("TalkTime", str(q.talktime)),
                ("LongestHoldTime", str(int(longest * self.pbx.speed))),
            ]))
        return items

    # -- the Queue() application ------------------------------------------------------------

    def _queue_vars(self, ch: EChannel, q: Queue) -> None:
        setvar = self.pbx.setvar
        for name, value in (
            ("QUEUENAME", q.name), ("QUEUEMAX", "0"), ("QUEUESTRATEGY", q.strategy),
            ("QUEUECALLS", str(len(q.callers))), ("QUEUEHOLDTIME", str(q.holdtime)),
            ("QUEUETALKTIME", str(q.talktime)), ("QUEUECOMPLETED", str(q.completed)),
            ("QUEUEABANDONED", str(q.abandoned)), ("QUEUESRVLEVEL", "0"),
            ("QUEUESRVLEVELPERF", "0.0"),
        ):
            setvar(ch, name, value)

    def _pick(self, q: Queue) -> list[Member]:
        free = [m for m in q.members if not m.paused and not m.reserved
                and (m.ringinuse or m.status == NOT_INUSE)]
        if not free:
            return []
        if q.strategy == "ringall":
            return free
        if q.strategy == "leastrecent":
            return [min(free, key=lambda m: m.last_call)]
        # rrmemory: the next member after the one rung last
        n = len(q.members)
        for i in range(n):
            m = q.members[(q.rr_next + i) % n]
            if m in free:
                q.rr_next = (q.members.index(m) + 1) % n
                return [m]
        return []

    async def run_queue(self, ch: EChannel, data: str) -> int:
        """Queue(name,,,,timeout): returns the next priority (the caller may be hung up)."""
        pbx = self.pbx
        args = data.split(",")
        q = self.queues.get(args[0])
        nxt = ch.priority + 1
        if q is None:
            pbx.setvar(ch, "QUEUESTATUS", "UNKNOWN")
            return nxt
        for name in ("ANSWEREDTIME", "ANSWEREDTIME_MS", "DIALEDTIME", "DIALEDTIME_MS",
                     "QUEUEWAIT", "QUEUEWAIT_MS"):
            pbx.setvar(ch, name, "")
        started = time.monotonic()
        entry = Waiting(ch, started, len(q.callers) + 1)
        q.callers.append(entry)
        self._cached_device(f"Queue:{q.name}", "RINGING")
        pbx.emit("QueueCallerJoin", "agent,all", [*ch.snapshot(), ("Queue", q.name),
                                                  ("Position", str(entry.position)),
                                                  ("Count", str(len(q.callers)))])
        pbx.emit("MusicOnHoldStart", "call,all", [*ch.snapshot(), ("Class", "default")])
        pbx.media(ch.peer)
        max_wait = float(args[4]) if len(args) > 4 and args[4] else None
        ch.interrupt.clear()
        while True:
            if ch.soft_hangup or ch.hungup:
                self._abandon(ch, q, entry, [])
                return nxt
            if max_wait is not None and (time.monotonic() - started) * pbx.speed >= max_wait:
                pbx.emit("MusicOnHoldStop", "call,all", ch.snapshot())
                self._leave(ch, q, entry)
                pbx.setvar(ch, "QUEUESTATUS", "TIMEOUT")
                return nxt
            members = self._pick(q)
            if not members:
                await self._sleep_unless_hangup(ch, 1.0)
                continue
            legs = [self._ring(ch, q, m) for m in members]
            winner = await self._await_answer(ch, q, legs)
            if winner is None:
                if ch.soft_hangup or ch.hungup:
                    self._abandon(ch, q, entry, legs)
                    return nxt
                await self._sleep_unless_hangup(ch, q.retry)
                continue
            return await self._connect(ch, q, entry, winner, started)

    async def _sleep_unless_hangup(self, ch: EChannel, seconds: float) -> None:
        deadline = time.monotonic() + seconds / self.pbx.speed
        while not ch.soft_hangup and not ch.hungup:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            ch.interrupt.clear()
            await self.pbx.wait(ch, left * self.pbx.speed)

    def _ring(self, caller: EChannel, q: Queue, m: Member) -> _Leg:
        pbx = self.pbx
        exten, _, context = m.interface.partition("/")[2].partition("@")
        one, two = pbx.new_local(exten, context, linkedid=caller.linkedid)
        one.dialed = True
        one.variables["__dest"] = ""
        pbx.newexten(one, "AppQueue", "(Outgoing Line)")
        pbx.set_caller_id(one, caller.cid_num, caller.cid_name)
        pbx.setvar(one, "DIALEDPEERNUMBER", f"{exten}@{context}")
        pbx.setvar(two, "DIALEDPEERNUMBER", f"{exten}@{context}")
        pbx.set_caller_id(two, caller.cid_num, caller.cid_name)
        pbx.set_connected(two, caller.cid_num, caller.cid_name)
        pbx.local_bridge(one, two)
        tail = [("Queue", q.name), ("Interface", m.interface), ("MemberName", m.name)]
        pbx.emit("AgentCalled", "agent,all", [*caller.snapshot(), *one.snapshot("Dest"), *tail])
        pbx.emit("DialBegin", "call,all", [*caller.snapshot(), *one.snapshot("Dest"),
                                           ("DialString", f"{exten}@{context}")])
        m.reserved = True
        leg = _Leg(m, one, two, time.monotonic(), row=len(caller.cdr_rows))
        caller.cdr_rows.append("NO ANSWER")

        def on_ringing() -> None:
            one.exten = caller.exten
            pbx.set_state(one, RINGING)
            pbx.newexten(one, "AppQueue", "(Outgoing Line)")
            pbx.set_connected(one, caller.cid_num, caller.cid_name)
            pbx.device_state(one.device, "INUSE")
            self.device_changed(one.device)
            pbx.emit("DialState", "call,all", [*caller.snapshot(), *one.snapshot("Dest"),
                                               ("DialStatus", "RINGING")])

        def on_answer() -> None:
            leg.answered = True
            caller.interrupt.set()

        def on_gone() -> None:
            leg.gone = True
            m.reserved = False
            caller.interrupt.set()

        pbx.on_ringing(one, on_ringing)
        pbx.on_answer(one, on_answer)
        pbx.on_hangup(one, on_gone)
        two.task = pbx.spawn(pbx.dialplan.run(two), f"emu-{two.name}")
        return leg

    async def _await_answer(self, caller: EChannel, q: Queue, legs: list[_Leg]) -> _Leg | None:
        pbx = self.pbx
        deadline = time.monotonic() + q.timeout / pbx.speed
        while True:
            for leg in legs:
                if leg.answered:
                    self._cancel_others(caller, legs, leg)
                    return leg
            if caller.soft_hangup or caller.hungup:
                return None
            left = deadline - time.monotonic()
            if left <= 0 or all(leg.gone for leg in legs):
                for leg in legs:
                    if leg.gone:
                        continue
                    tail = [("Queue", q.name), ("Interface", leg.member.interface),
                            ("MemberName", leg.member.name)]
                    pbx.emit("AgentRingNoAnswer", "agent,all",
                             [*caller.snapshot(), *leg.one.snapshot("Dest"), *tail,
                              ("RingTime", str(int(q.timeout * 1000)))])
                    self._dial_end(caller, leg.one, "NOANSWER")
                    self._dial_end(caller, leg.one, "CANCEL")
                    pbx.hangup(leg.one, 0, soft=False)
                return None
            caller.interrupt.clear()
            await pbx.wait(caller, left * pbx.speed)

    def _dial_end(self, caller: EChannel, one: EChannel, status: str) -> None:
        self.pbx.emit("DialEnd", "call,all", [*caller.snapshot(), *one.snapshot("Dest"),
                                             ("DialStatus", status)])

    def _cancel_others(self, caller: EChannel, legs: list[_Leg], winner: _Leg) -> None:
        caller.cdr_rows[winner.row] = "ANSWERED"
        self._dial_end(caller, winner.one, "ANSWER")
        for leg in legs:
            if leg is winner or leg.gone:
                continue
            self._dial_end(caller, leg.one, "CANCEL")
            self._dial_end(caller, leg.one, "CANCEL")
            self.pbx.hangup(leg.one, 26, soft=False)

    def _abandon(self, ch: EChannel, q: Queue, entry: Waiting, legs: list[_Leg]) -> None:
        pbx = self.pbx
        pbx.emit("MusicOnHoldStop", "call,all", ch.snapshot())
        for leg in legs:
            if not leg.gone:
                self._dial_end(ch, leg.one, "CANCEL")
                self._dial_end(ch, leg.one, "CANCEL")
                pbx.hangup(leg.one, 0, soft=False)
        wait = time.monotonic() - entry.joined
        for name, value in (
            ("QUEUEWAIT", str(int(wait * pbx.speed))),
            ("QUEUEWAIT_MS", str(int(wait * pbx.speed * 1000))),
            ("DIALEDTIME", str(int(wait * pbx.speed))),
            ("DIALEDTIME_MS", str(int(wait * pbx.speed * 1000))),
            ("ANSWEREDTIME", "0"), ("ANSWEREDTIME_MS", "0"), ("ABANDONED", "TRUE"),
        ):
            pbx.setvar(ch, name, value)
        if q.setvars:
            self._queue_vars(ch, q)
        q.abandoned += 1
        pbx.emit("QueueCallerAbandon", "agent,all", [
            *ch.snapshot(), ("Queue", q.name), ("Position", str(entry.position)),
            ("OriginalPosition", str(entry.position)),
            ("HoldTime", str(int(wait * pbx.speed)))])
        if q.setvars:
            self._queue_vars(ch, q)
        self._leave(ch, q, entry)

    def _leave(self, ch: EChannel, q: Queue, entry: Waiting) -> None:
        pbx = self.pbx
        if entry in q.callers:
            q.callers.remove(entry)
        if not q.callers:
            self._cached_device(f"Queue:{q.name}", "NOT_INUSE")
        pbx.emit("QueueCallerLeave", "agent,all", [*ch.snapshot(), ("Queue", q.name),
                                                   ("Position", str(entry.position)),
                                                   ("Count", str(len(q.callers)))])
        pbx.setvar(ch, "QUEUEPOSITION", str(entry.position))

    async def _connect(self, ch: EChannel, q: Queue, entry: Waiting, leg: _Leg,
                       started: float) -> int:
        pbx = self.pbx
        m = leg.member
        agent = leg.one
        hold = int((time.monotonic() - entry.joined) * pbx.speed)
        ring = int((time.monotonic() - leg.started) * pbx.speed)
        pbx.emit("MusicOnHoldStop", "call,all", ch.snapshot())
        if q.setvars:
            for target in (ch, agent):
                for name, value in (
                    ("MEMBERINTERFACE", m.interface), ("MEMBERNAME", m.name),
                    ("MEMBERCALLS", str(m.calls_taken)), ("MEMBERLASTCALL", str(m.last_call)),
                    ("MEMBERPENALTY", str(m.penalty)), ("MEMBERDYNAMIC", "1" if m.dynamic else "0"),
                    ("MEMBERREALTIME", "0"),
                ):
                    pbx.setvar(target, name, value)
            for target in (ch, agent):
                pbx.setvar(target, "QEHOLDTIME", str(hold))
                pbx.setvar(target, "QEORIGINALPOS", str(entry.position))
            q.holdtime = hold
            self._queue_vars(ch, q)
            self._queue_vars(agent, q)
        if entry in q.callers:
            q.callers.remove(entry)
        if not q.callers:
            self._cached_device(f"Queue:{q.name}", "NOT_INUSE")
        pbx.emit("QueueCallerLeave", "agent,all", [*ch.snapshot(), ("Queue", q.name),
                                                   ("Position", str(entry.position)),
                                                   ("Count", str(len(q.callers)))])
        pbx.setvar(ch, "QUEUEPOSITION", str(entry.position))
        pbx.setvar(ch, "QUEUEWAIT", str(hold))
        pbx.setvar(ch, "QUEUEWAIT_MS", str(hold * 1000))
        tail = [("Queue", q.name), ("Interface", m.interface), ("MemberName", m.name)]
        pbx.emit("AgentConnect", "agent,all", [*ch.snapshot(), *agent.snapshot("Dest"), *tail,
                                               ("HoldTime", str(hold)), ("RingTime", str(ring))])
        ch.variables["__dest"] = agent.name
        ch.variables["__app_bridge"] = "Queue"
        bridge = pbx.new_bridge()
        pbx.enter_bridge(bridge, agent)
        pbx.enter_bridge(bridge, ch)
        pbx.bridge_peers(bridge)
        talk_started = time.monotonic()
        done = asyncio.Event()
        completed: list[float] = []

        def complete(reason: str) -> None:
            # app_queue reports the end of the call as soon as either side goes.
            if completed:
                return
            talk = int((time.monotonic() - talk_started) * pbx.speed)
            completed.append(talk)
            m.calls_taken += 1
            m.last_call = int(time.time())
            q.completed += 1
            q.talktime = talk
            dest = [] if agent.hungup else agent.snapshot("Dest")
            # A caller hung up by the Hangup action has no snapshot any more (e2).
            own = [] if "__ami_hangup" in ch.variables else ch.snapshot()
            pbx.emit("AgentComplete", "agent,all", [*own, *dest, *tail,
                                                    ("HoldTime", str(hold)),
                                                    ("TalkTime", str(talk)), ("Reason", reason)])

        def bridge_left(who: EChannel) -> None:
            done.set()
            ch.interrupt.set()

        pbx.watch_bridge(bridge, bridge_left)
        pbx.on_hangup_request(ch, lambda: complete("caller"))
        ch.interrupt.clear()
        while not done.is_set() and not ch.soft_hangup and not ch.hungup:
            await pbx.wait(ch, None)
            ch.interrupt.clear()
        pbx.on_hangup_request(ch, None)
        complete("caller" if ch.soft_hangup or ch.hungup else "agent")
        talk = int(completed[0])
        caller_left = ch.soft_hangup or ch.hungup
        if ch.bridge is not None:
            pbx.leave_bridge(ch)
        if q.setvars:
            self._queue_vars(ch, q)
        if not caller_left:
            self._dissolve(bridge)
        total = time.monotonic() - started
        for name, value in (
            ("ANSWEREDTIME", str(talk)),
            ("ANSWEREDTIME_MS", str(int(talk * 1000))),
            ("DIALEDTIME", str(int(total * pbx.speed))),
            ("DIALEDTIME_MS", str(int(total * pbx.speed * 1000))),
        ):
            pbx.setvar(ch, name, value)
        if q.setvars:
            self._queue_vars(ch, q)
        # The caller of a completed queue call is hung up (no `g` option in the dialplan);
        # when the caller went first, the agent is put out of the bridge after (b2).
        if not ch.hungup:
            pbx.hangup(ch, ch.hangup_cause, soft=True)
        self._dissolve(bridge)
        return ch.priority + 1

    def _dissolve(self, bridge: EBridge) -> None:
        pbx = self.pbx
        others = list(bridge.members)
        for other in others:
            pbx.leave_bridge(other)
        pbx.destroy_bridge(bridge)
        for other in others:
            if not other.hungup:
                pbx.hangup(other, 16, soft=False)
