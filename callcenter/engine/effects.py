"""What the switchboard asks its shell to do: AMI actions, MQTT messages, database writes.

The switchboard decides and returns these as values; `callcenter.engine.service` performs
them. Tests read them directly, the benchmark times them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from callcenter.ami.codec import Value
from cdr import CdrItem


@dataclass(slots=True)
class AmiRequest:
    """One AMI action. `call_id`/`leg` say what to fix if Asterisk refuses it."""

    name: str
    fields: dict[str, Value]
    caused_at: float  # received_at of the event (or time of the command) that led to it
    call_id: str | None = None
    leg: str | None = None  # the agent leg's uniqueid for Originate / Hangup of a leg


@dataclass(slots=True)
class AgentStatePublish:
    agent_id: str


@dataclass(slots=True)
class ScreenPopPublish:
    call_id: str
    agent_id: str
    leg: str


@dataclass(slots=True)
class StoreRecord:
    item: CdrItem


@dataclass(slots=True)
class CustomerLookup:
    """Find the caller's customer record and history now, so the screen-pop is ready."""

    call_id: str
    caller: str


@dataclass(slots=True)
class DeviceStateQuery:
    """Ask Asterisk for a device's state (an agent logged in with a device not seen yet)."""

    device: str


@dataclass(slots=True)
class Notice:
    """Something a supervisor should see in the log (a refused action, an unknown queue)."""

    level: str  # "info" | "warning" | "error"
    message: str
    details: dict[str, str] = field(default_factory=dict)


Effect = (AmiRequest | AgentStatePublish | ScreenPopPublish | StoreRecord | CustomerLookup
          | DeviceStateQuery | Notice)
