"""`FastAgiServer`: the engine's FastAGI endpoint, one task per session.

    handlers = {"ivr": run_ivr, "hold": announce_position}
    async with FastAgiServer("127.0.0.1", 0, handlers) as server:
        ... AGI(agi://127.0.0.1:{server.port}/ivr/main,arg) ...

The first segment of the URL path picks the handler; `info.script` keeps the whole path
(`ivr/main`) for the handler to read the rest. Each session runs in a named task of the
server's TaskGroup; leaving the block closes the listener and cancels live sessions.

Ending a session: the server closes the connection. Closing without a word makes
Asterisk set AGISTATUS=SUCCESS (`run_agi` reads end-of-file and returns its status,
SUCCESS unless the channel hung up), so where the dialplan should know the session
failed — unknown script, rejected environment, a handler crashing — the server first
sends `FAILURE`, which `run_agi` turns into AGISTATUS=FAILURE ("Special case for
inability to execute child process").
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import socket
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType

from callcenter.agi.channel import AgiChannel
from callcenter.agi.config import AgiConfig
from callcenter.agi.errors import AgiProtocolError
from callcenter.agi.protocol import FAILURE_LINE, channel_info, parse_env_line
from ivr.ports import CallerHungUp, ChannelTimeout

log = logging.getLogger(__name__)

Handler = Callable[[AgiChannel], Awaitable[object]]
"""A session's handler; whatever it returns is ignored."""


class FastAgiServer:
    """See the module docstring. `port` is the bound port once entered."""

    def __init__(self, host: str, port: int, handlers: Mapping[str, Handler], *,
                 config: AgiConfig | None = None) -> None:
        self.host = host
        self.port = port
        self.handlers = dict(handlers)
        self.config = config or AgiConfig()
        self.sessions_started = 0
        self._live: set[asyncio.Task[None]] = set()
        self._ids = itertools.count(1)
        self._server: asyncio.Server | None = None
        self._group: asyncio.TaskGroup | None = None

    @property
    def live_sessions(self) -> int:
        """Sessions whose task has not finished yet."""
        return len(self._live)

    async def __aenter__(self) -> FastAgiServer:
        group = asyncio.TaskGroup()
        await group.__aenter__()
        self._group = group
        try:
            # The reader's limit bounds every line: longer ones raise LimitOverrunError.
            self._server = await asyncio.start_server(
                self._accept, self.host, self.port, limit=self.config.max_line_bytes + 2)
        except BaseException:
            self._group = None
            await group.__aexit__(None, None, None)
            raise
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        server, group = self._server, self._group
        self._server = self._group = None
        if server is not None:
            server.close()
        for task in list(self._live):
            task.cancel()
        if group is not None:
            await group.__aexit__(exc_type, exc, tb)
        if server is not None:
            with contextlib.suppress(Exception):
                await server.wait_closed()

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """asyncio's connection callback: the session goes into the server's TaskGroup."""
        group = self._group
        if group is None:  # closing: refuse
            writer.transport.abort()
            return
        self.sessions_started += 1
        peer = _peer(writer)
        task = group.create_task(self._session(reader, writer, peer),
                                 name=f"fastagi-{next(self._ids)}-{peer}")
        self._live.add(task)
        task.add_done_callback(self._live.discard)

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                       peer: str) -> None:
        """One FastAGI session; never raises (but for cancellation), so the TaskGroup
        and the other sessions live on whatever one caller's session does."""
        try:
            await self._serve(reader, writer, peer)
        except (ConnectionError, asyncio.IncompleteReadError) as error:
            log.debug("FastAGI %s: connection lost (%s)", peer, error)
        except Exception:
            log.exception("FastAGI %s: session failed", peer)
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                     peer: str) -> None:
        try:
            async with asyncio.timeout(self.config.env_timeout_s):
                env = await self._read_env(reader)
            if env is None:
                log.debug("FastAGI %s: closed before its environment ended", peer)
                return
            info = channel_info(env)
        except TimeoutError:
            log.error("FastAGI %s: no complete environment within %g s", peer,
                      self.config.env_timeout_s)
            return
        except AgiProtocolError as error:
            log.error("FastAGI %s: environment rejected: %s", peer, error)
            await _fail(writer)
            return
        segment = info.script.partition("/")[0]
        handler = self.handlers.get(segment)
        if handler is None:
            log.error("FastAGI %s: no handler for script %r (channel %s, uniqueid %s)",
                      peer, info.script, info.channel, info.uniqueid)
            await _fail(writer)
            return
        channel = AgiChannel(reader, writer, info, self.config)
        try:
            await handler(channel)
        except CallerHungUp:
            log.debug("FastAGI %s: caller %s hung up", info.script, info.uniqueid)
        except ChannelTimeout as error:
            log.warning("FastAGI %s: uniqueid %s: %s", info.script, info.uniqueid, error)
        except Exception:
            log.exception("FastAGI %s: handler failed on %s (uniqueid %s)", info.script,
                          info.channel, info.uniqueid)
            if channel.usable:
                await _fail(writer)

    async def _read_env(self, reader: asyncio.StreamReader) -> dict[str, str] | None:
        """The `agi_*` block up to its blank line; None if the peer closed first.
        AgiProtocolError for a block over `max_env_lines` or a line over `max_line_bytes`."""
        env: dict[str, str] = {}
        limit = self.config.max_env_lines
        for _ in range(limit + 1):
            try:
                raw = await reader.readuntil(b"\n")
            except asyncio.IncompleteReadError:
                return None
            except asyncio.LimitOverrunError:
                raise AgiProtocolError(
                    "environment", f"<a line over {self.config.max_line_bytes} bytes>"
                ) from None
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if len(raw) > self.config.max_line_bytes + 1:
                raise AgiProtocolError(
                    "environment", f"<a line over {self.config.max_line_bytes} bytes>")
            if not line:
                return env
            key, value = parse_env_line(line)
            env[key] = value
        raise AgiProtocolError("environment", f"<more than {limit} lines>")


async def _fail(writer: asyncio.StreamWriter) -> None:
    """Tell Asterisk the session failed (AGISTATUS=FAILURE), best effort."""
    with contextlib.suppress(ConnectionError, RuntimeError):
        writer.write(FAILURE_LINE.encode() + b"\n")
        await writer.drain()


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free right now, for a dialplan that must name the port before the server
    binds it (the demo, tests). Another process could take it in between; on a one-user
    machine that does not happen in practice."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _peer(writer: asyncio.StreamWriter) -> str:
    address = writer.get_extra_info("peername")
    if isinstance(address, tuple) and len(address) >= 2:
        return f"{address[0]}:{address[1]}"
    return str(address)
