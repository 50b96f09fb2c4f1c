"""The engine running against the Asterisk emulator over real AMI, for end-to-end tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from callcenter.agi import free_port
from callcenter.ami import AmiConfig
from callcenter.emulator import Emulator, Softphone
from callcenter.emulator.pbx import Pbx
from callcenter.engine.config import EngineConfig, dialplan_params
from callcenter.engine.service import Desktops, EngineService
from cdr.records import CallRecord
from cdr.store.db import Database
from cdr.store.migrate import upgrade
from dialplans.engine_contexts import engine_contexts
from ivr.flows import Flow


def e2e_config(agents: int = 2, **overrides: Any) -> EngineConfig:
    data: dict[str, Any] = {
        "queues": [
            {"name": "support", "skills": {"support": 1}, "wrap_up_s": 0.2,
             "ring_timeout_s": 1.5, "retry_s": 0.2},
            {"name": "sales", "skills": {"sales": 1}, "wrap_up_s": 0.0, "ring_timeout_s": 1.5},
        ],
        "agents": [
            {"id": f"10{i:02d}", "display_id": f"7{i:03d}", "skills": {"support": 1, "sales": 1},
             "device": f"PJSIP/10{i:02d}"}
            for i in range(1, agents + 1)
        ],
        "routes": [
            {"did": "4000", "queue": "support", "language": "en"},
            {"did": "4001", "queue": "sales", "priority": 5, "language": "zh", "tier": "vip"},
        ],
    }
    data.update(overrides)
    return EngineConfig.model_validate(data)


@dataclass
class LiveEngine:
    emulator: Emulator
    service: EngineService
    task: asyncio.Task[None]
    records: list[CallRecord] = field(default_factory=list)

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 10.0,
                       what: str = "condition") -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if self.task.done():
                self.task.result()
                raise AssertionError(f"engine stopped while waiting for {what}")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")
            await asyncio.sleep(0.02)

    async def wait_records(self, count: int, timeout: float = 10.0) -> list[CallRecord]:
        await self.wait_for(lambda: len(self.records) >= count, timeout,
                            f"{count} call records (have {len(self.records)})")
        return self.records


@asynccontextmanager
async def live_engine(
    config: EngineConfig,
    *,
    speed: float = 20.0,
    phones: dict[str, Softphone] | None = None,
    db_path: Path | None = None,
    desktops: Desktops | None = None,
    login: bool = True,
    flows: Mapping[str, Flow] | None = None,
    setup: Callable[[Pbx], None] | None = None,
) -> AsyncIterator[LiveEngine]:
    """Emulator with the engine's dialplan and one softphone per agent, and the engine on it.

    When the config needs FastAGI, the engine listens on a free port the dialplan points at."""
    if config.uses_agi():
        config = config.model_copy(update={"ivr": config.ivr.model_copy(
            update={"agi_port": free_port()})})
    async with Emulator(speed=speed, contexts=engine_contexts(dialplan_params(config)),
                        setup=setup) as emu:
        for agent in config.agents:
            device = agent.device or f"PJSIP/{agent.id}"
            phone = (phones or {}).get(agent.id) or Softphone(device, ring_s=1.0, talk_s=20.0)
            emu.phones.add(phone)
        db: Database | None = None
        if db_path is not None:
            db = Database(f"sqlite+aiosqlite:///{db_path}")
            await upgrade(db)
        ami = AmiConfig(username="cc", secret="ccsecret", port=emu.port, ping_interval=5.0)
        service = EngineService(config, ami, db=db, desktops=desktops, flows=flows)
        live = LiveEngine(emu, service, asyncio.create_task(service.run()))
        service.on_record = live.records.append
        try:
            await live.wait_for(service.ready.is_set, 5.0, "the engine to start")
            if login:
                for agent in config.agents:
                    service.switchboard.login(agent.id, None, service.now())
                service.perform_pending()
            yield live
        finally:
            live.task.cancel()
            with suppress(asyncio.CancelledError):
                await live.task
            if db is not None:
                await db.engine.dispose()
