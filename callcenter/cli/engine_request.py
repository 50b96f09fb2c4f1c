"""One command to a running engine over MQTT, its reply, and the exit code that says how it
went: 0 done, 1 refused (the engine's reason on stderr), 3 no reply or no broker."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import typer

from callcenter.bus.client import BusConfig, MqttBus, probe
from callcenter.bus.errors import BusError
from callcenter.engine.remote import PING_TOPIC, Remote

Send = Callable[[Remote], Awaitable[dict[str, Any]]]


def request_engine(config: BusConfig, send: Send, *, timeout: float,
                   ping_topic: str = PING_TOPIC) -> None:
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
