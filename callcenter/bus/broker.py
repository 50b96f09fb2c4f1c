"""A small in-process MQTT 3.1.1 broker on asyncio, for `callcenter demo` and tests.

Usage::

    async with EmbeddedBroker("127.0.0.1", port=0) as broker:
        config = BusConfig(port=broker.port)

    config, broker, description = await pick_broker(BusConfig.from_env())
    async with contextlib.AsyncExitStack() as stack:
        if broker is not None:
            await stack.enter_async_context(broker)   # the caller owns it: this closes it
        print(description)                             # say which broker is used

What it does (MQTT 3.1.1, OASIS 2014): CONNECT/CONNACK (protocol levels 3 and 4), SUBSCRIBE
and UNSUBSCRIBE with `+` and `#` wildcards, PUBLISH at QoS 0 and 1 with PUBACK, retained
messages (an empty retained payload deletes), last will, PINGREQ, DISCONNECT, keepalive
(1.5 x the client's), a new connection with a client id in use takes over. What it leaves
out, on purpose: persistent sessions (every session is clean: nothing is kept for a client
that is gone), QoS 2 (subscriptions are granted at most QoS 1; a QoS 2 PUBLISH closes the
connection), authentication (it listens on loopback for one machine's demo), `$SYS`.
A subscriber that reads too slowly (more than `max_buffer` bytes waiting) is disconnected
rather than let the broker's memory grow. Why our own and not amqtt: `docs/mqtt.md`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import logging
import struct
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

from callcenter.bus.client import BusConfig, probe
from callcenter.bus.errors import BusError
from callcenter.bus.topics import is_valid_filter, is_valid_topic, matches

log = logging.getLogger(__name__)

CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP = 1, 2, 3, 4, 5, 6, 7
SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PINGREQ, PINGRESP, DISCONNECT = range(8, 15)
_CONNACK_BAD_PROTOCOL = 1
_CONNACK_BAD_CLIENT_ID = 2


class ProtocolViolation(BusError):
    """A client sent something that is not MQTT 3.1.1 as this broker speaks it."""


@dataclass(slots=True)
class _Retained:
    payload: bytes
    qos: int


@dataclass(slots=True)
class _Will:
    topic: str
    payload: bytes
    qos: int
    retain: bool


@dataclass(eq=False, slots=True)
class _Session:
    client_id: str
    writer: asyncio.StreamWriter
    subscriptions: dict[str, int] = field(default_factory=dict)  # filter -> granted QoS
    will: _Will | None = None
    packet_ids: itertools.cycle[int] = field(
        default_factory=lambda: itertools.cycle(range(1, 65536))
    )
    closed: bool = False


class EmbeddedBroker:
    """An MQTT 3.1.1 broker in this process (see the module doc for what it supports)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        max_packet: int = 1024 * 1024,
        max_buffer: int = 16 * 1024 * 1024,
    ) -> None:
        self.host = host
        self._requested_port = port
        self.max_packet = max_packet
        self.max_buffer = max_buffer
        self._server: asyncio.Server | None = None
        self._port: int | None = None
        self._sessions: dict[str, _Session] = {}
        self._retained: dict[str, _Retained] = {}
        self._handlers: set[asyncio.Task[None]] = set()
        self.messages_in = 0
        self.messages_out = 0

    @property
    def port(self) -> int:
        """The TCP port it listens on (the one the OS chose when created with port 0)."""
        if self._port is None:
            raise BusError("the embedded broker is not started")
        return self._port

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    async def start(self) -> None:
        """Listen; `async with` does this, and also works on a broker already started."""
        if self._server is not None:
            return
        try:
            self._server = await asyncio.start_server(
                self._serve, self.host, self._requested_port, reuse_address=True
            )
        except OSError as exc:
            raise BusError(
                f"embedded MQTT broker: cannot listen on {self.host}:{self._requested_port}: "
                f"{exc.strerror or exc}"
            ) from exc
        self._port = self._server.sockets[0].getsockname()[1]
        log.info("embedded MQTT broker listening on %s", self.address)

    async def close(self) -> None:
        """Stop listening, close every client connection and wait for their handlers."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        for session in list(self._sessions.values()):
            session.will = None  # the broker leaving is not the client's failure
            self._close_session(session)
        handlers = list(self._handlers)
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        await server.wait_closed()
        self._sessions.clear()
        log.info("embedded MQTT broker on %s:%s closed", self.host, self._port)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # --- one connection -----------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        peer = writer.get_extra_info("peername")
        session: _Session | None = None
        try:
            session, keepalive = await self._handshake(reader, writer)
            if session is None:
                return
            timeout = keepalive * 1.5 if keepalive else None
            while not session.closed:
                async with asyncio.timeout(timeout):
                    kind, flags, body = await self._read_packet(reader)
                if kind == DISCONNECT:
                    session.will = None
                    return
                self._handle(session, kind, flags, body)
        except (asyncio.IncompleteReadError, ConnectionError, TimeoutError) as exc:
            if session is not None and not session.closed:
                log.debug("MQTT client %s (%s) gone: %r", session.client_id, peer, exc)
        except ProtocolViolation as exc:
            name = session.client_id if session else "?"
            log.warning("MQTT client %s (%s) disconnected: %s", name, peer, exc)
        except asyncio.CancelledError:
            pass  # the broker is closing; the handler ends here
        finally:
            self._handlers.discard(task)
            if session is not None:
                self._end_session(session)
            writer.close()

    async def _handshake(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> tuple[_Session | None, int]:
        async with asyncio.timeout(10):
            kind, _, body = await self._read_packet(reader)
        if kind != CONNECT:
            raise ProtocolViolation(f"expected CONNECT first, got packet type {kind}")
        buf = _Reader(body)
        protocol, level, flags = buf.string(), buf.byte(), buf.byte()
        keepalive = buf.uint16()
        if (protocol, level) not in (("MQTT", 4), ("MQIsdp", 3)):
            writer.write(bytes((CONNACK << 4, 2, 0, _CONNACK_BAD_PROTOCOL)))
            return None, 0
        client_id = buf.string()
        if not client_id:
            if not flags & 0x02:
                writer.write(bytes((CONNACK << 4, 2, 0, _CONNACK_BAD_CLIENT_ID)))
                return None, 0
            client_id = f"embedded-{id(writer):x}"
        will = None
        if flags & 0x04:
            topic, payload = buf.string(), buf.binary()
            if not is_valid_topic(topic):
                raise ProtocolViolation(f"will topic {topic!r} is not a topic")
            will = _Will(topic, payload, min((flags >> 3) & 0x03, 1), bool(flags & 0x20))
        # user name and password (flags 0x80, 0x40) are accepted unread: loopback demo broker
        previous = self._sessions.get(client_id)
        if previous is not None:  # [MQTT-3.1.4-2] the new connection takes over the client id
            self._close_session(previous)
        session = _Session(client_id, writer, will=will)
        self._sessions[client_id] = session
        writer.write(bytes((CONNACK << 4, 2, 0, 0)))
        return session, keepalive

    async def _read_packet(self, reader: asyncio.StreamReader) -> tuple[int, int, bytes]:
        first = (await reader.readexactly(1))[0]
        length = 0
        for shift in (0, 7, 14, 21):
            byte = (await reader.readexactly(1))[0]
            length |= (byte & 0x7F) << shift
            if not byte & 0x80:
                break
        else:
            raise ProtocolViolation("remaining length longer than 4 bytes")
        if length > self.max_packet:
            raise ProtocolViolation(f"packet of {length} bytes, more than {self.max_packet}")
        body = await reader.readexactly(length) if length else b""
        return first >> 4, first & 0x0F, body

    def _handle(self, session: _Session, kind: int, flags: int, body: bytes) -> None:
        if kind == PUBLISH:
            self._on_publish(session, flags, body)
        elif kind == PUBACK:
            pass  # clean sessions over TCP: nothing is retransmitted, so nothing to release
        elif kind == SUBSCRIBE:
            self._on_subscribe(session, flags, body)
        elif kind == UNSUBSCRIBE:
            buf = _Reader(body)
            packet_id = buf.uint16()
            while buf.remaining():
                session.subscriptions.pop(buf.string(), None)
            self._send(session, bytes((UNSUBACK << 4, 2)) + struct.pack("!H", packet_id))
        elif kind == PINGREQ:
            self._send(session, bytes((PINGRESP << 4, 0)))
        else:
            raise ProtocolViolation(f"packet type {kind} is not supported")

    def _on_publish(self, session: _Session, flags: int, body: bytes) -> None:
        qos, retain = (flags >> 1) & 0x03, bool(flags & 0x01)
        if qos > 1:
            raise ProtocolViolation(f"PUBLISH with QoS {qos}: this broker supports QoS 0 and 1")
        buf = _Reader(body)
        topic = buf.string()
        if not is_valid_topic(topic):
            raise ProtocolViolation(f"PUBLISH to {topic!r}, which is not a topic")
        packet_id = buf.uint16() if qos else 0
        payload = buf.rest()
        self.route(topic, payload, qos, retain)
        if qos:
            self._send(session, bytes((PUBACK << 4, 2)) + struct.pack("!H", packet_id))

    def _on_subscribe(self, session: _Session, flags: int, body: bytes) -> None:
        if flags != 0x02:
            raise ProtocolViolation("SUBSCRIBE with reserved flags other than 0010")
        buf = _Reader(body)
        packet_id = buf.uint16()
        granted: list[int] = []
        accepted: list[tuple[str, int]] = []
        while buf.remaining():
            topic_filter, requested = buf.string(), buf.byte() & 0x03
            if not is_valid_filter(topic_filter):
                granted.append(0x80)
                continue
            qos = min(requested, 1)
            session.subscriptions[topic_filter] = qos
            granted.append(qos)
            accepted.append((topic_filter, qos))
        if not granted:
            raise ProtocolViolation("SUBSCRIBE without a topic filter")
        self._send(session, _packet(SUBACK, 0, struct.pack("!H", packet_id) + bytes(granted)))
        for topic_filter, qos in accepted:  # [MQTT-3.3.1-6] retained messages, retain flag set
            for topic, message in self._retained.items():
                if matches(topic_filter, topic):
                    self._deliver(session, topic, message.payload, min(qos, message.qos), True)

    # --- routing ------------------------------------------------------------------------------

    def route(self, topic: str, payload: bytes, qos: int, retain: bool) -> None:
        """Deliver a message to every matching subscription (and keep it if retained)."""
        self.messages_in += 1
        if retain:
            if payload:
                self._retained[topic] = _Retained(payload, qos)
            else:
                self._retained.pop(topic, None)
        for session in list(self._sessions.values()):
            granted = -1
            for topic_filter, sub_qos in session.subscriptions.items():
                if sub_qos > granted and matches(topic_filter, topic):
                    granted = sub_qos
            if granted >= 0:  # one copy per client, at the highest QoS of its matching filters
                self._deliver(session, topic, payload, min(qos, granted), False)

    def _deliver(
        self, session: _Session, topic: str, payload: bytes, qos: int, retain: bool
    ) -> None:
        header = _string(topic)
        if qos:
            header += struct.pack("!H", next(session.packet_ids))
        self._send(session, _packet(PUBLISH, (qos << 1) | int(retain), header + payload))
        self.messages_out += 1

    def _send(self, session: _Session, data: bytes) -> None:
        if session.closed:
            return
        transport = session.writer.transport
        if transport.get_write_buffer_size() > self.max_buffer:
            log.warning(
                "MQTT client %s reads too slowly (%d bytes waiting): disconnected",
                session.client_id,
                transport.get_write_buffer_size(),
            )
            self._close_session(session)
            return
        session.writer.write(data)

    def _close_session(self, session: _Session) -> None:
        session.closed = True
        session.writer.close()

    def _end_session(self, session: _Session) -> None:
        if self._sessions.get(session.client_id) is session:
            del self._sessions[session.client_id]
        session.closed = True
        will, session.will = session.will, None
        if will is not None:
            self.route(will.topic, will.payload, will.qos, will.retain)


class _Reader:
    """Reads MQTT fields from one packet body; a short body is a protocol violation."""

    __slots__ = ("_data", "_pos")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    def _take(self, count: int) -> bytes:
        end = self._pos + count
        if end > len(self._data):
            raise ProtocolViolation("packet shorter than its fields")
        chunk = self._data[self._pos : end]
        self._pos = end
        return chunk

    def byte(self) -> int:
        return self._take(1)[0]

    def uint16(self) -> int:
        value: int = struct.unpack("!H", self._take(2))[0]
        return value

    def binary(self) -> bytes:
        return self._take(self.uint16())

    def string(self) -> str:
        try:
            return self.binary().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolViolation("a string field is not UTF-8") from exc

    def rest(self) -> bytes:
        chunk = self._data[self._pos :]
        self._pos = len(self._data)
        return chunk

    def remaining(self) -> int:
        return len(self._data) - self._pos


def _string(text: str) -> bytes:
    data = text.encode()
    return struct.pack("!H", len(data)) + data


def _packet(kind: int, flags: int, body: bytes) -> bytes:
    length = len(body)
    header = bytearray(((kind << 4) | flags,))
    while True:
        byte, length = length & 0x7F, length >> 7
        header.append(byte | (0x80 if length else 0))
        if not length:
            return bytes(header) + body


async def pick_broker(
    config: BusConfig, *, timeout: float = 2.0
) -> tuple[BusConfig, EmbeddedBroker | None, str]:
    """The configured broker if it accepts an MQTT connection, else a started embedded one.

    Returns the config to use, the embedded broker (None when the configured one answered;
    the caller owns it and closes it, e.g. with `async with broker:`) and a sentence saying
    which broker is used and why.
    """
    started = time.perf_counter()
    problem = await probe(config, timeout)
    if problem is None:
        return config, None, f"MQTT broker at {config.address} (configured)"
    broker = EmbeddedBroker("127.0.0.1", 0)
    await broker.start()
    log.debug("broker probe and start took %.3f s", time.perf_counter() - started)
    embedded = dataclasses.replace(config, host=broker.host, port=broker.port)
    return (
        embedded,
        broker,
        f"embedded MQTT broker on {broker.address} (none reachable at {config.address}: {problem})",
    )
