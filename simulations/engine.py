"""The discrete-event loop: a virtual clock that feeds calls and agent schedules to the very
same `acd.Router` the live engine uses, and applies the decisions it returns.

Events are plain tuples on one heap; router deadlines (ring timeouts, wrap-up ends, rules,
maximum waits) are interleaved through `Router.next_deadline()`, so nothing polls.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from heapq import heappop, heappush
from itertools import count
from typing import cast

import numpy as np

from acd import (
    AgentState,
    AgentStateChanged,
    CallAbandoned,
    CallCompleted,
    CallConnected,
    CallQueued,
    CallRequest,
    Decision,
    Expired,
    Offer,
    OfferWithdrawn,
    Overflow,
    RingNoAnswer,
    Router,
)
from cdr import WAIT_BIN_S, CallTally
from simulations.model import SimAgent, SimCall
from simulations.stats import WAIT_BINS, AgentTally, RunStats

END_OF_SHIFT = "end-of-shift"
BREAK = "break"

# Agent states as module constants: looking a member up on its Enum class costs more than a
# function call (the metaclass's __getattr__ defeats the attribute cache).
_LOGGED_OUT = AgentState.LOGGED_OUT
_WRAP_UP = AgentState.WRAP_UP
_PAUSED = AgentState.PAUSED

# Event kinds. Events on the same instant are handled in the order they were scheduled.
_TALK_END, _ANSWER, _PATIENCE, _ARRIVAL, _SHIFT_START, _BREAK_START, _BREAK_END, _SHIFT_END = range(
    8
)
# (time, seq, kind, subject): the heap's order is time, then scheduling order.
_Event = tuple[float, float, int, object]
_NO_EVENT: _Event = (math.inf, math.inf, _ARRIVAL, None)  # later than every event


@dataclass(slots=True)
class _Live:
    """A call in progress, as the simulator needs to remember it."""

    call: SimCall
    tally: CallTally | None  # None during warm-up: not counted
    waits: list[int] | None  # the tally's wait histogram
    queue: str
    offered_to: str | None = None
    offers: int = 0
    connected: bool = False


@dataclass(slots=True)
class _AgentClock:
    """Where an agent stands, for crediting its time: state since when, and its last call."""

    agent: SimAgent
    state: AgentState = AgentState.LOGGED_OUT
    since: float = 0.0
    last_call: CallTally | None = None  # whose wrap-up the agent is doing
    interval: int = -1  # the reporting interval last credited, and its group's tally
    tally: AgentTally | None = None


@dataclass(frozen=True, slots=True)
class SimulationResult:
    stats: RunStats
    offers_explained: tuple[Offer, ...]  # the first offer of each kind, with its reasons
    end_s: float


class Simulation:
    """One replication. Run it once; build a new one (with a fresh router) for the next."""

    def __init__(
        self,
        router: Router,
        agents: Sequence[SimAgent],
        calls: Iterator[SimCall],
        *,
        horizon_s: float,
        interval_s: float,
        rng: np.random.Generator,
        warmup_s: float = 0.0,
        short_abandon_s: float = 5.0,
        drain_s: float = 4 * 3600.0,
        explain_first: int = 0,  # keep the first offer of up to this many kinds
    ) -> None:
        if not horizon_s > 0 or not interval_s > 0:
            raise ValueError(f"horizon_s and interval_s must be > 0, got {horizon_s}, {interval_s}")
        self.router = router
        self.agents = {agent.id: agent for agent in agents}
        self._calls = calls
        self.horizon_s = horizon_s
        self.warmup_s = warmup_s
        self.short_abandon_s = short_abandon_s
        self.drain_s = drain_s
        self.stats = RunStats(interval_s)
        self._rng = rng
        self._heap: list[_Event] = []
        self._seq = count()
        # The next call to arrive, kept out of the heap: the workload comes in arrival order.
        # It takes its place in the event order (time, then seq) like any heap entry.
        self._arrival: _Event = _NO_EVENT
        self._live: dict[str, _Live] = {}
        self._clocks = {agent.id: _AgentClock(agent) for agent in agents}
        self._waiting: dict[str, int] = {}
        self._explain_first = explain_first
        self._explained: list[Offer] = []
        self._explained_kinds: set[tuple[object, ...]] = set()
        self._answer_now: list[str] = []
        self._target_s = {
            name: router.queue_settings(name).sl_target_s for name in router.queue_names()
        }

    # ------------------------------------------------------------------ running

    def run(self) -> SimulationResult:
        router = self.router
        for agent in self.agents.values():
            router.add_agent(
                agent.id, agent.skills, display_id=agent.display_id, queues=agent.queues
            )
            for shift in agent.shifts:
                self._push(shift.start_s, _SHIFT_START, agent.id)
                self._push(shift.end_s, _SHIFT_END, agent.id)
                for start, duration in shift.breaks:
                    self._push(start, _BREAK_START, agent.id)
                    self._push(start + duration, _BREAK_END, agent.id)
        self._next_arrival()
        heap = self._heap
        live_calls = self._live
        apply = self._apply
        next_deadline = router.next_deadline
        horizon = self.horizon_s
        end = horizon + self.drain_s
        now = 0.0
        while True:
            event = self._arrival
            # A flag, not `event is self._arrival`: compiled by mypyc (sim_bench --native),
            # tuples are unboxed and copied, so identity says nothing.
            arriving = True
            if heap and heap[0] < event:
                event = heap[0]
                arriving = False
            event_time = event[0]
            deadline = next_deadline()
            if deadline is not None and deadline <= event_time:
                if deadline > end:
                    break
                now = deadline
                apply(router.advance(now), now)
                continue
            if event_time > end or (event_time > horizon and not live_calls):
                break
            if arriving:
                now = event_time
                self._arrive(event[3], now)  # type: ignore[arg-type]
                continue
            now, _, kind, subject = heappop(heap)
            # The two other events of every call first, without a method call to dispatch them.
            if kind == _TALK_END:
                apply(router.end_call(subject, now), now)  # type: ignore[arg-type]
            else:
                self._handle(kind, subject, now)
        self._close_agent_time(min(now, end))
        return SimulationResult(self.stats, tuple(self._explained), now)

    def _push(self, when: float, kind: int, subject: object) -> None:
        heappush(self._heap, (when, next(self._seq), kind, subject))

    def _next_arrival(self) -> None:
        call = next(self._calls, None)
        if call is not None and call.arrival_s <= self.horizon_s:
            self._arrival = (call.arrival_s, next(self._seq), _ARRIVAL, call)
        else:
            self._arrival = _NO_EVENT

    # ------------------------------------------------------------------ events

    def _handle(self, kind: int, subject: object, now: float) -> None:
        router = self.router
        if kind == _ANSWER:
            call_id, offer_number = cast(tuple[str, int], subject)
            live = self._live.get(call_id)
            if live is not None and live.offers == offer_number and live.offered_to is not None:
                self._apply(router.answer(call_id, now), now)
        elif kind == _PATIENCE:
            assert isinstance(subject, str)
            live = self._live.get(subject)
            if live is not None and not live.connected:
                self._apply(router.abandon(subject, now), now)
        else:
            assert isinstance(subject, str)
            self._agent_schedule(kind, subject, now)

    def _arrive(self, call: SimCall, now: float) -> None:
        self._next_arrival()
        stats = self.stats
        stats.calls_simulated += 1
        tally = waits = None
        if now >= self.warmup_s:
            key = (int(now // stats.interval_s), call.queue, call.call_type)
            tally = stats.calls.get(key)
            if tally is None:
                tally = stats.tally(*key)
            waits = stats.waits[key]
            tally.offered += 1
        live = _Live(call, tally, waits, call.queue)
        self._live[call.id] = live
        # Positional (id, queue, priority, required, tier, caller): keywords cost twice as much.
        request = CallRequest(call.id, call.queue, call.priority, call.required, None, call.caller)
        self._apply(self.router.enqueue(request, now), now)
        if live.connected:
            return  # answered at once: no patience to run out
        if tally is not None and live.offers == 0:
            tally.delayed += 1
        if call.patience_s != math.inf:
            self._push(now + call.patience_s, _PATIENCE, call.id)

    def _agent_schedule(self, kind: int, agent_id: str, now: float) -> None:
        router = self.router
        state = self._clocks[agent_id].state
        # Each schedule event is checked against the agent's state first, so the router
        # refusing one would be a bug: let its error surface.
        if kind == _SHIFT_START and state is AgentState.LOGGED_OUT:
            self._apply(router.login(agent_id, now), now)
        elif kind == _SHIFT_END and state is not AgentState.LOGGED_OUT:
            if state in (AgentState.AVAILABLE, AgentState.PAUSED):
                self._apply(router.logout(agent_id, now), now)
            else:
                # Finish the call (and its wrap-up) first, then leave.
                self._apply(router.pause(agent_id, END_OF_SHIFT, now), now)
        elif kind == _BREAK_START and state is not AgentState.LOGGED_OUT:
            self._apply(router.pause(agent_id, BREAK, now), now)
        elif kind == _BREAK_END and state is not AgentState.LOGGED_OUT:
            info = router.agent_info(agent_id)
            if info.pause_reason == BREAK or info.pending_pause == BREAK:
                self._apply(router.unpause(agent_id, now), now)

    # ------------------------------------------------------------------ decisions

    def _apply(self, decisions: list[Decision], now: float) -> None:
        """Carry out the router's decisions; offers answered at once are answered after them."""
        live_calls = self._live
        clocks = self._clocks
        answer_now = self._answer_now
        while True:
            # The common decisions inline, most frequent first: this runs several times a call.
            for d in decisions:
                cls = d.__class__
                if cls is AgentStateChanged:
                    clock = clocks[d.agent_id]  # type: ignore[union-attr]
                    since = clock.since
                    if now > since:  # nothing to credit for a state left the instant it began
                        self._credit(clock, now)
                        if d.old is _WRAP_UP:  # type: ignore[union-attr]
                            tally = clock.last_call
                            if tally is not None:
                                tally.wrap_up_s += now - since
                    clock.state = d.new  # type: ignore[union-attr]
                    clock.since = now
                    if d.new is _PAUSED and d.reason == END_OF_SHIFT:  # type: ignore[union-attr]
                        self._apply(self.router.logout(d.agent_id, now), now)  # type: ignore[union-attr]
                elif cls is Offer:
                    self._offer(d, live_calls[d.call_id], now)  # type: ignore[union-attr,arg-type]
                elif cls is CallQueued:
                    self._count_waiting(d.queue, 1, now)  # type: ignore[union-attr]
                elif cls is CallConnected:
                    live = live_calls[d.call_id]  # type: ignore[union-attr]
                    live.connected = True
                    live.offered_to = None
                    tally = live.tally
                    waits = live.waits
                    if tally is not None and waits is not None:
                        wait = now - live.call.arrival_s
                        tally.add_answered(wait, self._target_s[live.queue])
                        if wait:
                            self._record_wait(waits, wait)
                        else:  # answered on arrival, the usual case
                            waits[0] += 1
                    clocks[d.agent_id].last_call = tally  # type: ignore[union-attr]
                    heappush(
                        self._heap,
                        (now + live.call.handle_s, next(self._seq), _TALK_END, d.call_id),  # type: ignore[union-attr]
                    )
                elif cls is CallCompleted:
                    live = live_calls.pop(d.call_id)  # type: ignore[union-attr]
                    if live.tally is not None:
                        live.tally.talk_s += d.talk_s  # type: ignore[union-attr]
                else:
                    self._apply_rare(d, now)
            if not answer_now:
                return
            decisions = self.router.answer(answer_now.pop(0), now)

    def _apply_rare(self, d: Decision, now: float) -> None:
        live_calls = self._live
        cls = d.__class__
        if cls is RingNoAnswer:
            live = live_calls[d.call_id]  # type: ignore[union-attr]
            live.offered_to = None
            if live.tally is not None:
                live.tally.ring_no_answer += 1
            self._count_waiting(live.queue, 1, now)
        elif cls is OfferWithdrawn:
            live_calls[d.call_id].offered_to = None  # type: ignore[union-attr]
        elif cls is CallAbandoned:
            live = live_calls.pop(d.call_id)  # type: ignore[union-attr]
            if d.while_ringing is None:  # type: ignore[union-attr]
                self._count_waiting(live.queue, -1, now)
            tally = live.tally
            waits = live.waits
            if tally is not None and waits is not None:
                wait = now - live.call.arrival_s
                tally.add_abandoned(wait, self.short_abandon_s)
                self._record_wait(waits, wait)
        elif cls is Expired or cls is Overflow:
            self._left_queue(d, now)  # type: ignore[arg-type]

    def _offer(self, offer: Offer, live: _Live, now: float) -> None:
        live.offered_to = offer.agent_id
        live.offers += 1
        waiting = self._waiting
        waiting[offer.queue] = waiting.get(offer.queue, 0) - 1  # no longer waiting
        if len(self._explained) < self._explain_first:
            why = offer.why
            kind = (why.trigger, bool(why.rules_fired), why.aged_priority > 0, offer.queue)
            if kind not in self._explained_kinds:
                self._explained_kinds.add(kind)
                self._explained.append(offer)
        agent = self._clocks[offer.agent_id].agent
        if agent.rona_probability and self._rng.random() < agent.rona_probability:
            return  # lets it ring out: the router's ring timeout fires
        if agent.answer_delay_s:
            self._push(now + agent.answer_delay_s, _ANSWER, (offer.call_id, live.offers))
        else:
            self._answer_now.append(offer.call_id)

    def _left_queue(self, d: Expired | Overflow, now: float) -> None:
        live = self._live[d.call_id]
        self._count_waiting(live.queue, -1, now)
        tally = live.tally
        if isinstance(d, Overflow) and d.to_queue is not None:
            live.queue = d.to_queue
            self._count_waiting(d.to_queue, 1, now)
        else:
            del self._live[d.call_id]
        if tally is not None:
            if isinstance(d, Expired):
                tally.expired += 1
            else:
                tally.overflowed += 1

    def _credit(self, clock: _AgentClock, now: float) -> None:
        """Credit the agent's time in its current state up to `now` (after the warm-up)."""
        since = clock.since
        start = since if since > self.warmup_s else self.warmup_s
        state = clock.state
        if now <= start or state is _LOGGED_OUT:
            return
        stats = self.stats
        group = clock.agent.group
        interval = int(start // stats.interval_s)
        if now <= (interval + 1) * stats.interval_s:  # the common case: within one interval
            if interval == clock.interval:
                tally = clock.tally
            else:
                tally = stats.agents.get((interval, group))
                if tally is not None:
                    clock.interval, clock.tally = interval, tally
            if tally is not None:
                tally.seconds[state] += now - start
                return
        stats.add_agent_time(group, state, start, now)

    def _close_agent_time(self, now: float) -> None:
        for clock in self._clocks.values():
            self._credit(clock, now)
            clock.since = now

    def _count_waiting(self, queue: str, delta: int, now: float) -> None:
        waiting = self._waiting.get(queue, 0) + delta
        self._waiting[queue] = waiting
        if delta > 0 and now >= self.warmup_s:
            stats = self.stats
            key = (int(now // stats.interval_s), queue)
            if waiting > stats.max_waiting.get(key, 0):
                stats.max_waiting[key] = waiting

    @staticmethod
    def _record_wait(waits: list[int], wait: float) -> None:
        waits[min(int(wait / WAIT_BIN_S), WAIT_BINS - 1)] += 1
