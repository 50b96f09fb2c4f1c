"""`callcenter emulator --phones N --rate R` serves the engine dialplan and an inbound load."""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path

from typer.testing import CliRunner

from callcenter.ami import events as ev
from callcenter.ami.client import AmiClient, AmiConfig
from callcenter.cli.app import app


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
            # The engine's dialplan does not need app_queue: not loaded, as on a PBX
            # whose modules.conf leaves it out; the engine's resync copes.
            queues = await ami.action("QueueStatus", check=False)
            assert not queues.ok and queues.message.startswith("Invalid/unknown command")
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


def test_cli_rejects_a_sounds_directory_that_does_not_exist(tmp_path: Path) -> None:
    def said(output: str) -> str:  # the words of typer's boxed error, unwrapped
        return " ".join(w for w in output.split() if w not in "│╭╮╰╯─")

    result = CliRunner().invoke(app, ["emulator", "--sounds", str(tmp_path / "none")])
    assert result.exit_code == 2 and "not a directory" in said(result.output)
    result = CliRunner().invoke(app, ["emulator", "--agents", "2", "--no-app-queue"])
    assert result.exit_code == 2 and "need app_queue" in said(result.output)
