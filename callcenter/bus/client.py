"""`MqttBus`: the engine's one connection to the MQTT broker, kept up for ever.

Usage::

    async with MqttBus(BusConfig.from_env()) as bus:
        bus.publish_state(AgentStatus(agent="1007", state=AgentState.AVAILABLE, since=now))
        bus.publish_screenpop(pop)                      # returns at once: into the outbox
        async for agent, command in bus.agent_commands():
            if isinstance(command, CommandError):
                bus.reply(agent, command.request_id, error=command.message)
            else:
                ...
                bus.reply(agent, command.id)

This is the only module that knows aiomqtt (and paho under it); their errors become
`BusError`s here. Publishing never blocks and never waits for the broker: messages go into a
bounded `Outbox` and a sender task delivers them, up to `max_inflight` at a time. A message
leaves the outbox only once the broker has acknowledged it (PUBACK for QoS 1, written to the
socket for QoS 0); what was in flight when the connection broke is sent again after the
reconnect, so a broker restart loses no screen-pop, reply or state — and may deliver one
twice (at-least-once): desktops drop a screen-pop whose `pop_id` they have shown and a reply
whose request `id` they have had. Sessions are clean (no broker-side state), which is what
lets the embedded broker and any clustered broker serve the same engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import re
import secrets
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

import aiomqtt
from aiomqtt.exceptions import MqttConnectError
from pydantic import BaseModel

from callcenter.bus import topics
from callcenter.bus.errors import (
    BusClosedError,
    BusConnectionError,
    BusError,
    BusRefusedError,
    BusTopicError,
)
from callcenter.bus.outbox import Outbox, Outgoing
from callcenter.bus.schemas import (
    AdminCommand,
    AdminReply,
    AgentCommand,
    AgentStatus,
    CommandError,
    QueueStats,
    Reply,
    ScreenPop,
    SupervisorCommand,
    SupervisorEvent,
    SupervisorReply,
    VoicemailEvent,
    parse_admin_command,
    parse_agent_command,
    parse_supervisor_command,
)

log = logging.getLogger(__name__)

Incoming = tuple[str, bytes]
"""A received message: topic and payload."""

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def unique_client_id(role: str = "callcenter") -> str:
    """`<role>-<host>-<pid>-<random>`: an MQTT client id no other process uses.

    A broker disconnects a client when another connects with the same id (MQTT 3.1.1,
    3.1.4), so two engines, demos or tools with one fixed id would take turns kicking each
    other off. The host name is cut to 20 characters; the result has only [A-Za-z0-9_-].
    """
    host = _ID_UNSAFE.sub("-", socket.gethostname())[:20].strip("-") or "host"
    return f"{_ID_UNSAFE.sub('-', role)}-{host}-{os.getpid()}-{secrets.token_hex(3)}"


@dataclass(frozen=True, slots=True)
class BusConfig:
    """Where the broker is and how the bus behaves. The password never appears in repr or logs.

    `client_id` defaults to one unique to this process (`unique_client_id`); `topic_prefix`
    is the center's (`topics.Topics`: `<topic_prefix>/v1/...`). Times in seconds;
    `outbox_limit` and `incoming_limit` in messages.
    """

    host: str = "127.0.0.1"
    port: int = 1883
    client_id: str = field(default_factory=unique_client_id)
    topic_prefix: str = topics.DEFAULT_PREFIX
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    keepalive: int = 30
    outbox_limit: int = 10_000
    connect_timeout: float = 5.0
    publish_timeout: float = 10.0
    reconnect_initial: float = 0.2
    reconnect_max: float = 10.0
    max_inflight: int = 100
    incoming_limit: int = 10_000
    flush_timeout: float = 2.0
    """On leaving `async with` normally: how long to wait for the outbox to drain."""

    def __post_init__(self) -> None:
        for name in ("connect_timeout", "publish_timeout", "reconnect_initial", "flush_timeout"):
            if not getattr(self, name) >= 0:
                raise BusError(f"bus config: {name}: expected seconds >= 0")
        for name in ("outbox_limit", "max_inflight", "incoming_limit", "keepalive"):
            if getattr(self, name) < 1:
                raise BusError(f"bus config: {name}: expected at least 1")
        if not 0 < self.port < 65536:
            raise BusError(f"bus config: port: expected 1..65535, got {self.port}")
        if not self.client_id:
            raise BusError("bus config: client_id: expected a non-empty MQTT client id")
        topics.check_prefix(self.topic_prefix)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def topics(self) -> topics.Topics:
        """This center's topics (`<topic_prefix>/v1/...`)."""
        return topics.Topics(self.topic_prefix)

    @classmethod
    def from_env(cls, prefix: str = "CALLCENTER_MQTT_", **overrides: object) -> BusConfig:
        """Read `<prefix>HOST`, `PORT`, `CLIENT_ID`, `TOPIC_PREFIX`, `USERNAME`, `PASSWORD`
        (all optional); `overrides` win over the environment."""
        env = os.environ
        values: dict[str, object] = {}
        if env.get(prefix + "HOST"):
            values["host"] = env[prefix + "HOST"]
        port_text = env.get(prefix + "PORT")
        if port_text:
            if not port_text.isdigit():
                raise BusError(f"{prefix}PORT: expected a TCP port number, got {port_text!r}")
            values["port"] = int(port_text)
        for key, name in (("CLIENT_ID", "client_id"), ("TOPIC_PREFIX", "topic_prefix"),
                          ("USERNAME", "username")):
            if env.get(prefix + key):
                values[name] = env[prefix + key]
        if env.get(prefix + "PASSWORD"):
            values["password"] = env[prefix + "PASSWORD"]
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


@dataclass(slots=True)
class BusStats:
    """Counters since the bus was opened (messages unless said otherwise)."""

    published: int = 0  # accepted by publish()
    sent: int = 0  # acknowledged by the broker (QoS 1) or written to it (QoS 0)
    resent: int = 0  # sent again because the connection broke before the acknowledgement
    coalesced: int = 0  # retained messages superseded in the outbox by a newer one, same topic
    dropped: int = 0  # lost to outbox overflow (each logged at ERROR)
    unsent_at_close: int = 0  # still in the outbox when the bus closed (logged at ERROR)
    received: int = 0
    incoming_dropped: int = 0  # a subscriber's queue was full (each logged at ERROR)
    connects: int = 0
    connection_losses: int = 0
    last_error: str | None = None
    outbox: int = 0  # queued now, including in flight


_CLOSED = None


class MqttBus:
    """One MQTT connection with an outbox, reconnection and typed streams. See the module doc."""

    def __init__(self, config: BusConfig) -> None:
        self.config = config
        self.topics = config.topics
        self.stats = BusStats()
        self._outbox = Outbox(config.outbox_limit)
        self._inflight: dict[int, Outgoing] = {}
        self._seq = 0
        self._wake = asyncio.Event()  # the outbox has something
        self._resubscribe = asyncio.Event()  # a filter was added
        self._idle = asyncio.Event()  # nothing queued, nothing in flight
        self._idle.set()
        self._connected = asyncio.Event()
        self._subscribed: set[str] = set()  # on the current connection
        self._filters: dict[str, int] = {}  # filter -> listeners
        self._listeners: list[tuple[str, asyncio.Queue[Incoming | None]]] = []
        self._stack: contextlib.AsyncExitStack | None = None
        self._run_task: asyncio.Task[None] | None = None
        self._open = False

    # --- lifecycle ----------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        if self._open:
            raise BusError("MqttBus is not reentrant")
        stack = contextlib.AsyncExitStack()
        group = await stack.enter_async_context(asyncio.TaskGroup())
        self._stack = stack
        self._open = True
        self._run_task = group.create_task(self._run(), name=f"mqtt-bus {self.config.address}")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None and self.config.flush_timeout > 0 and self.connected:
                await self.flush(self.config.flush_timeout)
        finally:
            self._open = False
            if self._run_task is not None:
                self._run_task.cancel()
            try:
                if self._stack is not None:
                    # Only a cancellation goes into the task group (it keeps the count of
                    # cancel requests right): any other error of the block would come out
                    # wrapped in an ExceptionGroup, so it propagates from here as it is.
                    cancelled = exc_type is not None and issubclass(
                        exc_type, asyncio.CancelledError)
                    if cancelled:
                        await self._stack.__aexit__(exc_type, exc, tb)
                    else:
                        await self._stack.__aexit__(None, None, None)
            finally:
                self._stack = None
                self._run_task = None
                self._report_unsent()
                for _, queue in self._listeners:
                    queue.put_nowait(_CLOSED)

    def _report_unsent(self) -> None:
        self._outbox.put_back(list(self._inflight.values()))
        self._inflight.clear()
        unsent = self._outbox.take(len(self._outbox))
        self.stats.coalesced = self._outbox.coalesced
        self.stats.outbox = 0
        if unsent:
            self.stats.unsent_at_close += len(unsent)
            sample = ", ".join(sorted({m.topic for m in unsent})[:5])
            log.error(
                "MQTT bus closed with %d message(s) not sent to %s (topics: %s%s)",
                len(unsent),
                self.config.address,
                sample,
                ", …" if len({m.topic for m in unsent}) > 5 else "",
            )

    @property
    def connected(self) -> bool:
        """True while a broker connection is up."""
        return self._connected.is_set()

    async def wait_connected(self, timeout: float | None = None) -> None:
        """Wait until the broker connection is up; `TimeoutError` after `timeout` seconds."""
        async with asyncio.timeout(timeout):
            await self._connected.wait()

    async def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything published so far was acknowledged; False on timeout."""
        try:
            async with asyncio.timeout(timeout):
                await self._idle.wait()
        except TimeoutError:
            return False
        return True

    # --- publishing ---------------------------------------------------------------------------

    def publish(
        self, topic: str, message: BaseModel | bytes, *, qos: int = 1, retain: bool = False
    ) -> None:
        """Queue `message` (a payload model, or raw bytes) for `topic`; never blocks.

        Raises `BusTopicError` for a topic with wildcards, `BusClosedError` outside the
        `async with` block. QoS 0 or 1 (QoS 2 is not used on this bus).
        """
        if not self._open:
            raise BusClosedError(f"publish to {topic!r}: the bus is not open")
        if not topics.is_valid_topic(topic):
            raise BusTopicError(f"publish: {topic!r} is not a topic one can publish to")
        if qos not in (0, 1):
            raise BusError(f"publish to {topic!r}: expected QoS 0 or 1, got {qos}")
        payload = message if isinstance(message, bytes) else message.model_dump_json().encode()
        self._seq += 1
        self.stats.published += 1
        dropped = self._outbox.put(Outgoing(self._seq, topic, payload, qos, retain))
        for lost in dropped:
            self._dropped(lost)
        self.stats.coalesced = self._outbox.coalesced
        self.stats.outbox = len(self._outbox) + len(self._inflight)
        self._idle.clear()
        self._wake.set()

    def publish_state(self, status: AgentStatus) -> None:
        """An agent's state: retained, QoS 1, on `…/agents/{agent}/state`."""
        self.publish(self.topics.agent_state(status.agent), status, qos=1, retain=True)

    def clear_state(self, agent: str) -> None:
        """Remove an agent's retained state (the agent was deleted)."""
        self.publish(self.topics.agent_state(agent), b"", qos=1, retain=True)

    def publish_stats(self, stats: QueueStats) -> None:
        """A queue's wallboard figures: retained, QoS 0, on `…/queues/{queue}/stats`."""
        self.publish(self.topics.queue_stats(stats.queue), stats, qos=0, retain=True)

    def publish_screenpop(self, pop: ScreenPop) -> None:
        """A screen-pop for the offered agent: QoS 1, not retained."""
        self.publish(self.topics.agent_screenpop(pop.agent), pop, qos=1)

    def reply(self, agent: str, request_id: str | None, error: str | None = None) -> None:
        """Answer an agent command: ok without `error`, else failed with that message."""
        message = Reply(id=request_id, agent=agent, ok=error is None, error=error)
        self.publish(self.topics.agent_replies(agent), message, qos=1)

    def reply_admin(self, request_id: str | None, error: str | None = None) -> None:
        """Answer an admin command: ok without `error`, else failed with that message."""
        message = AdminReply(id=request_id, ok=error is None, error=error)
        self.publish(self.topics.admin_replies, message, qos=1)

    def reply_supervisor(self, user: str, request_id: str | None,
                         error: str | None = None) -> None:
        """Answer a supervisor command on `…/supervisors/{user}/replies`."""
        message = SupervisorReply(id=request_id, user=user, ok=error is None, error=error)
        self.publish(self.topics.supervisor_replies(user), message, qos=1)

    def publish_supervisor_event(self, event: SupervisorEvent) -> None:
        """Who listens to whom: QoS 1, not retained, on `…/supervisors/events`."""
        self.publish(self.topics.supervisor_events, event, qos=1)

    def publish_voicemail(self, event: VoicemailEvent) -> None:
        """A new message: QoS 1, not retained, on `…/voicemail/{box}`."""
        self.publish(self.topics.voicemail(event.box), event, qos=1)

    def _dropped(self, message: Outgoing) -> None:
        self.stats.dropped += 1
        log.error(
            "MQTT outbox full (%d messages, broker %s %s): dropped a QoS %d%s message to %s; "
            "%d dropped so far",
            self._outbox.limit,
            self.config.address,
            "connected" if self.connected else "unreachable",
            message.qos,
            " retained" if message.retain else "",
            message.topic,
            self.stats.dropped,
        )

    # --- receiving ----------------------------------------------------------------------------

    async def messages(self, topic_filter: str) -> AsyncIterator[Incoming]:
        """Every message matching `topic_filter`, from now until the bus closes.

        Subscribed with QoS 1 at the first iteration, and again after each reconnect;
        messages published while no connection was up are not seen (clean sessions).
        """
        if not topics.is_valid_filter(topic_filter):
            raise BusTopicError(f"subscribe: {topic_filter!r} is not a valid topic filter")
        if not self._open:
            raise BusClosedError(f"subscribe to {topic_filter!r}: the bus is not open")
        queue: asyncio.Queue[Incoming | None] = asyncio.Queue(self.config.incoming_limit)
        entry = (topic_filter, queue)
        self._listeners.append(entry)
        self._filters[topic_filter] = self._filters.get(topic_filter, 0) + 1
        self._resubscribe.set()  # the bus's own task subscribes: see _subscriber
        try:
            while True:
                item = await queue.get()
                if item is _CLOSED:
                    return
                yield item
        finally:
            self._listeners.remove(entry)
            self._filters[topic_filter] -= 1
            if not self._filters[topic_filter]:
                del self._filters[topic_filter]

    async def agent_commands(self) -> AsyncIterator[tuple[str, AgentCommand | CommandError]]:
        """`(agent id, command or error)` for every payload on `…/agents/+/commands`."""
        async for topic, payload in self.messages(self.topics.agent_commands_filter):
            agent = self.topics.agent_of_command_topic(topic)
            if agent is None:  # cannot even be replied to: its reply topic would be invalid
                log.warning("MQTT: command on %r ignored: the agent id is not valid", topic)
                continue
            yield agent, parse_agent_command(agent, payload)

    async def admin_commands(self) -> AsyncIterator[AdminCommand | CommandError]:
        """Every payload on `…/admin/commands`, parsed."""
        async for _, payload in self.messages(self.topics.admin_commands):
            yield parse_admin_command(payload)

    async def supervisor_commands(
        self,
    ) -> AsyncIterator[tuple[str, SupervisorCommand | CommandError]]:
        """`(user id, command or error)` for every payload on `…/supervisors/+/commands`."""
        async for topic, payload in self.messages(self.topics.supervisor_commands_filter):
            user = self.topics.user_of_supervisor_command_topic(topic)
            if user is None:  # cannot even be replied to: its reply topic would be invalid
                log.warning("MQTT: command on %r ignored: the user id is not valid", topic)
                continue
            yield user, parse_supervisor_command(user, payload)

    def _dispatch(self, topic: str, payload: bytes) -> None:
        self.stats.received += 1
        for topic_filter, queue in self._listeners:
            if not topics.matches(topic_filter, topic):
                continue
            try:
                queue.put_nowait((topic, payload))
            except asyncio.QueueFull:
                self.stats.incoming_dropped += 1
                log.error(
                    "MQTT: %d messages waiting for the reader of %r; dropped one on %s",
                    queue.qsize(),
                    topic_filter,
                    topic,
                )

    # --- the connection -----------------------------------------------------------------------

    async def _run(self) -> None:
        delay = self.config.reconnect_initial
        while True:
            connects = self.stats.connects
            try:
                await self._session()
            except BusConnectionError as exc:
                self.stats.last_error = str(exc)
                if self.stats.connects > connects:  # it was up: start again from a short delay
                    delay = self.config.reconnect_initial
                    self.stats.connection_losses += 1
                    log.warning("MQTT: %s; reconnecting", exc)
                elif self.stats.connects == 0 or delay >= self.config.reconnect_max:
                    log.warning("MQTT: %s; retrying in %.1f s", exc, delay)
                else:
                    log.info("MQTT: %s; retrying in %.1f s", exc, delay)
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))
            delay = min(delay * 2, self.config.reconnect_max)

    def _new_client(self) -> aiomqtt.Client:
        config = self.config
        return aiomqtt.Client(
            config.host,
            config.port,
            username=config.username,
            password=config.password,
            identifier=config.client_id,
            keepalive=config.keepalive,
            timeout=config.connect_timeout,
            clean_session=True,
            protocol=aiomqtt.ProtocolVersion.V311,
            max_queued_incoming_messages=config.incoming_limit,
            max_inflight_messages=config.max_inflight,
            logger=log,
        )

    async def _session(self) -> None:
        """One connection: subscribe, send and receive until it breaks (BusConnectionError)."""
        client = self._new_client()
        client.pending_calls_threshold = 2 * self.config.max_inflight + 100
        where = f"MQTT broker {self.config.address}"
        lost: BaseException | None = None
        try:
            async with client:
                _raise_if_cancelled()
                self.stats.connects += 1
                log.info("MQTT: connected to %s as %s", self.config.address, client.identifier)
                self._subscribed = set()
                self._connected.set()
                try:
                    async with asyncio.TaskGroup() as group:
                        group.create_task(self._read(client), name="mqtt-bus read")
                        group.create_task(self._subscriber(client), name="mqtt-bus subscribe")
                        group.create_task(self._send(client), name="mqtt-bus send")
                        # Wait in the body, not in TaskGroup.__aexit__: on Python 3.11 a child
                        # failing while the parent waits in __aexit__ leaves a cancel request
                        # counted on the parent (uncancel() runs too early; fixed in 3.12).
                        await asyncio.get_running_loop().create_future()
                except* (aiomqtt.MqttError, BusConnectionError, OSError) as failures:
                    lost = failures.exceptions[0]
                finally:
                    self._connected.clear()
                    self._requeue_inflight()
        except aiomqtt.MqttError as exc:
            raise BusConnectionError(f"{where}: {_describe(exc)}") from exc
        if lost is not None:
            raise BusConnectionError(f"{where}: connection lost: {_describe(lost)}") from lost

    def _requeue_inflight(self) -> None:
        if not self._inflight:
            return
        waiting = list(self._inflight.values())
        self._inflight.clear()
        for message in self._outbox.put_back(waiting):
            self._dropped(message)
        self.stats.coalesced = self._outbox.coalesced
        self._wake.set()

    async def _subscriber(self, client: aiomqtt.Client) -> None:
        """Subscribe every filter a reader asked for, now and whenever one is added.

        Subscriptions are made here, in the bus's task, not in the reader's, so a reader's
        task never awaits aiomqtt (see `_raise_if_cancelled`).
        """
        while True:
            self._resubscribe.clear()
            for topic_filter in [f for f in self._filters if f not in self._subscribed]:
                await client.subscribe(topic_filter, qos=1, timeout=self.config.publish_timeout)
                _raise_if_cancelled()
                self._subscribed.add(topic_filter)
            await self._resubscribe.wait()

    async def _read(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            payload = message.payload
            if isinstance(payload, bytes | bytearray):
                data = bytes(payload)
            else:
                data = b"" if payload is None else str(payload).encode()
            self._dispatch(message.topic.value, data)

    async def _send(self, client: aiomqtt.Client) -> None:
        window = self.config.max_inflight
        while True:
            batch = self._outbox.take(window)
            if not batch:
                if not self._inflight:
                    self._idle.set()
                self._wake.clear()
                await self._wake.wait()
                continue
            for message in batch:
                self._inflight[message.seq] = message
            results = await asyncio.gather(
                *(self._publish_one(client, message) for message in batch),
                return_exceptions=True,
            )
            self.stats.outbox = len(self._outbox) + len(self._inflight)
            for result in results:
                if isinstance(result, BaseException):
                    raise result

    async def _publish_one(self, client: aiomqtt.Client, message: Outgoing) -> None:
        if message.attempts:
            self.stats.resent += 1
        message.attempts += 1
        await client.publish(
            message.topic,
            message.payload,
            qos=message.qos,
            retain=message.retain,
            timeout=self.config.publish_timeout,
        )
        _raise_if_cancelled()
        del self._inflight[message.seq]
        self.stats.sent += 1


def _raise_if_cancelled() -> None:
    """Re-raise a cancellation that an aiomqtt call returned through.

    On Python 3.11, `asyncio.wait_for` (which aiomqtt uses for every acknowledgement) returns
    the result instead of raising when the cancellation arrives just as the awaited reply
    does (CPython gh-86296, fixed in 3.12). The task then runs on with a cancel pending;
    `Task.cancelling()` still counts it, so each aiomqtt call is followed by this check.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


async def connect_once(config: BusConfig, timeout: float = 2.0) -> None:
    """Open one MQTT connection to the configured broker and close it again.

    Raises `BusRefusedError` when the broker answers and refuses (bad user name or password,
    not authorised, client id rejected, protocol: waiting will not help) and
    `BusConnectionError` when it cannot be reached or does not answer within `timeout`
    seconds (or says it is unavailable).
    """
    client = aiomqtt.Client(
        config.host,
        config.port,
        username=config.username,
        password=config.password,
        identifier=f"{config.client_id}-probe",
        timeout=timeout,
        clean_session=True,
        protocol=aiomqtt.ProtocolVersion.V311,
        logger=log,
    )
    where = f"MQTT broker {config.address}"
    try:
        async with asyncio.timeout(timeout + 1):
            async with client:
                return
    except MqttConnectError as exc:
        if _refusal_is_final(exc.rc):
            raise BusRefusedError(f"{where} refused the connection of {config.client_id!r}"
                                  f"{_as_user(config)}: {_describe(exc)}") from None
        raise BusConnectionError(f"{where}: {_describe(exc)}") from None
    except aiomqtt.MqttError as exc:
        raise BusConnectionError(f"{where}: {_describe(exc)}") from None
    except TimeoutError:
        raise BusConnectionError(f"{where}: no answer within {timeout:g} s") from None


# CONNACK return codes (MQTT 3.1.1, 3.2.2.3) and the MQTT 5 reason codes paho 2 turns them
# into: 1/132 protocol, 2/133 client id, 4/134 user name or password, 5/135 not authorised.
# Only 3/136, "server unavailable", is worth another try.
_FINAL_REFUSALS = frozenset({1, 2, 4, 5, 132, 133, 134, 135})


def _refusal_is_final(rc: object) -> bool:
    value = getattr(rc, "value", rc)
    return isinstance(value, int) and value in _FINAL_REFUSALS


def _as_user(config: BusConfig) -> str:
    return f" as user {config.username!r}" if config.username else " (no user name)"


async def probe(config: BusConfig, timeout: float = 2.0) -> str | None:
    """Try one MQTT connection to the configured broker: None if accepted, else why not."""
    try:
        await connect_once(config, timeout)
    except BusError as exc:
        return str(exc).removeprefix(f"MQTT broker {config.address}: ")
    return None


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.replace("[code:", "[").strip()
