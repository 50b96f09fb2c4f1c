"""Agent desktops and wallboards over MQTT: the engine's state as `callcenter.bus` payloads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

from acd import QueueSnapshot
from callcenter.bus.client import MqttBus
from callcenter.bus.schemas import (
    AdminCommand,
    AgentCommand,
    AgentStatus,
    Caller,
    CommandError,
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
from callcenter.engine.supervision import SpyReport, SupervisorInput
from cdr import Outcome, VoicemailMessage


def utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _known(text: str) -> str | None:
    """Asterisk says `<unknown>` for a caller name it does not have."""
    return None if not text or text == "<unknown>" else text


def _device_state(text: str) -> DeviceState:
    try:
        return DeviceState(text)
    except ValueError:
        return DeviceState.UNKNOWN


def _tier(text: str | None) -> Tier:
    try:
        return Tier((text or "normal").lower())
    except ValueError:
        return Tier.NORMAL


class MqttDesktops:
    """The `Desktops` port of `callcenter.engine.service` on an open `MqttBus`."""

    def __init__(self, bus: MqttBus) -> None:
        self.bus = bus
        self.pops_published = 0

    def agent_state(self, agent: LiveAgent, now: float) -> None:
        self.bus.publish_state(AgentStatus(
            agent=agent.id, state=agent.state, reason=agent.reason,
            since=utc(agent.state_since), device=agent.device,
            device_state=_device_state(agent.device_state), call_id=agent.call_id,
            queues=list(agent.queues),
        ))

    def screen_pop(self, pop: PopContent) -> None:
        view = pop.customer
        customer = None
        if view.customer is not None:
            record = view.customer
            customer = Customer(id=record.customer_id, name=record.name,
                                account=record.customer_id, tier=_tier(record.tier),
                                notes=record.notes)
        history = [
            HistoryEntry(date=utc(contact.arrived_at), agent=contact.agent_id,
                         queue=contact.queue, outcome=Outcome(contact.outcome),
                         disposition=contact.disposition)
            for contact in view.history
        ]
        self.bus.publish_screenpop(ScreenPop(
            pop_id=pop.pop_id, call_id=pop.call_id, agent=pop.agent_id,
            caller=Caller(number=pop.caller or None, name=_known(pop.caller_name)),
            customer=customer, history=history,
            ivr=IvrTrail(path=list(pop.ivr_path), inputs=dict(pop.ivr_inputs)),
            queue=pop.queue, waited_s=pop.waited_s, priority=pop.priority,
            agent_id_announced=pop.agent_id_announced, crm_url=pop.crm_url or None,
        ))
        self.pops_published += 1

    def queue_stats(self, snapshot: QueueSnapshot, figures: QueueFigures, now: float) -> None:
        self.bus.publish_stats(QueueStats(
            queue=snapshot.name, waiting=snapshot.waiting,
            longest_wait_s=round(snapshot.longest_wait_s, 3), agents=dict(snapshot.agents),
            offered=figures.offered, answered=figures.answered, abandoned=figures.abandoned,
            service_level=figures.service_level, asa_s=figures.asa_s,
            abandon_rate=figures.abandon_rate, at=utc(now),
        ))

    def reply(self, agent_id: str, request_id: str | None, error: str | None) -> None:
        self.bus.reply(agent_id, request_id, error)

    def reply_admin(self, request_id: str | None, error: str | None) -> None:
        self.bus.reply_admin(request_id, error)

    async def admin_commands(self) -> AsyncIterator[AdminCommand | CommandError]:
        async for command in self.bus.admin_commands():
            yield command

    def reply_supervisor(self, user: str, request_id: str | None, error: str | None) -> None:
        self.bus.reply_supervisor(user, request_id, error)

    def supervisor_event(self, report: SpyReport, now: float) -> None:
        session = report.session
        self.bus.publish_supervisor_event(SupervisorEvent(
            event=report.event, user=session.user, agent=session.agent,
            mode=session.mode, call_id=session.call_id, error=report.error, at=utc(now)))

    def voicemail_left(self, record: VoicemailMessage) -> None:
        self.bus.publish_voicemail(VoicemailEvent(
            voicemail_id=record.voicemail_id, box=record.box, caller=record.caller,
            caller_name=record.caller_name, language=record.language,
            duration_s=record.duration_s, reason=record.reason, path=record.path,
            call_id=record.call_id, at=utc(record.recorded_at)))

    async def supervisor_commands(self) -> AsyncIterator[SupervisorInput]:
        async for user, command in self.bus.supervisor_commands():
            yield user, command

    async def commands(self) -> AsyncIterator[tuple[str, AgentCommand | CommandError]]:
        async for agent_id, command in self.bus.agent_commands():
            yield agent_id, command
