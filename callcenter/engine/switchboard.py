"""The engine's decisions: AMI events and commands in, effects out. No I/O here.

The switchboard owns the `acd.Router` and the Asterisk side of every call (channels, agent
legs, device states) and turns each into the other: a `UserEvent CallcenterEnqueue` becomes
`Router.enqueue`; an `Offer` becomes an Originate to the agent's device and a screen-pop; the
agent leg going Up becomes `Router.answer` and a Redirect of the caller to the agent-ID
announcement; hang-ups become abandons or call ends. `callcenter.engine.service` performs the
effects. See docs/engine.md for the contract with the dialplan and the shape inside.

`Switchboard` is a facade over one state book (`state.EngineState`) and the collaborators that
are handed it: `ami_handlers` (AMI events), `decisions` (router decisions), `calls` (the steps
of a call), `agent_commands`, `restore`, `caller_services`, `roster` (admin changes) and
`supervisor_actions`. Code outside the engine uses only the facade's public methods.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from acd import QueueSettings, Router
from callcenter.ami import events as ev
from callcenter.engine.agent_commands import AgentCommands
from callcenter.engine.ami_handlers import AmiHandlers
from callcenter.engine.caller_services import CallerServices, HoldStatus
from callcenter.engine.calls import CallFlow, parse_skills
from callcenter.engine.config import EngineConfig
from callcenter.engine.decisions import RouterDecisions
from callcenter.engine.effects import AmiRequest, Effect
from callcenter.engine.live import IvrSpan, Leg, LiveAgent, LiveCall
from callcenter.engine.restore import Restoration
from callcenter.engine.roster import RosterChanges
from callcenter.engine.state import DIRECTED_SKILL, CommandRefused, EngineState
from callcenter.engine.stats import TodayStats
from callcenter.engine.supervisor_actions import SupervisorActions
from ivr.outcomes import CallbackRequest, IvrOutcome
from ivr.ports import QueueStatus

__all__ = ["DIRECTED_SKILL", "CommandRefused", "HoldStatus", "Switchboard", "parse_skills"]


class Switchboard:
    """Feed `handle(event)`, `advance(now)` and the command methods; collect `take_effects()`.

    The mappings it shows (`calls`, `agents`, ...) are for reading: change state only through
    the methods."""

    def __init__(self, config: EngineConfig, *, seed: int = 0) -> None:
        state = self._state = EngineState(config, seed=seed)
        decisions = RouterDecisions(state)
        flow = CallFlow(state, decisions)
        self._events = AmiHandlers(state, flow, decisions)
        self._commands = AgentCommands(state, flow, decisions)
        self._restore = Restoration(state, flow, decisions, self._commands)
        self._callers = CallerServices(state, decisions)
        self._roster = RosterChanges(state, decisions)
        self._supervisor = SupervisorActions(state, decisions)
        self._decisions = decisions

    # ----------------------------------------------------------------- what it holds

    @property
    def config(self) -> EngineConfig:
        return self._state.config

    @property
    def router(self) -> Router:
        """The routing core, for queries (`queue_snapshot`, `position`, `call_info`)."""
        return self._state.router

    @property
    def calls(self) -> Mapping[str, LiveCall]:
        return self._state.calls

    @property
    def legs(self) -> Mapping[str, Leg]:
        return self._state.legs

    @property
    def agents(self) -> Mapping[str, LiveAgent]:
        return self._state.agents

    @property
    def ivr_spans(self) -> Mapping[str, IvrSpan]:
        return self._state.ivr_spans

    @property
    def stats(self) -> TodayStats:
        return self._state.stats

    @property
    def dirty_queues(self) -> frozenset[str]:
        """Queues whose figures changed since `take_dirty_queues`."""
        return frozenset(self._state.dirty_queues)

    @property
    def enqueued_total(self) -> int:
        return self._state.enqueued_total

    @property
    def epoch_offset(self) -> float:
        """Added to the monotonic stamps of AMI events to get epoch seconds."""
        return self._state.epoch_offset

    @epoch_offset.setter
    def epoch_offset(self, offset: float) -> None:
        self._state.epoch_offset = offset

    # ----------------------------------------------------------------- the loop

    def handle(self, event: ev.AmiEvent) -> None:
        self._events.handle(event)

    def advance(self, now: float) -> None:
        """Run the timers that are due (ring timeouts, wrap-up ends, rules, callbacks)."""
        state = self._state
        now = state.tick(now)
        self._decisions.apply(state.router.advance(now), now, now)
        self._callers.release_due(state.tick(now))

    def next_deadline(self) -> float | None:
        deadline = self._state.router.next_deadline()
        due = self._callers.next_due()
        if due is None:
            return deadline
        return due if deadline is None else min(deadline, due)

    def take_effects(self) -> list[Effect]:
        return self._state.outbox.take()

    def take_dirty_queues(self) -> set[str]:
        state = self._state
        queues, state.dirty_queues = state.dirty_queues, set()
        return queues

    def tick(self, now: float) -> float:
        """The switchboard's clock at `now` (it never goes backwards)."""
        return self._state.tick(now)

    def device_state(self, device: str, state: str, now: float) -> None:
        """A device's state as Asterisk lists it (`DeviceStateList`), or `INVALID` for a
        device it does not list at all."""
        self._events.device_state(device, state, self.tick(now))

    def action_failed(self, request: AmiRequest, message: str) -> None:
        """Asterisk refused an action outright (e.g. Originate to an unknown device)."""
        self._events.action_failed(request, message)

    # ----------------------------------------------------------------- agents

    def login(self, agent_id: str, device: str | None, now: float,
              queues: list[str] | None = None) -> None:
        self._commands.login(agent_id, device, now, queues)

    def logout(self, agent_id: str, now: float) -> None:
        self._commands.logout(agent_id, now)

    def pause(self, agent_id: str, reason: str, now: float) -> None:
        self._commands.pause(agent_id, reason, now)

    def ready(self, agent_id: str, now: float) -> None:
        self._commands.ready(agent_id, now)

    def end_wrap_up(self, agent_id: str, now: float) -> None:
        self._commands.end_wrap_up(agent_id, now)

    def extend_wrap_up(self, agent_id: str, seconds: float, now: float) -> None:
        self._commands.extend_wrap_up(agent_id, seconds, now)

    def hold(self, agent_id: str, now: float) -> None:
        self._commands.hold(agent_id, now)

    def unhold(self, agent_id: str, now: float) -> None:
        self._commands.unhold(agent_id, now)

    def hangup(self, agent_id: str, now: float) -> None:
        self._commands.hangup(agent_id, now)

    def transfer(self, agent_id: str, mode: str, kind: str, target: str, now: float) -> None:
        self._commands.transfer(agent_id, mode, kind, target, now)

    def dial(self, agent_id: str, number: str, now: float) -> None:
        self._commands.dial(agent_id, number, now)

    def record_start(self, agent_id: str, now: float) -> None:
        self._commands.record_start(agent_id, now)

    def record_pause(self, agent_id: str, now: float) -> None:
        self._commands.record_pause(agent_id, now)

    def record_resume(self, agent_id: str, now: float) -> None:
        self._commands.record_resume(agent_id, now)

    def current_caller(self, agent_id: str) -> str:
        """The number of the caller the agent talks to (or just talked to, in wrap-up)."""
        return self._commands.current_caller(agent_id)

    # ----------------------------------------------------------------- roster (admin)

    def add_agent(self, agent_id: str, skills: dict[str, int], display_id: str | None = None,
                  queues: list[str] | None = None, device: str | None = None) -> None:
        self._roster.add_agent(agent_id, skills, display_id, queues, device)

    def remove_agent(self, agent_id: str) -> None:
        self._roster.remove_agent(agent_id)

    def set_agent_skills(self, agent_id: str, skills: dict[str, int], now: float) -> None:
        self._roster.set_agent_skills(agent_id, skills, self.tick(now))

    def set_agent_queues(self, agent_id: str, queues: list[str], now: float) -> None:
        self._roster.set_agent_queues(agent_id, queues, self.tick(now))

    def update_queue(self, settings: QueueSettings, now: float) -> None:
        self._roster.update_queue(settings, self.tick(now))

    # ----------------------------------------------------------------- supervisors

    def move_call(self, call_id: str, queue: str, now: float) -> None:
        self._supervisor.move_call(call_id, queue, self.tick(now))

    def set_priority(self, call_id: str, priority: int, now: float) -> None:
        self._supervisor.set_priority(call_id, priority, self.tick(now))

    def spy(self, agent_id: str, device: str, options: str, spy_id: str, what: str,
            now: float) -> str:
        """Ring `device` into ChanSpy on the agent's call; returns the call's id."""
        return self._supervisor.spy(agent_id, device, options, spy_id, what, self.tick(now))

    # ----------------------------------------------------------------- restart, reconnection

    def restore_agent(self, agent_id: str, device: str | None, paused: str | None,
                      logged_in_at: float, now: float) -> None:
        self._restore.restore_agent(agent_id, device, paused, logged_in_at, now)

    def reconcile(self, channels: Iterable[ev.CoreShowChannel], now: float) -> None:
        self._restore.reconcile(channels, now)

    def adopt(self, statuses: Iterable[ev.ChannelStatus], now: float) -> tuple[int, int]:
        return self._restore.adopt(statuses, now)

    def leg_originated(self, uniqueid: str, at: float) -> None:
        self._restore.leg_originated(uniqueid, at)

    # ----------------------------------------------------------------- callers' services

    def ivr_started(self, uniqueid: str, channel: str, caller: str, caller_name: str,
                    did: str, language: str, now: float) -> IvrSpan:
        return self._callers.ivr_started(uniqueid, channel, caller, caller_name, did,
                                         language, now)

    def ivr_finished(self, span: IvrSpan, outcome: IvrOutcome, now: float) -> None:
        self._callers.ivr_finished(span, outcome, now)

    def queue_status(self, queue: str) -> QueueStatus:
        return self._callers.queue_status(queue)

    def hold_status(self, call_id: str) -> HoldStatus | None:
        return self._callers.hold_status(call_id)

    def request_callback(self, call_id: str, number: str, now: float) -> bool:
        return self._callers.request_callback(call_id, number, now)

    def schedule_callback(self, call_id: str, request: CallbackRequest, caller_name: str,
                          span: IvrSpan | None, now: float) -> None:
        self._callers.schedule_callback(call_id, request, caller_name, span, now)

    def voicemail_result(self, uniqueid: str, *, taken: bool, now: float) -> None:
        self._callers.voicemail_result(uniqueid, taken=taken, now=now)

    def survey_wanted(self, call_id: str) -> tuple[bool, bool, str] | None:
        return self._callers.survey_wanted(call_id)

    def survey_answered(self, call_id: str, csat: int | None, nps: int | None,
                        now: float) -> bool:
        return self._callers.survey_answered(call_id, csat, nps, now)
