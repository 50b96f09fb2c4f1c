"""`callcenter simulate SCENARIO.yaml`: replications of a scenario, with confidence intervals."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from callcenter.cli.app import app

if TYPE_CHECKING:
    from rich.table import Table

    from simulations import Estimate, RunStats, SimulationReport


@app.command()
def simulate(
    scenario_file: Path = typer.Argument(..., help="Scenario YAML file."),
    reps: int | None = typer.Option(
        None, "--reps", min=1, help="Replications (default: the file's)."
    ),
    jobs: int | None = typer.Option(None, "--jobs", min=1, help="Processes (default: all cores)."),
    seed: int | None = typer.Option(None, "--seed", min=0, help="Seed (default: the file's)."),
    out: Path | None = typer.Option(None, "--out", help="Write JSON, CSV and PNG charts here."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document to stdout."),
) -> None:
    """Run a scenario through the ACD on a virtual clock and report its KPIs."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from simulations import (
        ScenarioError,
        build_report,
        default_jobs,
        load_scenario,
        run_replications,
    )

    err = Console(stderr=True, soft_wrap=True)
    try:
        scenario = load_scenario(scenario_file)
    except ScenarioError as error:
        err.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(2) from None
    for warning in scenario.warnings():
        err.print(f"[yellow]warning:[/yellow] {scenario_file}: {warning}", highlight=False)
    replications = reps or scenario.replications
    run_seed = scenario.seed if seed is None else seed
    processes = jobs or default_jobs()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=not err.is_terminal,
    ) as progress:
        task = progress.add_task("replications", total=replications)
        runs = run_replications(
            scenario,
            replications=replications,
            seed=run_seed,
            jobs=processes,
            base_dir=scenario_file.parent,
            progress=lambda _: progress.advance(task),
        )
    report = build_report(scenario, runs, run_seed)
    if out is not None:
        from simulations import write_outputs

        for path in write_outputs(report, _wait_histogram(runs), out):
            err.print(f"wrote {path}", highlight=False)
    if as_json:
        import json

        json.dump(report.as_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    console = Console()
    if not console.is_terminal:  # logs and pipes: wide enough for the table
        console = Console(width=130)
    console.print(_table(report))


def _wait_histogram(runs: list[RunStats]) -> list[int]:
    from simulations import WAIT_BINS

    total = [0] * WAIT_BINS
    for run in runs:
        for waits in run.waits.values():
            for index, count in enumerate(waits):
                if count:
                    total[index] += count
    return total


def _fmt(estimate: Estimate, percent: bool = False, digits: int = 1) -> str:
    if estimate.mean is None:
        return "-"
    scale = 100.0 if percent else 1.0
    unit = "%" if percent else ""
    text = f"{estimate.mean * scale:.{digits}f}{unit}"
    if estimate.half_width is not None:
        text += f" ±{estimate.half_width * scale:.{digits}f}"
    return text


def _table(report: SimulationReport) -> Table:
    from rich.table import Table

    table = Table(
        title=f"{report.scenario}: {report.replications} replication(s), seed {report.seed}"
        " (± is the 95 % CI half-width)"
    )
    for column in (
        "breakdown",
        "offered",
        "SL/offered",
        "SL/answered",
        "abandon",
        "ASA s",
        "p90 wait s",
    ):
        table.add_column(column, justify="left" if column == "breakdown" else "right")
    for key, row in report.calls.items():
        if key.startswith("interval:"):
            continue
        table.add_row(
            key,
            _fmt(row["offered"], digits=0),
            _fmt(row["sl_offered"], percent=True),
            _fmt(row["sl_answered"], percent=True),
            _fmt(row["abandon_rate"], percent=True),
            _fmt(row["asa_s"]),
            _fmt(row["p90_wait_s"], digits=0),
        )
    for key, row in report.agents.items():
        if key.startswith("group:"):
            table.add_row(
                f"{key} occupancy", "", _fmt(row["occupancy"], percent=True), "", "", "", ""
            )
    return table
