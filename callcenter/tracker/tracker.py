"""The call tracker: fed typed AMI events, keeps calls/channels/bridges, returns facts.

Pure: no I/O, no clock (times come from the events' `received_at`). Rules, from
the Asterisk 22 transcripts (`shared/fixtures/asterisk-ami/README.md`):

* Both halves of a Local pair are one party; the ;2 half may keep an old Linkedid.
* A channel whose Linkedid changes (seen on `BridgeEnter`) moves its party to
  that call; a call left without live parties is `MERGED`.
* `DialEnd` may repeat for one destination; only the first closes the ring.
* `QueueCallerLeave` comes before `AgentConnect` (and after `QueueCallerAbandon`):
  a leave after an answered ring is an answer, not an abandon.
* `Cdr` may arrive before the `Hangup` of its channel; it never changes state.
* During a Local optimisation (`LocalOptimizationBegin`..`End`) the caller leaves
  one bridge and enters another: talk time goes on.
* After a reconnect, `Resynced` (CoreShowChannels) is the truth: channels we
  track that Asterisk no longer has ended while we were away (`end_known=False`,
  end time = the disconnect); channels we did not know are adopted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from callcenter.ami import events as ev
from callcenter.ami.events import ChannelState
from callcenter.tracker import facts as f
from callcenter.tracker.model import (
    Call,
    CallOutcome,
    Party,
    QueueOutcome,
    QueueSegment,
    RingAttempt,
    RingOutcome,
    Role,
    Segment,
    TrackedBridge,
    TrackedChannel,
)

_DIAL_OUTCOMES = {
    "ANSWER": RingOutcome.ANSWERED,
    "NOANSWER": RingOutcome.NO_ANSWER,
    "CANCEL": RingOutcome.CANCELLED,
    "BUSY": RingOutcome.BUSY,
}


def interface_of(channel_name: str) -> str:
    """`Local/1001@agents-00000001;1` -> `Local/1001@agents`; `PJSIP/10-0000002a` -> `PJSIP/10`."""
    name = channel_name
    if name.startswith("Local/") and len(name) > 2 and name[-2] == ";":
        name = name[:-2]
    dash = name.rfind("-")
    return name[:dash] if dash > 0 else name


class CallTracker:
    """The engine's model of what Asterisk is doing; see the module docstring."""

    def __init__(self) -> None:
        self.calls: dict[str, Call] = {}
        self.channels: dict[str, TrackedChannel] = {}
        """Live channels by Uniqueid."""
        self.bridges: dict[str, TrackedBridge] = {}
        self.parties: dict[str, Party] = {}
        self._merged: dict[str, str] = {}
        self._rings: dict[str, tuple[str, RingAttempt]] = {}
        self._optimizing: dict[str, int] = {}
        self._disconnected_at: float | None = None
        self._talk_closer: dict[str, str] = {}
        # Uniqueids created / hung up / moved between bridges since the last login: the
        # Resynced snapshot was taken before some of these live events were applied.
        self._session_new: set[str] = set()
        self._session_gone: set[str] = set()
        self._session_moved: set[str] = set()
        self.applied = 0
        self._handlers: dict[type[ev.AmiEvent], Callable[[ev.AmiEvent], list[f.Fact]]] = {
            ev.Newchannel: self._newchannel,  # type: ignore[dict-item]
            ev.Newstate: self._newstate,  # type: ignore[dict-item]
            ev.Hangup: self._hangup,  # type: ignore[dict-item]
            ev.DialBegin: self._dial_begin,  # type: ignore[dict-item]
            ev.DialEnd: self._dial_end,  # type: ignore[dict-item]
            ev.AgentCalled: self._agent_called,  # type: ignore[dict-item]
            ev.AgentRingNoAnswer: self._agent_noanswer,  # type: ignore[dict-item]
            ev.AgentConnect: self._agent_connect,  # type: ignore[dict-item]
            ev.AgentComplete: self._agent_complete,  # type: ignore[dict-item]
            ev.QueueCallerJoin: self._queue_join,  # type: ignore[dict-item]
            ev.QueueCallerAbandon: self._queue_abandon,  # type: ignore[dict-item]
            ev.QueueCallerLeave: self._queue_leave,  # type: ignore[dict-item]
            ev.BridgeCreate: self._bridge_create,  # type: ignore[dict-item]
            ev.BridgeDestroy: self._bridge_destroy,  # type: ignore[dict-item]
            ev.BridgeEnter: self._bridge_enter,  # type: ignore[dict-item]
            ev.BridgeLeave: self._bridge_leave,  # type: ignore[dict-item]
            ev.Hold: self._hold,  # type: ignore[dict-item]
            ev.Unhold: self._unhold,  # type: ignore[dict-item]
            ev.Cdr: self._cdr,  # type: ignore[dict-item]
            ev.LocalOptimizationBegin: self._opt_begin,  # type: ignore[dict-item]
            ev.LocalOptimizationEnd: self._opt_end,  # type: ignore[dict-item]
            ev.Disconnected: self._disconnected,  # type: ignore[dict-item]
            ev.Connected: self._connected,  # type: ignore[dict-item]
            ev.Resynced: self._resynced,  # type: ignore[dict-item]
        }

    # -- public ---------------------------------------------------------------------

    def apply(self, event: ev.AmiEvent) -> list[f.Fact]:
        """Update the model with one event; return the facts it established (often none)."""
        self.applied += 1
        handler = self._handlers.get(type(event))
        if handler is None:
            return []
        return handler(event)

    def apply_all(self, events: Iterable[ev.AmiEvent]) -> list[f.Fact]:
        out: list[f.Fact] = []
        for event in events:
            out.extend(self.apply(event))
        return out

    def call_of(self, uniqueid: str) -> Call | None:
        """The call a (live or remembered) channel belongs to."""
        channel = self.channels.get(uniqueid)
        if channel is None:
            return None
        return self.calls.get(self.parties[channel.party].call_id)

    def resolve(self, call_id: str) -> str:
        """Follow merges: the id of the call that absorbed `call_id` (or itself)."""
        seen = 0
        while call_id in self._merged and seen < 64:
            call_id = self._merged[call_id]
            seen += 1
        return call_id

    def active_calls(self) -> list[Call]:
        return [c for c in self.calls.values() if not c.ended]

    def live_view(self) -> dict[str, tuple[str, str | None]]:
        """Uniqueid -> (channel name, bridge id) of every live channel (for reconciliation)."""
        return {u: (c.name, c.bridge_id) for u, c in self.channels.items()}

    def forget_ended(self) -> list[Call]:
        """Drop ended calls (and their parties) from memory; return them."""
        ended = [c for c in self.calls.values() if c.ended]
        for call in ended:
            del self.calls[call.call_id]
            self._talk_closer.pop(call.call_id, None)
            for key in call.parties:
                party = self.parties.get(key)
                if party is not None and party.call_id == call.call_id and party.live == 0:
                    del self.parties[key]
        return ended

    # -- helpers ------------------------------------------------------------------------

    def _party_key(self, ch: ev.Channel) -> str:
        name = ch.name
        if name.startswith("Local/") and len(name) > 2 and name[-2] == ";":
            return name[:-2]
        return name

    def _add_channel(self, ch: ev.Channel, t: float) -> list[f.Fact]:
        out: list[f.Fact] = []
        key = self._party_key(ch)
        party = self.parties.get(key)
        # A pair name is reused after an Asterisk restart (the counter restarts at 0):
        # a party without live channels is a finished one, never joined again.
        if party is None or party.live == 0:
            call_id = self.resolve(ch.linkedid or ch.uniqueid)
            call = self.calls.get(call_id)
            if call is None or call.ended:
                call = Call(call_id, t, ch.caller_id_num, ch.caller_id_name)
                self.calls[call_id] = call
                role = Role.CALLER
                out.append(f.CallStarted(t, call_id, ch.name))
            else:
                role = Role.OTHER
            party = Party(key, call_id, role, interface=interface_of(ch.name))
            self.parties[key] = party
            call.parties.append(key)
        call = self.calls[party.call_id]
        party.channels.append(ch.uniqueid)
        party.live += 1
        call.live += 1
        self._session_new.add(ch.uniqueid)
        self.channels[ch.uniqueid] = TrackedChannel(
            ch.uniqueid, ch.name, key, t, ch.state, t if ch.state is ChannelState.UP else None
        )
        return out

    def _call_for(self, ch: ev.Channel | None) -> Call | None:
        if ch is None:
            return None
        tracked = self.channels.get(ch.uniqueid)
        if tracked is not None:
            return self.calls.get(self.parties[tracked.party].call_id)
        return self.calls.get(self.resolve(ch.linkedid))

    def _move_party(self, party: Party, to_call: Call, t: float) -> list[f.Fact]:
        old = self.calls.get(party.call_id)
        party.call_id = to_call.call_id
        to_call.parties.append(party.key)
        to_call.live += party.live
        if party.role is Role.CALLER:
            party.role = Role.OTHER
        out: list[f.Fact] = []
        if old is not None:
            old.parties.remove(party.key)
            old.live -= party.live
            if old.live == 0 and not old.ended:
                old.outcome = CallOutcome.MERGED
                old.merged_into = to_call.call_id
                old.ended_at = t
                self._merged[old.call_id] = to_call.call_id
                out.append(f.CallMerged(t, old.call_id, to_call.call_id))
        return out

    def _talking(self, call: Call) -> str | None:
        """The party a caller-party channel shares a bridge with, if any."""
        parties = self.parties
        channels = self.channels
        for key in call.parties:
            party = parties[key]
            if party.role is not Role.CALLER:
                continue
            for uid in party.channels:
                tracked = channels.get(uid)
                if tracked is None or tracked.bridge_id is None:
                    continue
                bridge = self.bridges.get(tracked.bridge_id)
                if bridge is None:
                    continue
                for member in bridge.members:
                    other = channels.get(member)
                    if other is not None and other.party != key:
                        return other.party
        return None

    def _update_talk(self, call: Call, t: float) -> list[f.Fact]:
        if self._optimizing.get(call.call_id):
            return []
        open_seg = call.talk[-1] if call.talk and call.talk[-1].end is None else None
        peer = self._talking(call)
        if peer is not None and open_seg is None:
            call.talk.append(Segment(t))
            if call.connected_at is None:
                # Bridged by the engine (Bridge action), not answered through a Dial.
                call.connected_at = t
                call.agent_interface = self.parties[peer].interface
            return [f.TalkStarted(t, call.call_id)]
        if peer is None and open_seg is not None:
            open_seg.end = t
            return [f.TalkEnded(t, call.call_id)]
        return []

    def _end_call(self, call: Call, t: float, known: bool) -> list[f.Fact]:
        out: list[f.Fact] = []
        for seg in call.talk:
            if seg.end is None:
                seg.end = t
                out.append(f.TalkEnded(t, call.call_id))
        for seg in call.holds:
            if seg.end is None:
                seg.end = t
        for q in call.queue:
            if q.left_at is None:
                q.left_at = t
                q.outcome = QueueOutcome.ABANDONED
                out.append(f.QueueLeft(t, call.call_id, q.queue, q.outcome, t - q.joined_at))
        for ring in call.rings:
            if ring.outcome is RingOutcome.RINGING:
                ring.outcome = RingOutcome.CANCELLED if known else RingOutcome.UNKNOWN
                ring.ended_at = t
        call.ended_at = t
        call.end_known = known
        if call.talk:
            call.outcome = CallOutcome.ANSWERED
        elif any(q.outcome is QueueOutcome.ABANDONED for q in call.queue):
            call.outcome = CallOutcome.ABANDONED
        else:
            call.outcome = CallOutcome.UNANSWERED
        out.append(f.CallEnded(t, call.call_id, call.outcome, known))
        return out

    def _remove_channel(self, uniqueid: str, t: float, cause: int | None, known: bool
                        ) -> list[f.Fact]:
        tracked = self.channels.pop(uniqueid, None)
        if tracked is None:
            return []
        tracked.ended_at = t
        tracked.cause = cause
        self._session_gone.add(uniqueid)
        out: list[f.Fact] = []
        if tracked.bridge_id is not None:
            bridge = self.bridges.get(tracked.bridge_id)
            if bridge is not None:
                bridge.members.discard(uniqueid)
        ring = self._rings.pop(uniqueid, None)
        if ring is not None and ring[1].outcome is RingOutcome.RINGING:
            ring[1].outcome = RingOutcome.CANCELLED if known else RingOutcome.UNKNOWN
            ring[1].ended_at = t
        party = self.parties[tracked.party]
        party.live -= 1
        call = self.calls.get(party.call_id)
        if call is None:
            return out
        call.live -= 1
        if not call.hung_up_by and call.talk and (
            call.talk[-1].end is None or self._talk_closer.get(call.call_id) == party.key
        ):
            # The first party to hang up during the talk (or right after leaving the
            # bridge, which ends the talk first when the hangup comes by action).
            call.hung_up_by = "caller" if party.role is Role.CALLER else "agent"
        if party.role is Role.CALLER and call.cause is None:
            call.cause = cause
        if call.talk:
            out.extend(self._update_talk(call, t))
        if call.live == 0 and not call.ended:
            out.extend(self._end_call(call, t, known))
        return out

    def _start_ring(self, call: Call, dest: ev.Channel, t: float, interface: str,
                    member: str, queue: str) -> list[f.Fact]:
        if dest.uniqueid in self._rings:
            ring = self._rings[dest.uniqueid][1]
            if member and not ring.member_name:
                ring.member_name, ring.queue, ring.interface = member, queue, interface
            return []
        tracked = self.channels.get(dest.uniqueid)
        if tracked is not None:
            party = self.parties[tracked.party]
            if party.role is not Role.CALLER:
                party.role = Role.AGENT
                party.interface = interface
        ring = RingAttempt(interface, member, queue, dest.uniqueid, t)
        call.rings.append(ring)
        self._rings[dest.uniqueid] = (call.call_id, ring)
        return [f.RingStarted(t, call.call_id, interface, dest.name)]

    # -- handlers -----------------------------------------------------------------------

    def _newchannel(self, e: ev.Newchannel) -> list[f.Fact]:
        if e.channel.uniqueid in self.channels:
            return []
        return self._add_channel(e.channel, e.received_at)

    def _newstate(self, e: ev.Newstate) -> list[f.Fact]:
        tracked = self.channels.get(e.channel.uniqueid)
        if tracked is None:
            return self._add_channel(e.channel, e.received_at)
        tracked.state = e.channel.state
        self._learn_caller_id(tracked, e.channel)
        if e.channel.state is ChannelState.UP and tracked.answered_at is None:
            tracked.answered_at = e.received_at
        return []

    def _learn_caller_id(self, tracked: TrackedChannel, ch: ev.Channel) -> None:
        """Newchannel says `<unknown>`; the caller ID comes with later snapshots."""
        party = self.parties[tracked.party]
        if party.role is not Role.CALLER:
            return
        call = self.calls.get(party.call_id)
        if call is not None and call.caller_num in ("", "<unknown>") and ch.caller_id_num not in (
            "",
            "<unknown>",
        ):
            call.caller_num = ch.caller_id_num
            call.caller_name = ch.caller_id_name

    def _hangup(self, e: ev.Hangup) -> list[f.Fact]:
        self._session_gone.add(e.channel.uniqueid)
        return self._remove_channel(e.channel.uniqueid, e.received_at, e.cause, True)

    def _dial_begin(self, e: ev.DialBegin) -> list[f.Fact]:
        if e.caller is None:
            return []  # an Originate dialling its own first leg
        call = self._call_for(e.caller)
        if call is None:
            return []
        return self._start_ring(call, e.dest, e.received_at, interface_of(e.dest.name), "", "")

    def _close_ring(self, uniqueid: str, outcome: RingOutcome, t: float) -> list[f.Fact]:
        entry = self._rings.get(uniqueid)
        if entry is None:
            return []
        call_id, ring = entry
        if ring.outcome is not RingOutcome.RINGING:
            return []  # DialEnd repeats: NOANSWER then CANCEL, or CANCEL twice
        ring.outcome = outcome
        ring.ended_at = t
        call = self.calls.get(self.resolve(call_id))
        if outcome is RingOutcome.ANSWERED and call is not None and call.connected_at is None:
            call.connected_at = t
            call.agent_interface = ring.interface
            call.agent_name = ring.member_name
        return [f.RingEnded(t, call_id, ring.interface, outcome)]

    def _dial_end(self, e: ev.DialEnd) -> list[f.Fact]:
        if e.caller is None:
            return []
        outcome = _DIAL_OUTCOMES.get(e.status, RingOutcome.FAILED)
        return self._close_ring(e.dest.uniqueid, outcome, e.received_at)

    def _agent_called(self, e: ev.AgentCalled) -> list[f.Fact]:
        call = self._call_for(e.caller)
        if call is None or e.agent is None:
            return []
        return self._start_ring(call, e.agent, e.received_at, e.interface, e.member_name, e.queue)

    def _agent_noanswer(self, e: ev.AgentRingNoAnswer) -> list[f.Fact]:
        if e.agent is None:
            return []
        entry = self._rings.get(e.agent.uniqueid)
        if entry is not None:
            entry[1].ring_time = e.ring_time
        return self._close_ring(e.agent.uniqueid, RingOutcome.NO_ANSWER, e.received_at)

    def _agent_connect(self, e: ev.AgentConnect) -> list[f.Fact]:
        call = self._call_for(e.caller)
        if call is None:
            return []
        t = e.received_at
        out: list[f.Fact] = []
        if e.agent is not None:
            entry = self._rings.get(e.agent.uniqueid)
            if entry is not None:
                entry[1].ring_time = e.ring_time
            out.extend(self._close_ring(e.agent.uniqueid, RingOutcome.ANSWERED, t))
        if call.connected_at is None:
            call.connected_at = t
        call.agent_interface = e.interface
        call.agent_name = e.member_name
        for seg in call.queue:
            if seg.queue == e.queue and seg.outcome in (QueueOutcome.WAITING, QueueOutcome.LEFT):
                seg.outcome = QueueOutcome.ANSWERED
                if seg.left_at is None:
                    seg.left_at = t
                out.append(f.QueueLeft(t, call.call_id, seg.queue, seg.outcome,
                                       seg.left_at - seg.joined_at))
        out.append(f.AgentConnected(t, call.call_id, e.interface, e.member_name))
        return out

    def _agent_complete(self, e: ev.AgentComplete) -> list[f.Fact]:
        call = self._call_for(e.caller) or self._call_for(e.agent)
        if call is not None and e.reason in ("caller", "agent", "transfer"):
            call.hung_up_by = e.reason
        return []

    def _current_queue(self, call: Call, queue: str) -> QueueSegment | None:
        for seg in reversed(call.queue):
            if seg.queue == queue:
                return seg
        return None

    def _queue_join(self, e: ev.QueueCallerJoin) -> list[f.Fact]:
        call = self._call_for(e.channel)
        if call is None:
            return []
        tracked = self.channels.get(e.channel.uniqueid)
        if tracked is not None:
            self._learn_caller_id(tracked, e.channel)
        call.queue.append(QueueSegment(e.queue, e.received_at, e.position))
        return [f.QueueJoined(e.received_at, call.call_id, e.queue, e.position)]

    def _queue_abandon(self, e: ev.QueueCallerAbandon) -> list[f.Fact]:
        call = self._call_for(e.channel)
        seg = self._current_queue(call, e.queue) if call is not None else None
        if call is None or seg is None or seg.outcome is not QueueOutcome.WAITING:
            return []
        seg.outcome = QueueOutcome.ABANDONED
        seg.left_at = e.received_at
        return [f.QueueLeft(e.received_at, call.call_id, e.queue, seg.outcome,
                            e.received_at - seg.joined_at)]

    def _queue_leave(self, e: ev.QueueCallerLeave) -> list[f.Fact]:
        call = self._call_for(e.channel)
        seg = self._current_queue(call, e.queue) if call is not None else None
        if call is None or seg is None or seg.outcome is not QueueOutcome.WAITING:
            return []
        seg.left_at = e.received_at
        answered = any(r.outcome is RingOutcome.ANSWERED and r.started_at >= seg.joined_at
                       for r in call.rings)
        if answered:
            # AgentConnect follows this event; it reports the answer with the agent.
            return []
        seg.outcome = QueueOutcome.LEFT
        return [f.QueueLeft(e.received_at, call.call_id, e.queue, seg.outcome,
                            e.received_at - seg.joined_at)]

    def _bridge_create(self, e: ev.BridgeCreate) -> list[f.Fact]:
        self.bridges.setdefault(e.bridge.uniqueid, TrackedBridge(e.bridge.uniqueid, e.received_at))
        return []

    def _bridge_destroy(self, e: ev.BridgeDestroy) -> list[f.Fact]:
        self.bridges.pop(e.bridge.uniqueid, None)
        return []

    def _bridge_enter(self, e: ev.BridgeEnter) -> list[f.Fact]:
        t = e.received_at
        ch = e.channel
        tracked = self.channels.get(ch.uniqueid)
        out: list[f.Fact] = []
        if tracked is None:
            out.extend(self._add_channel(ch, t))
            tracked = self.channels[ch.uniqueid]
        bridge = self.bridges.get(e.bridge.uniqueid)
        if bridge is None:
            bridge = self.bridges[e.bridge.uniqueid] = TrackedBridge(e.bridge.uniqueid, t)
        bridge.members.add(ch.uniqueid)
        tracked.bridge_id = bridge.uniqueid
        self._session_moved.add(ch.uniqueid)
        party = self.parties[tracked.party]
        target_id = self.resolve(ch.linkedid) if ch.linkedid else party.call_id
        if target_id != party.call_id:
            target = self.calls.get(target_id)
            if target is not None and not target.ended:
                out.extend(self._move_party(party, target, t))
        call = self.calls.get(party.call_id)
        if call is not None:
            out.extend(self._update_talk(call, t))
        return out

    def _bridge_leave(self, e: ev.BridgeLeave) -> list[f.Fact]:
        tracked = self.channels.get(e.channel.uniqueid)
        bridge = self.bridges.get(e.bridge.uniqueid)
        if bridge is not None:
            bridge.members.discard(e.channel.uniqueid)
        if tracked is None:
            return []
        if tracked.bridge_id == e.bridge.uniqueid:
            tracked.bridge_id = None
        self._session_moved.add(tracked.uniqueid)
        out: list[f.Fact] = []
        # Both the leaving channel's call and its former peers' calls may stop talking.
        call_ids = {self.parties[tracked.party].call_id}
        if bridge is not None:
            for member in bridge.members:
                other = self.channels.get(member)
                if other is not None:
                    call_ids.add(self.parties[other.party].call_id)
        for call_id in call_ids:
            call = self.calls.get(call_id)
            if call is not None and call.talk:
                ended = self._update_talk(call, e.received_at)
                if ended:
                    self._talk_closer[call_id] = tracked.party
                out.extend(ended)
        return out

    def _hold(self, e: ev.Hold) -> list[f.Fact]:
        call = self._call_for(e.channel)
        if call is None or (call.holds and call.holds[-1].end is None):
            return []
        call.holds.append(Segment(e.received_at))
        return [f.HoldStarted(e.received_at, call.call_id)]

    def _unhold(self, e: ev.Unhold) -> list[f.Fact]:
        call = self._call_for(e.channel)
        if call is None or not call.holds or call.holds[-1].end is not None:
            return []
        call.holds[-1].end = e.received_at
        return [f.HoldEnded(e.received_at, call.call_id)]

    def _cdr(self, e: ev.Cdr) -> list[f.Fact]:
        tracked = self.channels.get(e.uniqueid)
        if tracked is not None:
            call = self.calls.get(self.parties[tracked.party].call_id)
        else:
            call = None
            for party_key in (e.channel[:-2] if e.channel[-2:-1] == ";" else e.channel,):
                party = self.parties.get(party_key)
                if party is not None:
                    call = self.calls.get(party.call_id)
        if call is not None:
            call.cdrs.append(e.disposition)
        return []

    def _opt_begin(self, e: ev.LocalOptimizationBegin) -> list[f.Fact]:
        call = self._call_for(e.one)
        if call is not None:
            self._optimizing[call.call_id] = self._optimizing.get(call.call_id, 0) + 1
        return []

    def _opt_end(self, e: ev.LocalOptimizationEnd) -> list[f.Fact]:
        call = self._call_for(e.one)
        if call is None:
            for cid in list(self._optimizing):
                self._optimizing.pop(cid)
            return []
        n = self._optimizing.get(call.call_id, 0) - 1
        if n <= 0:
            self._optimizing.pop(call.call_id, None)
        else:
            self._optimizing[call.call_id] = n
        return self._update_talk(call, e.received_at)

    def _connected(self, e: ev.Connected) -> list[f.Fact]:
        self._session_new.clear()
        self._session_gone.clear()
        self._session_moved.clear()
        return []

    def _disconnected(self, e: ev.Disconnected) -> list[f.Fact]:
        self._connected(ev.Connected(e.received_at, e.session, ""))
        self._disconnected_at = e.received_at
        self._optimizing.clear()
        return []

    def _resynced(self, e: ev.Resynced) -> list[f.Fact]:
        t = e.received_at
        gone_at = self._disconnected_at if self._disconnected_at is not None else t
        # The snapshot predates the live events of this session already applied: a
        # channel created, hung up or moved since the login is not judged by it.
        present = {c.channel.uniqueid: c for c in e.channels}
        out: list[f.Fact] = []
        for uid in [u for u in self.channels
                    if u not in present and u not in self._session_new]:
            out.extend(self._remove_channel(uid, gone_at, None, False))
        bridges_seen: set[str] = {b for c in self.channels.values()
                                  if c.uniqueid in self._session_moved
                                  for b in (c.bridge_id,) if b is not None}
        for uid, item in present.items():
            if uid in self._session_gone:
                continue
            tracked = self.channels.get(uid)
            if tracked is None:
                out.extend(self._add_channel(item.channel, t - _seconds(item.duration)))
                tracked = self.channels[uid]
            tracked.state = item.channel.state
            old = tracked.bridge_id
            new = item.bridge_id or None
            if uid in self._session_moved:
                new = old
            if old != new:
                if old is not None and old in self.bridges:
                    self.bridges[old].members.discard(uid)
                if new is not None:
                    bridge = self.bridges.get(new)
                    if bridge is None:
                        bridge = self.bridges[new] = TrackedBridge(new, t)
                    bridge.members.add(uid)
                tracked.bridge_id = new
            if new is not None:
                bridges_seen.add(new)
        for bid in [b for b in self.bridges if b not in bridges_seen]:
            del self.bridges[bid]
        waiting = {entry.channel for entry in e.entries}
        for call in self.active_calls():
            for seg in call.queue:
                if seg.outcome is QueueOutcome.WAITING and not self._caller_waiting(call, waiting):
                    seg.left_at = gone_at
                    seg.outcome = QueueOutcome.LEFT
            out.extend(self._update_talk(call, t))
            if call.talk and call.connected_at is None:
                call.connected_at = gone_at
                for seg in call.queue:
                    if seg.outcome is QueueOutcome.LEFT and seg.left_at == gone_at:
                        seg.outcome = QueueOutcome.ANSWERED
        self._disconnected_at = None
        return out

    def _caller_waiting(self, call: Call, waiting: set[str]) -> bool:
        for key in call.parties:
            party = self.parties[key]
            if party.role is Role.CALLER:
                for uid in party.channels:
                    tracked = self.channels.get(uid)
                    if tracked is not None and tracked.name in waiting:
                        return True
        return False


def _seconds(duration: str) -> float:
    """`HH:MM:SS` (CoreShowChannel Duration) in seconds; 0 if unreadable."""
    try:
        h, m, s = duration.split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)
    except ValueError:
        return 0.0
