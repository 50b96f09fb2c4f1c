"""The writer's side of the roll-ups: what a batch of new calls adds to them.

The counts and sums are computed in Python from the batch's `calls` rows (already in memory)
with the definitions of `rollup.call_tally_columns`, grouped, and added to the roll-up rows
with one INSERT ... ON CONFLICT DO UPDATE per group. Re-reading the calls just written and
aggregating them in SQL cost the writer more than inserting them. `rollup.rebuild` (migrations)
still aggregates in SQL; `tests/cdr/test_rollup.py` checks that both give the same rows.

First-call resolution needs the calls around the batch in the database, so it stays in SQL
(`rollup.newly_repeated`, `rollup.add_repeats`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from cdr.store.rollup import (
    AGENT_INTERVALS,
    AGENT_WAIT_BINS,
    QUEUE_INTERVALS,
    QUEUE_WAIT_BINS,
    add_repeats,
    added_on_conflict,
    ids_param,
    newly_repeated,
)
from cdr.store.rows import Row
from cdr.store.tally import CALL_ID, deltas

# The roll-up tables in the order of `tally.deltas`' results.
_ROLLUP_TABLES = (QUEUE_INTERVALS, AGENT_INTERVALS, QUEUE_WAIT_BINS, AGENT_WAIT_BINS)


def _upsert_sql(dialect: Dialect, table: Table) -> str:
    """INSERT ... VALUES ... ON CONFLICT DO UPDATE adding every non-key column (max for
    max_wait_s), positional parameters in column order, for executemany with tuples."""
    module: Any = postgresql if dialect.name == "postgresql" else sqlite
    keys = [column.name for column in table.primary_key]
    columns = [column.name for column in table.columns]
    stmt = module.insert(table)
    updates = added_on_conflict(table, stmt.excluded, [c for c in columns if c not in keys])
    compiled = stmt.on_conflict_do_update(index_elements=keys, set_=updates).compile(
        dialect=dialect, column_keys=columns
    )
    if list(compiled.positiontup or ())[: len(columns)] != columns:
        raise RuntimeError(f"roll-up upsert: unexpected parameter order for {table.name}")
    return str(compiled.string)


class RollupDeltas:
    """Adds the calls a writer batch stores for the first time to the roll-ups, inside the
    batch's transaction."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect.name
        self._upserts = [_upsert_sql(dialect, table) for table in _ROLLUP_TABLES]

    async def add(self, conn: AsyncConnection, new_calls: Sequence[Row]) -> None:
        """Roll up `new_calls` (`calls` rows just inserted, never rolled up) and count the
        earlier calls they make repeated (FCR)."""
        if not new_calls:
            return
        for sql, rows in zip(self._upserts, deltas(new_calls), strict=True):
            if rows:
                await conn.exec_driver_sql(sql, rows)
        ids = ids_param(self._dialect, [row[CALL_ID] for row in new_calls])
        found = await conn.execute(newly_repeated(self._dialect), {"ids": ids})
        repeated = list(found.scalars())
        if repeated:
            bound = ids_param(self._dialect, repeated)
            for agent in (False, True):
                await conn.execute(add_repeats(self._dialect, agent), {"repeated": bound})
