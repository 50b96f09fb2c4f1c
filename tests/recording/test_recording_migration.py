"""Migration 0003 gives the recordings and qa_scores tables the models describe, and the
writer stores a recording's metadata in them."""

from __future__ import annotations

import json
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.engine import Connection

from cdr.records import Recording
from cdr.store.db import Database
from cdr.store.migrate import downgrade, upgrade
from cdr.store.schema import Base, RecordingRow
from cdr.store.writer import CdrWriter

OURS = {"recordings", "qa_scores"}


async def test_0003_matches_the_models_and_downgrades(tmp_path: Path) -> None:
    async with Database(f"sqlite+aiosqlite:///{tmp_path / 'cc.db'}") as db:
        assert await upgrade(db, "0003") == "0003"

        def diff(connection: Connection) -> list[object]:
            context = MigrationContext.configure(connection)
            return [d for d in compare_metadata(context, Base.metadata) if _about_ours(d)]

        async with db.engine.connect() as conn:
            assert await conn.run_sync(diff) == []
        await downgrade(db, "0002")

        def tables(connection: Connection) -> set[str]:
            return set(inspect(connection).get_table_names())

        async with db.engine.connect() as conn:
            names = await conn.run_sync(tables)
        assert "recordings" in names and "qa_scores" not in names


def _about_ours(difference: object) -> bool:
    """Whether a compare_metadata difference names one of our tables (other migrations, past
    0003, are not applied here)."""
    text = repr(difference)
    return any(f"'{name}'" in text or f"Table('{name}'" in text for name in OURS)


async def test_the_writer_stores_the_recording_metadata(tmp_path: Path) -> None:
    async with Database(f"sqlite+aiosqlite:///{tmp_path / 'cc.db'}") as db:
        await upgrade(db, "0003")
        async with CdrWriter(db) as writer:
            writer.submit(Recording("c1", "c1", "/r/c1.wav", 100.0, 160.5, size_bytes=44,
                                    sha256="ab" * 32, queue="support", agent_id="1001",
                                    pauses=((110.0, 120.0),), reason="rule 0: record all"))
        async with db.engine.connect() as conn:
            row = (await conn.execute(select(RecordingRow))).one()
        assert (row.sha256, row.queue, row.agent_id, row.duration_s) == (
            "ab" * 32, "support", "1001", 60.5)
        assert json.loads(row.pauses) == [[110.0, 120.0]]
        assert row.purged_at is None and row.reason == "rule 0: record all"
