"""The floor under the CDR writer's SQLite figure: what the `calls` table alone costs.

The same synthetic calls as `cdr_bench.py`, into a freshly migrated SQLite file with the
writer's pragmas and adapters, but with nothing of the writer around them: plain `sqlite3`,
one `executemany` of the calls rows and one COMMIT per batch, no roll-ups, no FCR lookups,
no asyncio, no driver thread. Three things are timed per call, separately:

- build: `cdr.store.rows` turning a `CallRecord` into its row (what the engine's side of the writer
  does for every call);
- insert: binding and inserting the rows (the table and its three indexes);
- commit: writing the transaction to the WAL (grows with the database: the customer index's
  leaf pages are random, so every batch dirties most of them).

insert + commit is the database floor: no writer built on this schema can beat it on this
machine; build + insert + commit is the floor of any writer that takes `CallRecord`s.

    python benchmarks/cdr_floor.py [--calls 1000000] [--batch-size 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from cdr import Base, Database, upgrade
from cdr.store.rows import CALLS, entry_of, group_rows
from cdr.store.sqlite_settings import apply_pragmas, register_sqlite_adapters
from cdr.store.writer import insert_sql
from cdr.testing import synthetic_calls

START = 1_762_000_000.0 - 1_762_000_000.0 % 86400  # the same month as cdr_bench.py
DAYS = 30
REPORT_EVERY = 200_000


async def _migrate(path: Path) -> str:
    """Migrate a fresh file; the writer's own INSERT for `calls`."""
    async with Database(f"sqlite+aiosqlite:///{path}") as db:
        await upgrade(db)
        return insert_sql(db.engine.dialect, Base.metadata.tables["calls"])


def run(calls: int, batch_size: int, path: Path) -> tuple[float, float, float]:
    """Microseconds per call for build, insert and commit over `calls` calls."""
    sql = asyncio.run(_migrate(path))
    register_sqlite_adapters()
    connection = sqlite3.connect(path, isolation_level=None)
    apply_pragmas(connection)
    stream = synthetic_calls(
        calls, np.random.default_rng(7), start=START, span_s=DAYS * 86400.0, chunk=50_000
    )
    build = insert = commit = 0.0
    done = 0
    last: tuple[int, float] = (0, 0.0)
    while done < calls:
        records = [record for _, record in zip(range(batch_size), stream, strict=False)]
        t0 = time.perf_counter()
        rows = group_rows([entry_of(record) for record in records])[CALLS]
        t1 = time.perf_counter()
        connection.execute("BEGIN")
        connection.executemany(sql, rows)
        t2 = time.perf_counter()
        connection.execute("COMMIT")
        t3 = time.perf_counter()
        build, insert, commit = build + t1 - t0, insert + t2 - t1, commit + t3 - t2
        done += len(records)
        if done // REPORT_EVERY > last[0] // REPORT_EVERY or done == calls:
            db_time = insert + commit
            marginal = (db_time - last[1]) / (done - last[0]) * 1e6
            print(
                f"  {done:>9,} calls: build {build / done * 1e6:5.1f}, insert "
                f"{insert / done * 1e6:5.1f}, commit {commit / done * 1e6:5.1f} µs/call on average;"
                f" insert + commit of the last {done - last[0]:,}: {marginal:5.1f} µs/call",
                file=sys.stderr,
            )
            last = (done, db_time)
    connection.close()
    return build / done * 1e6, insert / done * 1e6, commit / done * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=5000, help="calls per transaction")
    args = parser.parse_args()
    if args.calls < 1 or args.batch_size < 1:
        parser.error("--calls and --batch-size must be at least 1")
    with tempfile.TemporaryDirectory(prefix="cdr-floor-") as tmp:
        build, insert, commit = run(args.calls, args.batch_size, Path(tmp) / "cdr.store.db")
    database = 1e6 / (insert + commit)
    with_build = 1e6 / (build + insert + commit)
    print(
        f"SQLite floor over {args.calls:,} calls ({args.batch_size:,} per transaction): "
        f"build {build:.1f} + insert {insert:.1f} + commit {commit:.1f} µs/call"
    )
    print(f"calls table only (insert + commit): {database:,.0f} calls/s")
    print(f"with building the rows: {with_build:,.0f} calls/s (the writer's bar: 20,000)")
    print(f"RESULT cdr_sqlite_floor_calls_per_s={database:.0f} calls/s")


if __name__ == "__main__":
    main()
