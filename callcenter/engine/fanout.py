"""One `Desktops` for the engine that tells several listeners: MQTT desktops first, then the
HTTP API's WebSocket hub and webhooks. Commands come from the first (MQTT) only; the API
calls the engine's command methods directly.

A listener must return at once and never raise: it queues what it was told (the hub into
bounded per-socket buffers, webhooks into a bounded outbox), so that no listener can slow the
engine down.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Protocol

from acd import QueueSnapshot
from callcenter.bus.schemas import AdminCommand, AgentCommand, CommandError
from callcenter.engine.live import LiveAgent
from callcenter.engine.screenpop import ScreenPop
from callcenter.engine.service import Desktops
from callcenter.engine.stats import QueueFigures
from callcenter.engine.supervision import SpyReport, SupervisorInput
from cdr import VoicemailMessage


class DesktopListener(Protocol):
    """The outgoing half of `Desktops`: what the engine says."""

    def agent_state(self, agent: LiveAgent, now: float) -> None: ...

    def screen_pop(self, pop: ScreenPop) -> None: ...

    def queue_stats(self, snapshot: QueueSnapshot, figures: QueueFigures, now: float) -> None:
        ...

    def reply(self, agent_id: str, request_id: str | None, error: str | None) -> None: ...

    def reply_admin(self, request_id: str | None, error: str | None) -> None: ...

    def reply_supervisor(self, user: str, request_id: str | None, error: str | None) -> None:
        ...

    def supervisor_event(self, report: SpyReport, now: float) -> None: ...

    def voicemail_left(self, record: VoicemailMessage) -> None: ...


class FanOutDesktops:
    """`Desktops` that forwards every outgoing call to `primary`, then to each listener."""

    def __init__(self, primary: Desktops, listeners: Sequence[DesktopListener]) -> None:
        self.primary = primary
        self.listeners = tuple(listeners)

    def agent_state(self, agent: LiveAgent, now: float) -> None:
        self.primary.agent_state(agent, now)
        for listener in self.listeners:
            listener.agent_state(agent, now)

    def screen_pop(self, pop: ScreenPop) -> None:
        self.primary.screen_pop(pop)
        for listener in self.listeners:
            listener.screen_pop(pop)

    def queue_stats(self, snapshot: QueueSnapshot, figures: QueueFigures, now: float) -> None:
        self.primary.queue_stats(snapshot, figures, now)
        for listener in self.listeners:
            listener.queue_stats(snapshot, figures, now)

    def reply(self, agent_id: str, request_id: str | None, error: str | None) -> None:
        self.primary.reply(agent_id, request_id, error)
        for listener in self.listeners:
            listener.reply(agent_id, request_id, error)

    def reply_admin(self, request_id: str | None, error: str | None) -> None:
        self.primary.reply_admin(request_id, error)
        for listener in self.listeners:
            listener.reply_admin(request_id, error)

    def reply_supervisor(self, user: str, request_id: str | None, error: str | None) -> None:
        self.primary.reply_supervisor(user, request_id, error)
        for listener in self.listeners:
            listener.reply_supervisor(user, request_id, error)

    def supervisor_event(self, report: SpyReport, now: float) -> None:
        self.primary.supervisor_event(report, now)
        for listener in self.listeners:
            listener.supervisor_event(report, now)

    def voicemail_left(self, record: VoicemailMessage) -> None:
        self.primary.voicemail_left(record)
        for listener in self.listeners:
            listener.voicemail_left(record)

    def commands(self) -> AsyncIterator[tuple[str, AgentCommand | CommandError]]:
        return self.primary.commands()

    def admin_commands(self) -> AsyncIterator[AdminCommand | CommandError]:
        return self.primary.admin_commands()

    def supervisor_commands(self) -> AsyncIterator[SupervisorInput]:
        return self.primary.supervisor_commands()
