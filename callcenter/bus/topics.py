"""The MQTT topics of the bus: `Topics`, their builders and the parsers of command topics.

Every topic is `<prefix>/v1/...`: the prefix is the center's (`mqtt.topic_prefix`, default
`callcenter`, so `callcenter/v1/...` as `docs/mqtt.md` documents), which lets several centers
(or test runs, or demos) share one broker without seeing each other's messages. The version
changes only with an incompatible payload change, so old and new desktops can share a broker
during an upgrade. An agent id or a queue name becomes one topic level, so it may not contain
the MQTT separators and wildcards (`/`, `+`, `#`), control characters, or be longer than
`MAX_NAME` characters. See `docs/mqtt.md` for who publishes what, with which QoS and retain
flag.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from callcenter.bus.errors import BusTopicError

DEFAULT_PREFIX = "callcenter"
VERSION = "v1"
MAX_NAME = 64
MAX_PREFIX = 200
NAME_PATTERN = r"[^/+#\x00-\x1f\x7f]{1,64}"  # 64 = MAX_NAME
_NAME = re.compile(NAME_PATTERN)


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


def check_prefix(prefix: str) -> str:
    """Return `prefix` if it can start every topic; raise `BusTopicError` saying why not.

    One or more levels separated by `/` (`acme`, `acme/paris`), each a valid name, not
    starting with `$` (the broker's own topics), at most `MAX_PREFIX` characters.
    """
    levels = prefix.split("/")
    if (not prefix or len(prefix) > MAX_PREFIX or prefix.startswith("$")
            or not all(is_valid_name(level) for level in levels)):
        raise BusTopicError(
            f"topic prefix {prefix!r}: expected 1..{MAX_PREFIX} characters of levels joined by"
            " '/', none empty, without '+', '#', control characters or a leading '$'"
        )
    return prefix


@dataclass(frozen=True, slots=True)
class Topics:
    """Every topic of one center's bus, under `<prefix>/v1/`.

    `Topics()` is the default center's (`callcenter/v1/...`). Raises `BusTopicError` for a
    prefix that cannot start a topic (see `check_prefix`).
    """

    prefix: str = DEFAULT_PREFIX

    def __post_init__(self) -> None:
        check_prefix(self.prefix)

    @property
    def base(self) -> str:
        """`<prefix>/v1`: what every topic of this center starts with."""
        return f"{self.prefix}/{VERSION}"

    # --- filters and fixed topics --------------------------------------------------------

    @property
    def everything(self) -> str:
        """The filter matching every topic of this center (`<prefix>/v1/#`)."""
        return f"{self.base}/#"

    @property
    def agent_commands_filter(self) -> str:
        return f"{self.base}/agents/+/commands"

    @property
    def agent_state_filter(self) -> str:
        return f"{self.base}/agents/+/state"

    @property
    def queue_stats_filter(self) -> str:
        return f"{self.base}/queues/+/stats"

    @property
    def supervisor_commands_filter(self) -> str:
        return f"{self.base}/supervisors/+/commands"

    @property
    def voicemail_filter(self) -> str:
        return f"{self.base}/voicemail/+"

    @property
    def admin_commands(self) -> str:
        return f"{self.base}/admin/commands"

    @property
    def admin_replies(self) -> str:
        return f"{self.base}/admin/replies"

    @property
    def supervisor_events(self) -> str:
        return f"{self.base}/supervisors/events"

    @property
    def remote_ping(self) -> str:
        """Where an admin client checks that its subscription is live (`Remote`)."""
        return f"{self.base}/remote/ping"

    # --- per agent, queue, box or user -----------------------------------------------------

    def agent_commands(self, agent: str) -> str:
        return f"{self.base}/agents/{check_name(agent)}/commands"

    def agent_replies(self, agent: str) -> str:
        return f"{self.base}/agents/{check_name(agent)}/replies"

    def agent_state(self, agent: str) -> str:
        return f"{self.base}/agents/{check_name(agent)}/state"

    def agent_screenpop(self, agent: str) -> str:
        return f"{self.base}/agents/{check_name(agent)}/screenpop"

    def queue_stats(self, queue: str) -> str:
        return f"{self.base}/queues/{check_name(queue, 'queue name')}/stats"

    def voicemail(self, box: str) -> str:
        return f"{self.base}/voicemail/{check_name(box, 'voicemail box')}"

    def supervisor_commands(self, user: str) -> str:
        return f"{self.base}/supervisors/{check_name(user, 'user id')}/commands"

    def supervisor_replies(self, user: str) -> str:
        return f"{self.base}/supervisors/{check_name(user, 'user id')}/replies"

    def supervisor_ping(self, user: str) -> str:
        """Where a supervisor's client checks its own subscription is live (`Remote`)."""
        return f"{self.base}/supervisors/{check_name(user, 'user id')}/ping"

    # --- parsing ---------------------------------------------------------------------------

    def agent_of_command_topic(self, topic: str) -> str | None:
        """The agent id in `<prefix>/v1/agents/{agent}/commands`, or None for any other topic.

        None also when the agent level is not a valid name (a broker delivers what it was
        sent on any topic matching the filter, e.g. a level with control characters).
        """
        return self._level(topic, "/agents/", "/commands")

    def user_of_supervisor_command_topic(self, topic: str) -> str | None:
        """The user in `<prefix>/v1/supervisors/{user}/commands`, or None (as for agents)."""
        return self._level(topic, "/supervisors/", "/commands")

    def _level(self, topic: str, middle: str, tail: str) -> str | None:
        head = self.base + middle
        if not (topic.startswith(head) and topic.endswith(tail)):
            return None
        name = topic[len(head) : len(topic) - len(tail)]
        return name if is_valid_name(name) else None


DEFAULT = Topics()
"""The default center's topics, `callcenter/v1/...`."""


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


def unique_prefix(label: str = "test") -> str:
    """A prefix no other run uses (`<label>-<12 hex digits>`): for tests and the demo, which
    share a broker with other runs."""
    return check_prefix(f"{label}-{secrets.token_hex(6)}")
