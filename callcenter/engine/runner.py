"""Start the engine with its parts: the database, the MQTT bus, the AMI connection.

`callcenter serve` and `callcenter demo` both come through here, so the demo runs the very
engine a site runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from callcenter.ami import AmiConfig
from callcenter.bus.broker import EmbeddedBroker, pick_broker
from callcenter.bus.client import BusConfig, MqttBus
from callcenter.engine.config import EngineConfig, load_flows
from callcenter.engine.desktops import MqttDesktops
from callcenter.engine.fanout import FanOutDesktops
from callcenter.engine.heap import settle_heap
from callcenter.engine.service import Desktops, EngineService
from cdr.db import Database, default_url
from cdr.migrate import ensure_current, upgrade

if TYPE_CHECKING:
    from callcenter.http.server import ApiServer

log = logging.getLogger(__name__)


@dataclass(slots=True)
class RunningEngine:
    service: EngineService
    desktops: MqttDesktops
    bus: MqttBus
    broker: EmbeddedBroker | None
    broker_description: str
    db: Database
    task: asyncio.Task[None]
    api: ApiServer | None = None  # the HTTP API, when the config has an `http:` section


def bus_config_of(config: EngineConfig) -> BusConfig:
    """The file says where the broker is; credentials come from CALLCENTER_MQTT_USERNAME and
    CALLCENTER_MQTT_PASSWORD (never from the file)."""
    return BusConfig.from_env(host=config.mqtt.host, port=config.mqtt.port,
                              client_id=config.mqtt.client_id)


@asynccontextmanager
async def running_engine(
    config: EngineConfig,
    ami_config: AmiConfig,
    *,
    db_url: str | None = None,
    migrate: bool = False,
    embedded_broker: bool | None = None,
) -> AsyncIterator[RunningEngine]:
    """The engine running in a task until the block ends (then drained and stopped).

    `migrate`: bring the database schema up to date (else refuse a database that is behind).
    `embedded_broker`: fall back to an in-process MQTT broker when the configured one does not
    answer (default: the config's `mqtt.embedded_fallback`)."""
    fallback = config.mqtt.embedded_fallback if embedded_broker is None else embedded_broker
    flows = load_flows(config)
    async with AsyncExitStack() as stack:
        db = await stack.enter_async_context(
            Database(db_url or config.database.url or default_url())
        )
        if migrate:
            await upgrade(db)
        else:
            await ensure_current(db)
        # --- HTTP API (docs/api.md); made first: a missing webhook key stops the start here
        http_api = None
        if config.http is not None:
            from callcenter.http.server import HttpApi  # FastAPI only when it is served

            http_api = HttpApi(config, db)
            stack.callback(http_api.close)
        # --- end HTTP API
        bus_config = bus_config_of(config)
        broker: EmbeddedBroker | None = None
        description = f"MQTT broker at {bus_config.address} (configured)"
        if fallback:
            bus_config, broker, description = await pick_broker(bus_config)
            if broker is not None:
                await stack.enter_async_context(broker)
        log.info("%s", description)
        bus = await stack.enter_async_context(MqttBus(bus_config))
        desktops = MqttDesktops(bus)
        engine_desktops: Desktops = desktops
        if http_api is not None:  # its hub and webhooks hear what the desktops hear
            engine_desktops = FanOutDesktops(desktops, http_api.listeners())
        service = EngineService(config, ami_config, db=db, desktops=engine_desktops,
                                flows=flows)
        settle_heap()  # before the first AMI event: a full collection stops the loop a while
        task = asyncio.create_task(service.run(), name="engine")
        try:
            ready = asyncio.create_task(service.ready.wait())
            done, _ = await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
            if task in done:
                ready.cancel()
                task.result()  # the engine could not start: raise why
            running = RunningEngine(service, desktops, bus, broker, description, db, task)
            async with AsyncExitStack() as api_stack:  # the API stops before the engine
                if http_api is not None:
                    running.api = await api_stack.enter_async_context(
                        http_api.serving(service))
                yield running
            await service.drain()
            await bus.flush(5.0)
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
