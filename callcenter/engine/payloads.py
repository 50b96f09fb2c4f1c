"""The engine's state as the bus's payload models (`callcenter.bus.schemas`), built in one place.

MQTT desktops (`desktops.MqttDesktops`) and the HTTP API's WebSocket (`callcenter.http.hub`)
both send these, so a desktop sees the same JSON whichever way it is connected.
"""

from __future__ import annotations

from datetime import UTC, datetime

from acd import QueueSnapshot
from callcenter.bus.schemas import (
    AgentStatus,
    Caller,
    Customer,
    DeviceState,
    HistoryEntry,
    IvrTrail,
    QueueStats,
    ScreenPop,
    SupervisorEvent,
    Tier,
    VoicemailEvent,
)
from callcenter.engine.live import LiveAgent
from callcenter.engine.screenpop import ScreenPop as PopContent
from callcenter.engine.stats import QueueFigures
from callcenter.engine.supervision import SpyReport
from cdr import Outcome, VoicemailMessage


def utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _known(text: str) -> str | None:
    """Asterisk says `<unknown>` for a caller name it does not have."""
    return None if not text or text == "<unknown>" else text


def device_state(text: str) -> DeviceState:
    try:
        return DeviceState(text)
    except ValueError:
        return DeviceState.UNKNOWN


def tier(text: str | None) -> Tier:
    try:
        return Tier((text or "normal").lower())
    except ValueError:
        return Tier.NORMAL


def agent_status(agent: LiveAgent) -> AgentStatus:
    return AgentStatus(
        agent=agent.id, state=agent.state, reason=agent.reason,
        since=utc(agent.state_since), device=agent.device,
        device_state=device_state(agent.device_state), call_id=agent.call_id,
        queues=list(agent.queues),
    )


def screen_pop(pop: PopContent) -> ScreenPop:
    view = pop.customer
    customer = None
    if view.customer is not None:
        record = view.customer
        customer = Customer(id=record.customer_id, name=record.name,
                            account=record.customer_id, tier=tier(record.tier),
                            notes=record.notes)
    history = [
        HistoryEntry(date=utc(contact.arrived_at), agent=contact.agent_id,
                     queue=contact.queue, outcome=Outcome(contact.outcome),
                     disposition=contact.disposition)
        for contact in view.history
    ]
    return ScreenPop(
        pop_id=pop.pop_id, call_id=pop.call_id, agent=pop.agent_id,
        caller=Caller(number=pop.caller or None, name=_known(pop.caller_name)),
        customer=customer, history=history,
        ivr=IvrTrail(path=list(pop.ivr_path), inputs=dict(pop.ivr_inputs)),
        queue=pop.queue, waited_s=pop.waited_s, priority=pop.priority,
        agent_id_announced=pop.agent_id_announced, crm_url=pop.crm_url or None,
        at=utc(pop.built_at) if pop.built_at else datetime.now(UTC),
    )


def queue_stats(snapshot: QueueSnapshot, figures: QueueFigures, now: float) -> QueueStats:
    return QueueStats(
        queue=snapshot.name, waiting=snapshot.waiting,
        longest_wait_s=round(snapshot.longest_wait_s, 3), agents=dict(snapshot.agents),
        offered=figures.offered, answered=figures.answered, abandoned=figures.abandoned,
        service_level=figures.service_level, asa_s=figures.asa_s,
        abandon_rate=figures.abandon_rate, at=utc(now),
    )


def supervisor_event(report: SpyReport, now: float) -> SupervisorEvent:
    session = report.session
    return SupervisorEvent(
        event=report.event, user=session.user, agent=session.agent,
        mode=session.mode, call_id=session.call_id, error=report.error, at=utc(now))


def voicemail_event(record: VoicemailMessage) -> VoicemailEvent:
    return VoicemailEvent(
        voicemail_id=record.voicemail_id, box=record.box, caller=record.caller,
        caller_name=record.caller_name, language=record.language,
        duration_s=record.duration_s, reason=record.reason, path=record.path,
        call_id=record.call_id, at=utc(record.recorded_at))
