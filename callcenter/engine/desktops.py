"""Agent desktops and wallboards over MQTT: the engine's state as `callcenter.bus` payloads
(built by `payloads`, which the HTTP API's WebSocket uses too)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from acd import QueueSnapshot
from callcenter.bus.client import MqttBus
from callcenter.bus.schemas import AdminCommand, AgentCommand, CommandError
from callcenter.engine import payloads
from callcenter.engine.live import LiveAgent
from callcenter.engine.screenpop import ScreenPop as PopContent
from callcenter.engine.stats import QueueFigures
from callcenter.engine.supervision import SpyReport, SupervisorInput
from cdr import VoicemailMessage


class MqttDesktops:
    """The `Desktops` port of `callcenter.engine.service` on an open `MqttBus`."""

    def __init__(self, bus: MqttBus) -> None:
        self.bus = bus
        self.pops_published = 0

    def agent_state(self, agent: LiveAgent, now: float) -> None:
        self.bus.publish_state(payloads.agent_status(agent))

    def screen_pop(self, pop: PopContent) -> None:
        self.bus.publish_screenpop(payloads.screen_pop(pop))
        self.pops_published += 1

    def queue_stats(self, snapshot: QueueSnapshot, figures: QueueFigures, now: float) -> None:
        self.bus.publish_stats(payloads.queue_stats(snapshot, figures, now))

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
        self.bus.publish_supervisor_event(payloads.supervisor_event(report, now))

    def voicemail_left(self, record: VoicemailMessage) -> None:
        self.bus.publish_voicemail(payloads.voicemail_event(record))

    async def supervisor_commands(self) -> AsyncIterator[SupervisorInput]:
        async for user, command in self.bus.supervisor_commands():
            yield user, command

    async def commands(self) -> AsyncIterator[tuple[str, AgentCommand | CommandError]]:
        async for agent_id, command in self.bus.agent_commands():
            yield agent_id, command
