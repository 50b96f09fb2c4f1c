"""`callcenter emulator --phones N --rate R` serves the engine dialplan and an inbound load."""

from __future__ import annotations

import asyncio
import socket
import sys

from callcenter.ami import events as ev
from callcenter.ami.client import AmiClient, AmiConfig


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_cli_serves_softphones_and_an_inbound_load() -> None:
    port = _free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from callcenter.cli import main; main()", "emulator",
        "--port", str(port), "--phones", "3", "--first-ext", "2000", "--rate", "20",
        "--duration", "30", "--speed", "10", "--did", "4100", "--queue", "sales",
        stdout=asyncio.subprocess.PIPE)
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
        assert f"127.0.0.1:{port}" in line and "PJSIP/2000..2002" in line
        async with AmiClient(AmiConfig("cc", "ccsecret", port=port, resync=False)) as ami:
            devices = await ami.list_action("DeviceStateList")
            assert {m.device for m in devices.items if isinstance(m, ev.DeviceStateChange)
                    and m.device.startswith("PJSIP/")} >= {"PJSIP/2000", "PJSIP/2002"}
            async with asyncio.timeout(10):
                async for e in ami.events():
                    if isinstance(e, ev.UserEvent) and e.user_event == "CallcenterEnqueue":
                        assert e.fields["Queue"] == "sales"
                        assert e.channel is not None and e.channel.exten == "s"
                        break
    finally:
        proc.terminate()
        await proc.wait()
