"""`callcenter emulator`: run the Asterisk emulator (AMI on 127.0.0.1) until interrupted.

With `--phones N` it also serves the engine's generated dialplan (docs/engine.md) with N
PJSIP softphones `PJSIP/<first-ext>..`, and with `--rate` an inbound Poisson load on the
trunk, so the engine (or its benchmark) can run against it from another process.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import typer

from callcenter.cli.app import app


@app.command("emulator")
def emulator(
    port: int = typer.Option(5038, help="TCP port on 127.0.0.1 for AMI."),
    speed: float = typer.Option(1.0, min=0.01, help="Dialplan time runs this many times faster."),
    agents: int = typer.Option(
        0, min=0, max=99, help="Extra answering agents 1100.. in 'support' (fixture queues)."
    ),
    talk: float = typer.Option(
        60.0, min=0.0, help="Talk time, seconds: of the extra agents, and the mean bridged "
        "time after which an inbound caller hangs up."),
    phones: int = typer.Option(
        0, min=0, max=100000, help="PJSIP softphones PJSIP/<first-ext>.. (serves the engine "
        "dialplan: cc-inbound, cc-enqueue, cc-hold, cc-agent, cc-connect, cc-outbound)."),
    first_ext: int = typer.Option(1000, min=0, help="Endpoint of the first softphone."),
    ring: float = typer.Option(2.0, min=0.0, help="Softphones ring this long, then answer."),
    agent_talk: float = typer.Option(
        0.0, min=0.0, help="Softphones hang up this long after answering (0: never first)."),
    did: str = typer.Option("4000", help="The DID inbound calls dial (one route)."),
    queue: str = typer.Option("support", help="The queue the DID routes to."),
    rate: float = typer.Option(0.0, min=0.0, help="Inbound calls per second (Poisson); 0: none."),
    duration: float = typer.Option(60.0, min=0.0, help="Seconds of inbound load (PBX time)."),
    patience: float = typer.Option(
        60.0, min=0.0, help="Mean patience of inbound callers, seconds (exponential)."),
    seed: int = typer.Option(1, help="Seed of the load's random numbers."),
    start_after_login: float = typer.Option(
        -1.0, help="Start the inbound load this many seconds after the first AMI login"
        " (a load test waits for its engine); negative: at once."),
    sounds: Path | None = typer.Option(
        None, "--sounds", help="Asterisk's sounds directory: prompts missing from it fail "
        "as on a real PBX (Playback FAILED, STREAM FILE -1); without it every prompt plays."),
    app_queue: bool | None = typer.Option(
        None, "--app-queue/--no-app-queue", help="Load app_queue (QueueStatus, Queue()); "
        "default: only when the dialplan needs it (the fixture queues without --phones)."),
) -> None:
    """Serve the Asterisk 22 emulator (user `cc`, secret from CALLCENTER_AMI_SECRET or
    `ccsecret`) with the fixture dialplan and queues (support, sales, ringall, backoffice),
    and optionally the engine dialplan, softphones and an inbound load."""
    import asyncio

    import numpy as np

    from callcenter.emulator import Agent, Emulator, InboundCaller, Softphone, Workload
    from dialplans.engine_contexts import EngineDialplanParams, Route, engine_contexts

    secret = os.environ.get("CALLCENTER_AMI_SECRET", "ccsecret")
    if rate > 0 and phones == 0:
        raise typer.BadParameter("--rate needs --phones (the engine dialplan)", param_hint="--rate")
    if sounds is not None and not sounds.is_dir():
        raise typer.BadParameter(f"{sounds}: not a directory", param_hint="--sounds")
    if agents and app_queue is False:
        raise typer.BadParameter("--agents are queue members: they need app_queue",
                                 param_hint="--agents")
    contexts = None
    if phones:
        try:
            contexts = engine_contexts(EngineDialplanParams((Route(did, queue),)))
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc

    async def serve() -> None:
        async with Emulator(speed=speed, port=port, users={"cc": secret}, contexts=contexts,
                            app_queue=True if agents else app_queue,
                            sounds_dir=str(sounds) if sounds is not None else None) as emu:
            load = Workload(emu.pbx)
            for i in range(agents):
                load.add_agent(Agent(f"11{i:02d}", ring=2, talk=talk))
            never = 10.0 ** 9
            for i in range(phones):
                emu.phones.add(Softphone(f"PJSIP/{first_ext + i}", ring_s=ring,
                                         talk_s=agent_talk or never))
            line = f"Asterisk emulator: AMI on 127.0.0.1:{emu.port} (speed x{speed:g})"
            if phones:
                line += (f"; engine dialplan, {phones} softphones PJSIP/{first_ext}.."
                         f"{first_ext + phones - 1}, DID {did} -> {queue}")
            if rate > 0:
                line += f"; inbound {rate:g} calls/s for {duration:g} s"
            typer.echo(line + "; Ctrl-C stops it", color=False)
            if rate > 0 and start_after_login >= 0:
                while not any(session.logged_in for session in emu.sessions):
                    await asyncio.sleep(0.05)
                await asyncio.sleep(start_after_login)
                typer.echo("inbound load starts", color=False)
            if rate > 0:
                rng = np.random.default_rng(seed)
                patience_s = rng.exponential(patience or 1e-9, size=1 << 16)
                talk_s = rng.exponential(talk or 1e-9, size=1 << 16)
                mask = (1 << 16) - 1

                def caller(i: int) -> InboundCaller:
                    return InboundCaller(f"55{i % 100000:05d}", did,
                                         float(patience_s[i & mask]), float(talk_s[i & mask]))

                await emu.trunk.poisson(rate, rng, duration=duration, caller=caller)
                typer.echo(f"inbound load done: {emu.trunk.placed} calls placed")
            await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())
