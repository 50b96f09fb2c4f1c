"""The interval roll-ups the writer keeps equal the raw calls' aggregation, on both backends."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from cdr_helpers import DAY1
from conftest import DbTarget
from sqlalchemy import Table, inspect, select
from sqlalchemy.engine import Connection

from cdr import kpis
from cdr.records import CallRecord, Direction, Outcome, Survey
from cdr.reports.aggregate import (
    GroupBy,
    KpiSettings,
    ReportFilter,
    call_tallies,
    rollup_table,
    wait_bins_table,
)
from cdr.store import rollup, tally
from cdr.store.db import Database
from cdr.store.migrate import downgrade, head_revision, upgrade
from cdr.store.rows import call_row
from cdr.store.schema import Base, CallRow
from cdr.store.writer import CdrWriter
from cdr.testing import synthetic_calls, with_announcement

DAYS = 3
PERIOD = ReportFilter(DAY1, DAY1 + DAYS * 86400.0)
AT = {column.name: i for i, column in enumerate(CallRow.__table__.columns)}  # in `calls` rows
TABLES = (
    rollup.QUEUE_INTERVALS,
    rollup.AGENT_INTERVALS,
    rollup.QUEUE_WAIT_BINS,
    rollup.AGENT_WAIT_BINS,
)


def workload(rng: np.random.Generator) -> list[CallRecord]:
    """Calls of few customers (many repeats within 24 h), some without queue, call type or
    agent, some never offered, in a shuffled order (calls end, and are written, out of order)."""
    calls = list(
        synthetic_calls(1500, rng, start=DAY1, span_s=DAYS * 86400.0, customers=150, chunk=500)
    )
    for i in rng.choice(len(calls), 150, replace=False):
        calls[i] = dataclasses.replace(calls[i], queue=None, call_type=None)
    # The agent-ID announcement: heard before the talk, or the caller gone during it.
    for n, i in enumerate(rng.choice(len(calls), 400, replace=False)):
        if calls[i].answered_at is not None:
            seconds = float(rng.uniform(1.5, 4.0))
            calls[i] = with_announcement(calls[i], seconds, hung_up=n % 8 == 0)
    for i in rng.choice(len(calls), 60, replace=False):
        calls[i] = dataclasses.replace(calls[i], direction=Direction.OUTBOUND, enqueued_at=None)
    # Left the queue other than answered or abandoned; answered with no agent known; surveys
    # with one score missing; waits right at the thresholds.
    for i in rng.choice(len(calls), 40, replace=False):
        calls[i] = dataclasses.replace(calls[i], outcome=Outcome.VOICEMAIL, answered_at=None)
    for i in rng.choice(len(calls), 20, replace=False):
        if calls[i].answered_at is not None:
            calls[i] = dataclasses.replace(calls[i], agent_id=None)
    for i in rng.choice(len(calls), 60, replace=False):
        survey = Survey(None, 9, None) if i % 2 else Survey(2, None, None)
        calls[i] = dataclasses.replace(calls[i], survey=survey)
    for i in rng.choice(len(calls), 20, replace=False):
        call = calls[i]
        if call.enqueued_at is not None and call.answered_at is not None:
            at = call.enqueued_at + (20.0 if i % 2 else 5.0)
            calls[i] = dataclasses.replace(call, answered_at=at, segments=())
    order = rng.permutation(len(calls))
    return [calls[i] for i in order]


async def rollup_rows(db: Database, table: Table) -> list[tuple[object, ...]]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(select(table).order_by(*table.primary_key))
        return [tuple(row) for row in rows]


def same_rows(
    got: list[tuple[object, ...]], want: list[tuple[object, ...]], refilled: Table | None = None
) -> None:
    """Keys and counts exactly, float sums to rounding; with `refilled`, its announce_s to
    10 µs (a migration computes it again from the segments, stored in whole microseconds)."""
    assert len(got) == len(want)
    names = [] if refilled is None else refilled.columns.keys()
    coarse = {i for i, name in enumerate(names) if name == "announce_s"}
    for a, b in zip(got, want, strict=True):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if i in coarse:
                assert x == pytest.approx(y, abs=1e-5), (a, b)
            else:
                assert x == (pytest.approx(y, rel=1e-12) if isinstance(y, float) else y), (a, b)


async def test_rollups_equal_the_raw_aggregation_on_a_random_workload(db: Database) -> None:
    rng = np.random.default_rng(2026)
    calls = workload(rng)
    async with CdrWriter(db, batch_size=97) as writer:
        for record in calls:
            await writer.write(record)
        await writer.flush()
        for i in rng.choice(len(calls), 300, replace=False):  # a replay after a reconnect
            await writer.write(calls[i])
    written = {t.name: await rollup_rows(db, t) for t in TABLES}
    at = {column.name: i for i, column in enumerate(rollup.QUEUE_INTERVALS.columns)}
    offered = sum(int(str(row[at["offered"]])) for row in written["queue_intervals"])
    assert offered == sum(c.enqueued_at is not None for c in calls)  # replays counted once
    repeated = sum(int(str(row[at["fcr_repeated"]])) for row in written["queue_intervals"])
    assert repeated > 100  # the workload exercises FCR across batches

    # Built in one statement from the raw rows, as the migration does: the same numbers.
    async with db.engine.begin() as conn:
        await conn.run_sync(rollup.rebuild)
    for table in TABLES:
        same_rows(written[table.name], await rollup_rows(db, table))

    settings = KpiSettings()
    filters = [
        PERIOD,
        ReportFilter(DAY1 + 9 * 3600.0, DAY1 + 86400.0 + 900.0, queues=("billing", "sales")),
        ReportFilter(DAY1, DAY1 + 2 * 86400.0, agents=("a001", "a042", "a099")),
    ]
    for flt in filters:
        for by in GroupBy:
            if (
                rollup_table(flt, by, settings) is None
                and wait_bins_table(flt, by, settings) is None
            ):
                continue
            fast = await call_tallies(db, flt, by, settings)
            raw = await call_tallies(db, flt, by, settings, rollups=False)
            assert fast.keys() == raw.keys()
            for key, group in raw.items():
                got, want = dataclasses.asdict(fast[key].call), dataclasses.asdict(group.call)
                assert got == pytest.approx(want, rel=1e-12), (flt, by, key)
                assert fast[key].wait_histogram == group.wait_histogram


def test_reports_off_the_rollups_grid_read_the_raw_calls() -> None:
    settings = KpiSettings()
    assert rollup_table(PERIOD, GroupBy.DAY, settings) is rollup.QUEUE_INTERVALS
    assert rollup_table(PERIOD, GroupBy.AGENT, settings) is rollup.AGENT_INTERVALS
    assert rollup_table(ReportFilter(DAY1 + 60.0, DAY1 + 3600.0), GroupBy.DAY, settings) is None
    assert rollup_table(PERIOD, GroupBy.DAY, KpiSettings(target_s=30.0)) is None
    assert rollup_table(PERIOD, GroupBy.INTERVAL, KpiSettings(interval_s=600.0)) is None
    assert rollup_table(PERIOD, GroupBy.DAY, KpiSettings(utc_offset_s=600.0)) is None
    by_queue_for_agents = ReportFilter(DAY1, DAY1 + 86400.0, agents=("a001",))
    assert rollup_table(by_queue_for_agents, GroupBy.QUEUE, settings) is None
    assert wait_bins_table(PERIOD, GroupBy.MONTH, settings) is rollup.QUEUE_WAIT_BINS
    assert wait_bins_table(PERIOD, GroupBy.AGENT, settings) is rollup.AGENT_WAIT_BINS
    assert wait_bins_table(PERIOD, GroupBy.HOUR, settings) is None
    assert wait_bins_table(ReportFilter(DAY1, DAY1 + 900.0), GroupBy.QUEUE, settings) is None


async def test_0006_fills_the_rollups_from_stored_calls_and_downgrades(db: Database) -> None:
    calls = workload(np.random.default_rng(7))[:400]
    async with CdrWriter(db) as writer:
        for record in calls:
            writer.submit(record)
    kept = {t.name: await rollup_rows(db, t) for t in TABLES}
    assert all(kept.values())
    await downgrade(db, "0005")

    def names(connection: Connection) -> set[str]:
        return set(inspect(connection).get_table_names())

    async with db.engine.connect() as conn:
        assert not await conn.run_sync(names) & {t.name for t in TABLES}
    assert await upgrade(db) == head_revision()  # the calls stayed: rolled up again
    for table in TABLES:
        same_rows(await rollup_rows(db, table), kept[table.name], table)


async def test_a_call_counts_the_same_in_sql_in_the_writer_and_in_a_producers_tally(
    db: Database,
) -> None:
    # The three spellings of one call's counts: the SQL of raw reports and rebuilds, the
    # writer's tuple, and what the simulator and the live statistics call per call.
    assert tuple(rollup.call_tally_columns(20.0, 5.0, 86400.0)) == tally.TALLY_COLUMNS
    for table in (rollup.QUEUE_INTERVALS, rollup.AGENT_INTERVALS):
        keys = {column.name for column in table.primary_key}
        assert tuple(c.name for c in table.columns if c.name not in keys) == tally.TALLY_COLUMNS
    calls = workload(np.random.default_rng(11))
    async with CdrWriter(db) as writer:
        for record in calls:
            writer.submit(record)
    columns = rollup.call_tally_columns(
        tally.ROLLUP_TARGET_S, tally.ROLLUP_SHORT_ABANDON_S, tally.ROLLUP_FCR_WINDOW_S
    )
    c = CallRow.__table__.c
    stmt = select(c.call_id, *columns.values()).where(c.enqueued_at.is_not(None))
    async with db.engine.connect() as conn:
        in_sql = {
            row[0]: dict(zip(tally.TALLY_COLUMNS, row[1:], strict=True))
            for row in await conn.execute(stmt.group_by(c.call_id))
        }
    kinds = {Outcome.ANNOUNCEMENT_HANGUP: 0, Outcome.ABANDONED: 0}
    for record in calls:
        if record.enqueued_at is None:
            continue
        want = in_sql[record.call_id]
        got = dict(zip(tally.TALLY_COLUMNS, tally.call_tally(call_row(record)), strict=True))
        assert got == {**want, "fcr_repeated": 0}, record.call_id  # FCR: found in SQL later
        wait = call_row(record)[AT["wait_s"]]
        produced = kpis.CallTally(offered=1)
        if record.answered_at is not None and record.agent_id is not None:
            produced.add_answered(wait, tally.ROLLUP_TARGET_S)
        elif record.outcome is Outcome.ABANDONED:
            produced.add_abandoned(wait, tally.ROLLUP_SHORT_ABANDON_S)
        else:
            continue
        kinds[record.outcome] = kinds.get(record.outcome, 0) + 1
        counted = (
            "offered", "answered", "abandoned", "short_abandoned", "answered_within_target",
            "handled", "wait_answered_s", "wait_all_s", "waited", "max_wait_s",
        )  # fmt: skip
        assert {n: getattr(produced, n) for n in counted} == {n: want[n] for n in counted}
    assert all(kinds.values()), kinds  # abandons and announcement hang-ups were compared


@pytest.mark.parametrize("announced", [True, False])
async def test_0008_matches_the_models_and_fills_the_announcement_from_the_segments(
    db: Database, target: DbTarget, announced: bool
) -> None:
    calls = workload(np.random.default_rng(5))[:500]
    if not announced:  # as written before the announcement was a segment of its own
        calls = [c for c in calls if c.outcome is not Outcome.ANNOUNCEMENT_HANGUP]
        calls = [c for c in calls if all(s.kind != "announcement" for s in c.segments)]
    async with CdrWriter(db) as writer:
        for record in calls:
            writer.submit(record)
    kept = {t.name: await rollup_rows(db, t) for t in TABLES}
    await downgrade(db, "0007")
    assert await upgrade(db) == head_revision()

    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection)
        ours = {"calls", "queue_intervals", "agent_intervals"}
        found = [d for d in compare_metadata(context, Base.metadata) if _about(d, ours)]
        # SQLite does not enforce VARCHAR lengths; 0008 widens calls.outcome on PostgreSQL only.
        return [d for d in found if not (target.kind == "sqlite" and "'outcome'" in repr(d))]

    async with db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []
        stored = dict((await conn.execute(select(CallRow.call_id, CallRow.announce_s))).all())
    announced_calls = 0
    for record in calls:
        want = call_row(record)[AT["announce_s"]]
        assert stored[record.call_id] == pytest.approx(want, abs=2e-6), record.call_id
        announced_calls += want > 0
    assert (announced_calls > 20) is announced
    for table in TABLES:
        same_rows(await rollup_rows(db, table), kept[table.name], table)


def _about(difference: object, tables: set[str]) -> bool:
    text = repr(difference)
    return any(f"'{name}'" in text or f"Table('{name}'" in text for name in tables)
