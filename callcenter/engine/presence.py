"""Who is logged in, kept in the database so that an engine restart finds its agents again.

Changes are coalesced per agent and written in one upsert batch every `interval_s`: an agent
who changes state five times in a second costs one row write.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from cdr import AgentPresenceRow, Database

log = logging.getLogger(__name__)
_TABLE = AgentPresenceRow.__table__


@dataclass(frozen=True, slots=True)
class Presence:
    agent_id: str
    logged_in_at: float | None
    device: str | None
    state: str
    reason: str | None
    since: float


async def load_presence(db: Database) -> list[Presence]:
    """Agents the database says are logged in."""
    c = _TABLE.c
    stmt = select(c.agent_id, c.logged_in_at, c.device, c.state, c.reason, c.since).where(
        c.logged_in_at.is_not(None)
    )
    async with db.engine.connect() as conn:
        return [Presence(*row) for row in await conn.execute(stmt)]


class PresenceStore:
    """`store.put(presence)` from the engine loop; `run()` writes them in the background."""

    def __init__(self, db: Database, *, interval_s: float = 0.25) -> None:
        self._db = db
        self._interval_s = interval_s
        self._pending: dict[str, Presence] = {}
        self._wake = asyncio.Event()

    def put(self, presence: Presence) -> None:
        self._pending[presence.agent_id] = presence
        self._wake.set()

    async def run(self) -> None:
        while True:
            await self._wake.wait()
            await asyncio.sleep(self._interval_s)
            await self.flush()

    async def flush(self) -> None:
        self._wake.clear()
        if not self._pending:
            return
        batch, self._pending = self._pending, {}
        try:
            await self._write(list(batch.values()))
        except SQLAlchemyError as error:
            log.error("agent presence: write of %d agents failed (%s); retrying",
                      len(batch), type(error).__name__)
            for agent_id, presence in batch.items():
                self._pending.setdefault(agent_id, presence)
            self._wake.set()
            await asyncio.sleep(1.0)

    async def _write(self, rows: list[Presence]) -> None:
        dialect = self._db.engine.dialect.name
        module = postgresql if dialect == "postgresql" else sqlite
        values = [
            {"agent_id": p.agent_id, "logged_in_at": p.logged_in_at, "device": p.device,
             "state": p.state, "reason": p.reason, "since": p.since}
            for p in rows
        ]
        stmt = module.insert(_TABLE)
        stmt = stmt.on_conflict_do_update(
            index_elements=[_TABLE.c.agent_id],
            set_={name: stmt.excluded[name] for name in
                  ("logged_in_at", "device", "state", "reason", "since")},
        )
        async with self._db.engine.begin() as conn:
            await conn.execute(stmt, values)
