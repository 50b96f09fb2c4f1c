"""The MQTT bus between the engine and agent desktops and wallboards; see `docs/mqtt.md`."""

from callcenter.bus.client import BusConfig, BusStats, MqttBus
from callcenter.bus.errors import BusClosedError, BusConnectionError, BusError, BusTopicError
from callcenter.bus.schemas import (
    AdminCommand,
    AdminReply,
    AgentCommand,
    AgentStatus,
    CommandError,
    QueueStats,
    Reply,
    ScreenPop,
    parse_admin_command,
    parse_agent_command,
)

__all__ = [
    "AdminCommand",
    "AdminReply",
    "AgentCommand",
    "AgentStatus",
    "BusClosedError",
    "BusConfig",
    "BusConnectionError",
    "BusError",
    "BusStats",
    "BusTopicError",
    "CommandError",
    "MqttBus",
    "QueueStats",
    "Reply",
    "ScreenPop",
    "parse_admin_command",
    "parse_agent_command",
]
