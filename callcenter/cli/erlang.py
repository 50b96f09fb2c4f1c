"""`callcenter erlang` and `callcenter staffing`: Erlang C / Erlang A figures and staffing.

Both print a rich table, or one JSON object with `--json`. Bad input exits with code 2
and a message naming the option and the value.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from callcenter.cli.app import app

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from simulations import StaffingGoal, StaffingResult

_DURATION = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([smh]?)\s*$", re.IGNORECASE)
_UNIT_S = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_interval(text: str) -> float:
    """Seconds in an interval written as 30m, 1h, 2h, 900s (or a bare number of seconds).

    Raises ValueError for anything else, or for a length that is not > 0.
    """
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"expected a duration like 30m, 1h, 2h or 900s, got {text!r}")
    seconds = float(match.group(1)) * _UNIT_S[match.group(2).lower()]
    if not (math.isfinite(seconds) and seconds > 0.0):
        raise ValueError(f"expected a duration > 0, got {text!r}")
    return seconds


@app.command()
def erlang(
    calls: float = typer.Option(..., "--calls", help="Calls offered in the interval."),
    interval: str = typer.Option(..., "--interval", help="Interval length: 30m, 1h, 900s."),
    aht: float = typer.Option(..., "--aht", help="Average handle time, seconds."),
    agents: int = typer.Option(..., "--agents", help="Agents on the phones."),
    target: float = typer.Option(20.0, "--target", help="Service-level threshold, seconds."),
    patience: float | None = typer.Option(
        None, "--patience", help="Mean patience, seconds: Erlang A (default: Erlang C)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object to stdout."),
) -> None:
    """Waits, service level and occupancy for one interval (Erlang C, or A with --patience)."""
    from simulations import ErlangError, erlang_a, erlang_c

    interval_s = _interval(interval)
    _check("--calls", calls, minimum=0.0, open_low=False)
    _check("--aht", aht, minimum=0.0, open_low=True)
    _check("--target", target, minimum=0.0, open_low=False)
    if patience is not None:
        _check("--patience", patience, minimum=0.0, open_low=True)
    if agents < 1:
        _fail("--agents", agents, "expected a whole number >= 1")
    rate = calls / interval_s
    load = rate * aht
    document: dict[str, object] = {
        "model": "erlang_c" if patience is None else "erlang_a",
        "calls": calls,
        "interval_s": interval_s,
        "aht_s": aht,
        "agents": agents,
        "target_s": target,
        "offered_erlangs": load,
    }
    try:
        if patience is None:
            c = erlang_c(rate, aht, agents, target)
            document.update(
                p_wait=c.p_wait,
                service_level=c.service_level,
                asa_s=c.asa_s,
                mean_wait_s=c.mean_wait_s,
                mean_queue_length=c.mean_queue_length,
                occupancy=c.occupancy,
            )
        else:
            a = erlang_a(rate, aht, patience, agents, target)
            document.update(
                patience_s=patience,
                p_wait=a.p_wait,
                p_abandon=a.p_abandon,
                service_level=a.service_level,
                service_level_answered=a.service_level_answered,
                asa_s=a.asa_s,
                mean_wait_s=a.mean_wait_s,
                mean_queue_length=a.mean_queue_length,
                occupancy=a.occupancy,
            )
    except ErlangError as error:
        if patience is None and load >= agents:
            _fail(
                "--agents",
                agents,
                f"expected more agents than the offered load of {load:.4g} Erlangs "
                "(Erlang C: the queue would grow without bound; add --patience for Erlang A)",
            )
        _fail("input", "", str(error))
    if as_json:
        _print_json(document)
        return
    _console().print(_erlang_table(document))


@app.command()
def staffing(
    calls: float | None = typer.Option(None, "--calls", help="Calls offered in the interval."),
    interval: str = typer.Option(..., "--interval", help="Interval length: 30m, 1h, 900s."),
    aht: float | None = typer.Option(None, "--aht", help="Average handle time, seconds."),
    target: float = typer.Option(20.0, "--target", help="Service-level threshold, seconds."),
    goal: float = typer.Option(0.8, "--goal", help="Service-level goal, a share in (0, 1)."),
    shrinkage: float = typer.Option(0.0, "--shrinkage", help="Share of paid time off-phone."),
    abandon_cap: float | None = typer.Option(
        None, "--abandon-cap", help="Highest abandon rate (needs --patience or patience_s)."
    ),
    occupancy_cap: float | None = typer.Option(
        None, "--occupancy-cap", help="Highest agent occupancy, a share in (0, 1]."
    ),
    patience: float | None = typer.Option(
        None, "--patience", help="Mean patience, seconds: Erlang A (default: Erlang C)."
    ),
    csv_file: Path | None = typer.Option(
        None, "--csv", help="Forecast CSV: interval_start,calls,aht_s[,patience_s]."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object to stdout."),
) -> None:
    """Fewest agents meeting a service-level goal, per interval, before and after shrinkage."""
    from simulations import (
        IntervalForecast,
        StaffingError,
        StaffingGoal,
        load_forecast,
        staff_forecast,
    )

    interval_s = _interval(interval)
    _check("--target", target, minimum=0.0, open_low=False)
    _share("--goal", goal, closed_high=False)
    if not (math.isfinite(shrinkage) and 0.0 <= shrinkage < 1.0):
        _fail("--shrinkage", shrinkage, "expected a share in [0, 1)")
    if abandon_cap is not None:
        _share("--abandon-cap", abandon_cap, closed_high=False)
    if occupancy_cap is not None:
        _share("--occupancy-cap", occupancy_cap, closed_high=True)
    if patience is not None:
        _check("--patience", patience, minimum=0.0, open_low=True)
    plan = StaffingGoal(
        service_level=goal,
        target_s=target,
        abandon_cap=abandon_cap,
        occupancy_cap=occupancy_cap,
        shrinkage=shrinkage,
    )
    if csv_file is not None:
        if calls is not None or aht is not None:
            _fail("--csv", str(csv_file), "expected either --csv or --calls/--aht, not both")
        try:
            forecasts = load_forecast(csv_file, interval_s, default_patience_s=patience)
        except StaffingError as error:
            _fail("--csv", str(csv_file), str(error))
    else:
        if calls is None:
            _fail("--calls", "", "expected a number of calls (or --csv FILE)")
        if aht is None:
            _fail("--aht", "", "expected an average handle time in seconds (or --csv FILE)")
        _check("--calls", calls, minimum=0.0, open_low=False)
        _check("--aht", aht, minimum=0.0, open_low=True)
        forecasts = [IntervalForecast("-", calls, interval_s, aht, patience)]
    if abandon_cap is not None and any(f.patience_s is None for f in forecasts):
        _fail(
            "--abandon-cap",
            abandon_cap,
            "needs a mean patience (--patience, or a patience_s in every CSV row)",
        )
    try:
        results = staff_forecast(forecasts, plan)
    except StaffingError as error:
        _fail("--goal", goal, str(error))
    if as_json:
        _print_json(
            {
                "target_s": target,
                "goal": goal,
                "shrinkage": shrinkage,
                "abandon_cap": abandon_cap,
                "occupancy_cap": occupancy_cap,
                "interval_s": interval_s,
                "peak_agents_required": max(r.agents_required for r in results),
                "peak_agents_scheduled": max(r.agents_scheduled for r in results),
                "intervals": [r.as_dict() for r in results],
            }
        )
        return
    _console().print(_staffing_table(results, plan))


def _interval(text: str) -> float:
    try:
        return parse_interval(text)
    except ValueError as error:
        _fail("--interval", text, str(error))


def _check(option: str, value: float, minimum: float, open_low: bool) -> None:
    if not math.isfinite(value) or value < minimum or (open_low and value == minimum):
        relation = ">" if open_low else ">="
        _fail(option, value, f"expected a number {relation} {minimum:g}")


def _share(option: str, value: float, closed_high: bool) -> None:
    ok = 0.0 < value <= 1.0 if closed_high else 0.0 < value < 1.0
    if not ok:
        _fail(option, value, f"expected a share in (0, 1{']' if closed_high else ')'}")


def _fail(option: str, value: object, message: str) -> NoReturn:
    from rich.console import Console

    shown = f" {value}" if value != "" else ""
    Console(stderr=True, soft_wrap=True).print(
        f"[red]error:[/red] {option}{shown}: {message}", highlight=False
    )
    raise typer.Exit(2)


def _print_json(document: dict[str, object]) -> None:
    import json

    json.dump(document, sys.stdout, indent=2)
    sys.stdout.write("\n")


def _console() -> Console:
    from rich.console import Console

    console = Console()
    return console if console.is_terminal else Console(width=130)


def _erlang_table(document: dict[str, object]) -> Table:
    from rich.table import Table

    model = "Erlang A" if document["model"] == "erlang_a" else "Erlang C"
    title = (
        f"{model}: {document['calls']:g} calls in {document['interval_s']:g} s, "
        f"AHT {document['aht_s']:g} s, {document['agents']} agents, "
        f"{document['offered_erlangs']:.4g} Erlangs offered"
    )
    if "patience_s" in document:
        title += f", patience {document['patience_s']:g} s"
    table = Table(title=title)
    table.add_column("figure")
    table.add_column("value", justify="right")
    target = document["target_s"]
    rows: list[tuple[str, str, bool]] = [
        ("p_wait", "P(wait)", True),
        ("p_abandon", "P(abandon)", True),
        ("service_level", f"service level ({target:g} s, of offered)", True),
        ("service_level_answered", f"service level ({target:g} s, of answered)", True),
        ("asa_s", "ASA s" + (" (answered calls)" if model == "Erlang A" else ""), False),
        ("mean_wait_s", "mean wait s (all arrivals)", False),
        ("mean_queue_length", "mean queue length", False),
        ("occupancy", "occupancy", True),
    ]
    for key, label, percent in rows:
        value = document.get(key)
        if isinstance(value, float):
            table.add_row(label, f"{value * 100:.2f}%" if percent else f"{value:.2f}")
    return table


def _staffing_table(results: list[StaffingResult], plan: StaffingGoal) -> Table:
    from rich.table import Table

    goal = f"{(plan.service_level or 0.0) * 100:g}% in {plan.target_s:g} s"
    if plan.abandon_cap is not None:
        goal += f", abandon <= {plan.abandon_cap * 100:g}%"
    if plan.occupancy_cap is not None:
        goal += f", occupancy <= {plan.occupancy_cap * 100:g}%"
    table = Table(title=f"Staffing for {goal}, shrinkage {plan.shrinkage * 100:g}%")
    for column in (
        "interval",
        "calls",
        "AHT s",
        "model",
        "required",
        "scheduled",
        "SL",
        "ASA s",
        "abandon",
        "occupancy",
    ):
        table.add_column(column, justify="left" if column in ("interval", "model") else "right")
    for r in results:
        table.add_row(
            r.forecast.interval_start,
            f"{r.forecast.calls:g}",
            f"{r.forecast.aht_s:g}",
            "Erlang A" if r.model == "erlang_a" else "Erlang C",
            str(r.agents_required),
            str(r.agents_scheduled),
            f"{r.service_level * 100:.1f}%",
            f"{r.asa_s:.1f}",
            "-" if r.p_abandon is None else f"{r.p_abandon * 100:.2f}%",
            f"{r.occupancy * 100:.1f}%",
        )
    return table
