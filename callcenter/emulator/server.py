"""The Asterisk emulator: an asyncio TCP server speaking AMI like Asterisk 22.

    async with Emulator(speed=20) as emu:          # 127.0.0.1, a free port
        ... AmiClient(AmiConfig("cc", "ccsecret", port=emu.port)) ...
        await emu.core_restart()                    # g2/g3 behaviour
        emu.drop_connections()                      # a network cut

`speed` makes dialplan time (Wait, ring and talk times, queue timeouts) run that
many times faster; the wire format does not change.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from callcenter.emulator import pjsip_ami  # noqa: F401  (registers res_pjsip's actions)
from callcenter.emulator.ami import Session
from callcenter.emulator.pbx import Pbx
from callcenter.emulator.phones import Phones, Trunk

if TYPE_CHECKING:
    from dialplans.model import Dialplan as DialplanModel


class Emulator:
    """See the module docstring. The listening socket is on 127.0.0.1 only."""

    def __init__(
        self,
        *,
        speed: float = 1.0,
        port: int = 0,
        users: dict[str, str] | None = None,
        auth_delay_speed: float | None = None,
        setup: Callable[[Pbx], None] | None = None,
        contexts: DialplanModel | None = None,
        app_queue: bool | None = None,
        sounds_dir: str | None = None,
    ) -> None:
        """`app_queue` and `sounds_dir`: see `Pbx` (app_queue loaded when the dialplan
        needs it; prompts all play unless a sounds directory is given)."""
        self.speed = speed
        self.port = port
        self.users = users if users is not None else {"cc": "ccsecret"}
        self.auth_speed = auth_delay_speed if auth_delay_speed is not None else speed
        self._setup = setup
        self._contexts = contexts
        self._app_queue = app_queue
        self._sounds_dir = sounds_dir
        self.pbx = self._new_pbx()
        self.sessions: set[Session] = set()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.started_wall = time.time()
        self.responsive = asyncio.Event()
        self.responsive.set()

    def _new_pbx(self) -> Pbx:
        pbx = Pbx(speed=self.speed, contexts=self._contexts, app_queue=self._app_queue,
                  sounds_dir=self._sounds_dir)
        if self._setup is not None:
            self._setup(pbx)
        return pbx

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        self.resume()
        self.drop_connections()
        await self.pbx.stop()
        # Sessions end by themselves once their socket is gone; cancel only stragglers
        # (a cancelled connection handler makes asyncio log an error).
        tasks = list(self._tasks)
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=1.0)
            for task in pending:
                task.cancel()
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._server is not None:
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = Session(self, reader, writer)
        self.sessions.add(session)
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await session.run()
        finally:
            self.sessions.discard(session)
            session.close()
            if task is not None:
                self._tasks.discard(task)

    @property
    def phones(self) -> Phones:
        """The PJSIP softphones of the current PBX (a core restart makes a new one)."""
        return self.pbx.phones

    @property
    def trunk(self) -> Trunk:
        return self.pbx.trunk

    # -- operations ------------------------------------------------------------------------

    def stall(self) -> None:
        """Stop answering actions (a hung PBX); events still flow. `resume()` undoes it."""
        self.responsive.clear()

    def resume(self) -> None:
        self.responsive.set()

    def inject(self, data: bytes) -> None:
        """Write raw bytes to every logged-in session (garbage, for robustness tests)."""
        for session in list(self.sessions):
            if session.logged_in and not session.closed:
                session.writer.write(data)

    def drop_connections(self) -> None:
        """Cut every AMI connection at once (no Shutdown, no Goodbye): a network failure."""
        for session in list(self.sessions):
            transport = session.writer.transport
            session.close()
            transport.abort()

    async def cut(self, down_for: float) -> None:
        """A network outage: drop every connection and refuse new ones for `down_for`
        seconds (calls go on meanwhile), then listen again on the same port."""
        if self._server is not None:
            self._server.close()
        self.drop_connections()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
        await asyncio.sleep(down_for)
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def core_stop(self, *, restart: bool = False) -> None:
        """`core stop now|gracefully` (or `core restart now`): hang up every channel
        (SoftHangupRequest cause 4), send `Shutdown`, close every connection."""
        pbx = self.pbx
        for ch in pbx.listed():  # ast_softhangup_all: the container's order
            if not ch.hungup:
                pbx.emit("SoftHangupRequest", "call,all", [*ch.snapshot(), ("Cause", "4")])
                ch.soft_hangup = True
                ch.hangup_cause = 16
                ch.interrupt.set()
        if pbx.channels:
            await asyncio.sleep(0.05)
        for ch in list(pbx.channels.values()):
            pbx.hangup(ch, 16, soft=False)
        pbx.emit("Shutdown", "system,all", [("Shutdown", "Cleanly"),
                                           ("Restart", "True" if restart else "False")])
        for session in list(self.sessions):
            with contextlib.suppress(ConnectionError, OSError):
                await session.writer.drain()
            session.close()  # FIN after the Shutdown event; Asterisk sends no Goodbye
        await pbx.stop()

    async def core_restart(self, *, down_for: float = 0.5) -> None:
        """`core restart now`: stop as above, refuse connections for `down_for` seconds,
        then come back with a fresh PBX (counters and Local suffixes restart at 0)."""
        await self.core_stop(restart=True)
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
        await asyncio.sleep(down_for)
        self.pbx = self._new_pbx()
        self.started_wall = time.time()
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    def cli(self, command: str) -> list[str] | None:
        """The few CLI commands the `Command` action knows; None for unknown ones."""
        words = command.split()
        if words[:3] == ["core", "show", "version"]:
            return ["Asterisk 22.10.1 built by callcenter-emulator on a x86_64 running Linux"]
        if words[:2] == ["queue", "show"] and self.pbx.app_queue:
            lines: list[str] = []
            for q in self.pbx.queues.queues.values():
                if len(words) > 2 and q.name != words[2]:
                    continue
                lines.append(f"{q.name} has {len(q.callers)} calls (max unlimited) in "
                             f"'{q.strategy}' strategy ({q.holdtime}s holdtime, {q.talktime}s "
                             f"talktime), W:0, C:{q.completed}, A:{q.abandoned}, SL:0.0%, "
                             "SL2:0.0% within 0s")
                lines.append("   Members: " if q.members else "   No Members")
                for m in q.members:
                    state = "In use" if m.status == 2 else "Not in use"
                    lines.append(f"      {m.name} ({m.interface}) (ringinuse "
                                 f"{'enabled' if m.ringinuse else 'disabled'}) ({state}) "
                                 f"has taken {m.calls_taken} calls")
                lines.append("   No Callers" if not q.callers else "   Callers: ")
                lines += ["", ""]
            return lines
        if words[:3] == ["core", "show", "channels"]:
            return [c.name for c in self.pbx.listed()] + [
                f"{len(self.pbx.channels)} active channels"]
        return None
