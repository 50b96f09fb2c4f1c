"""`callcenter emulator`: run the Asterisk emulator (AMI on 127.0.0.1) until interrupted."""

from __future__ import annotations

import asyncio
import contextlib
import os

import typer

from callcenter.cli.app import app
from callcenter.emulator import Agent, Emulator, Workload


@app.command("emulator")
def emulator(
    port: int = typer.Option(5038, help="TCP port on 127.0.0.1 for AMI."),
    speed: float = typer.Option(1.0, min=0.01, help="Dialplan time runs this many times faster."),
    agents: int = typer.Option(
        0, min=0, max=99, help="Extra answering agents 1100.. in 'support'."
    ),
    talk: float = typer.Option(60.0, min=0.0, help="Talk time of the extra agents, seconds."),
) -> None:
    """Serve the Asterisk 22 emulator (user `cc`, secret from CALLCENTER_AMI_SECRET or
    `ccsecret`) with the fixture dialplan and queues (support, sales, ringall, backoffice)."""
    secret = os.environ.get("CALLCENTER_AMI_SECRET", "ccsecret")

    async def serve() -> None:
        async with Emulator(speed=speed, port=port, users={"cc": secret}) as emu:
            load = Workload(emu.pbx)
            for i in range(agents):
                load.add_agent(Agent(f"11{i:02d}", ring=2, talk=talk))
            typer.echo(
                f"Asterisk emulator: AMI on 127.0.0.1:{emu.port} (speed x{speed:g}); "
                "Ctrl-C stops it"
            )
            await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())
