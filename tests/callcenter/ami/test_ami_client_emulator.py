"""The client against the emulator: correlation, timeouts, keepalive, secrets."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import pytest

from callcenter.ami.client import AmiClient, AmiConfig
from callcenter.ami.errors import AmiAuthenticationError, AmiTimeoutError
from callcenter.ami.events import Connected, Disconnected
from callcenter.emulator import Emulator

SECRET = "s3cr3t-Value"


def _config(port: int, **kw: object) -> AmiConfig:
    base: dict[str, object] = {"reconnect_initial": 0.02, "reconnect_max": 0.1,
                               "ping_interval": 3600, "action_timeout": 2}
    base.update(kw)
    return AmiConfig("cc", SECRET, port=port, **base)  # type: ignore[arg-type]


async def test_concurrent_actions_get_their_own_replies() -> None:
    async with Emulator(speed=50, users={"cc": SECRET}) as emu, \
            AmiClient(_config(emu.port)) as ami:
        await asyncio.gather(*(ami.action("Setvar", {"Variable": f"V{i}", "Value": f"x{i}"})
                               for i in range(100)))
        replies = await asyncio.gather(*(ami.action("Getvar", {"Variable": f"V{i}"})
                                         for i in range(100)))
        lists = await asyncio.gather(*(ami.list_action("QueueStatus", {"Queue": q})
                                       for q in ("support", "sales", "ringall") * 5))
        assert [r.headers["Value"] for r in replies] == [f"x{i}" for i in range(100)]
        for result, queue in zip(lists, ("support", "sales", "ringall") * 5, strict=True):
            assert {getattr(e, "queue", None) for e in result.items} == {queue}
        assert ami._pending == {}


async def test_timeout_and_cancellation_leave_no_pending_reply() -> None:
    async with Emulator(speed=50, users={"cc": SECRET}) as emu, \
            AmiClient(_config(emu.port, resync=False)) as ami:
        emu.stall()
        with pytest.raises(AmiTimeoutError, match="'Ping'"):
            await ami.action("Ping", timeout=0.1)
        task = asyncio.create_task(ami.action("Ping", timeout=5))
        await asyncio.sleep(0.05)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        assert ami._pending == {}
        emu.resume()
        await ami.ping()


async def test_keepalive_timeout_reconnects() -> None:
    async with Emulator(speed=50, users={"cc": SECRET}) as emu, \
            AmiClient(_config(emu.port, ping_interval=0.05, ping_timeout=0.1,
                              resync=False)) as ami:
        emu.stall()
        seen = []
        async with asyncio.timeout(5):
            async for event in ami.events():
                seen.append(event)
                if isinstance(event, Disconnected):
                    emu.resume()
                if isinstance(event, Connected) and event.session == 2:
                    break
        assert any(isinstance(e, Disconnected) for e in seen)
        await ami.ping()


async def test_secret_is_never_logged_nor_in_errors(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with Emulator(speed=50, users={"cc": "other"}, auth_delay_speed=20) as emu:
        for auth in ("plain", "md5"):
            with pytest.raises(AmiAuthenticationError) as info:
                async with AmiClient(_config(emu.port, auth=auth)):
                    pass
            assert SECRET not in str(info.value) and SECRET not in repr(info.value)
    assert SECRET not in repr(_config(1))
    assert all(SECRET not in r.getMessage() for r in caplog.records)
