"""The AMI client: one logged-in session at a time, reconnected for ever, typed events out.

Usage::

    async with AmiClient(AmiConfig.from_env()) as ami:
        reply = await ami.send(actions.setvar("", "X", "1"))
        channels = await ami.send_list(actions.core_show_channels())
        async for event in ami.events():
            ...

Replies are matched to actions by `ActionID` through one `dict[id, _Pending]`
cleaned in a `finally`; event-list actions (`EventList: start` ... `<X>Complete`)
resolve to one `ListResult`. Events are classified by `Event:` first, since
`OriginateResponse` carries `Response:` and `UserEvent` copies the `ActionID`.
After each login the client asks `CoreShowChannels` and `DeviceStateList` and puts a
`Resynced` fact in the stream, so the engine can reconcile what it missed.

panoramisk is not used: it routes any message whose ActionID matches a pending
action to that action before looking at `Event:` (folding OriginateResponse into
the Originate's result), guesses multi-message replies from their wording, keeps
an unbounded buffer while no terminator arrives, and is slower; see `docs/ami.md`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import random
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

from callcenter.ami import actions
from callcenter.ami.actions import AmiAction
from callcenter.ami.codec import (
    DEFAULT_MAX_FRAME,
    Banner,
    FrameDecoder,
    FrameError,
    Message,
    Value,
    encode_action,
    event_name_of,
    parse_frame,
)
from callcenter.ami.errors import (
    AmiActionError,
    AmiAuthenticationError,
    AmiConnectionError,
    AmiError,
    AmiNotConnectedError,
    AmiProtocolError,
    AmiTimeoutError,
)
from callcenter.ami.events import (
    NOISE_EVENTS,
    AmiEvent,
    Connected,
    CoreShowChannel,
    DeviceStateChange,
    Disconnected,
    ListComplete,
    Resynced,
    Shutdown,
    decode_event,
)

log = logging.getLogger(__name__)

_SECRET_ACTIONS = frozenset(("Login", "Challenge"))


@dataclass(frozen=True, slots=True)
class AmiConfig:
    """Where and how to connect. The secret never appears in repr, logs or errors."""

    username: str
    secret: str = field(repr=False)
    host: str = "127.0.0.1"
    port: int = 5038
    auth: Literal["plain", "md5"] = "md5"
    connect_timeout: float = 5.0
    action_timeout: float = 10.0
    ping_interval: float = 20.0
    ping_timeout: float = 5.0
    reconnect_initial: float = 0.5
    reconnect_max: float = 30.0
    max_frame: int = DEFAULT_MAX_FRAME
    resync: bool = True
    keep_events: frozenset[str] = frozenset()
    """Noise events (VarSet, Newexten...) to deliver anyway."""
    event_queue_size: int = 50_000
    wait_first_login: bool = False
    """Keep trying the first connection (with the reconnect backoff, one log line per attempt)
    while Asterisk cannot be reached, instead of failing `async with` at once; a refused login
    still fails at once (`callcenter serve` waits for a PBX that is still starting)."""

    @classmethod
    def from_env(cls, prefix: str = "CALLCENTER_AMI_", **overrides: object) -> AmiConfig:
        """Read `<prefix>USERNAME`, `SECRET`, `HOST`, `PORT`, `AUTH` from the environment."""
        env = os.environ
        missing = [k for k in ("USERNAME", "SECRET") if not env.get(prefix + k)]
        if missing:
            names = ", ".join(prefix + k for k in missing)
            raise AmiError(f"AMI credentials: expected environment variables {names}, not set")
        auth = env.get(prefix + "AUTH", "md5")
        if auth not in ("plain", "md5"):
            raise AmiError(f"{prefix}AUTH: expected 'plain' or 'md5', got {auth!r}")
        port_text = env.get(prefix + "PORT", "5038")
        if not port_text.isdigit():
            raise AmiError(f"{prefix}PORT: expected a TCP port number, got {port_text!r}")
        return cls(
            username=env[prefix + "USERNAME"],
            secret=env[prefix + "SECRET"],
            host=env.get(prefix + "HOST", "127.0.0.1"),
            port=int(port_text),
            auth="md5" if auth == "md5" else "plain",
            **overrides,  # type: ignore[arg-type]
        )


@dataclass(slots=True)
class Response:
    """The reply to an action: `ok` for Success/Goodbye, `output` the `Output:` lines."""

    action: str
    ok: bool
    message: str
    headers: dict[str, str]
    output: list[str]

    @classmethod
    def from_message(cls, action: str, message: Message) -> Response:
        status = message.headers.get("Response", "")
        return cls(
            action,
            status in ("Success", "Goodbye", "Follows"),
            message.headers.get("Message", ""),
            message.headers,
            message.values("Output"),
        )


@dataclass(slots=True)
class ListResult:
    """An event-list action's reply and all its items, in order."""

    response: Response
    items: list[AmiEvent]
    complete: ListComplete | None


@dataclass(slots=True)
class _Pending:
    action: str
    future: asyncio.Future[Response | ListResult]
    is_list: bool
    response: Response | None = None
    items: list[AmiEvent] = field(default_factory=list)


@dataclass(slots=True)
class ClientStats:
    """Counters for monitoring and benchmarks."""

    frames: int = 0
    events: int = 0
    noise_dropped: int = 0
    bad_frames: int = 0
    sessions: int = 0


class AmiClient:
    """An AMI session that reconnects with backoff and jitter; see the module docstring."""

    def __init__(self, config: AmiConfig, *, rng: random.Random | None = None) -> None:
        self._config = config
        self._rng = rng or random.Random()
        self._pending: dict[str, _Pending] = {}
        self._events: asyncio.Queue[AmiEvent | None] = asyncio.Queue(config.event_queue_size)
        self._writer: asyncio.StreamWriter | None = None
        self._write_lock = asyncio.Lock()
        self._logged_in = asyncio.Event()
        self._next_id = 0
        self._id_prefix = f"cc{os.getpid():x}{self._rng.randrange(16**4):04x}"
        self._group: asyncio.TaskGroup | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._closing = False
        self._first_login: asyncio.Future[None] | None = None
        self.version: str | None = None
        self.stats = ClientStats()

    # -- lifecycle -----------------------------------------------------------------------

    async def __aenter__(self) -> AmiClient:
        loop = asyncio.get_running_loop()
        self._first_login = loop.create_future()
        self._supervisor = asyncio.create_task(self._run(), name="ami-supervisor")
        try:
            await self._first_login
        except BaseException:
            await self.aclose()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Log off if possible, stop reconnecting, fail pending actions, end `events()`."""
        if self._closing:
            return
        self._closing = True
        if self._writer is not None and self._logged_in.is_set():
            with contextlib.suppress(AmiError, OSError, asyncio.TimeoutError):
                await self.send(actions.logoff(), timeout=1.0, check=False)
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
        self._fail_pending(AmiNotConnectedError("AMI client closed"))
        with contextlib.suppress(asyncio.QueueFull):
            self._events.put_nowait(None)

    @property
    def connected(self) -> bool:
        return self._logged_in.is_set()

    async def wait_connected(self, timeout: float | None = None) -> None:
        """Wait until a session is logged in (again)."""
        async with asyncio.timeout(timeout):
            await self._logged_in.wait()

    def backlog(self) -> int:
        """Events waiting in the queue for `events()` to hand them out."""
        return self._events.qsize()

    async def events(self) -> AsyncIterator[AmiEvent]:
        """Typed events and session facts (`Connected`, `Disconnected`, `Resynced`)."""
        while True:
            event = await self._events.get()
            if event is None:
                return
            yield event

    # -- actions -----------------------------------------------------------------------------

    def _new_id(self) -> str:
        self._next_id += 1
        return f"{self._id_prefix}-{self._next_id}"

    async def _send(
        self,
        name: str,
        fields: Mapping[str, Value] | None,
        is_list: bool,
        timeout: float | None,
        require_login: bool = True,
    ) -> Response | ListResult:
        writer = self._writer
        if writer is None or (require_login and not self._logged_in.is_set()):
            raise AmiNotConnectedError(f"AMI action {name!r}: no logged-in session")
        action_id = self._new_id()
        payload = encode_action(name, [("ActionID", action_id), *(fields or {}).items()])
        future: asyncio.Future[Response | ListResult] = asyncio.get_running_loop().create_future()
        self._pending[action_id] = _Pending(name, future, is_list)
        try:
            async with asyncio.timeout(timeout or self._config.action_timeout):
                writer.write(payload)
                async with self._write_lock:
                    await writer.drain()
                return await future
        except TimeoutError:
            raise AmiTimeoutError(
                f"AMI action {name!r}: no reply within {timeout or self._config.action_timeout} s"
            ) from None
        except (ConnectionError, OSError) as exc:
            raise AmiConnectionError(f"AMI action {name!r}: connection lost ({exc})") from None
        finally:
            self._pending.pop(action_id, None)

    async def action(
        self,
        name: str,
        fields: Mapping[str, Value] | None = None,
        *,
        timeout: float | None = None,
        check: bool = True,
    ) -> Response:
        """Send one action and return its reply; raise `AmiActionError` on an error if `check`."""
        reply = await self._send(name, fields, False, timeout, name not in _SECRET_ACTIONS)
        assert isinstance(reply, Response)
        if check and not reply.ok:
            raise AmiActionError(name, reply.message)
        return reply

    async def send(self, action: AmiAction, *, timeout: float | None = None,
                   check: bool = True) -> Response:
        """Send an action made by a builder of `callcenter.ami.actions`; see `action`."""
        return await self.action(action.name, action.fields, timeout=timeout, check=check)

    async def send_list(self, action: AmiAction, *, timeout: float | None = None) -> ListResult:
        """Send an event-list action made by a builder; see `list_action`."""
        return await self.list_action(action.name, action.fields, timeout=timeout)

    async def list_action(
        self,
        name: str,
        fields: Mapping[str, Value] | None = None,
        *,
        timeout: float | None = None,
    ) -> ListResult:
        """Send an event-list action (QueueStatus, CoreShowChannels, Status...) and collect it."""
        reply = await self._send(name, fields, True, timeout)
        assert isinstance(reply, ListResult)
        if not reply.response.ok:
            raise AmiActionError(name, reply.response.message)
        return reply

    async def command(self, cli: str, *, timeout: float | None = None) -> list[str]:
        """Run a CLI command; return its `Output:` lines (an unknown command raises)."""
        reply = await self.send(actions.command(cli), timeout=timeout, check=False)
        if not reply.ok:
            raise AmiActionError("Command", "; ".join(reply.output) or reply.message)
        return reply.output

    async def ping(self, *, timeout: float | None = None) -> None:
        await self.send(actions.ping(), timeout=timeout)

    # -- connection loop ------------------------------------------------------------------------

    async def _run(self) -> None:
        delay = self._config.reconnect_initial
        attempts = 0
        while not self._closing:
            waiting: AmiError | None = None  # why the first login has to wait, if it does
            attempts += 1
            try:
                await self._session()
                delay = self._config.reconnect_initial
            except AmiAuthenticationError as exc:
                if self._first_login is not None and not self._first_login.done():
                    self._first_login.set_exception(exc)
                    return
                log.error("AMI %s; retrying", exc)
            except (AmiError, OSError) as exc:
                error = exc if isinstance(exc, AmiError) else AmiConnectionError(str(exc))
                if self._first_login is not None and not self._first_login.done():
                    if not (self._config.wait_first_login and _worth_waiting(error)):
                        self._first_login.set_exception(error)
                        return
                    waiting = error
                else:
                    log.warning("AMI session to %s:%s ended: %s", self._config.host,
                                self._config.port, exc)
            if self._closing:
                return
            # Exponential backoff with "equal jitter" (AWS architecture blog, "Exponential
            # Backoff And Jitter", 2015): sleep U(delay/2, delay), then double up to the cap.
            pause = self._rng.uniform(delay / 2, delay)
            if waiting is not None:
                log.warning("waiting for Asterisk: %s; attempt %d, next in %.1f s",
                            waiting, attempts, pause)
            await asyncio.sleep(pause)
            delay = min(delay * 2, self._config.reconnect_max)

    async def _session(self) -> None:
        cfg = self._config
        try:
            async with asyncio.timeout(cfg.connect_timeout):
                reader, writer = await asyncio.open_connection(cfg.host, cfg.port)
        except (TimeoutError, OSError) as exc:
            raise AmiConnectionError(
                f"AMI connect to {cfg.host}:{cfg.port} failed: {exc or 'timeout'}"
            ) from None
        decoder = FrameDecoder(max_frame=cfg.max_frame)
        self._writer = writer
        session = self.stats.sessions + 1
        reason = "connection closed by peer"
        # The reader and the keepalive are this session's only tasks; both are
        # cancelled and awaited in the finally below, whatever ends the session.
        tasks: list[asyncio.Task[None]] = []
        try:
            early = await self._read_banner(reader, decoder)
            reader_task = asyncio.create_task(
                self._read_loop(reader, decoder, early), name=f"ami-reader-{session}"
            )
            tasks.append(reader_task)
            await self._login()
            session = self.stats.sessions
            if self._first_login is not None and not self._first_login.done():
                self._first_login.set_result(None)
            if cfg.resync:
                await self._resync(session)
            tasks.append(asyncio.create_task(self._keepalive(), name=f"ami-keepalive-{session}"))
            await reader_task
        except AmiError as exc:
            reason = str(exc)
            raise
        except (ConnectionError, OSError) as exc:
            reason = f"connection lost: {exc}"
            raise AmiConnectionError(reason) from None
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, ConnectionError, OSError):
                    await task
            was_in = self._logged_in.is_set()
            self._logged_in.clear()
            self._writer = None
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()
            self._fail_pending(AmiConnectionError(f"AMI connection lost: {reason}"))
            if was_in:
                with contextlib.suppress(asyncio.QueueFull):
                    self._events.put_nowait(Disconnected(time.monotonic(), session, reason))

    async def _read_banner(self, reader: asyncio.StreamReader, decoder: FrameDecoder) -> list[str]:
        """Read up to the banner; return frames that came in the same packets after it."""
        early: list[str] = []
        self.version = None
        async with asyncio.timeout(self._config.connect_timeout):
            while self.version is None:
                data = await reader.read(4096)
                if not data:  # e.g. Asterisk starting or stopping: not a protocol error
                    raise AmiConnectionError(
                        f"AMI at {self._config.host}:{self._config.port} closed the connection"
                        " before sending its banner")
                for frame in decoder.feed(data):
                    if isinstance(frame, Banner):
                        self.version = frame.version
                    elif self.version is None:
                        raise AmiProtocolError(
                            "AMI: expected the banner 'Asterisk Call Manager/<version>',"
                            f" got {data[:40]!r}"
                        )
                    elif isinstance(frame, str):
                        early.append(frame)
        return early

    async def _login(self) -> None:
        cfg = self._config
        try:
            if cfg.auth == "md5":
                ask = actions.challenge()
                challenge = await self._send(ask.name, ask.fields, False, cfg.action_timeout,
                                             False)
                assert isinstance(challenge, Response)
                if not challenge.ok or not challenge.headers.get("Challenge"):
                    raise AmiAuthenticationError(
                        f"AMI MD5 challenge refused at {cfg.host}:{cfg.port}: {challenge.message}"
                    )
                key = hashlib.md5(
                    (challenge.headers["Challenge"] + cfg.secret).encode(), usedforsecurity=False
                ).hexdigest()
                login = actions.login_md5(cfg.username, key)
            else:
                login = actions.login(cfg.username, cfg.secret)
            reply = await self._send(login.name, login.fields, False, cfg.action_timeout, False)
        except AmiConnectionError:
            # Asterisk closes the socket right after a failed login.
            raise AmiAuthenticationError(
                f"AMI login as {cfg.username!r} at {cfg.host}:{cfg.port}: connection closed"
            ) from None
        assert isinstance(reply, Response)
        if not reply.ok:
            raise AmiAuthenticationError(
                f"AMI login as {cfg.username!r} at {cfg.host}:{cfg.port} refused: {reply.message}"
            )

    async def _resync(self, session: int) -> None:
        channels = await self.send_list(actions.core_show_channels())
        try:
            devices = (await self.send_list(actions.device_state_list())).items
        except AmiActionError as exc:
            log.warning("AMI resync: %s; device states stay unknown until they change", exc)
            devices = []
        await self._emit(
            Resynced(
                time.monotonic(),
                session,
                [e for e in channels.items if isinstance(e, CoreShowChannel)],
                [e for e in devices if isinstance(e, DeviceStateChange)],
            )
        )

    async def _keepalive(self) -> None:
        cfg = self._config
        while True:
            await asyncio.sleep(cfg.ping_interval)
            try:
                await self.ping(timeout=cfg.ping_timeout)
            except AmiTimeoutError:
                log.warning("AMI keepalive: no Pong within %s s; reconnecting", cfg.ping_timeout)
                if self._writer is not None:
                    self._writer.transport.abort()
                return

    async def _read_loop(
        self, reader: asyncio.StreamReader, decoder: FrameDecoder, early: list[str]
    ) -> None:
        try:
            now = time.monotonic()
            for frame in early:
                await self.handle_frame(frame, now)
            while True:
                data = await reader.read(65536)
                if not data:
                    return
                now = time.monotonic()
                for item in decoder.feed(data):
                    if isinstance(item, str):
                        await self.handle_frame(item, now)
                    elif isinstance(item, FrameError):
                        self._bad_frame(item)
        finally:
            self._fail_pending(AmiConnectionError("AMI connection closed by the peer"))

    # -- dispatch --------------------------------------------------------------------------------

    def _bad_frame(self, frame: FrameError | str) -> None:
        self.stats.bad_frames += 1
        n = self.stats.bad_frames
        if n <= 10 or n % 1000 == 0:
            what = frame.reason if isinstance(frame, FrameError) else "no 'Key: Value' line"
            size = frame.size if isinstance(frame, FrameError) else len(frame)
            log.warning("AMI: discarded a frame of %d bytes (%s); %d so far", size, what, n)

    async def _emit(self, event: AmiEvent) -> None:
        await self._events.put(event)

    async def handle_frame(self, frame: str, received_at: float) -> None:
        """Classify one frame (event first, then response) and route it."""
        self.stats.frames += 1
        name = event_name_of(frame)
        if name is not None and name in NOISE_EVENTS and name not in self._config.keep_events:
            self.stats.noise_dropped += 1
            return
        message = parse_frame(frame)
        if message is None:
            self._bad_frame(frame)
            return
        headers = message.headers
        if "Event" in headers:
            action_id = headers.get("ActionID")
            if action_id is not None:
                pending = self._pending.get(action_id)
                if pending is not None and pending.is_list and pending.response is not None:
                    event = decode_event(message, received_at)
                    if headers.get("EventList") == "Complete":
                        assert isinstance(event, ListComplete)
                        if not pending.future.done():
                            pending.future.set_result(
                                ListResult(pending.response, pending.items, event)
                            )
                    else:
                        pending.items.append(event)
                    return
            self.stats.events += 1
            event = decode_event(message, received_at)
            await self._emit(event)
            if isinstance(event, Shutdown):
                log.warning("AMI: the PBX is shutting down (restart=%s)", event.restart)
            return
        if "Response" in headers:
            action_id = headers.get("ActionID")
            pending = self._pending.get(action_id) if action_id is not None else None
            if pending is None:
                log.warning("AMI: reply to no pending action (ActionID %r, Response %r)",
                            action_id, headers.get("Response"))
                return
            response = Response.from_message(pending.action, message)
            if pending.action == "Login" and response.ok:
                # Announce the session here, before the reader hands on FullyBooted and
                # the rest of the packet, so that `Connected` leads the new session's events.
                self.stats.sessions += 1
                self._logged_in.set()
                await self._emit(Connected(received_at, self.stats.sessions, self.version or ""))
            if pending.is_list and response.ok and headers.get("EventList") == "start":
                pending.response = response
                return
            if not pending.future.done():
                if pending.is_list:
                    pending.future.set_result(ListResult(response, [], None))
                else:
                    pending.future.set_result(response)
            return
        self._bad_frame(frame)

    def _fail_pending(self, exc: AmiError) -> None:
        for pending in list(self._pending.values()):
            if not pending.future.done():
                pending.future.set_exception(exc)
                # Retrieved by the awaiting action; mark so an unawaited one does not warn.
                pending.future.exception()


def _worth_waiting(error: AmiError) -> bool:
    """Whether a failed first connection may succeed later: Asterisk not listening yet, or
    not answering yet. A refused login, or a peer that does not speak AMI, will not."""
    return isinstance(error, AmiConnectionError | AmiTimeoutError)
