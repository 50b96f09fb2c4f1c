"""The writer: batched, idempotent, crash-safe, and patient through database outages."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import numpy as np
import pytest
from cdr_helpers import NINE, hand_checked_agent_time, hand_checked_calls
from conftest import PG_URL, DbTarget
from sqlalchemy import func, select, text

from cdr.db import Database
from cdr.errors import WriterBufferFullError
from cdr.migrate import downgrade, head_revision, upgrade
from cdr.records import Recording, Segment
from cdr.rows import decode_segments, split_span
from cdr.schema import AgentStateRow, CallRow, RecordingRow, SurveyRow
from cdr.testing import synthetic_calls
from cdr.writer import CdrWriter

HERE = Path(__file__).parent


async def count(db: Database, model: type) -> int:
    async with db.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(model))).scalar_one())


async def count_segments(db: Database) -> int:
    """Rows of the `call_segments` view (one per segment stored on the calls)."""
    async with db.engine.connect() as conn:
        return int((await conn.execute(text("SELECT count(*) FROM call_segments"))).scalar_one())


async def test_a_call_is_written_with_its_segments_and_sums(db: Database) -> None:
    async with CdrWriter(db) as writer:
        for item in hand_checked_calls():
            writer.submit(item)
        writer.submit(Recording("r1", "c1", "/rec/c1.wav", NINE + 15, NINE + 115))
        await writer.flush()
        assert writer.stats.written == 7 and writer.stats.pending == 0
    async with db.engine.connect() as conn:
        c1 = (await conn.execute(select(CallRow).where(CallRow.call_id == "c1"))).one()
    assert (c1.wait_s, c1.talk_s, c1.hold_s, c1.wrap_up_s, c1.ring_s) == (10, 100, 20, 30, 2)
    assert (c1.outcome, c1.agent_id, c1.csat, c1.nps) == ("answered", "a1", 5, 10)
    assert await count_segments(db) == 6 + 5 + 2 + 2 + 5 + 4  # c1 c2 c3 c4 c6 c5
    assert await count(db, SurveyRow) == 2
    assert await count(db, RecordingRow) == 1


SegmentLine = tuple[str, int, str, float, float, str | None, str | None, bool]
MICROSECOND = 1e-6


def same_segments(got: list[SegmentLine], want: list[SegmentLine]) -> None:
    """Equal segments; times stored to the microsecond after the call's arrival."""
    assert [(*g[:3], *g[5:]) for g in got] == [(*w[:3], *w[5:]) for w in want]
    for g, w in zip(got, want, strict=True):
        assert g[3:5] == pytest.approx(w[3:5], abs=MICROSECOND), (g, w)


def segment_lines(calls: dict[str, tuple[float, tuple[Segment, ...]]]) -> list[SegmentLine]:
    return sorted(
        (call_id, s.seq, s.kind.value, s.start, s.end, s.agent_id, s.queue, s.answered)
        for call_id, (_arrived, segments) in calls.items()
        for s in segments
    )


async def view_lines(db: Database) -> list[SegmentLine]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(
            text('SELECT call_id, seq, kind, start, "end", agent_id, queue, answered '
                 "FROM call_segments ORDER BY call_id, seq")
        )  # fmt: skip
        return [(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7])) for r in rows]


async def decoded_lines(db: Database) -> list[SegmentLine]:
    async with db.engine.connect() as conn:
        stmt = select(CallRow.call_id, CallRow.arrived_at, CallRow.segments)
        packed = (await conn.execute(stmt)).all()
    return segment_lines({c: (at, decode_segments(text, at)) for c, at, text in packed})


async def test_the_call_segments_view_gives_back_every_segment(db: Database) -> None:
    calls = list(synthetic_calls(300, np.random.default_rng(3), start=1.76e9, span_s=86400.0))
    calls.extend(hand_checked_calls())
    async with CdrWriter(db) as writer:
        for record in calls:
            writer.submit(record)
    expected = segment_lines({c.call_id: (c.arrived_at, c.segments) for c in calls})
    same_segments(await view_lines(db), expected)
    same_segments(await decoded_lines(db), expected)


async def test_replaying_the_same_events_writes_nothing_twice(db: Database) -> None:
    items = [*hand_checked_calls(), *hand_checked_agent_time()]
    for _ in range(3):  # e.g. the engine replays after a reconnect, or a restart
        async with CdrWriter(db) as writer:
            for item in items:
                writer.submit(item)
    assert await count(db, CallRow) == 6
    assert await count_segments(db) == 24
    assert await count(db, AgentStateRow) == 9  # 7 spans, 2 of them cut at 09:15 and 09:30


async def test_0007_moves_segments_onto_the_calls_and_back(db: Database) -> None:
    calls = list(synthetic_calls(250, np.random.default_rng(4), start=1.76e9, span_s=86400.0))
    async with CdrWriter(db, batch_size=100) as writer:
        for record in calls:
            writer.submit(record)
    expected = segment_lines({c.call_id: (c.arrived_at, c.segments) for c in calls})
    same_segments(await view_lines(db), expected)
    await downgrade(db, "0006")  # back to one table row per segment
    same_segments(await view_lines(db), expected)
    assert await upgrade(db) == head_revision()  # and onto the calls again
    same_segments(await view_lines(db), expected)
    same_segments(await decoded_lines(db), expected)


def test_agent_spans_are_cut_at_interval_boundaries() -> None:
    assert split_span(900.0, 1000.0) == [(900.0, 1000.0)]
    assert split_span(800.0, 2000.0) == [(800.0, 900.0), (900.0, 1800.0), (1800.0, 2000.0)]
    assert split_span(800.0, 900.0) == [(800.0, 900.0)]


async def test_many_calls_in_batches(db: Database) -> None:
    calls = list(synthetic_calls(3000, np.random.default_rng(1), start=1.76e9, span_s=86400.0))
    async with CdrWriter(db, batch_size=500) as writer:
        for record in calls:
            await writer.write(record)
    assert await count(db, CallRow) == 3000
    assert await count_segments(db) == sum(len(c.segments) for c in calls)


async def test_a_full_buffer_says_so_instead_of_growing(target: DbTarget) -> None:
    # A database that does not exist yet (no tables): every write fails and is retried.
    async with Database(target.url) as db:
        writer = CdrWriter(db, batch_size=2, max_buffer=4, backoff_max_s=0.05, drain_timeout_s=0.2)
        async with writer:
            for item in hand_checked_calls()[:4]:
                writer.submit(item)
            with pytest.raises(WriterBufferFullError, match="buffer full"):
                writer.submit(hand_checked_calls()[4])
            await asyncio.sleep(0.3)
            assert writer.stats.failed_attempts >= 1
            assert writer.stats.behind
            await upgrade(db)  # the database comes back: the buffered calls go in
            await asyncio.wait_for(writer.flush(), 10)
        assert await count(db, CallRow) == 4


@pytest.mark.parametrize("n", [200])
async def test_calls_committed_before_sigkill_survive(target: DbTarget, n: int) -> None:
    async with Database(target.url) as db:
        await upgrade(db)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parents[1]), str(HERE)])}
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "crash_writer.py"), target.url, str(n)],
        stdout=subprocess.PIPE, env=env, text=True,
    )  # fmt: skip
    try:
        line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), 60)  # type: ignore[union-attr]
        assert line.strip() == "committed"
        await asyncio.sleep(0.3)  # let it be in the middle of later batches
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    async with Database(target.url) as db:
        calls = await count(db, CallRow)
        assert calls >= n
        async with db.engine.connect() as conn:
            orphans = await conn.execute(
                text("SELECT count(*) FROM calls c WHERE NOT EXISTS "
                     "(SELECT 1 FROM call_segments s WHERE s.call_id = c.call_id)")
            )  # fmt: skip
            assert orphans.scalar_one() == 0  # a call and its segments commit together


async def test_nothing_is_lost_when_postgresql_kills_the_connections(target: DbTarget) -> None:
    if target.kind != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    app_name = f"cdr-outage-{uuid.uuid4().hex[:8]}"
    calls = list(synthetic_calls(2000, np.random.default_rng(5), start=1.76e9, span_s=86400.0))
    async with (
        Database(target.url, application_name=app_name) as db,
        Database(PG_URL) as admin,
    ):
        await upgrade(db)
        writer = CdrWriter(db, batch_size=100, flush_interval_s=0.01, backoff_max_s=0.2)
        async with writer:
            for i, record in enumerate(calls):
                writer.submit(record)
                if i % 200 == 199:
                    async with admin.engine.begin() as conn:
                        killed = await conn.execute(
                            text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                 "WHERE application_name = :name"),
                            {"name": app_name},
                        )  # fmt: skip
                        assert killed.scalar_one() >= 0
                    await asyncio.sleep(0.02)
            await asyncio.wait_for(writer.flush(), 60)
        assert await count(db, CallRow) == 2000
        assert await count_segments(db) == sum(len(c.segments) for c in calls)
