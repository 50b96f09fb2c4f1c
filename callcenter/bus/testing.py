"""Test helpers for code that talks MQTT: a Mosquitto of one's own, to stop and restart.

Usage::

    async with MosquittoProcess() as broker:        # a free port on 127.0.0.1
        config = BusConfig(port=broker.port)
        await broker.stop()                          # the broker is gone ...
        await broker.start()                         # ... and back, on the same port

`MosquittoProcess.available()` says why it cannot run (no binary) so tests can skip.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

from callcenter.bus.errors import BusError

MOSQUITTO_PATHS = ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the OS's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


async def can_connect(host: str, port: int, timeout: float = 1.0) -> bool:
    """True if a TCP connection to host:port is accepted within `timeout` seconds."""
    try:
        async with asyncio.timeout(timeout):
            _, writer = await asyncio.open_connection(host, port)
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


def mosquitto_binary() -> str | None:
    """The path of the mosquitto binary, or None."""
    found = shutil.which("mosquitto")
    if found:
        return found
    return next((path for path in MOSQUITTO_PATHS if os.access(path, os.X_OK)), None)


class MosquittoProcess:
    """A Mosquitto child process on `host:port`, no persistence, anonymous access unless
    `allow_anonymous=False`; `extra_config` lines are appended to its configuration (e.g.
    `password_file …`, `acl_file …`)."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None, *,
                 allow_anonymous: bool = True, extra_config: Sequence[str] = ()) -> None:
        binary = mosquitto_binary()
        if binary is None:
            raise BusError("mosquitto: no binary found on PATH or in /usr/sbin")
        self.binary = binary
        self.host = host
        self.port = port or free_port(host)
        self._dir = tempfile.TemporaryDirectory(prefix="cc-mosquitto-")
        self._config = Path(self._dir.name) / "mosquitto.conf"
        anonymous = "true" if allow_anonymous else "false"
        self._config.write_text(
            f"listener {self.port} {host}\nallow_anonymous {anonymous}\npersistence false\n"
            "log_dest none\n" + "".join(line + "\n" for line in extra_config)
        )
        self._process: asyncio.subprocess.Process | None = None

    @staticmethod
    def available() -> str | None:
        """None if a Mosquitto can be started here, else why not."""
        return None if mosquitto_binary() else "mosquitto binary not found"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def start(self, timeout: float = 10.0) -> None:
        """Start it and wait until it accepts connections."""
        if self.running:
            return
        self._process = await asyncio.create_subprocess_exec(
            self.binary,
            "-c",
            str(self._config),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        async with asyncio.timeout(timeout):
            while not await can_connect(self.host, self.port, 0.5):
                if self._process.returncode is not None:
                    err = await self._process.stderr.read() if self._process.stderr else b""
                    raise BusError(
                        f"mosquitto on port {self.port} exited with {self._process.returncode}: "
                        f"{err.decode(errors='replace').strip()[:300]}"
                    )
                await asyncio.sleep(0.05)

    async def stop(self) -> None:
        """Terminate it (SIGTERM, then SIGKILL after 5 s) and wait for it to exit."""
        process, self._process = self._process, None
        if process is None or process.returncode is not None:
            return
        process.terminate()
        try:
            async with asyncio.timeout(5):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
        self._dir.cleanup()
