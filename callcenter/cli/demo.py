"""`callcenter demo`: the whole system on this machine, or (`--virtual`) the router alone."""

from __future__ import annotations

from pathlib import Path

import typer

from callcenter.cli.app import app


@app.command()
def demo(
    minutes: float = typer.Option(30.0, min=1.0, max=240.0,
                                  help="Length of the scripted busy period, scenario minutes."),
    speed: float = typer.Option(40.0, min=1.0, max=200.0,
                                help="How many times faster than real time it plays."),
    seed: int = typer.Option(7, help="Seed of the scripted calls (same seed, same calls)."),
    directory: Path = typer.Option(Path("callcenter-demo"), "--dir",
                                   help="Where the database, the engine log and the pops go."),
    mqtt_host: str = typer.Option("127.0.0.1", help="MQTT broker to try first."),
    mqtt_port: int = typer.Option(1883, min=1, max=65535, help="Its port."),
    virtual: bool = typer.Option(False, "--virtual",
                                 help="No PBX: the router alone on a virtual clock, explained."),
    hours: float = typer.Option(1.0, min=0.1, max=24.0,
                                help="With --virtual: length of the scripted day, hours."),
) -> None:
    """Start the Asterisk emulator, the engine, SQLite and MQTT; play a busy period live."""
    from rich.console import Console

    console = Console()
    if not console.is_terminal:  # logs and pipes: wide enough for the tables
        console = Console(width=120)
    if virtual:
        from callcenter.demo.virtual import virtual_demo

        virtual_demo(console, seed, hours)
        return
    import asyncio

    from callcenter.demo.run import describe_pop, kpi_reports, run_demo, summary_table
    from cdr import SegmentKind

    result = asyncio.run(run_demo(console, minutes=minutes, speed=speed, seed=seed,
                                  directory=directory, mqtt_host=mqtt_host,
                                  mqtt_port=mqtt_port))
    by_queue, by_agent = asyncio.run(kpi_reports(result, speed))
    console.print(summary_table(by_queue, by_agent, speed))
    answered = [r for r in result.records if r.agent_display_id]
    console.print(f"{result.placed} calls placed, {len(result.records)} call records written,"
                  f" {len(answered)} answered with the agent's ID announced before the bridge"
                  f" (e.g. call {answered[0].call_id}: \"agent {answered[0].agent_display_id}"
                  f" is serving you\")." if answered else
                  f"{result.placed} calls placed, {len(result.records)} call records written.")
    via_ivr = [r for r in result.records if r.segments and r.segments[0].kind is SegmentKind.IVR]
    scores = [r.survey.csat for r in result.records
              if r.survey is not None and r.survey.csat is not None]
    console.print(f"IVR (ivr/examples/hotline.yaml): {len(via_ivr)} callers went through the "
                  f"menu; post-call survey (billing): {len(scores)} CSAT answers"
                  + (f", mean {sum(scores) / len(scores):.2f} of 5." if scores else "."))
    console.print(f"[bold]Screen-pops received over MQTT:[/bold] {len(result.pops)}; the first 2:")
    for pop in result.pops[:2]:
        console.print(describe_pop(pop), markup=False)
    if result.replies_failed:
        console.print(f"commands refused: {len(result.replies_failed)}, e.g."
                      f" {result.replies_failed[0]}")
    if result.api_url:
        console.print(f"HTTP API was at {result.api_url} (it stops with the demo; accounts:"
                      f" {', '.join(result.accounts)})")
    console.print(f"MQTT: {result.broker}\nDatabase: {result.database}"
                  f"  (try: callcenter report --db sqlite:///{result.database} --by queue)"
                  f"\nEngine log: {result.log_file}\nWall time: {result.wall_s:.1f} s")
