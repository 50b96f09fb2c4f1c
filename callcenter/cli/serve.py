"""`callcenter serve`: the engine in front of a real Asterisk (or the emulator), until stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from pathlib import Path

import typer

from callcenter.ami import AmiConfig
from callcenter.cli.app import app
from callcenter.cli.dbopts import fail
from callcenter.engine.config import ConfigError, EngineConfig, load_config
from callcenter.engine.runner import running_engine
from callcenter.errors import CallcenterError


def ami_config_of(config: EngineConfig) -> AmiConfig:
    ami = config.ami
    return AmiConfig(username=ami.username, secret=ami.secret(), host=ami.host, port=ami.port,
                     auth=ami.auth)


@app.command("serve")
def serve(
    config_path: Path = typer.Option(..., "--config", "-c", help="The engine's YAML file."),
    db: str | None = typer.Option(None, "--db", help="Database URL (overrides the config)."),
    migrate: bool = typer.Option(False, help="Upgrade the database schema before starting."),
    log_level: str = typer.Option("INFO", help="DEBUG, INFO, WARNING or ERROR."),
) -> None:
    """Run the engine: AMI to Asterisk, MQTT to agent desktops, CDRs to the database."""
    level = getattr(logging, log_level.upper(), None)
    if not isinstance(level, int):
        fail(f"--log-level: expected DEBUG, INFO, WARNING or ERROR, got {log_level!r}")
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = load_config(config_path)
        ami_config = ami_config_of(config)
    except ConfigError as error:
        fail(str(error))

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        async with running_engine(config, ami_config, db_url=db, migrate=migrate) as engine:
            typer.echo(f"engine running: AMI {config.ami.host}:{config.ami.port}, "
                       f"{engine.broker_description}, database {engine.db.display_url}")
            if engine.api is not None:
                typer.echo(f"HTTP API: {engine.api.api_url} (OpenAPI"
                           f" {engine.api.openapi_url}); accounts: callcenter users"
                           " set-password, callcenter tokens create")
            done = asyncio.create_task(stop.wait())
            await asyncio.wait({done, engine.task}, return_when=asyncio.FIRST_COMPLETED)
            if engine.task.done() and not engine.task.cancelled():
                engine.task.result()

    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(run())
    except CallcenterError as error:
        fail(str(error), code=1)
