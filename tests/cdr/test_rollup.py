"""The interval roll-ups the writer keeps equal the raw calls' aggregation, on both backends."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from cdr_helpers import DAY1
from sqlalchemy import Table, inspect, select
from sqlalchemy.engine import Connection

from cdr import rollup
from cdr.aggregate import (
    GroupBy,
    KpiSettings,
    ReportFilter,
    call_tallies,
    rollup_table,
    wait_bins_table,
)
from cdr.db import Database
from cdr.migrate import downgrade, head_revision, upgrade
from cdr.records import CallRecord, Direction, Outcome, Survey
from cdr.testing import synthetic_calls
from cdr.writer import CdrWriter

DAYS = 3
PERIOD = ReportFilter(DAY1, DAY1 + DAYS * 86400.0)
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


def same_rows(got: list[tuple[object, ...]], want: list[tuple[object, ...]]) -> None:
    assert len(got) == len(want)
    for a, b in zip(got, want, strict=True):
        for x, y in zip(a, b, strict=True):  # keys and counts exactly; float sums to rounding
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
    offered = sum(int(str(row[3])) for row in written["queue_intervals"])
    assert offered == sum(c.enqueued_at is not None for c in calls)  # replays counted once
    repeated = sum(int(str(row[-1])) for row in written["queue_intervals"])
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
    assert await upgrade(db) == head_revision()  # the calls stayed: the upgrade rolls them up again
    for table in TABLES:
        same_rows(await rollup_rows(db, table), kept[table.name])
