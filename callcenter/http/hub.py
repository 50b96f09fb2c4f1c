"""The WebSocket hub: the engine's events to each connected client, as far as its role reads.

A client's socket carries the very messages MQTT desktops and wallboards get, each as
`{"topic": <the MQTT topic>, "payload": <the MQTT payload>}` (`callcenter.engine.payloads`
builds both). What a socket receives is decided once, when it connects, from the permission
table (`callcenter.supervision.roles`): an agent gets its own state, screen-pops and replies
and the queues' figures; a team lead its team's states and spy events; a supervisor every
state; nobody else's screen-pops (as the broker's ACL has it).

Delivery never waits: each event is serialized once and put into the bounded buffer of every
socket that may read it. A socket whose buffer is full is closed (code 1013, "try again later",
with the reason) instead of being allowed to hold the engine or grow without bound.

An event for everyone of a kind (a queue's figures reach every agent's socket) is handed out
`BATCH` sockets per turn of the event loop, in order: waking 500 socket writers at once would
run them all in one turn and hold up everything else (the router's timers, HTTP requests) for
that long. Events for named sockets (an agent's own pop) go at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from acd import QueueSnapshot
from callcenter.bus.schemas import AdminReply, Reply, SupervisorReply
from callcenter.bus.topics import Topics
from callcenter.engine import payloads
from callcenter.engine.live import LiveAgent
from callcenter.engine.screenpop import ScreenPop
from callcenter.engine.stats import QueueFigures
from callcenter.engine.supervision import SpyReport
from callcenter.supervision.roles import (
    SUPERVISOR_ACTIONS,
    Action,
    Integration,
    Principal,
    Roster,
    Scope,
    authorize,
    scope_of,
)
from cdr import VoicemailMessage

log = logging.getLogger(__name__)
SLOW_CONSUMER = 1013  # RFC 6455 7.4.1 "try again later"
BATCH = 32  # sockets handed an event for everyone per turn of the event loop

# What a socket can be granted: (kind, agent or user) exactly, or a kind for everyone.
STATE, POP, REPLY, STATS, SUPERVISOR_REPLY, ADMIN_REPLY, SPY, VOICEMAIL = (
    "state", "screenpop", "reply", "stats", "supervisor-reply", "admin-reply", "spy",
    "voicemail")


@dataclass(eq=False, slots=True)
class Subscriber:
    """One socket's buffer. `closed` is set when it overflowed (`reason` says so)."""

    principal: Principal
    limit: int
    queue: asyncio.Queue[str] = field(init=False)
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    reason: str = ""
    sent: int = 0

    def __post_init__(self) -> None:
        self.queue = asyncio.Queue(self.limit)

    def offer(self, message: str) -> None:
        if self.closed.is_set():
            return
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.reason = (f"slow consumer: {self.limit} events not read; reconnect and read"
                           " faster")
            self.closed.set()


@dataclass(frozen=True, slots=True)
class Grants:
    """What one socket may read: kinds for everyone, and (kind, key) pairs."""

    kinds: frozenset[str]
    keys: frozenset[tuple[str, str]]


def grants_of(who: Principal, roster: Roster) -> Grants:
    """The events `who` may read, from the permission table."""
    kinds: set[str] = set()
    keys: set[tuple[str, str]] = set()

    def agents_for(action: Action) -> list[str] | None:
        """None: every agent; else the agents `who` may read for `action`."""
        scope = scope_of(who, action)
        if scope is Scope.ALL:
            return None
        if scope is Scope.NONE:
            return []
        candidates = [who.agent] if scope is Scope.SELF else list(
            roster.team_agents(who.team))
        return [a for a in candidates if a is not None
                and authorize(who, action, roster.agent_target(a)) is None]

    for action, kind in ((Action.READ_AGENTS, STATE), (Action.READ_SCREENPOPS, POP),
                         (Action.AGENT_COMMAND, REPLY), (Action.READ_SUPERVISION, SPY)):
        allowed = agents_for(action)
        if allowed is None:
            kinds.add(kind)
        else:
            keys.update((kind, agent) for agent in allowed)
    if scope_of(who, Action.READ_QUEUES) is not Scope.NONE:
        kinds.add(STATS)
    if scope_of(who, Action.READ_CALLS) is Scope.ALL:
        kinds.add(VOICEMAIL)
    if scope_of(who, Action.ADMIN) is not Scope.NONE:
        kinds.add(ADMIN_REPLY)
    if not isinstance(who, Integration) and any(
            scope_of(who, a) is not Scope.NONE for a in SUPERVISOR_ACTIONS):
        keys.add((SUPERVISOR_REPLY, who.id))
    return Grants(frozenset(kinds), frozenset(keys))


class EventHub:
    """A `DesktopListener` (`callcenter.engine.fanout`) that feeds WebSocket subscribers."""

    def __init__(self, roster: Roster, *, buffer: int = 1000,
                 topics: Topics | None = None) -> None:
        self.roster = roster
        self.buffer = buffer
        self.topics = topics or Topics()  # the MQTT topic each event carries, as on the bus
        self._by_kind: dict[str, set[Subscriber]] = {}
        self._by_key: dict[tuple[str, str], set[Subscriber]] = {}
        self._grants: dict[Subscriber, Grants] = {}
        self._broadcasts: deque[tuple[tuple[Subscriber, ...], int, str]] = deque()
        self._draining = False
        self.dropped = 0

    def subscribe(self, who: Principal) -> Subscriber:
        subscriber = Subscriber(who, self.buffer)
        grants = grants_of(who, self.roster)
        self._grants[subscriber] = grants
        for kind in grants.kinds:
            self._by_kind.setdefault(kind, set()).add(subscriber)
        for key in grants.keys:
            self._by_key.setdefault(key, set()).add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        grants = self._grants.pop(subscriber, None)
        if grants is None:
            return
        if subscriber.reason:
            self.dropped += 1
        for kind in grants.kinds:
            self._by_kind.get(kind, set()).discard(subscriber)
        for key in grants.keys:
            self._by_key.get(key, set()).discard(subscriber)

    def grants(self, subscriber: Subscriber) -> Grants:
        return self._grants.get(subscriber, Grants(frozenset(), frozenset()))

    @property
    def subscribers(self) -> int:
        return len(self._grants)

    def _deliver(self, kind: str, key: str, topic: str, payload: Callable[[], bytes]) -> None:
        everyone = self._by_kind.get(kind)
        these = self._by_key.get((kind, key))
        if not everyone and not these:
            return  # nobody reads it: not even serialized
        message = f'{{"topic":{json.dumps(topic)},"payload":{payload().decode()}}}'
        if these:
            for subscriber in tuple(these):
                subscriber.offer(message)
        if everyone:
            self._broadcasts.append((tuple(everyone), 0, message))
            if not self._draining:
                self._draining = True
                self._drain()

    def _drain(self) -> None:
        """Hand out up to BATCH broadcast deliveries, oldest first; again next turn."""
        budget = BATCH
        queue = self._broadcasts
        while queue and budget > 0:
            group, start, message = queue[0]
            end = min(len(group), start + budget)
            for subscriber in group[start:end]:
                subscriber.offer(message)
            budget -= end - start
            if end == len(group):
                queue.popleft()
            else:
                queue[0] = (group, end, message)
        if queue:
            asyncio.get_running_loop().call_soon(self._drain)
        else:
            self._draining = False

    # ----------------------------------------------------------------- DesktopListener

    def agent_state(self, agent: LiveAgent, now: float) -> None:
        self._deliver(STATE, agent.id, self.topics.agent_state(agent.id),
                      lambda: payloads.agent_status(agent).to_json())

    def screen_pop(self, pop: ScreenPop) -> None:
        self._deliver(POP, pop.agent_id, self.topics.agent_screenpop(pop.agent_id),
                      lambda: payloads.screen_pop(pop).to_json())

    def queue_stats(self, snapshot: QueueSnapshot, figures: QueueFigures, now: float) -> None:
        self._deliver(STATS, snapshot.name, self.topics.queue_stats(snapshot.name),
                      lambda: payloads.queue_stats(snapshot, figures, now).to_json())

    def reply(self, agent_id: str, request_id: str | None, error: str | None) -> None:
        self._deliver(REPLY, agent_id, self.topics.agent_replies(agent_id), lambda: Reply(
            id=request_id, agent=agent_id, ok=error is None, error=error).to_json())

    def reply_admin(self, request_id: str | None, error: str | None) -> None:
        self._deliver(ADMIN_REPLY, "", self.topics.admin_replies, lambda: AdminReply(
            id=request_id, ok=error is None, error=error).to_json())

    def reply_supervisor(self, user: str, request_id: str | None, error: str | None) -> None:
        self._deliver(SUPERVISOR_REPLY, user, self.topics.supervisor_replies(user),
                      lambda: SupervisorReply(id=request_id, user=user, ok=error is None,
                                              error=error).to_json())

    def supervisor_event(self, report: SpyReport, now: float) -> None:
        self._deliver(SPY, report.session.agent, self.topics.supervisor_events,
                      lambda: payloads.supervisor_event(report, now).to_json())

    def voicemail_left(self, record: VoicemailMessage) -> None:
        self._deliver(VOICEMAIL, record.box, self.topics.voicemail(record.box),
                      lambda: payloads.voicemail_event(record).to_json())
