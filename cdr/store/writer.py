"""The CDR writer the engine feeds: batched, idempotent, crash-safe, never blocking the loop.

- Batched: items wait in a bounded in-memory buffer; a background task writes up to
  `batch_size` of them per transaction, every `flush_interval_s` or sooner when a batch is full.
- Idempotent: every row has a natural key (call id; call id + segment sequence; agent + start
  + activity; ...) and is inserted with ON CONFLICT DO NOTHING, so replaying events after a
  reconnect or restart writes nothing twice. The interval roll-ups (`cdr.store.rollup`) are updated
  in the same transaction for the calls that were not stored yet (looked up first;
  `cdr.store.rollup_delta`), so a replay adds nothing to them either. One writer per stream of
  call ids: two writers storing the same call at the same instant could both count it.
- Crash-safe: an item is removed from the buffer only after its transaction committed; a
  committed call survives SIGKILL (SQLite WAL, PostgreSQL). `flush()` waits for that point.
- Outages: a failed write is retried with exponential backoff; the buffer keeps the items and
  the writer logs loudly (warning when the buffer passes `behind_fraction`, an error per failed
  attempt). `submit` raises WriterBufferFullError only when the buffer is full.
- Never blocks: `submit` converts one record to row tuples (microseconds) and returns; the
  database is reached through its async driver.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass
from itertools import islice
from types import TracebackType
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from cdr.errors import WriterBufferFullError, WriterStoppedError
from cdr.records import CdrItem
from cdr.store import rollup
from cdr.store.db import Database
from cdr.store.rollup_delta import RollupDeltas
from cdr.store.rows import CALLS, TABLE_ORDER, Entry, Row, entry_of, group_rows
from cdr.store.schema import Base, CallRow

log = logging.getLogger("cdr.store.writer")

# Parents before children (segments and surveys reference calls).
_TABLES: tuple[Table, ...] = tuple(Base.metadata.tables[name] for name in TABLE_ORDER)
# Errors that retrying cannot cure: the batch holds a bad row. (A missing table is not one:
# it is retried, loudly, until `callcenter db upgrade` has run.)
_POISON = (IntegrityError, DataError)
# Errors worth retrying: lost connection, locked database, server down or restarting.
_TRANSIENT = (SQLAlchemyError, OSError, TimeoutError)


def _brief(exc: BaseException) -> str:
    """The driver's message without SQLAlchemy's echo of the statement and parameters."""
    original = getattr(exc, "orig", None)
    text = f"{type(exc).__name__}: {original if original is not None else exc}"
    return text if len(text) <= 300 else text[:297] + "..."


def insert_sql(dialect: Dialect, table: Table) -> str:
    """INSERT ... ON CONFLICT DO NOTHING with positional parameters in column order.

    Executed as driver SQL with tuples: no per-row parameter processing in SQLAlchemy
    (the values are all plain str/int/float/bool/None).
    """
    module: Any = postgresql if dialect.name == "postgresql" else sqlite
    columns = [column.name for column in table.columns]
    compiled = (
        module.insert(table).on_conflict_do_nothing().compile(dialect=dialect, column_keys=columns)
    )
    if list(compiled.positiontup or ()) != columns:
        raise RuntimeError(f"CDR writer: unexpected parameter order for {table.name}")
    return str(compiled.string)


@dataclass(frozen=True, slots=True)
class WriterStats:
    """What the writer has done so far."""

    pending: int
    written: int
    failed_attempts: int
    rejected: int
    behind: bool


class CdrWriter:
    """`async with CdrWriter(db) as writer: writer.submit(record)`; leaving the block drains."""

    def __init__(
        self,
        db: Database,
        *,
        batch_size: int = 1000,
        flush_interval_s: float = 0.2,
        max_buffer: int = 100_000,
        behind_fraction: float = 0.5,
        backoff_initial_s: float = 0.05,
        backoff_max_s: float = 5.0,
        drain_timeout_s: float = 30.0,
    ) -> None:
        if batch_size < 1 or max_buffer < batch_size:
            raise ValueError(
                f"CdrWriter: expected 1 <= batch_size <= max_buffer, got {batch_size}, {max_buffer}"
            )
        self._db = db
        self._batch_size = batch_size
        self._flush_interval_s = flush_interval_s
        self._max_buffer = max_buffer
        self._behind_at = max(1, int(max_buffer * behind_fraction))
        self._backoff_initial_s = backoff_initial_s
        self._backoff_max_s = backoff_max_s
        self._drain_timeout_s = drain_timeout_s
        self._buffer: deque[tuple[CdrItem, Entry]] = deque()
        self._submitted = 0
        self._written = 0  # items taken off the buffer (committed or rejected)
        self._committed = 0
        self._failed_attempts = 0
        self._rejected: list[CdrItem] = []
        self._died: Exception | None = None
        self._behind = False
        self._closing = False
        self._flush_target = 0  # a flush() waits for everything up to this submission count
        self._wake = asyncio.Event()
        self._progress = asyncio.Condition()
        self._task_group: asyncio.TaskGroup | None = None
        self._inserts = [insert_sql(db.engine.dialect, table) for table in _TABLES]
        call_id = CallRow.__table__.c.call_id
        self._existing = select(call_id).where(rollup.in_ids(db.dialect, call_id))
        self._rollups = RollupDeltas(db.engine.dialect)

    async def __aenter__(self) -> CdrWriter:
        self._task_group = asyncio.TaskGroup()
        await self._task_group.__aenter__()
        self._task_group.create_task(self._run(), name="cdr-writer")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._closing = True
        self._wake.set()
        assert self._task_group is not None
        await self._task_group.__aexit__(exc_type, exc, tb)

    # -- the engine's side ---------------------------------------------------------------------

    def submit(self, item: CdrItem) -> None:
        """Queue one item for writing; returns at once. Raises WriterBufferFullError when full,
        WriterStoppedError once the background task has died."""
        self._check_alive()
        if self._closing:
            raise RuntimeError("CdrWriter: submit after close")
        if len(self._buffer) >= self._max_buffer:
            raise WriterBufferFullError(
                f"CDR buffer full ({self._max_buffer} items): the database has been failing "
                f"for {self._failed_attempts} attempts; {self._committed} items written so far"
            )
        self._buffer.append((item, entry_of(item)))
        self._submitted += 1
        if len(self._buffer) >= self._behind_at and not self._behind:
            self._behind = True
            log.warning(
                "CDR writer is behind: %d items waiting (buffer holds %d)",
                len(self._buffer),
                self._max_buffer,
            )
        if len(self._buffer) >= self._batch_size:
            self._wake.set()

    async def write(self, item: CdrItem) -> None:
        """Queue one item, waiting (without blocking the loop) while the buffer is full."""
        while len(self._buffer) >= self._max_buffer:
            async with self._progress:
                await self._progress.wait()
        self.submit(item)

    async def flush(self) -> None:
        """Wait until every item submitted before this call is committed (or rejected)."""
        target = self._submitted
        self._flush_target = max(self._flush_target, target)
        self._wake.set()
        async with self._progress:
            await self._progress.wait_for(lambda: self._written >= target or self._died is not None)
        self._check_alive()

    def _check_alive(self) -> None:
        if self._died is not None:
            raise WriterStoppedError(
                f"CDR writer stopped after {self._committed} items: {_brief(self._died)};"
                f" {len(self._buffer)} items not written"
            ) from self._died

    @property
    def stats(self) -> WriterStats:
        """Counters: pending, written, failed attempts, rejected rows, behind."""
        return WriterStats(
            pending=len(self._buffer),
            written=self._committed,
            failed_attempts=self._failed_attempts,
            rejected=len(self._rejected),
            behind=self._behind,
        )

    @property
    def rejected(self) -> list[CdrItem]:
        """Items the database refused as invalid (logged once each); never retried."""
        return list(self._rejected)

    # -- the background task -------------------------------------------------------------------

    async def _run(self) -> None:
        try:
            await self._write_until_closed()
        except Exception as exc:
            # A bug, not an outage (those are retried): say so loudly, and wake every flush()
            # so that it raises instead of waiting for ever.
            self._died = exc
            log.critical(
                "CDR writer stopped: %s; %d items not written", _brief(exc), len(self._buffer)
            )
            async with self._progress:
                self._progress.notify_all()
            raise

    async def _write_until_closed(self) -> None:
        backoff = self._backoff_initial_s
        drain_deadline: float | None = None
        loop = asyncio.get_running_loop()
        while True:
            if not self._buffer:
                if self._closing:
                    return
                self._wake.clear()
                try:
                    async with asyncio.timeout(self._flush_interval_s):
                        await self._wake.wait()
                except TimeoutError:
                    pass
                continue
            urgent = self._closing or self._flush_target > self._written
            if len(self._buffer) < self._batch_size and not urgent:
                # Give a partial batch until the interval to fill up.
                self._wake.clear()
                try:
                    async with asyncio.timeout(self._flush_interval_s):
                        await self._wake.wait()
                except TimeoutError:
                    pass
            batch = list(islice(self._buffer, self._batch_size))
            try:
                committed = await self._write_robust(batch)
            except _TRANSIENT as exc:  # connection lost, database locked, server down
                self._failed_attempts += 1
                log.error(
                    "CDR write failed (attempt %d, %d items waiting), retrying in %.2f s: %s",
                    self._failed_attempts,
                    len(self._buffer),
                    backoff,
                    _brief(exc),
                )
                if self._closing:
                    drain_deadline = drain_deadline or loop.time() + self._drain_timeout_s
                    if loop.time() >= drain_deadline:
                        log.critical(
                            "CDR writer closing with %d items NOT written", len(self._buffer)
                        )
                        return
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._backoff_max_s)
                continue
            backoff = self._backoff_initial_s
            await self._taken(len(batch), committed=committed)

    async def _taken(self, count: int, *, committed: int) -> None:
        for _ in range(count):
            self._buffer.popleft()
        self._written += count
        self._committed += committed
        if self._behind and len(self._buffer) < self._behind_at // 2:
            self._behind = False
            log.warning("CDR writer caught up: %d items waiting", len(self._buffer))
        async with self._progress:
            self._progress.notify_all()

    async def _write_batch(self, batch: list[tuple[CdrItem, Entry]]) -> None:
        groups = group_rows([entry for _item, entry in batch])
        async with self._db.engine.begin() as conn:
            # Calls already stored (a replay) are not rolled up again: the roll-ups stay exact.
            new_calls: dict[str, Row] = {}
            for row in groups[CALLS]:
                new_calls.setdefault(row[0], row)  # the first of duplicates, as the INSERT
            if new_calls:
                found = await conn.execute(
                    self._existing, {"ids": rollup.ids_param(self._db.dialect, list(new_calls))}
                )
                for call_id in found.scalars():
                    del new_calls[call_id]
            for sql, rows in zip(self._inserts, groups, strict=True):
                if rows:
                    await conn.exec_driver_sql(sql, rows)
            await self._rollups.add(conn, list(new_calls.values()))

    async def _write_robust(self, batch: list[tuple[CdrItem, Entry]]) -> int:
        """Write a batch; if the database refuses a row, write one by one and drop the bad ones.

        Returns how many items were committed. Transient errors propagate (the caller retries
        the whole batch, which is harmless: inserts are idempotent).
        """
        try:
            await self._write_batch(batch)
            return len(batch)
        except _POISON as exc:
            log.error("CDR batch of %d refused (%s); writing one by one", len(batch), _brief(exc))
        committed = 0
        for pair in batch:
            try:
                await self._write_batch([pair])
                committed += 1
            except _POISON as exc:
                item = pair[0]
                log.error(
                    "CDR item refused by the database, dropped: %s %s: %s",
                    type(item).__name__,
                    getattr(item, "call_id", getattr(item, "agent_id", "?")),
                    _brief(exc),
                )
                if not any(item is seen for seen in self._rejected):
                    self._rejected.append(item)
        return committed
