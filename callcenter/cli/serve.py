"""`callcenter serve`: the engine in front of a real Asterisk (or the emulator), until stopped.

It waits for the database, the MQTT broker and Asterisk when they cannot be reached yet (one
log line per attempt, with the next delay), and stops at once on what waiting cannot mend.
`--check` connects to each, prints a checklist and exits. Exit codes: 0 stopped by SIGINT or
SIGTERM (or every check passed), 1 the engine failed while running (or a check failed),
2 bad configuration or credentials: the config file, a refused AMI or MQTT login, a database
that refuses us or whose schema is behind.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from callcenter.cli.app import app
from callcenter.cli.dbopts import fail
from callcenter.errors import CallcenterError

if TYPE_CHECKING:
    import asyncio

    from callcenter.ami import AmiConfig
    from callcenter.engine.config import EngineConfig


def ami_config_of(config: EngineConfig) -> AmiConfig:
    from callcenter.ami import AmiConfig

    ami = config.ami
    return AmiConfig(username=ami.username, secret=ami.secret(), host=ami.host, port=ami.port,
                     auth=ami.auth)


@app.command("serve")
def serve(
    config_path: Path = typer.Option(..., "--config", "-c", help="The engine's YAML file."),
    db: str | None = typer.Option(None, "--db", help="Database URL (overrides the config)."),
    migrate: bool = typer.Option(False, help="Upgrade the database schema before starting."),
    log_level: str | None = typer.Option(
        None, help="DEBUG, INFO, WARNING or ERROR (default INFO; WARNING with --check)."),
    check: bool = typer.Option(
        False, "--check", help="Check AMI (login, the engine's dialplan), MQTT, the database"
        " and its schema, the FastAGI port, and with --sounds the prompts; print a checklist"
        " and exit (0: all passed)."),
    sounds: Path | None = typer.Option(
        None, "--sounds", help="With --check: the directory the prompts must be found in"
        " (e.g. /var/lib/asterisk/sounds)."),
) -> None:
    """Run the engine: AMI to Asterisk, MQTT to agent desktops, CDRs to the database."""
    import logging

    # Before logging is configured: alembic logs its plugins at INFO when it is imported.
    import callcenter.engine.runner  # noqa: F401
    from callcenter.engine.config import ConfigError, load_config

    log_level = log_level or ("WARNING" if check else "INFO")
    level = getattr(logging, log_level.upper(), None)
    if not isinstance(level, int):
        fail(f"--log-level: expected DEBUG, INFO, WARNING or ERROR, got {log_level!r}")
    if sounds is not None and not check:
        fail("--sounds: only with --check")
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = load_config(config_path)
        ami_config = ami_config_of(config)
    except ConfigError as error:
        fail(str(error))
    if check:
        _check(config, ami_config, db, sounds)
        return
    _run_until_stopped(
        lambda stop, started: _serve(config, ami_config, db, migrate, stop, started))


async def _serve(config: EngineConfig, ami_config: AmiConfig, db: str | None, migrate: bool,
                 stop: asyncio.Event, started: asyncio.Event) -> None:
    import asyncio

    from callcenter.engine.runner import raise_failure, running_engine

    async with running_engine(config, ami_config, db_url=db, migrate=migrate,
                              wait=True) as engine:
        started.set()
        typer.echo(f"engine running: AMI {config.ami.host}:{config.ami.port}, "
                   f"{engine.broker_description}, database {engine.db.display_url}")
        if engine.api is not None:
            typer.echo(f"HTTP API: {engine.api.api_url} (OpenAPI {engine.api.openapi_url});"
                       " accounts: callcenter users set-password, callcenter tokens create")
        done = asyncio.create_task(stop.wait(), name="serve-stop")
        try:
            await asyncio.wait({done, engine.task}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            done.cancel()
        if engine.task.done():
            raise_failure(engine.task)


def _run_until_stopped(
        main: Callable[[asyncio.Event, asyncio.Event], Coroutine[Any, Any, None]]) -> None:
    """Run `main(stop, started)`: SIGINT/SIGTERM set `stop` once `main` has set `started` (the
    engine drains and stops), and cancel `main` while it still waits for its peers. Errors
    become exit codes (module doc)."""
    import asyncio
    import contextlib
    import signal

    from callcenter.ami import AmiAuthenticationError
    from callcenter.bus.errors import BusRefusedError
    from callcenter.engine.config import ConfigError
    from callcenter.engine.waiting import PeerRefusedError
    from cdr import CdrError, DatabaseBehindError

    async def run() -> bool:
        stop, started = asyncio.Event(), asyncio.Event()
        work = asyncio.create_task(main(stop, started), name="serve")
        loop = asyncio.get_running_loop()
        stopped_early = False

        def on_signal() -> None:
            nonlocal stopped_early
            if stop.is_set():
                return
            stop.set()
            if not started.is_set():
                stopped_early = True
                work.cancel()

        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, on_signal)
        try:
            await work
        except asyncio.CancelledError:
            if not stopped_early:
                raise
        return stopped_early

    try:
        with contextlib.suppress(KeyboardInterrupt):
            if asyncio.run(run()):
                typer.echo("stopped before the engine started", err=True)
    except (AmiAuthenticationError, BusRefusedError, PeerRefusedError,
            DatabaseBehindError, ConfigError) as error:
        fail(str(error), code=2)
    except (CallcenterError, CdrError) as error:
        fail(str(error), code=1)


def _check(config: EngineConfig, ami_config: AmiConfig, db: str | None,
           sounds: Path | None) -> None:
    import asyncio

    from callcenter.cli.preflight import run_checks
    from cdr import default_url

    url = db or config.database.url or default_url()

    async def run() -> tuple[int, int]:
        passed = total = 0
        async for item in run_checks(config, ami_config, db_url=url, sounds=sounds):
            typer.echo(item.line())
            total += 1
            passed += item.ok
        return passed, total

    passed, total = asyncio.run(run())
    typer.echo(f"{passed} of {total} checks passed")
    if passed < total:
        raise typer.Exit(1)
