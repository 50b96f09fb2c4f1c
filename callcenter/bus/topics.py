"""The MQTT topics of the bus: builders, and the parser of an incoming command topic.

Every topic starts with `callcenter/v1/`; the version changes only with an incompatible
payload change, so old and new desktops can share a broker during an upgrade. An agent id or
a queue name becomes one topic level, so it may not contain the MQTT separators and
wildcards (`/`, `+`, `#`), control characters, or be longer than `MAX_NAME` characters.
See `docs/mqtt.md` for who publishes what, with which QoS and retain flag.
"""

from __future__ import annotations

import re

from callcenter.bus.errors import BusTopicError

PREFIX = "callcenter/v1"
MAX_NAME = 64
NAME_PATTERN = r"[^/+#\x00-\x1f\x7f]{1,64}"  # 64 = MAX_NAME
_NAME = re.compile(NAME_PATTERN)

AGENT_COMMANDS_FILTER = f"{PREFIX}/agents/+/commands"
ADMIN_COMMANDS = f"{PREFIX}/admin/commands"
ADMIN_REPLIES = f"{PREFIX}/admin/replies"
AGENT_STATE_FILTER = f"{PREFIX}/agents/+/state"
QUEUE_STATS_FILTER = f"{PREFIX}/queues/+/stats"
SUPERVISOR_COMMANDS_FILTER = f"{PREFIX}/supervisors/+/commands"
SUPERVISOR_EVENTS = f"{PREFIX}/supervisors/events"


def is_valid_name(name: str) -> bool:
    """True if `name` can be one topic level (an agent id or a queue name)."""
    return _NAME.fullmatch(name) is not None


def check_name(name: str, what: str = "agent id") -> str:
    """Return `name` if it can be one topic level; raise `BusTopicError` naming the problem."""
    if not is_valid_name(name):
        raise BusTopicError(
            f"{what} {name!r}: expected 1..{MAX_NAME} characters without '/', '+', '#' "
            "or control characters"
        )
    return name


def agent_commands(agent: str) -> str:
    return f"{PREFIX}/agents/{check_name(agent)}/commands"


def agent_replies(agent: str) -> str:
    return f"{PREFIX}/agents/{check_name(agent)}/replies"


def agent_state(agent: str) -> str:
    return f"{PREFIX}/agents/{check_name(agent)}/state"


def agent_screenpop(agent: str) -> str:
    return f"{PREFIX}/agents/{check_name(agent)}/screenpop"


def queue_stats(queue: str) -> str:
    return f"{PREFIX}/queues/{check_name(queue, 'queue name')}/stats"


def voicemail(box: str) -> str:
    return f"{PREFIX}/voicemail/{check_name(box, 'voicemail box')}"


def supervisor_commands(user: str) -> str:
    return f"{PREFIX}/supervisors/{check_name(user, 'user id')}/commands"


def supervisor_replies(user: str) -> str:
    return f"{PREFIX}/supervisors/{check_name(user, 'user id')}/replies"


def supervisor_ping(user: str) -> str:
    """Where a supervisor's client checks its own subscription is live (`Remote`)."""
    return f"{PREFIX}/supervisors/{check_name(user, 'user id')}/ping"


def user_of_supervisor_command_topic(topic: str) -> str | None:
    """The user in `callcenter/v1/supervisors/{user}/commands`, or None (as for agents)."""
    head = PREFIX + "/supervisors/"
    tail = "/commands"
    if not (topic.startswith(head) and topic.endswith(tail)):
        return None
    user = topic[len(head) : len(topic) - len(tail)]
    return user if is_valid_name(user) else None


def agent_of_command_topic(topic: str) -> str | None:
    """The agent id in `callcenter/v1/agents/{agent}/commands`, or None for any other topic.

    None also when the agent level is not a valid name (a broker delivers what it was sent
    on any topic matching the filter, e.g. a level with control characters).
    """
    head = PREFIX + "/agents/"
    tail = "/commands"
    if not (topic.startswith(head) and topic.endswith(tail)):
        return None
    agent = topic[len(head) : len(topic) - len(tail)]
    return agent if is_valid_name(agent) else None


def matches(topic_filter: str, topic: str) -> bool:
    """MQTT 3.1.1 topic matching (section 4.7): `+` is one level, a final `#` is the rest.

    Topics starting with `$` are not matched by a filter starting with a wildcard.
    """
    if topic.startswith("$") and topic_filter[:1] in ("+", "#"):
        return False
    levels = topic.split("/")
    parts = topic_filter.split("/")
    for i, part in enumerate(parts):
        if part == "#":
            return True
        if i >= len(levels):
            return False
        if part != "+" and part != levels[i]:
            return False
    return len(parts) == len(levels)


def is_valid_filter(topic_filter: str) -> bool:
    """True if `topic_filter` is a well-formed MQTT topic filter."""
    if not topic_filter or "\x00" in topic_filter:
        return False
    parts = topic_filter.split("/")
    for i, part in enumerate(parts):
        if "#" in part and (part != "#" or i != len(parts) - 1):
            return False
        if "+" in part and part != "+":
            return False
    return True


def is_valid_topic(topic: str) -> bool:
    """True if `topic` can be published to (no wildcards, not empty)."""
    return bool(topic) and not any(c in topic for c in "+#\x00")
