"""A bug in the writer's task (not a database outage) stops it loudly: flush() and submit()
raise instead of waiting for ever."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from cdr_helpers import answered

from cdr.errors import WriterStoppedError
from cdr.store.db import Database
from cdr.store.migrate import upgrade
from cdr.store.writer import CdrWriter


async def test_flush_raises_when_the_writer_task_dies(tmp_path: Path,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    async with Database(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}") as db:
        await upgrade(db)
        writer = CdrWriter(db, flush_interval_s=0.01)

        async def broken(batch: object) -> int:
            raise ZeroDivisionError("a bug in the row mapping")

        writer._write_robust = broken  # type: ignore[method-assign]
        with pytest.raises(ExceptionGroup) as group:
            async with writer:
                writer.submit(answered("c1", "billing", 1e9, 5.0, "a1", 60.0))
                with pytest.raises(WriterStoppedError, match="a bug in the row mapping"):
                    await asyncio.wait_for(writer.flush(), 5)
                with pytest.raises(WriterStoppedError, match="1 items not written"):
                    writer.submit(answered("c2", "billing", 1e9, 5.0, "a1", 60.0))
        assert group.group_contains(ZeroDivisionError)
        assert "CDR writer stopped" in caplog.text
