"""CDR throughput: 1,000,000 synthetic calls (about 4-5 segments each) through the writer into
SQLite, then the month's KPI reports by day, by queue and by agent; the same on PostgreSQL.

Only the writer's time is counted (submitting each chunk and waiting until it is committed);
generating the synthetic records between chunks is not. Reports are timed end to end
(all SQL aggregation, KPI formulas, labels).

    python benchmarks/cdr_bench.py [--calls N] [--pg-calls N] [--pg URL | --no-pg]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import text

from cdr import CdrWriter, Database, GroupBy, ReportFilter, build_report, upgrade
from cdr.testing import AGENTS, synthetic_agent_day, synthetic_calls

START = 1_762_000_000.0 - 1_762_000_000.0 % 86400  # a UTC midnight in November 2025
DAYS = 30
CHUNK = 50_000
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
PG_SCHEMA = "cdr_bench"


async def write_calls(db: Database, calls: int, batch_size: int) -> float:
    """Write `calls` synthetic calls plus agent state spans; returns calls per second."""
    rng = np.random.default_rng(7)
    elapsed = 0.0
    written = 0
    async with CdrWriter(db, batch_size=batch_size, max_buffer=4 * CHUNK) as writer:
        for day in range(DAYS):  # agent time: not timed, small
            for agent in AGENTS:
                for span in synthetic_agent_day(agent, START + day * 86400, rng):
                    await writer.write(span)
        await writer.flush()
        stream = synthetic_calls(calls, rng, start=START, span_s=DAYS * 86400.0, chunk=CHUNK)
        while written < calls:
            chunk = [record for _, record in zip(range(CHUNK), stream, strict=False)]
            t0 = time.perf_counter()
            for i, record in enumerate(chunk):
                await writer.write(record)
                if i % 1000 == 999:
                    await asyncio.sleep(0)  # the engine's loop runs other work in between
            await writer.flush()
            elapsed += time.perf_counter() - t0
            written += len(chunk)
            print(f"  {written:>9,} calls  {written / elapsed:,.0f} calls/s", file=sys.stderr)
        if writer.stats.rejected:
            raise AssertionError(f"{writer.stats.rejected} items rejected")
    return written / elapsed


async def time_reports(db: Database) -> dict[str, float]:
    """Seconds for the month's report by day, by queue and by agent."""
    flt = ReportFilter(START, START + DAYS * 86400.0)
    timings: dict[str, float] = {}
    for by in (GroupBy.DAY, GroupBy.QUEUE, GroupBy.AGENT):
        t0 = time.perf_counter()
        report = await build_report(db, flt, by)
        timings[by.value] = time.perf_counter() - t0
        if report.total.calls.offered == 0:
            raise AssertionError("the report found no calls")
    return timings


async def run_sqlite(calls: int, batch_size: int, path: Path) -> tuple[float, dict[str, float]]:
    """Fresh SQLite file: write, then report."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    async with Database(f"sqlite+aiosqlite:///{path}") as db:
        await upgrade(db)
        rate = await write_calls(db, calls, batch_size)
        async with db.engine.begin() as conn:  # maintenance after a bulk load, not timed
            await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            await conn.execute(text("ANALYZE"))
        return rate, await time_reports(db)


async def run_postgres(calls: int, batch_size: int, url: str) -> tuple[float, dict[str, float]]:
    """A fresh schema in the PostgreSQL database: write, then report."""
    admin = Database(url)
    async with admin, admin.engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
        await conn.execute(text(f'CREATE SCHEMA "{PG_SCHEMA}"'))
    try:
        async with Database(url, schema=PG_SCHEMA) as db:
            await upgrade(db)
            rate = await write_calls(db, calls, batch_size)
            async with db.engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text("VACUUM ANALYZE calls"))
                await conn.execute(text("VACUUM ANALYZE agent_states"))
            return rate, await time_reports(db)
    finally:
        async with admin, admin.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))


def _line(name: str, rate: float, timings: dict[str, float], calls: int) -> None:
    reports = ", ".join(f"by {k} {v:.2f} s" for k, v in timings.items())
    print(
        f"{name}: writer {rate:,.0f} calls/s ({calls:,} calls); "
        f"month report over {calls:,} calls: {reports}; all three {sum(timings.values()):.2f} s"
    )


def main() -> None:
    """Parse arguments, run SQLite then PostgreSQL, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000, help="calls into SQLite")
    parser.add_argument("--pg-calls", type=int, default=None, help="calls into PostgreSQL")
    parser.add_argument("--batch-size", type=int, default=5000, help="calls per transaction")
    parser.add_argument("--pg", default=os.environ.get("CALLCENTER_TEST_PG", PG_DEFAULT))
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--sqlite-path", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cdr-bench-") as tmp:
        path = args.sqlite_path or Path(tmp) / "cdr.store.db"
        rate, timings = asyncio.run(run_sqlite(args.calls, args.batch_size, path))
        _line("SQLite", rate, timings, args.calls)
    if not args.no_pg:
        pg_calls = args.pg_calls if args.pg_calls is not None else args.calls
        try:
            pg_rate, pg_timings = asyncio.run(run_postgres(pg_calls, args.batch_size, args.pg))
            _line("PostgreSQL", pg_rate, pg_timings, pg_calls)
        except OSError as exc:
            print(f"PostgreSQL: not measured, {args.pg} unreachable: {exc}")
    print(f"RESULT cdr_calls_per_s={rate:.0f} calls/s")


if __name__ == "__main__":
    main()
