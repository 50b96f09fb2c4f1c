"""The audit table: created by the migrations, written and read back in order."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from callcenter.supervision.audit import AuditEntry, read_audit, write_audit
from cdr.store.db import Database
from cdr.store.migrate import downgrade, upgrade


async def test_audit_rows_round_trip_and_the_migration_reverts(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'cc.db'}")
    try:
        await upgrade(db)
        ok = AuditEntry(100.0, "sam", "supervisor", "listen", "1001", "c-1", None, "r1", "ok")
        refused = AuditEntry(101.5, "ann", "team-lead", "barge", "1003", None, None, "r2",
                             "team-lead ann may act only on team north; agent 1003 is not in it")
        unknown = AuditEntry(102.0, "eve", None, "hangup", "1001", None, None, None,
                             "user 'eve' is not a configured supervisor")
        for entry in (ok, refused, unknown):
            await write_audit(db, entry)
        assert await read_audit(db) == [ok, refused, unknown]
        assert await read_audit(db, user_id="ann") == [refused]
        assert await read_audit(db, since=101.0) == [refused, unknown]
        assert ok.ok and not refused.ok
        assert refused.describe().startswith("team-lead ann: barge agent 1003 -> team-lead")

        def columns(connection: object) -> list[str]:
            return [c["name"] for c in inspect(connection).get_columns("supervisor_audit")]

        async with db.engine.connect() as conn:
            assert "result" in await conn.run_sync(columns)
        await downgrade(db, "0003")

        def tables(connection: object) -> list[str]:
            return list(inspect(connection).get_table_names())

        async with db.engine.connect() as conn:
            assert "supervisor_audit" not in await conn.run_sync(tables)
    finally:
        await db.engine.dispose()
