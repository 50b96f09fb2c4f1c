"""Run the live demo: emulator + engine + database + MQTT, a scripted busy period, a wallboard.

Times shown are scenario times (the wall-clock durations multiplied by `speed`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console, Group
from rich.live import Live
from rich.table import Table

from callcenter.agi import free_port
from callcenter.ami import AmiConfig
from callcenter.bus.client import MqttBus, unique_client_id
from callcenter.bus.topics import unique_prefix
from callcenter.demo import scenario
from callcenter.emulator import Emulator
from callcenter.engine.config import EngineConfig, dialplan_params
from callcenter.engine.remote import Remote
from callcenter.engine.runner import running_engine
from callcenter.engine.switchboard import Switchboard
from cdr import (
    CallRecord,
    Database,
    GroupBy,
    KpiSettings,
    Report,
    ReportFilter,
    build_report,
    import_customers,
)
from dialplans.engine_contexts import engine_contexts
from simulations import busy_hour

log = logging.getLogger(__name__)
AMI_SECRET = "demo-secret"


@dataclass
class DemoResult:
    records: list[CallRecord] = field(default_factory=list)
    pops: list[dict[str, Any]] = field(default_factory=list)
    broker: str = ""
    database: str = ""
    log_file: str = ""
    wall_s: float = 0.0
    replies_failed: list[str] = field(default_factory=list)
    placed: int = 0
    api_url: str = ""
    accounts: dict[str, tuple[str, str]] = field(default_factory=dict)  # user → (role, pw)


async def run_demo(console: Console, *, minutes: float, speed: float, seed: int,
                   directory: Path, mqtt_host: str, mqtt_port: int) -> DemoResult:
    started = time.monotonic()
    directory.mkdir(parents=True, exist_ok=True)
    db_path = directory / "demo.db"
    db_path.unlink(missing_ok=True)
    log_path = directory / "engine.log"
    handler = logging.FileHandler(log_path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    result = DemoResult(database=str(db_path), log_file=str(log_path))
    rng = np.random.default_rng(seed)
    config = scenario.engine_config(speed, mqtt_host, mqtt_port, free_port(),
                                    unique_prefix("callcenter-demo"))
    calls = scenario.schedule(rng, minutes)
    try:
        async with Emulator(speed=speed, users={"cc": AMI_SECRET},
                            contexts=engine_contexts(dialplan_params(config))) as emu:
            for phone in scenario.phones(rng):
                emu.phones.add(phone)
            ami = AmiConfig(username="cc", secret=AMI_SECRET, port=emu.port)
            async with running_engine(config, ami, db_url=f"sqlite+aiosqlite:///{db_path}",
                                      migrate=True) as engine:
                result.broker = engine.broker_description
                engine.service.on_record = result.records.append
                customers = directory / "customers.csv"
                customers.write_text(scenario.customers_csv(), encoding="utf-8")
                await import_customers(engine.db, customers)
                if engine.api is not None:
                    result.api_url = engine.api.api_url
                    result.accounts = await _demo_accounts(engine.db, config)
                    console.print(api_banner(result), soft_wrap=True)
                bus_config = replace(engine.bus.config,
                                     client_id=unique_client_id("callcenter-demo-desks"))
                async with MqttBus(bus_config) as bus, Remote(bus) as desks:
                    console.print(f"[bold]callcenter demo[/bold]: {len(config.agents)} agents,"
                                  f" {len(config.queues)} queues, {len(calls)} calls over"
                                  f" {minutes:g} min played {speed:g}x faster;"
                                  f" {result.broker}, topics {bus.topics.everything}")
                    for agent in config.agents:
                        await desks.command(agent.id, "login", device=agent.device)
                    result.placed = await _play(console, emu, desks, calls, speed)
                    await _drain(engine.service.switchboard, 30.0)
                    await asyncio.sleep(1.2)  # last stats and pops through the broker
                    result.pops = list(desks.view.pops)
                    result.replies_failed = list(desks.view.replies_failed)
    finally:
        root.removeHandler(handler)
        handler.close()
    result.wall_s = time.monotonic() - started
    return result


async def _demo_accounts(db: Database, config: EngineConfig) -> dict[str, tuple[str, str]]:
    """Fresh random passwords for the demo's users and its first agent (printed, not kept)."""
    from callcenter.accounts import CredentialStore, PasswordHasher

    accounts = dict(scenario.DEMO_USERS)
    accounts[config.agents[0].id] = "agent"
    hasher = PasswordHasher()
    store = CredentialStore(db)
    out: dict[str, tuple[str, str]] = {}
    for user, role in accounts.items():
        password = "demo-" + secrets.token_urlsafe(9)
        await store.set_hash(user, hasher.hash(password), time.time())
        out[user] = (role, password)
    return out


def api_banner(result: DemoResult) -> str:
    """The API's address, the demo accounts, and a first request to try."""
    accounts = ", ".join(f"{user} / {password} ({role})"
                         for user, (role, password) in result.accounts.items())
    base = result.api_url.removesuffix("/api/v1")
    return (f"HTTP API: {result.api_url} (OpenAPI {base}/api/openapi.json, docs"
            f" {base}/api/docs) while the demo plays; accounts: {accounts}\n"
            f"  try: curl -c jar -H 'Content-Type: application/json' -d '{{\"user\": \"sam\","
            f" \"password\": \"{result.accounts['sam'][1]}\"}}' {result.api_url}/session &&"
            f" curl -b jar {result.api_url}/queues")


async def _play(console: Console, emu: Emulator, desks: Remote,
                calls: list[scenario.ScheduledCall], speed: float) -> int:
    """Place the calls on time and run the supervisor's script, with the wallboard live."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    horizon = max((c.at_s for c in calls), default=0.0)
    script = _supervisor_script(horizon)
    placed = 0
    with Live(_wallboard(desks, speed, 0.0, horizon, placed), console=console,
              refresh_per_second=4, transient=False) as live:
        pending = sorted(calls, key=lambda c: c.at_s)
        index = 0
        next_frame = 0.0
        while index < len(pending) or script:
            now_s = (loop.time() - start) * speed
            while index < len(pending) and pending[index].at_s <= now_s:
                emu.trunk.place(pending[index].caller)
                placed += 1
                index += 1
            while script and script[0][0] <= now_s:
                _, action = script.pop(0)
                await _supervise(action, emu, desks)
            if now_s >= next_frame:
                live.update(_wallboard(desks, speed, now_s, horizon, placed))
                next_frame = now_s + speed * 0.25
            await asyncio.sleep(0.02)
        live.update(_wallboard(desks, speed, horizon, horizon, placed))
    console.print()
    return placed


def _supervisor_script(horizon: float) -> list[tuple[float, str]]:
    """Breaks, a phone that drops off the network, the RONA'd agents put back to ready."""
    steps = [(horizon * 0.2, f"break:{agent}") for agent in scenario.BREAK_AGENTS]
    steps += [(horizon * 0.35, f"ready:{agent}") for agent in scenario.BREAK_AGENTS]
    steps += [(horizon * 0.4, f"offline:{scenario.OFFLINE_AGENT}"),
              (horizon * 0.6, f"online:{scenario.OFFLINE_AGENT}")]
    steps += [(horizon * 0.5, f"ready:{agent}") for agent in scenario.NO_ANSWER_AGENTS]
    return sorted(steps)


async def _supervise(action: str, emu: Emulator, desks: Remote) -> None:
    what, _, agent = action.partition(":")
    if what == "break":
        await desks.command(agent, "pause", reason="break")
    elif what == "ready":
        await desks.command(agent, "ready")
    elif what in ("offline", "online"):
        emu.phones.set_online(f"PJSIP/{agent}", what == "online")


async def _drain(switchboard: Switchboard, timeout: float) -> None:
    """Let the calls in progress finish (callers still waiting hang up or are served)."""
    deadline = time.monotonic() + timeout
    while switchboard.calls and time.monotonic() < deadline:
        await asyncio.sleep(0.1)


def _wallboard(desks: Remote, speed: float, now_s: float, horizon: float,
               placed: int) -> Group:
    queues = {call_type[0] for call_type in busy_hour.CALL_TYPES}
    table = Table(title=f"Wallboard  (scenario time {now_s / 60:4.1f} / {horizon / 60:.0f} min,"
                        f" {placed} calls placed; from MQTT)")
    for column in ("queue", "waiting", "longest", "avail", "ringing", "talking", "wrap-up",
                   "paused", "offered", "answered", "abandoned", "SL", "ASA"):
        table.add_column(column, justify="left" if column == "queue" else "right")
    for queue, stats in sorted(desks.view.stats.items()):
        if queue not in queues:
            continue  # another application's queue on a shared broker
        agents = stats.get("agents", {})
        sl, asa = stats.get("service_level"), stats.get("asa_s")
        table.add_row(
            queue, str(stats.get("waiting", 0)),
            f"{stats.get('longest_wait_s', 0.0) * speed:.0f}s",
            str(agents.get("available", 0)), str(agents.get("reserved", 0)),
            str(agents.get("on-call", 0)), str(agents.get("wrap-up", 0)),
            str(agents.get("paused", 0)), str(stats.get("offered", 0)),
            str(stats.get("answered", 0)), str(stats.get("abandoned", 0)),
            "-" if sl is None else f"{sl:.0%}",
            "-" if asa is None else f"{asa * speed:.0f}s",
        )
    footer = Table.grid()
    footer.add_row(f"screen-pops received: {len(desks.view.pops)}   command replies ok:"
                   f" {desks.view.replies_ok}   failed: {len(desks.view.replies_failed)}")
    return Group(table, footer)


async def kpi_reports(result: DemoResult, speed: float) -> tuple[Report, Report]:
    """The reports `callcenter report --by queue` and `--by agent` give on the demo's
    database (the same code), with the thresholds scaled like every other time in the demo."""
    settings = KpiSettings(target_s=20.0 / speed, short_abandon_s=5.0 / speed)
    period = ReportFilter(0.0, time.time() + 3600.0)
    async with Database(f"sqlite+aiosqlite:///{result.database}") as db:
        by_queue = await build_report(db, period, GroupBy.QUEUE, settings)
        by_agent = await build_report(db, period, GroupBy.AGENT, settings)
    return by_queue, by_agent


def summary_table(report: Report, by_agent: Report, speed: float) -> Table:
    table = Table(title="KPIs from the database (scenario seconds; SL = answered within 20 s /"
                        " offered; abandon rate without abandons under 5 s)")
    for column in ("queue", "offered", "answered", "abandoned", "SL", "ASA", "AHT",
                   "abandon rate"):
        table.add_column(column, justify="left" if column == "queue" else "right")
    for row in [*report.rows, report.total]:
        calls = row.calls
        table.add_row(
            row.label, str(calls.offered), str(calls.answered), str(calls.abandoned),
            _pct(calls.service_level), _secs(calls.asa_s, speed), _secs(calls.aht_s, speed),
            _pct(calls.abandon_rate),
        )
    agents = by_agent.total.agents
    if agents is not None:
        table.caption = (f"agents: occupancy {_pct(agents.occupancy)}, utilization"
                         f" {_pct(agents.utilization)} (from the agent state spans)")
    return table


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _secs(value: float | None, speed: float = 1.0) -> str:
    return "-" if value is None else f"{value * speed:.0f}s"


def describe_pop(pop: dict[str, Any]) -> str:
    shown = {key: pop.get(key) for key in ("call_id", "agent", "caller", "customer", "queue",
                                           "waited_s", "priority", "agent_id_announced",
                                           "ivr", "crm_url")}
    history = pop.get("history") or []
    shown["history"] = f"{len(history)} earlier call(s)" + (
        f", last: {history[0].get('outcome')} with agent {history[0].get('agent')}"
        if history else "")
    return json.dumps(shown, ensure_ascii=False, indent=1)
