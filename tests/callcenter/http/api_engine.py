"""The engine with its HTTP API, against the Asterisk emulator, over real sockets.

MQTT goes to an embedded broker of the test's own (no topic shared with another run); the
API listens on a free port; the database is a SQLite file in the test's directory. The clock
the API uses is the wall clock plus `offset`, so a test can age sessions.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from callcenter.accounts import CredentialStore, PasswordHasher, TokenStore
from callcenter.accounts.tokens import parse_scopes
from callcenter.ami import AmiConfig
from callcenter.bus.broker import EmbeddedBroker
from callcenter.bus.client import BusConfig, MqttBus
from callcenter.emulator import Emulator, Softphone
from callcenter.engine.config import EngineConfig, dialplan_params
from callcenter.engine.desktops import MqttDesktops
from callcenter.engine.fanout import FanOutDesktops
from callcenter.engine.service import EngineService
from callcenter.http.server import ApiServer, HttpApi
from callcenter.supervision.audit import AuditEntry, read_audit
from cdr.records import CallRecord
from cdr.store.db import Database
from cdr.store.migrate import upgrade
from dialplans.engine_contexts import engine_contexts

PASSWORDS = {
    "sam": "sam-supervises-all", "ann": "ann-leads-north", "ada": "ada-administers",
    "desk-1001": "agent-one-password", "1002": "agent-two-password",
    "1003": "agent-three-password",
}
# Cheap argon2id parameters: the tests log in many times (production uses the defaults).
FAST_HASHER = {"time_cost": 1, "memory_kib": 8 * 1024}


def api_config(agents: int = 3, **overrides: Any) -> EngineConfig:
    data: dict[str, Any] = {
        "queues": [
            {"name": "support", "skills": {"support": 1}, "wrap_up_s": 0.2,
             "ring_timeout_s": 3.0, "retry_s": 0.2},
            {"name": "sales", "skills": {"sales": 1}, "wrap_up_s": 0.0, "ring_timeout_s": 3.0},
        ],
        "agents": [
            {"id": f"10{i:02d}", "display_id": f"7{i:03d}", "skills": {"support": 1, "sales": 1},
             "device": f"PJSIP/10{i:02d}"}
            for i in range(1, agents + 1)
        ],
        "routes": [{"did": "4000", "queue": "support"}, {"did": "4001", "queue": "sales"}],
        "supervision": {
            "teams": {"north": ["1001", "1002"], "south": ["1003"]},
            "users": [
                {"id": "sam", "role": "supervisor", "device": "PJSIP/800"},
                {"id": "ann", "role": "team-lead", "team": "north", "device": "PJSIP/801"},
                {"id": "ada", "role": "admin"},
                {"id": "desk-1001", "role": "agent", "agent": "1001"},
            ],
        },
        "http": {"port": 0, "login_limits": {"per_user": 3, "per_address": 6,
                                             "window_s": 60}},
    }
    data.update(overrides)
    return EngineConfig.model_validate(data)


@dataclass
class ApiEngine:
    emulator: Emulator
    service: EngineService
    server: ApiServer
    db: Database
    bus: MqttBus
    broker: EmbeddedBroker
    task: asyncio.Task[None]
    offset: list[float]
    records: list[CallRecord] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url

    def client(self, **kwargs: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=10.0, **kwargs)

    async def session(self, user: str) -> tuple[httpx.AsyncClient, str]:
        """A client logged in as `user`, and its CSRF token."""
        client = self.client()
        response = await client.post("/api/v1/session",
                                     json={"user": user, "password": PASSWORDS[user]})
        assert response.status_code == 200, response.text
        return client, response.json()["csrf_token"]

    async def token(self, name: str, scopes: str) -> str:
        issued = await TokenStore(self.db).create(name, parse_scopes(scopes), time.time())
        return issued.secret

    async def audit(self, user: str | None = None) -> list[AuditEntry]:
        return await read_audit(self.db, user_id=user)

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


@asynccontextmanager
async def api_engine(tmp_path: Path, config: EngineConfig | None = None, *,
                     phones: dict[str, Softphone] | None = None, login: bool = True,
                     speed: float = 20.0) -> AsyncIterator[ApiEngine]:
    config = config or api_config()
    offset = [0.0]
    async with AsyncExitStack() as stack:
        emu = await stack.enter_async_context(Emulator(
            speed=speed, contexts=engine_contexts(dialplan_params(config))))
        for agent in config.agents:
            device = agent.device or f"PJSIP/{agent.id}"
            emu.phones.add((phones or {}).get(agent.id)
                           or Softphone(device, ring_s=1.0, talk_s=20.0))
        for device in ("PJSIP/800", "PJSIP/801"):
            emu.phones.add(Softphone(device, ring_s=0.2, talk_s=1000.0))
        db = await stack.enter_async_context(Database(f"sqlite+aiosqlite:///{tmp_path}/cc.db"))
        await upgrade(db)
        hasher = PasswordHasher(**FAST_HASHER)
        api = HttpApi(config, db, clock=lambda: time.time() + offset[0], hasher=hasher)
        stack.callback(api.close)
        broker = await stack.enter_async_context(EmbeddedBroker())
        bus = await stack.enter_async_context(MqttBus(BusConfig(
            port=broker.port, client_id=f"api-test-{uuid.uuid4().hex[:8]}")))
        desktops = FanOutDesktops(MqttDesktops(bus), api.listeners())
        ami = AmiConfig(username="cc", secret="ccsecret", port=emu.port, ping_interval=5.0)
        service = EngineService(config, ami, db=db, desktops=desktops)
        task = asyncio.create_task(service.run(), name="engine")
        credentials = CredentialStore(db)
        for user, password in PASSWORDS.items():
            await credentials.set_hash(user, hasher.hash(password), time.time())
        try:
            deadline = time.monotonic() + 10
            while not service.ready.is_set():
                if task.done():
                    task.result()
                assert time.monotonic() < deadline, "the engine did not start"
                await asyncio.sleep(0.02)
            if login:
                for agent in config.agents:
                    service.switchboard.login(agent.id, None, service.now())
                service.perform_pending()
            async with api.serving(service) as server:
                live = ApiEngine(emu, service, server, db, bus, broker, task, offset)
                service.on_record = live.records.append
                yield live
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
