"""Live views of the engine's state (never the database): agents, queues, calls."""

from __future__ import annotations

from acd import AcdError, AgentState
from callcenter.engine.live import CallPhase, LiveCall
from callcenter.engine.payloads import utc
from callcenter.engine.service import EngineService
from callcenter.engine.stats import QueueFigures
from callcenter.http.models import Figures, LiveCallView, QueueView, WaitingCall


def figures(f: QueueFigures) -> Figures:
    return Figures(offered=f.offered, answered=f.answered, abandoned=f.abandoned,
                   service_level=f.service_level, asa_s=f.asa_s, abandon_rate=f.abandon_rate)


SNAPSHOT_MAX_AGE_S = 0.1
"""How old a queue snapshot may be when served again: a wallboard polling many times a second
reads the router's counts (a walk over the queue's agents) at most ten times a second."""


class QueueViews:
    """Queue snapshots, each computed at most every `SNAPSHOT_MAX_AGE_S` (engine time)."""

    def __init__(self, service: EngineService) -> None:
        self.service = service
        self._views: dict[str, tuple[float, QueueView]] = {}

    def view(self, queue: str) -> QueueView:
        now = self.service.now()
        cached = self._views.get(queue)
        if cached is not None and 0 <= now - cached[0] < SNAPSHOT_MAX_AGE_S:
            return cached[1]
        view = queue_view(self.service, queue)
        self._views[queue] = (now, view)
        return view


def queue_view(service: EngineService, queue: str) -> QueueView:
    sb = service.switchboard
    now = service.now()
    snapshot = sb.router.queue_snapshot(queue)
    target = sb.router.queue_settings(queue).sl_target_s
    return QueueView(
        queue=queue, waiting=snapshot.waiting, longest_wait_s=round(snapshot.longest_wait_s, 3),
        ringing=snapshot.ringing, connected=snapshot.connected, agents=dict(snapshot.agents),
        sl_target_s=target, today=figures(sb.stats.figures(queue, now)),
        last_15_min=figures(sb.stats.recent_figures(queue, now)), at=utc(now))


def queue_names(service: EngineService) -> list[str]:
    return list(service.switchboard.router.queue_names())


def call_agent(call: LiveCall) -> str | None:
    """The agent a live call belongs to now: ringing, talking or wrapping up for it."""
    if call.leg is not None:
        return call.leg.agent_id
    return call.agent_id


def live_call(service: EngineService, call: LiveCall) -> LiveCallView:
    now = service.now()
    waited_until = call.answered_at if call.answered_at is not None else (
        call.ended_at if call.ended_at is not None else now)
    return LiveCallView(
        call_id=call.call_id, phase=call.phase.value, queue=call.queue,
        caller=call.caller or None, caller_name=call.caller_name or None,
        priority=call.priority, tier=call.tier, agent=call_agent(call),
        customer_id=call.customer_id, arrived_at=utc(call.arrived_at),
        answered_at=None if call.answered_at is None else utc(call.answered_at),
        waited_s=round(max(0.0, waited_until - call.enqueued_at), 3),
        on_hold=call.hold_since is not None, recording=call.recording is not None)


def waiting_call(service: EngineService, call: LiveCall) -> WaitingCall | None:
    if call.phase is not CallPhase.WAITING:
        return None
    try:
        position = service.switchboard.router.position(call.call_id)
    except AcdError:
        return None  # not in the router (yet, or any more)
    return WaitingCall(
        call_id=call.call_id, queue=call.queue, caller=call.caller or None,
        caller_name=call.caller_name or None, priority=call.priority, tier=call.tier,
        language=call.language, position=position,
        waited_s=round(max(0.0, service.now() - call.enqueued_at), 3),
        enqueued_at=utc(call.enqueued_at))


def logged_in(service: EngineService) -> int:
    return sum(1 for a in service.switchboard.agents.values()
               if a.state is not AgentState.LOGGED_OUT)
