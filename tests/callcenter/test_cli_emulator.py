"""`callcenter emulator` serves AMI that the adapter can log in to."""

from __future__ import annotations

import asyncio
import os
import socket
import sys

from callcenter.ami.client import AmiClient, AmiConfig


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_cli_emulator_serves_ami() -> None:
    port = _free_port()
    env = {**os.environ, "CALLCENTER_AMI_SECRET": "cli-secret"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from callcenter.cli import main; main()", "emulator",
        "--port", str(port),
        "--agents", "3", env=env, stdout=asyncio.subprocess.PIPE)
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 20)
        assert f"127.0.0.1:{port}" in line.decode()
        config = AmiConfig("cc", "cli-secret", port=port, resync=False)
        async with AmiClient(config) as ami:
            status = await ami.list_action("QueueStatus", {"Queue": "support"})
            assert len(status.items) == 1 + 5  # params + 1001, 1002 and three agents
    finally:
        proc.terminate()
        await proc.wait()
