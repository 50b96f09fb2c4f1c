"""One command to a running engine over MQTT, its reply, and the exit code that says how it
went: 0 done, 1 refused (the engine's reason on stderr), 3 no reply or no broker."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import typer

from callcenter.bus.client import BusConfig, MqttBus, probe, unique_client_id
from callcenter.bus.errors import BusError
from callcenter.cli.dbopts import fail
from callcenter.engine.remote import Remote

Send = Callable[[Remote], Awaitable[dict[str, Any]]]


def bus_config(host: str, port: int, timeout: float, prefix: str | None,
               **overrides: Any) -> BusConfig:
    """A command-line client's bus: a client id of its own, the engine's topic prefix
    (`--topic-prefix`, else CALLCENTER_MQTT_TOPIC_PREFIX, else the default); exit 2 naming a
    bad prefix."""
    settings: dict[str, Any] = {"host": host, "port": port, "connect_timeout": timeout,
                                "client_id": unique_client_id("callcenter-cli"), **overrides}
    if prefix is not None:
        settings["topic_prefix"] = prefix
    try:
        return BusConfig.from_env(**settings)
    except BusError as error:
        fail(str(error))


def request_engine(config: BusConfig, send: Send, *, timeout: float,
                   ping_topic: str | None = None) -> None:
    """Open the bus, `send` one command through a `Remote`, and exit as the reply says."""

    async def run() -> dict[str, Any] | str:
        problem = await probe(config, timeout)
        if problem is not None:
            return problem
        async with MqttBus(config) as bus, Remote(bus, ping_topic=ping_topic) as remote:
            try:
                return await send(remote)
            except TimeoutError:
                return f"no reply within {timeout:g} s (is the engine running?)"

    try:
        reply = asyncio.run(run())
    except BusError as error:
        reply = str(error)
    if isinstance(reply, str):
        typer.echo(f"error: no reply from the engine over MQTT at {config.address}: {reply}",
                   err=True)
        raise typer.Exit(3)
    if not reply.get("ok"):
        typer.echo(f"refused: {reply.get('error')}", err=True)
        raise typer.Exit(1)
    typer.echo("done")
