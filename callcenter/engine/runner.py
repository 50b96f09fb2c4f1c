"""Start the engine with its parts: the database, the MQTT bus, the AMI connection.

`callcenter serve` and `callcenter demo` both come through here, so the demo runs the very
engine a site runs.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from callcenter.ami import AmiConfig
from callcenter.bus.broker import EmbeddedBroker, pick_broker
from callcenter.bus.client import BusConfig, MqttBus, unique_client_id
from callcenter.engine.config import EngineConfig, load_flows
from callcenter.engine.desktops import MqttDesktops
from callcenter.engine.fanout import FanOutDesktops
from callcenter.engine.heap import settle_heap
from callcenter.engine.service import Desktops, EngineService
from callcenter.engine.waiting import check_broker, check_database, wait_for
from cdr import Database, default_url, ensure_current, upgrade

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
    """The file says where the broker is and the center's topic prefix; credentials come from
    CALLCENTER_MQTT_USERNAME and CALLCENTER_MQTT_PASSWORD (never from the file). The client
    id is the file's, else CALLCENTER_MQTT_CLIENT_ID, else one unique to this process."""
    mqtt = config.mqtt
    client_id = mqtt.client_id or os.environ.get("CALLCENTER_MQTT_CLIENT_ID") or (
        unique_client_id("callcenter-engine"))
    return BusConfig.from_env(host=mqtt.host, port=mqtt.port, client_id=client_id,
                              topic_prefix=mqtt.topic_prefix)


@asynccontextmanager
async def running_engine(
    config: EngineConfig,
    ami_config: AmiConfig,
    *,
    db_url: str | None = None,
    migrate: bool = False,
    embedded_broker: bool | None = None,
    wait: bool = False,
) -> AsyncIterator[RunningEngine]:
    """The engine running in a task until the block ends (then drained and stopped).

    `migrate`: bring the database schema up to date (else refuse a database that is behind).
    `embedded_broker`: fall back to an in-process MQTT broker when the configured one does not
    answer (default: the config's `mqtt.embedded_fallback`).
    `wait`: wait for the database, the broker (unless falling back) and Asterisk while they
    cannot be reached, logging each attempt (`callcenter.engine.waiting`); a peer that
    refuses (a password, a missing database) still fails at once."""
    fallback = config.mqtt.embedded_fallback if embedded_broker is None else embedded_broker
    flows = load_flows(config)
    url = db_url or config.database.url or default_url()
    async with AsyncExitStack() as stack:
        db = await stack.enter_async_context(Database(url))
        if wait:
            await wait_for(f"the database {db.display_url}",
                           lambda: check_database(url, db.display_url))
        if migrate:
            await upgrade(db)
        else:
            await ensure_current(db)
        # The HTTP API (docs/api.md) is made first: a missing webhook key stops the start here.
        http_api = None
        if config.http is not None:
            from callcenter.http.server import HttpApi  # FastAPI only when it is served

            http_api = HttpApi(config, db)
            stack.callback(http_api.close)
        bus_config = bus_config_of(config)
        broker: EmbeddedBroker | None = None
        description = f"MQTT broker at {bus_config.address} (configured)"
        if fallback:
            bus_config, broker, description = await pick_broker(bus_config)
            if broker is not None:
                await stack.enter_async_context(broker)
        elif wait:
            await wait_for(f"the MQTT broker {bus_config.address}",
                           lambda: check_broker(bus_config))
        log.info("%s", description)
        bus = await stack.enter_async_context(MqttBus(bus_config))
        desktops = MqttDesktops(bus)
        engine_desktops: Desktops = desktops
        if http_api is not None:  # its hub and webhooks hear what the desktops hear
            engine_desktops = FanOutDesktops(desktops, http_api.listeners())
        if wait:
            ami_config = replace(ami_config, wait_first_login=True)
        service = EngineService(config, ami_config, db=db, desktops=engine_desktops,
                                flows=flows)
        settle_heap()  # before the first AMI event: a full collection stops the loop a while
        task = asyncio.create_task(service.run(), name="engine")
        ready = asyncio.create_task(service.ready.wait(), name="engine-ready")
        try:
            done, _ = await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
            if task in done:
                raise_failure(task)  # the engine could not start: raise why
            running = RunningEngine(service, desktops, bus, broker, description, db, task)
            async with AsyncExitStack() as api_stack:  # the API stops before the engine
                if http_api is not None:
                    running.api = await api_stack.enter_async_context(
                        http_api.serving(service))
                yield running
            await service.drain()
            await bus.flush(5.0)
        finally:
            ready.cancel()
            if not task.done():
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
            else:
                raise_failure(task)  # it stopped while the block ran: say why


def raise_failure(task: asyncio.Task[None]) -> None:
    """Raise what the finished engine `task` failed on, if anything.

    The error comes out of the task groups it crossed (the CDR writer's, the bus's) as
    itself, not as an `ExceptionGroup` of one: a refused AMI login is an
    `AmiAuthenticationError` to the caller, as it was to the engine."""
    if task.cancelled():
        return
    failure = task.exception()
    while isinstance(failure, BaseExceptionGroup) and len(failure.exceptions) == 1:
        failure = failure.exceptions[0]
    if failure is not None:
        raise failure
