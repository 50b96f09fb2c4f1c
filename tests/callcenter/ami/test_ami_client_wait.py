"""The first connection: by default a PBX that is not there fails `async with` at once; with
`wait_first_login` the client waits for it (one log line per attempt), but never for a
refused login."""

from __future__ import annotations

import asyncio
import logging
import socket
import time

import pytest

from callcenter.ami import AmiAuthenticationError, AmiClient, AmiConfig, AmiConnectionError
from callcenter.emulator import Emulator


def reserve() -> socket.socket:
    """A bound port nobody listens on (connections are refused) until it is closed."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


async def test_without_waiting_an_absent_pbx_fails_at_once() -> None:
    with reserve() as sock:
        config = AmiConfig(username="cc", secret="ccsecret", port=sock.getsockname()[1])
        with pytest.raises(AmiConnectionError, match="Connect call failed"):
            async with AmiClient(config):
                pass


async def test_waiting_for_a_pbx_that_starts_later(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="callcenter.ami.client")
    sock = reserve()
    port = sock.getsockname()[1]
    config = AmiConfig(username="cc", secret="ccsecret", port=port, wait_first_login=True,
                       reconnect_initial=0.1, reconnect_max=0.2)
    client = AmiClient(config)
    entering = asyncio.create_task(client.__aenter__())
    try:
        async with asyncio.timeout(5):
            while len(caplog.records) < 2:
                await asyncio.sleep(0.02)
        assert not entering.done()
        sock.close()
        async with Emulator(port=port):
            await asyncio.wait_for(entering, 5)
            assert client.connected
    finally:
        await client.aclose()
        sock.close()
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0].startswith(f"waiting for Asterisk: AMI connect to 127.0.0.1:{port} failed")
    assert "; attempt 1, next in " in lines[0] and "; attempt 2, next in " in lines[1]


async def test_a_refused_login_is_not_waited_for() -> None:
    async with Emulator(auth_delay_speed=20.0) as emu:
        config = AmiConfig(username="cc", secret="wrong", port=emu.port, wait_first_login=True)
        started = time.monotonic()
        with pytest.raises(AmiAuthenticationError, match="refused: Authentication failed"):
            async with AmiClient(config):
                pass
        assert time.monotonic() - started < 2.0
