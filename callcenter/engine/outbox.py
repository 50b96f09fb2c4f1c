"""The effects the switchboard has decided and its shell has not yet carried out.

Handlers put AMI actions (made by `callcenter.ami.actions`), publishes, records and notices
here; `callcenter.engine.service` takes them after each input and performs them in order.
"""

from __future__ import annotations

from collections.abc import Mapping

from callcenter.ami import actions
from callcenter.ami.actions import AmiAction
from callcenter.engine.effects import (
    AgentStatePublish,
    AmiRequest,
    CustomerLookup,
    DeviceStateQuery,
    Effect,
    Notice,
    ScreenPopPublish,
    StoreRecord,
)
from cdr import CdrItem


class Outbox:
    """Effects in the order they were decided."""

    def __init__(self) -> None:
        self._effects: list[Effect] = []
        # While an AMI event is handled: its arrival, from which its actions are timed.
        self.cause: float | None = None

    def take(self) -> list[Effect]:
        effects, self._effects = self._effects, []
        return effects

    def ami(self, action: AmiAction, caused_at: float, call_id: str | None = None,
            leg: str | None = None) -> None:
        """An AMI action; `call_id`/`leg` say what to mend if Asterisk refuses it."""
        cause = self.cause if self.cause is not None else caused_at
        self._effects.append(AmiRequest(action.name, action.fields, cause, call_id, leg))

    def setvars(self, channel: str, values: Mapping[str, str], caused_at: float,
                call_id: str) -> None:
        for name, value in values.items():
            self.ami(actions.setvar(channel, name, value), caused_at, call_id)

    def notice(self, level: str, message: str, **details: str) -> None:
        self._effects.append(Notice(level, message, details))

    def agent_state(self, agent_id: str) -> None:
        self._effects.append(AgentStatePublish(agent_id))

    def screen_pop(self, call_id: str, agent_id: str, leg: str) -> None:
        self._effects.append(ScreenPopPublish(call_id, agent_id, leg))

    def store(self, item: CdrItem) -> None:
        self._effects.append(StoreRecord(item))

    def device_query(self, device: str) -> None:
        self._effects.append(DeviceStateQuery(device))

    def lookup(self, call_id: str, caller: str) -> None:
        self._effects.append(CustomerLookup(call_id, caller))
