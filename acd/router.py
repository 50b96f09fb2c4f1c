"""The router: every routing entry point, each returning the decisions it made.

Pure and synchronous. Time is passed in as float seconds and may never go backwards.
Every entry point validates fully before changing anything, so an error leaves the
router exactly as it was.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import cast

from acd.agents import Agent, AgentEvent, AgentState, PauseReason
from acd.calls import Call, CallRequest, CallState
from acd.decisions import (
    AgentStateChanged,
    CallAbandoned,
    CallCompleted,
    CallConnected,
    CallQueued,
    Decision,
    Expired,
    Offer,
    OfferWithdrawn,
    Overflow,
    RingNoAnswer,
    RuleApplied,
    Trigger,
    Why,
)
from acd.errors import (
    CallStateError,
    DuplicateIdError,
    IllegalTransitionError,
    InvalidTimeError,
    InvalidValueError,
    UnknownAgentError,
    UnknownCallError,
    UnknownQueueError,
    UnknownSkillError,
)
from acd.queue_state import QueueRuntime
from acd.queues import (
    MAX_PRIORITY,
    ExpandSkills,
    OverflowRule,
    OverflowTarget,
    QueueSettings,
    RaisePriority,
    RonaAction,
    Strategy,
    check_priority,
)
from acd.selection import choose_agent
from acd.skills import Requirement, agent_skills, lowered, qualifies, requirement
from acd.timers import TimerEntry, TimerKind, Timers
from acd.views import AgentInfo, CallInfo, QueueSnapshot
from acd.waiting import WaitGroup

_EMPTY: dict[str, Agent] = {}
_INFINITY = math.inf
# Timer lanes per queue (see acd.timers): fixed lanes, then one per rule index.
_RING_LANE, _WRAP_UP_LANE, _MAX_WAIT_LANE, _RETRY_LANE, _FIRST_RULE_LANE = 0, 1, 2, 3, 4
# Enum members the hot paths use, as module constants: looking a member up on its Enum
# class costs about 0.17 µs (the metaclass's __getattr__ defeats the attribute cache), more
# than a function call, and every routed call would pay it dozens of times.
_LOGGED_OUT = AgentState.LOGGED_OUT
_AVAILABLE = AgentState.AVAILABLE
_RESERVED = AgentState.RESERVED
_ON_CALL = AgentState.ON_CALL
_WRAP_UP = AgentState.WRAP_UP
_PAUSED = AgentState.PAUSED
_BUSY = (_RESERVED, _ON_CALL)
_WAITING = CallState.WAITING
_OFFERED = CallState.OFFERED
_CONNECTED = CallState.CONNECTED
_ENDED = CallState.ENDED
_RING_TIMEOUT = TimerKind.RING_TIMEOUT
_WRAP_UP_END = TimerKind.WRAP_UP_END
_LONGEST_IDLE = Strategy.LONGEST_IDLE
_ROUND_ROBIN = Strategy.ROUND_ROBIN
_CALL_QUEUED = Trigger.CALL_QUEUED
_AGENT_AVAILABLE = Trigger.AGENT_AVAILABLE
# Sort key of a waiting call for an agent: higher aged priority, higher queue weight, longer wait.
_CallKey = tuple[int, int, float, int]


@dataclass(frozen=True, slots=True)
class _ResumeTicket:
    expires: float
    enqueued_at: float
    seq: int
    priority: int


class Router:
    """Skill-based ACD over indexed structures; see the package docstring for the contract."""

    def __init__(self, queues: Iterable[QueueSettings] = (), *, seed: int = 0) -> None:
        self._now = 0.0
        self._rng = random.Random(seed)
        self._agents: dict[str, Agent] = {}
        self._queues: dict[str, QueueRuntime] = {}
        self._calls: dict[str, Call] = {}
        self._skill_agents: dict[str, dict[str, Agent]] = {}
        self._idle: dict[str, Agent] = {}
        self._idle_by_skill: dict[str, dict[str, Agent]] = {}
        self._groups: dict[tuple[str, Requirement], WaitGroup] = {}
        self._groups_by_skill: dict[str, list[WaitGroup]] = {}
        self._any_groups: list[WaitGroup] = []
        self._timers = Timers()
        self._seq = 0
        self._token = 0
        self._agent_order = 0
        self._resume: dict[tuple[str, str], _ResumeTicket] = {}
        self._resume_expiry: deque[tuple[float, tuple[str, str]]] = deque()
        self._state_counts: dict[AgentState, int] = dict.fromkeys(AgentState, 0)
        self._idle_seq = 0
        self._restricted_idle = 0  # idle agents limited to some queues
        self._unordered_pools: set[str] = set()  # idle pools not in idle_seq order
        self._servable: dict[Requirement, bool] = {}  # cleared whenever any agent's skills change
        self._in_line = 0  # calls waiting in every queue together
        self.add_queues(queues)

    # ----------------------------------------------------------------- configuration

    def add_queues(self, queues: Iterable[QueueSettings]) -> None:
        """Add queues together (so that they may overflow to each other)."""
        new = [settings.validate() for settings in queues]
        names = [s.name for s in new]
        for name in names:
            if name in self._queues or names.count(name) > 1:
                raise DuplicateIdError(f"queue {name!r} already exists")
        known = set(self._queues) | set(names)
        for settings in new:
            self._check_overflow_targets(settings, known)
        for settings in new:
            self._queues[settings.name] = QueueRuntime(settings)

    def add_queue(self, settings: QueueSettings) -> None:
        self.add_queues([settings])

    def add_agent(
        self,
        agent_id: str,
        skills: Mapping[str, int],
        *,
        display_id: str | None = None,
        queues: Iterable[str] | None = None,
    ) -> None:
        """Register an agent, logged out. `display_id` is the number announced to callers."""
        if not agent_id:
            raise InvalidValueError("agent: expected a non-empty id, got ''")
        if agent_id in self._agents:
            raise DuplicateIdError(f"agent {agent_id!r} already exists")
        checked = agent_skills(skills, f"agent {agent_id!r}")
        allowed = self._check_queue_names(queues, f"agent {agent_id!r}")
        self._agent_order += 1
        agent = Agent(
            id=agent_id,
            display_id=display_id or agent_id,
            skills=checked,
            queues=allowed,
            order=self._agent_order,
            state_since=self._now,
        )
        self._agents[agent_id] = agent
        self._state_counts[_LOGGED_OUT] += 1
        self._servable.clear()
        for skill in checked:
            self._skill_agents.setdefault(skill, {})[agent_id] = agent

    def remove_agent(self, agent_id: str) -> None:
        """Forget a logged-out agent (a live change of the roster)."""
        agent = self._agent(agent_id)
        if agent.state is not _LOGGED_OUT:
            raise IllegalTransitionError(agent.id, agent.state.value, "remove")
        for skill in agent.skills:
            pool = self._skill_agents[skill]
            del pool[agent_id]
            if not pool:
                del self._skill_agents[skill]
        del self._agents[agent_id]
        self._state_counts[_LOGGED_OUT] -= 1
        self._servable.clear()

    def set_agent_skills(
        self, agent_id: str, skills: Mapping[str, int], now: float
    ) -> list[Decision]:
        """Change an agent's skills and levels at once; the next decision uses them."""
        self._check_time(now)
        agent = self._agent(agent_id)
        checked = agent_skills(skills, f"agent {agent_id!r}")
        self._now = now
        idle = agent.state is _AVAILABLE
        if idle:
            self._move_idle_skills(agent, checked)
        for skill in agent.skills:
            self._skill_agents[skill].pop(agent_id, None)
        agent.skills = checked
        self._servable.clear()
        for skill in checked:
            self._skill_agents.setdefault(skill, {})[agent_id] = agent
        out: list[Decision] = []
        if idle:
            self._match_agent(agent, now, Trigger.CONFIG_CHANGED, out)
        return out

    def _move_idle_skills(self, agent: Agent, new_skills: dict[str, int]) -> None:
        """Move an idle agent between per-skill idle pools without disturbing the others."""
        by_skill = self._idle_by_skill
        for skill in agent.skills:
            if skill not in new_skills:
                pool = by_skill[skill]
                del pool[agent.id]
                if not pool:
                    self._unordered_pools.discard(skill)
        for skill in new_skills:
            if skill in agent.skills:
                continue
            pool = by_skill.setdefault(skill, {})
            if pool:
                # Appended out of idle order: this pool needs a scan until it next empties.
                self._unordered_pools.add(skill)
            pool[agent.id] = agent

    def set_agent_queues(
        self, agent_id: str, queues: Iterable[str] | None, now: float
    ) -> list[Decision]:
        """Restrict an agent to some queues (None: every queue its skills qualify it for)."""
        self._check_time(now)
        agent = self._agent(agent_id)
        allowed = self._check_queue_names(queues, f"agent {agent_id!r}")
        self._now = now
        if agent.state is _AVAILABLE:
            self._restricted_idle += (allowed is not None) - (agent.queues is not None)
        agent.queues = allowed
        out: list[Decision] = []
        if agent.state is _AVAILABLE:
            self._match_agent(agent, now, Trigger.CONFIG_CHANGED, out)
        return out

    def update_queue(self, settings: QueueSettings, now: float) -> list[Decision]:
        """Replace a queue's settings while calls wait; they keep their place in line.

        Waiting calls get the new requirement with every skill expansion whose time has
        passed applied at once; priority raises and overflows whose time has passed are not
        applied after the fact. Rule timing restarts from the next rule still ahead.
        """
        self._check_time(now)
        runtime = self._queue(settings.name)
        settings.validate()
        self._check_overflow_targets(settings, set(self._queues))
        self._now = now
        runtime.settings = settings
        out: list[Decision] = []
        calls = sorted(runtime.waiting.values(), key=lambda c: self._call_key(c, runtime, now))
        # One call at a time, in line order, so that every call left waiting has been
        # matched against the idle agents before the next one is looked at.
        for call in calls:
            self._leave_line(call)
            elapsed = now - call.queue_entered_at
            call.alternatives = self._required_after(call, settings, elapsed)
            call.next_rule = sum(1 for rule in settings.rules if rule.after_s <= elapsed)
            self._enter_line(call)
            self._match_call(call, now, Trigger.CONFIG_CHANGED, out)
        return out

    # ----------------------------------------------------------------- agent lifecycle

    def login(self, agent_id: str, now: float, *, paused: str | None = None) -> list[Decision]:
        """Log an agent in, available (or paused with a reason)."""
        self._check_time(now)
        agent = self._agent(agent_id)
        target = _PAUSED if paused else _AVAILABLE
        agent.check(AgentEvent.LOGIN, target)
        self._now = now
        out: list[Decision] = []
        self._transition(agent, target, now, paused, out)
        if target is _AVAILABLE:
            self._match_agent(agent, now, _AGENT_AVAILABLE, out)
        return out

    def logout(self, agent_id: str, now: float) -> list[Decision]:
        self._check_time(now)
        agent = self._agent(agent_id)
        agent.check(AgentEvent.LOGOUT, _LOGGED_OUT)
        self._now = now
        out: list[Decision] = []
        agent.pending_pause = None
        self._transition(agent, _LOGGED_OUT, now, None, out)
        return out

    def pause(self, agent_id: str, reason: str, now: float) -> list[Decision]:
        """Pause now; an agent who is ringing or talking pauses after its wrap-up instead."""
        self._check_time(now)
        agent = self._agent(agent_id)
        if not reason:
            raise InvalidValueError(f"agent {agent_id!r}: a pause needs a reason")
        if agent.state in _BUSY:
            self._now = now
            agent.pending_pause = reason
            return []
        agent.check(AgentEvent.PAUSE, _PAUSED)
        self._now = now
        agent.pending_pause = None
        out: list[Decision] = []
        self._transition(agent, _PAUSED, now, reason, out)
        return out

    def unpause(self, agent_id: str, now: float) -> list[Decision]:
        """Back to available; for a busy agent (ringing, talking, wrap-up), cancels a pause it
        asked for earlier."""
        self._check_time(now)
        agent = self._agent(agent_id)
        if agent.pending_pause and agent.state is not _PAUSED:
            self._now = now
            agent.pending_pause = None
            return []
        agent.check(AgentEvent.UNPAUSE, _AVAILABLE)
        self._now = now
        out: list[Decision] = []
        self._transition(agent, _AVAILABLE, now, None, out)
        self._match_agent(agent, now, _AGENT_AVAILABLE, out)
        return out

    def end_wrap_up(self, agent_id: str, now: float) -> list[Decision]:
        """The agent ends its after-call work early."""
        self._check_time(now)
        agent = self._agent(agent_id)
        self._check_state(agent, _WRAP_UP, AgentEvent.WRAP_UP_END)
        self._now = now
        out: list[Decision] = []
        self._finish_wrap_up(agent, now, out)
        return out

    def extend_wrap_up(self, agent_id: str, extra_s: float, now: float) -> list[Decision]:
        """Give the agent `extra_s` more seconds of after-call work."""
        self._check_time(now)
        agent = self._agent(agent_id)
        if not math.isfinite(extra_s) or extra_s <= 0:
            raise InvalidValueError(
                f"agent {agent_id!r}: extra wrap-up: expected seconds > 0, got {extra_s!r}"
            )
        self._check_state(agent, _WRAP_UP, AgentEvent.WRAP_UP_END)
        self._now = now
        agent.wrap_up_until += extra_s
        agent.timer_token += 1
        self._timers.push(agent.wrap_up_until, _WRAP_UP_END, agent, agent.timer_token)
        return []

    # ----------------------------------------------------------------- calls

    def enqueue(self, request: CallRequest, now: float) -> list[Decision]:
        """A call enters its queue; it is offered at once if a qualified agent is idle."""
        runtime = self._new_call_queue(request, now)
        priority = request.priority
        if priority.__class__ is not int or not 0 <= priority <= MAX_PRIORITY:
            check_priority(priority, f"call {request.id!r}: priority")  # raises, naming it
        base = None
        if request.required is not None:
            if not request.required:
                raise InvalidValueError(
                    f"call {request.id!r}: required: expected at least one skill set"
                )
            base = tuple(requirement(r, f"call {request.id!r}: required") for r in request.required)
        alternatives = base if base is not None else (runtime.settings.required,)
        if self._servable.get(alternatives[0]) is not True:  # else known to be servable
            self._check_servable(request.id, alternatives, runtime.settings)
        if request.enqueued_at is None and request.queue_entered_at is None:
            enqueued_at = entered_at = now  # a new call: the hot path checks nothing more
        else:
            enqueued_at, entered_at = self._restored_times(request, now)
        self._now = now
        if self._resume_expiry:
            self._purge_resume(now)
        seq, resumed = 0, False
        if request.caller is not None and runtime.settings.resume_window_s > 0:
            ticket = self._resume.pop((request.queue, request.caller), None)
            if ticket is not None and ticket.expires >= now:
                enqueued_at, seq, resumed = ticket.enqueued_at, ticket.seq, True
                priority = max(priority, ticket.priority)
        if not resumed:
            self._seq += 1
            seq = self._seq
        # Positional, in field order: keyword arguments make this twice as slow.
        call = Call(
            request.id,
            request.queue,
            priority,
            enqueued_at,
            seq,
            base,
            alternatives,
            request.tier,
            request.caller,
            request.attributes,
            entered_at,
        )
        self._calls[call.id] = call
        out: list[Decision] = [CallQueued(call.id, call.queue, resumed)]
        if not self._offer_on_arrival(call, runtime, now, out):
            self._enter_line(call)
            self._match_call(call, now, _CALL_QUEUED, out)
        return out

    def _offer_on_arrival(
        self, call: Call, runtime: QueueRuntime, now: float, out: list[Decision]
    ) -> bool:
        """Offer a new call to the longest idle agent without putting it in line first.

        The same offer `_match_call` would make once the call is indexed (where the
        longest-idle fast path applies), minus the index entry and timers the call would
        leave again at once. False, changing nothing: the call goes through the line."""
        settings = runtime.settings
        alternatives = call.alternatives
        if settings.strategy is not _LONGEST_IDLE or len(alternatives) != 1:
            return False
        required = alternatives[0]
        group = self._groups.get((settings.name, required))
        found = self._longest_idle_fast(
            required, call.declined,
            others_wait=group is not None and group.live - group.flagged > 0,
        )
        if found is None or found[0] is None:
            return False
        chosen, runner_up, qualified = found
        self._offer_to(call, runtime, chosen, runner_up, qualified, required, now,
                       _CALL_QUEUED, out, in_line=False)
        return True

    def restore_connected(
        self, request: CallRequest, agent_id: str, answered_at: float, now: float
    ) -> list[Decision]:
        """After an engine restart: a call that was already talking to `agent_id`.

        The agent must be logged in and available; it goes on call, and the call is connected
        as if it had been offered and answered at `answered_at` (times from the channel)."""
        runtime = self._new_call_queue(request, now)
        enqueued_at, entered_at = self._restored_times(request, now)
        if not enqueued_at <= answered_at <= now:
            raise InvalidValueError(
                f"call {request.id!r}: answered_at: expected between the enqueue time"
                f" {enqueued_at} and now {now}, got {answered_at}"
            )
        agent = self._agent(agent_id)
        if agent.state is not _AVAILABLE:
            raise IllegalTransitionError(agent.id, agent.state.value, "restore-connected")
        self._now = now
        self._seq += 1
        call = Call(
            id=request.id,
            queue=request.queue,
            priority=request.priority,
            enqueued_at=enqueued_at,
            seq=self._seq,
            base_required=None,
            alternatives=(runtime.settings.required,),
            tier=request.tier,
            caller=request.caller,
            attributes=request.attributes,
            queue_entered_at=entered_at,
            state=_CONNECTED,
        )
        call.agent_id = agent.id
        call.offered_at = answered_at
        call.answered_at = answered_at
        self._calls[call.id] = call
        runtime.connected += 1
        agent.call_id = call.id
        out: list[Decision] = []
        self._transition(agent, _ON_CALL, now, None, out)
        return out

    def _new_call_queue(self, request: CallRequest, now: float) -> QueueRuntime:
        """The queue of a call about to enter the router, after checking time, queue and id."""
        self._check_time(now)
        runtime = self._queue(request.queue)
        if request.id in self._calls:
            raise DuplicateIdError(f"call {request.id!r} is already in the router")
        if not request.id:
            raise InvalidValueError("call: expected a non-empty id, got ''")
        return runtime

    def _restored_times(self, request: CallRequest, now: float) -> tuple[float, float]:
        """(enqueued_at, queue_entered_at) of a request: now, or the restored times checked."""
        enqueued_at = now if request.enqueued_at is None else request.enqueued_at
        entered_at = enqueued_at if request.queue_entered_at is None else request.queue_entered_at
        if not (math.isfinite(enqueued_at) and enqueued_at <= entered_at <= now):
            raise InvalidValueError(
                f"call {request.id!r}: restored times: expected enqueued_at <= queue_entered_at"
                f" <= now ({now}), got {enqueued_at}, {entered_at}"
            )
        return enqueued_at, entered_at

    def answer(self, call_id: str, now: float) -> list[Decision]:
        """The agent answered the offered call."""
        self._check_time(now)
        call = self._call(call_id)
        if call.state is not _OFFERED:
            self._check_call_state(call, _OFFERED, "answer")
        agent = self._holder(call)
        # The one state from which ANSWER leads to ON_CALL (see acd.agents.TRANSITIONS).
        if agent.state is not _RESERVED:
            self._check_state(agent, _RESERVED, AgentEvent.ANSWER)
        self._now = now
        runtime = self._queues[call.queue]
        runtime.ringing -= 1
        runtime.connected += 1
        call.state = _CONNECTED
        call.answered_at = now
        # Answered: its ring timeout can no longer fire, so it need not wait in the timers.
        self._timers.retract_newest((call.queue, _RING_LANE), _RING_TIMEOUT, agent)
        out: list[Decision] = []
        self._transition(agent, _ON_CALL, now, None, out)
        out.append(
            CallConnected(
                call.id,
                agent.id,
                call.queue,
                call.offered_at - call.enqueued_at,
                now - call.offered_at,
            )
        )
        return out

    def reject(self, call_id: str, now: float) -> list[Decision]:
        """The agent declined the offer (or its device was busy): treated as a RONA."""
        self._check_time(now)
        call = self._call(call_id)
        self._check_call_state(call, _OFFERED, "reject")
        self._now = now
        out: list[Decision] = []
        self._ring_no_answer(call, self._holder(call), now, True, out)
        return out

    def abandon(self, call_id: str, now: float) -> list[Decision]:
        """The caller hung up while waiting or while an agent's phone rang."""
        self._check_time(now)
        call = self._call(call_id)
        if call.state not in (_WAITING, _OFFERED):
            raise CallStateError(
                f"call {call_id!r}: cannot abandon a call that is {call.state.value}; use end_call"
            )
        self._now = now
        runtime = self._queues[call.queue]
        out: list[Decision] = []
        agent: Agent | None = None
        if call.state is _WAITING:
            self._leave_line(call)
        else:
            agent = self._holder(call)
            runtime.ringing -= 1
            agent.call_id = None
            out.append(OfferWithdrawn(call.id, agent.id))
        out.append(
            CallAbandoned(call.id, call.queue, now - call.enqueued_at, agent.id if agent else None)
        )
        self._remember_for_resume(call, runtime, now)
        self._end(call)
        if agent is not None:
            self._free_agent(agent, now, out)
        return out

    def end_call(self, call_id: str, now: float) -> list[Decision]:
        """The conversation ended (either side hung up): the agent goes to wrap-up."""
        self._check_time(now)
        call = self._call(call_id)
        if call.state is not _CONNECTED:
            self._check_call_state(call, _CONNECTED, "end")
        agent = self._holder(call)
        # The one state from which CALL_END leads to WRAP_UP (see acd.agents.TRANSITIONS).
        if agent.state is not _ON_CALL:
            self._check_state(agent, _ON_CALL, AgentEvent.CALL_END)
        self._now = now
        runtime = self._queues[call.queue]
        runtime.connected -= 1
        talk_s = now - call.answered_at
        runtime.record_talk(talk_s)
        agent.calls_handled += 1
        agent.talk_time_s += talk_s
        agent.call_id = None
        self._end(call)
        out: list[Decision] = [CallCompleted(call.id, agent.id, call.queue, talk_s)]
        self._transition(agent, _WRAP_UP, now, None, out)
        wrap_up_s = runtime.settings.wrap_up_s
        if wrap_up_s > 0:
            agent.wrap_up_until = now + wrap_up_s
            agent.timer_token += 1
            self._timers.push(
                agent.wrap_up_until,
                _WRAP_UP_END,
                agent,
                agent.timer_token,
                lane=(call.queue, _WRAP_UP_LANE),
            )
        else:
            self._finish_wrap_up(agent, now, out)
        return out

    def hangup(self, call_id: str, now: float) -> list[Decision]:
        """Whatever state the call is in: abandon if not yet connected, else end it."""
        call = self._call(call_id)
        if call.state is _CONNECTED:
            return self.end_call(call_id, now)
        return self.abandon(call_id, now)

    def set_priority(self, call_id: str, priority: int, now: float) -> list[Decision]:
        """Change a call's priority (a supervisor raising it); it keeps its enqueue time."""
        self._check_time(now)
        call = self._call(call_id)
        check_priority(priority, f"call {call_id!r}: priority")
        self._now = now
        if call.state is _WAITING:
            self._reindex(call, priority=priority)
        else:
            call.priority = priority
        return []

    def move_call(self, call_id: str, queue: str, now: float) -> list[Decision]:
        """Move a waiting call to another queue (a supervisor's move); it keeps its enqueue time."""
        self._check_time(now)
        call = self._call(call_id)
        target = self._queue(queue)
        self._check_call_state(call, _WAITING, "move")
        if queue == call.queue:
            raise InvalidValueError(f"call {call_id!r} is already in queue {queue!r}")
        self._check_servable(call_id, (target.settings.required,), target.settings)
        self._now = now
        out: list[Decision] = []
        self._move(call, target, now, "moved by supervisor", out)
        return out

    # ----------------------------------------------------------------- timers

    def next_deadline(self) -> float | None:
        """The earliest time at which a ring timeout, wrap-up end, rule or maximum wait fires."""
        timers = self._timers
        entry = timers.peek()
        while entry is not None:
            if self._timer_valid(entry):
                return entry[0]
            timers.pop()
            entry = timers.peek()
        return None

    def advance(self, now: float) -> list[Decision]:
        """Apply everything due at or before `now`, in deadline order."""
        self._check_time(now)
        self._now = now
        out: list[Decision] = []
        timers = self._timers
        while True:
            head = timers.peek()
            if head is None or head[0] > now:
                break
            entry = timers.pop()
            if not self._timer_valid(entry):
                continue
            kind, subject, detail = entry[2], entry[3], entry[5]
            if kind is _RING_TIMEOUT:
                assert isinstance(subject, Agent)
                self._ring_no_answer(self._held_call(subject), subject, now, False, out)
            elif kind is _WRAP_UP_END:
                assert isinstance(subject, Agent)
                self._finish_wrap_up(subject, now, out)
            elif kind is TimerKind.RULE:
                assert isinstance(subject, Call)
                self._fire_rule(subject, now, out)
            elif kind is TimerKind.MAX_WAIT:
                assert isinstance(subject, Call)
                self._expire(subject, now, out)
            else:
                assert isinstance(subject, Call)
                self._retry(subject, detail, now, out)
        return out

    # ----------------------------------------------------------------- queries

    @property
    def now(self) -> float:
        return self._now

    def position(self, call_id: str) -> int:
        """1-based place in line within the call's queue (0 once an agent has been offered it)."""
        call = self._call(call_id)
        if call.state is not _WAITING:
            return 0
        runtime = self._queues[call.queue]
        key = self._call_key(call, runtime, self._now)
        return 1 + sum(
            1
            for other in runtime.waiting.values()
            if self._call_key(other, runtime, self._now) < key
        )

    def expected_wait(self, call_id: str) -> float | None:
        """Expected seconds until an agent is offered the call; None if nobody staffs the queue.

        Method: position × handle-time estimate ÷ staffed agents, where the handle-time
        estimate is the queue's exponentially weighted recent talk time plus its wrap-up,
        and staffed agents are those logged in, not paused, who can take the queue's calls.
        A call already ringing an agent has an expected wait of 0.
        """
        position = self.position(call_id)
        if position == 0:
            return 0.0
        runtime = self._queues[self._calls[call_id].queue]
        staffed = sum(
            n
            for state, n in self._queue_agents(runtime).items()
            if state not in (_LOGGED_OUT, _PAUSED)
        )
        if staffed == 0:
            return None
        return position * runtime.handle_estimate_s() / staffed

    def waiting_count(self, queue: str) -> int:
        """How many calls wait in the queue (cheap: no walk over its agents)."""
        return len(self._queue(queue).waiting)

    def queue_snapshot(self, queue: str, now: float | None = None) -> QueueSnapshot:
        """The queue as it stands; `longest_wait_s` measured at `now` (default: the time of
        the router's last entry), which a wallboard wants every second."""
        runtime = self._queue(queue)
        at = self._now if now is None or now < self._now else now
        oldest = min(
            (t for g in runtime.groups if g.live for t in (g.oldest(),) if t is not None),
            default=None,
        )
        return QueueSnapshot(
            name=queue,
            waiting=len(runtime.waiting),
            ringing=runtime.ringing,
            connected=runtime.connected,
            longest_wait_s=0.0 if oldest is None else at - oldest,
            agents=self._queue_agents(runtime),
            handle_estimate_s=runtime.handle_estimate_s(),
        )

    def agent_info(self, agent_id: str) -> AgentInfo:
        agent = self._agent(agent_id)
        return AgentInfo(
            id=agent.id,
            display_id=agent.display_id,
            state=agent.state,
            state_since=agent.state_since,
            time_in_state_s=self._now - agent.state_since,
            pause_reason=agent.pause_reason,
            pending_pause=agent.pending_pause,
            call_id=agent.call_id,
            skills=tuple(sorted(agent.skills.items())),
            queues=agent.queues,
            calls_handled=agent.calls_handled,
            talk_time_s=agent.talk_time_s,
        )

    def call_info(self, call_id: str) -> CallInfo:
        call = self._call(call_id)
        runtime = self._queues[call.queue]
        return CallInfo(
            id=call.id,
            queue=call.queue,
            state=call.state,
            priority=call.priority,
            aged_priority=runtime.aged_priority(call.priority, call.enqueued_at, self._now),
            enqueued_at=call.enqueued_at,
            seq=call.seq,
            waited_s=self._now - call.enqueued_at,
            agent_id=call.agent_id,
            required=call.alternatives,
            rules_fired=tuple(call.rules_fired),
            tier=call.tier,
        )

    def agent_ids(self) -> Iterator[str]:
        return iter(self._agents)

    def call_ids(self) -> Iterator[str]:
        return iter(self._calls)

    def queue_names(self) -> Iterator[str]:
        return iter(self._queues)

    def queue_settings(self, queue: str) -> QueueSettings:
        return self._queue(queue).settings

    def waiting_call_ids(self, queue: str) -> list[str]:
        return list(self._queue(queue).waiting)

    def agent_state_counts(self) -> dict[AgentState, int]:
        return dict(self._state_counts)

    # ----------------------------------------------------------------- matching

    def _match_call(self, call: Call, now: float, trigger: Trigger, out: list[Decision]) -> None:
        """Offer `call` to the best idle agent who qualifies, if any."""
        queue = call.queue
        runtime = self._queues[queue]
        settings = runtime.settings
        declined = call.declined
        alternatives = call.alternatives
        if settings.strategy is _LONGEST_IDLE and len(alternatives) == 1:
            found = self._longest_idle_fast(
                alternatives[0], declined,
                others_wait=call.groups[0].holds_unflagged_other(call),
            )
            if found is not None:
                if not found[0]:
                    return
                chosen, runner_up, qualified = found
                self._offer_to(
                    call, runtime, chosen, runner_up, qualified, alternatives[0], now, trigger, out
                )
                return
        candidates: list[Agent] = []
        seen: set[str] = set()
        for required, group in zip(alternatives, call.groups, strict=True):
            if group.holds_unflagged_other(call):
                continue
            if required:
                pool = _EMPTY
                for need in required:
                    idle = self._idle_by_skill.get(need.skill)
                    if not idle:
                        pool = _EMPTY
                        break
                    if pool is _EMPTY or len(idle) < len(pool):
                        pool = idle
            else:
                pool = self._idle
            for agent in pool.values():
                if agent.id in seen or not qualifies(agent.skills, required):
                    continue
                if agent.queues is not None and queue not in agent.queues:
                    continue
                if declined and agent.id in declined:
                    continue
                seen.add(agent.id)
                candidates.append(agent)
        if not candidates:
            return
        chosen, runner_up = choose_agent(
            settings.strategy, candidates, alternatives[0], runtime.rr_last, self._rng
        )
        met = (
            alternatives[0]
            if len(alternatives) == 1
            else next(r for r in alternatives if qualifies(chosen.skills, r))
        )
        self._offer_to(call, runtime, chosen, runner_up, len(candidates), met, now, trigger, out)

    def _longest_idle_fast(
        self, required: Requirement, declined: dict[str, float], *, others_wait: bool
    ) -> tuple[Agent, Agent | None, int] | tuple[None, None, int] | None:
        """Longest idle without a scan, where being in the idle pool already means qualifying
        (no requirement, or one skill at level 1; no queue-restricted idle agent; no decline).
        `others_wait`: an unflagged call already waits for these agents, so none is idle.
        None: the fast path does not apply."""
        if declined or self._restricted_idle:
            return None
        if others_wait:
            return (None, None, 0)
        if not required:
            pool = self._idle
        elif len(required) == 1 and required[0].min_level == 1:
            skill = required[0].skill
            if skill in self._unordered_pools:
                return None
            pool = self._idle_by_skill.get(skill, _EMPTY)
        else:
            return None
        if not pool:
            return (None, None, 0)
        # Pools are kept in the order agents became available: the first is the longest idle.
        agents = iter(pool.values())
        chosen = next(agents)
        return (chosen, next(agents, None), len(pool))

    def _offer_to(
        self,
        call: Call,
        runtime: QueueRuntime,
        chosen: Agent,
        runner_up: Agent | None,
        qualified: int,
        met: Requirement,
        now: float,
        trigger: Trigger,
        out: list[Decision],
        in_line: bool = True,
    ) -> None:
        """Offer `call` to `chosen`, picked among `qualified` idle agents."""
        settings = runtime.settings
        priority = call.priority
        # Positional, in field order (trigger ... waited_s): one is built per offer, and
        # keyword arguments make that twice as slow.
        why = Why(
            trigger,
            settings.strategy,
            met,
            call.rules_fired,
            qualified,
            runner_up.id if runner_up else None,
            1,  # competing calls: the one that arrived
            None,  # runner-up call
            runtime.aged_priority(priority, call.enqueued_at, now) if settings.aging_step
            else priority,
            now - call.enqueued_at,
        )
        self._offer(call, runtime, chosen, now, why, out, in_line)

    def _match_agent(self, agent: Agent, now: float, trigger: Trigger, out: list[Decision]) -> None:
        """Offer the idle `agent` the best waiting call it can take, if any."""
        if not self._in_line:
            return
        skills = agent.skills
        queues = agent.queues
        agent_id = agent.id
        best: _CallKey | None = None
        best_call: Call | None = None
        best_group: WaitGroup | None = None
        second: _CallKey | None = None
        second_call: Call | None = None
        compared = 0
        for group_list in self._candidate_groups(skills):
            for group in group_list:
                if not group.live:
                    continue
                runtime = group.queue
                if queues is not None and runtime.settings.name not in queues:
                    continue
                if not qualifies(skills, group.required):
                    continue
                head = group.best(now, agent_id)
                if head is None:
                    continue
                compared += 1
                key = (-head[0], -runtime.settings.weight, head[1], head[2])
                call = head[3]
                if best is None or key < best:
                    if best_call is not call:
                        second, second_call = best, best_call
                    best, best_call, best_group = key, call, group
                elif call is not best_call and (second is None or key < second):
                    second, second_call = key, call
        if best_call is None or best is None or best_group is None:
            return
        runtime = best_group.queue
        why = Why(
            trigger=trigger,
            strategy=runtime.settings.strategy,
            required=best_group.required,
            rules_fired=best_call.rules_fired,
            qualified_agents=1,
            runner_up_agent=None,
            competing_calls=compared,
            runner_up_call=second_call.id if second_call else None,
            aged_priority=-best[0],
            waited_s=now - best_call.enqueued_at,
        )
        self._offer(best_call, runtime, agent, now, why, out)

    def _candidate_groups(self, skills: dict[str, int]) -> Iterator[list[WaitGroup]]:
        # Each group is listed under one of its skills only, so none is seen twice.
        by_skill = self._groups_by_skill
        for skill in skills:
            groups = by_skill.get(skill)
            if groups:
                yield groups
        if self._any_groups:
            yield self._any_groups

    def _offer(
        self,
        call: Call,
        runtime: QueueRuntime,
        agent: Agent,
        now: float,
        why: Why,
        out: list[Decision],
        in_line: bool = True,
    ) -> None:
        """Ring `agent` for `call` (in `runtime`, the call's queue)."""
        if in_line:
            self._leave_line(call)
        settings = runtime.settings
        call.state = _OFFERED
        call.agent_id = agent.id
        call.offered_at = now
        runtime.ringing += 1
        if settings.strategy is _ROUND_ROBIN:
            runtime.rr_last = agent.order
        agent.call_id = call.id
        deadline = now + settings.ring_timeout_s
        agent.timer_token += 1
        self._timers.push(
            deadline, _RING_TIMEOUT, agent, agent.timer_token, "", (call.queue, _RING_LANE)
        )
        out.append(Offer(call.id, agent.id, agent.display_id, call.queue, deadline, why))
        self._transition(agent, _RESERVED, now, None, out)

    def _ring_no_answer(
        self, call: Call, agent: Agent, now: float, rejected: bool, out: list[Decision]
    ) -> None:
        runtime = self._queues[call.queue]
        settings = runtime.settings
        runtime.ringing -= 1
        out.append(RingNoAnswer(call.id, agent.id, now - call.offered_at, rejected))
        call.agent_id = None
        agent.call_id = None
        if agent.pending_pause:
            reason: str | None = agent.pending_pause
            agent.pending_pause = None
        elif settings.rona_action is RonaAction.PAUSE:
            reason = PauseReason.RONA.value
        else:
            reason = None
            until = now + settings.retry_s
            call.declined[agent.id] = until
            self._timers.push(
                until, TimerKind.RETRY, call, 0, agent.id, lane=(call.queue, _RETRY_LANE)
            )
        target = _PAUSED if reason else _AVAILABLE
        self._transition(agent, target, now, reason, out)
        self._enter_line(call)
        self._match_call(call, now, Trigger.RING_NO_ANSWER, out)
        if agent.state is _AVAILABLE:
            self._match_agent(agent, now, _AGENT_AVAILABLE, out)

    def _free_agent(self, agent: Agent, now: float, out: list[Decision]) -> None:
        """An offer to `agent` was withdrawn: available again, or paused if it asked to be."""
        if agent.pending_pause:
            reason = agent.pending_pause
            agent.pending_pause = None
            self._transition(agent, _PAUSED, now, reason, out)
            return
        self._transition(agent, _AVAILABLE, now, None, out)
        if self._in_line:
            self._match_agent(agent, now, _AGENT_AVAILABLE, out)

    def _finish_wrap_up(self, agent: Agent, now: float, out: list[Decision]) -> None:
        agent.timer_token += 1
        self._free_agent(agent, now, out)

    # ----------------------------------------------------------------- rules and timers

    def _fire_rule(self, call: Call, now: float, out: list[Decision]) -> None:
        runtime = self._queues[call.queue]
        rule = runtime.settings.rules[call.next_rule]
        call.next_rule += 1
        label = rule.describe()
        call.rules_fired += (label,)
        if isinstance(rule, ExpandSkills):
            expanded = _expand(call.alternatives, rule)
            if expanded != call.alternatives:
                call.alternatives = expanded
                self._reindex(call)
                out.append(RuleApplied(call.id, call.queue, label, expanded, call.priority))
            self._schedule_rule(call)
            self._match_call(call, now, Trigger.RULE, out)
        elif isinstance(rule, RaisePriority):
            raised = min(9, call.priority + rule.by)
            if raised != call.priority:
                self._reindex(call, priority=raised)
                out.append(RuleApplied(call.id, call.queue, label, call.alternatives, raised))
            self._schedule_rule(call)
        else:
            self._overflow(call, rule, label, now, out)

    def _overflow(
        self, call: Call, rule: OverflowRule, label: str, now: float, out: list[Decision]
    ) -> None:
        if rule.target is OverflowTarget.QUEUE:
            assert rule.queue is not None
            self._move(call, self._queues[rule.queue], now, label, out)
            return
        self._leave_line(call)
        self._end(call)
        out.append(Overflow(call.id, call.queue, rule.target, None, label, now - call.enqueued_at))

    def _move(
        self, call: Call, target: QueueRuntime, now: float, label: str, out: list[Decision]
    ) -> None:
        source = call.queue
        self._leave_line(call)
        call.queue = target.settings.name
        call.base_required = None
        call.alternatives = (target.settings.required,)
        call.queue_entered_at = now
        call.next_rule = 0
        self._enter_line(call)
        out.append(
            Overflow(
                call.id, source, OverflowTarget.QUEUE, call.queue, label, now - call.enqueued_at
            )
        )
        self._match_call(call, now, Trigger.RULE, out)

    def _expire(self, call: Call, now: float, out: list[Decision]) -> None:
        self._leave_line(call)
        self._end(call)
        out.append(Expired(call.id, call.queue, now - call.enqueued_at))

    def _retry(self, call: Call, agent_id: str, now: float, out: list[Decision]) -> None:
        del call.declined[agent_id]
        agent = self._agents.get(agent_id)
        if (
            call.state is _WAITING
            and agent is not None
            and agent.state is _AVAILABLE
        ):
            self._match_agent(agent, now, Trigger.RETRY, out)

    def _schedule_rule(self, call: Call) -> None:
        rules = self._queues[call.queue].settings.rules
        if call.next_rule < len(rules):
            deadline = call.queue_entered_at + rules[call.next_rule].after_s
            self._timers.push(
                deadline,
                TimerKind.RULE,
                call,
                call.wait_epoch,
                lane=(call.queue, _FIRST_RULE_LANE + call.next_rule),
            )

    def _timer_valid(self, entry: TimerEntry) -> bool:
        kind, subject, token = entry[2], entry[3], entry[4]
        if kind is _RING_TIMEOUT or kind is _WRAP_UP_END:
            agent = cast(Agent, subject)
            expected = _RESERVED if kind is _RING_TIMEOUT else _WRAP_UP
            return agent.timer_token == token and agent.state is expected
        call = cast(Call, subject)
        if kind is TimerKind.RETRY:
            return call.state is not _ENDED and entry[5] in call.declined
        return call.state is _WAITING and call.wait_epoch == token

    # ----------------------------------------------------------------- line bookkeeping

    def _enter_line(self, call: Call) -> None:
        runtime = self._queues[call.queue]
        call.state = _WAITING
        runtime.waiting[call.id] = call
        self._in_line += 1
        self._index(call, runtime)
        self._schedule_rule(call)
        max_wait = runtime.settings.max_wait_s
        if max_wait is not None:
            self._timers.push(
                call.queue_entered_at + max_wait,
                TimerKind.MAX_WAIT,
                call,
                call.wait_epoch,
                lane=(call.queue, _MAX_WAIT_LANE),
            )

    def _leave_line(self, call: Call) -> None:
        for group in call.groups:
            group.discard(call)
        call.groups = ()
        call.heap_token = 0
        call.wait_epoch += 1
        del self._queues[call.queue].waiting[call.id]
        self._in_line -= 1

    def _index(self, call: Call, runtime: QueueRuntime) -> None:
        self._token += 1
        call.heap_token = self._token
        call.flagged = bool(call.declined)
        groups = []
        for required in call.alternatives:
            group = self._groups.get((runtime.settings.name, required))
            if group is None:
                group = self._new_group(runtime, required)
            group.push(call)
            groups.append(group)
        call.groups = groups

    def _reindex(self, call: Call, *, priority: int | None = None) -> None:
        for group in call.groups:
            group.discard(call)
        if priority is not None:
            call.priority = priority
        self._index(call, self._queues[call.queue])

    def _new_group(self, runtime: QueueRuntime, required: Requirement) -> WaitGroup:
        group = WaitGroup(runtime, required)
        self._groups[(runtime.settings.name, required)] = group
        runtime.groups.append(group)
        if required:
            self._groups_by_skill.setdefault(required[0].skill, []).append(group)
        else:
            self._any_groups.append(group)
        return group

    def _end(self, call: Call) -> None:
        call.state = _ENDED
        call.declined.clear()
        del self._calls[call.id]

    def _remember_for_resume(self, call: Call, runtime: QueueRuntime, now: float) -> None:
        window = runtime.settings.resume_window_s
        if window <= 0 or call.caller is None:
            return
        key = (call.queue, call.caller)
        self._resume[key] = _ResumeTicket(now + window, call.enqueued_at, call.seq, call.priority)
        self._resume_expiry.append((now + window, key))
        self._purge_resume(now)

    def _purge_resume(self, now: float) -> None:
        expiry = self._resume_expiry
        while expiry and expiry[0][0] < now:
            expires, key = expiry.popleft()
            ticket = self._resume.get(key)
            if ticket is not None and ticket.expires <= expires:
                del self._resume[key]

    # ----------------------------------------------------------------- agent bookkeeping

    def _transition(
        self, agent: Agent, target: AgentState, now: float, reason: str | None, out: list[Decision]
    ) -> None:
        old = agent.state
        if old is _AVAILABLE:
            self._remove_idle(agent)
        counts = self._state_counts
        counts[old] -= 1
        counts[target] += 1
        agent.state = target
        agent.state_since = now
        if target is _AVAILABLE:
            agent.pause_reason = None
            agent.idle_since = now
            self._idle_seq += 1
            agent.idle_seq = self._idle_seq
            self._add_idle(agent)
        else:
            agent.pause_reason = reason if target is _PAUSED else None
        out.append(AgentStateChanged(agent.id, old, target, reason, now))

    def _add_idle(self, agent: Agent) -> None:
        self._idle[agent.id] = agent
        if agent.queues is not None:
            self._restricted_idle += 1
        by_skill = self._idle_by_skill
        for skill in agent.skills:
            pool = by_skill.get(skill)
            if pool is None:
                pool = by_skill[skill] = {}
            pool[agent.id] = agent

    def _remove_idle(self, agent: Agent) -> None:
        del self._idle[agent.id]
        if agent.queues is not None:
            self._restricted_idle -= 1
        by_skill = self._idle_by_skill
        unordered = self._unordered_pools
        for skill in agent.skills:
            pool = by_skill[skill]
            del pool[agent.id]
            if not pool and unordered:
                unordered.discard(skill)

    def _queue_agents(self, runtime: QueueRuntime) -> dict[AgentState, int]:
        """Agents who could take the queue's calls (its own requirement), counted by state."""
        required = runtime.settings.required
        name = runtime.settings.name
        if required:
            pool = min((self._skill_agents.get(n.skill, _EMPTY) for n in required), key=len)
        else:
            pool = self._agents
        counts = dict.fromkeys(AgentState, 0)
        for agent in pool.values():
            if qualifies(agent.skills, required) and agent.serves(name):
                counts[agent.state] += 1
        return counts

    # ----------------------------------------------------------------- validation

    def _check_time(self, now: float) -> None:
        try:
            # One chained comparison: also false for NaN and +inf (and _now is never negative).
            if self._now <= now < _INFINITY:
                return
        except TypeError:
            pass
        if not isinstance(now, (int, float)) or not math.isfinite(now) or now < 0:
            raise InvalidTimeError(f"time: expected finite seconds >= 0, got {now!r}")
        raise InvalidTimeError(f"time went backwards: last event at {self._now!r}, got {now!r}")

    def _agent(self, agent_id: str) -> Agent:
        agent = self._agents.get(agent_id)
        if agent is None:
            raise UnknownAgentError(agent_id)
        return agent

    def _queue(self, name: str) -> QueueRuntime:
        runtime = self._queues.get(name)
        if runtime is None:
            raise UnknownQueueError(name)
        return runtime

    def _holder(self, call: Call) -> Agent:
        """The agent an offered or connected call is with."""
        assert call.agent_id is not None, f"call {call.id} is with no agent"
        return self._agents[call.agent_id]

    def _held_call(self, agent: Agent) -> Call:
        """The call a reserved or busy agent holds."""
        assert agent.call_id is not None, f"agent {agent.id} holds no call"
        return self._calls[agent.call_id]

    def _call(self, call_id: str) -> Call:
        call = self._calls.get(call_id)
        if call is None:
            raise UnknownCallError(call_id)
        return call

    @staticmethod
    def _check_state(agent: Agent, state: AgentState, event: AgentEvent) -> None:
        if agent.state is not state:
            raise IllegalTransitionError(agent.id, agent.state.value, event.value)

    @staticmethod
    def _check_call_state(call: Call, state: CallState, what: str) -> None:
        if call.state is not state:
            raise CallStateError(
                f"call {call.id!r}: cannot {what} a call that is {call.state.value}"
                f" (expected {state.value})"
            )

    def _check_queue_names(self, queues: Iterable[str] | None, where: str) -> frozenset[str] | None:
        if queues is None:
            return None
        names = frozenset(queues)
        for name in sorted(names):
            if name not in self._queues:
                raise UnknownQueueError(name)
        return names

    def _check_overflow_targets(self, settings: QueueSettings, known: set[str]) -> None:
        for index, rule in enumerate(settings.rules):
            if (
                isinstance(rule, OverflowRule)
                and rule.queue is not None
                and rule.queue not in known
            ):
                raise UnknownQueueError(rule.queue, f"queue {settings.name!r}: rules[{index}]")

    def _check_servable(
        self, call_id: str, alternatives: tuple[Requirement, ...], settings: QueueSettings
    ) -> None:
        """Refuse a call needing skills no agent has, now or after the queue's skill
        expansions, unless an overflow rule or a maximum wait gives it a way out."""
        if self._any_servable(alternatives):
            return
        if settings.max_wait_s is not None or any(
            isinstance(r, OverflowRule) for r in settings.rules
        ):
            return
        expanded = alternatives
        for rule in settings.rules:
            if isinstance(rule, ExpandSkills):
                expanded = _expand(expanded, rule)
                if self._any_servable(expanded):
                    return
        missing = sorted(
            {n.skill for r in alternatives for n in r if not self._skill_agents.get(n.skill)}
        )
        raise UnknownSkillError(
            f"call {call_id!r} in queue {settings.name!r}: requires skills no agent has:"
            f" {', '.join(missing)}"
        )

    def _any_servable(self, alternatives: tuple[Requirement, ...]) -> bool:
        cache = self._servable
        for required in alternatives:
            servable = cache.get(required)
            if servable is None:
                servable = cache[required] = self._someone_qualifies(required)
            if servable:
                return True
        return False

    def _someone_qualifies(self, required: Requirement) -> bool:
        # By skill name only: levels can be raised while the call waits.
        return all(self._skill_agents.get(n.skill) for n in required)

    def _call_key(self, call: Call, runtime: QueueRuntime, now: float) -> tuple[int, float, int]:
        return (
            -runtime.aged_priority(call.priority, call.enqueued_at, now),
            call.enqueued_at,
            call.seq,
        )

    @staticmethod
    def _required_after(
        call: Call, settings: QueueSettings, elapsed: float
    ) -> tuple[Requirement, ...]:
        required = call.base_required if call.base_required is not None else (settings.required,)
        for rule in settings.rules:
            if isinstance(rule, ExpandSkills) and rule.after_s <= elapsed:
                required = _expand(required, rule)
        return required


def _expand(alternatives: tuple[Requirement, ...], rule: ExpandSkills) -> tuple[Requirement, ...]:
    """Apply a skill-expansion rule: lower every level, then add the alternative skill sets."""
    expanded: list[Requirement] = []
    for required in alternatives:
        candidate = lowered(required, rule.lower_levels_by) if rule.lower_levels_by else required
        if candidate not in expanded:
            expanded.append(candidate)
    for extra in rule.add_alternatives:
        if extra not in expanded:
            expanded.append(extra)
    return tuple(expanded)
