"""A call's segments move onto its `calls` row (`calls.segments`, a JSON array); the table
`call_segments` becomes a view over that column, with the same columns, for SQL users; the
calls keep the agent leg's Uniqueid and a blind transfer's extension and context (queue_log)

One row per call instead of five or six is most of what the writer spends per call.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 15:30:00
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import groupby

import sqlalchemy as sa
from alembic import op

from cdr.records import Segment, SegmentKind
from cdr.store.rows import decode_segments, encode_segments

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK = 10_000
# What queue_log's CONNECT and TRANSFER lines carry and the calls did not keep before.
_QUEUE_LOG_COLUMNS = (("agent_uniqueid", 64), ("transfer_exten", 80), ("transfer_context", 80))

# Column names and types as the table had them (0001), so that queries keep working.
_VIEW = {
    "sqlite": """
        CREATE VIEW call_segments AS
        SELECT c.call_id AS call_id,
               CAST(json_extract(s.value, '$[0]') AS INTEGER) AS seq,
               json_extract(s.value, '$[1]') AS kind,
               c.arrived_at + json_extract(s.value, '$[2]') / 1000000.0 AS start,
               c.arrived_at + json_extract(s.value, '$[3]') / 1000000.0 AS "end",
               json_extract(s.value, '$[4]') AS agent_id,
               json_extract(s.value, '$[5]') AS queue,
               json_extract(s.value, '$[6]') AS answered
        FROM calls AS c, json_each(c.segments) AS s
        WHERE c.segments IS NOT NULL
    """,
    "postgresql": """
        CREATE VIEW call_segments AS
        SELECT c.call_id AS call_id,
               (s.value ->> 0)::integer AS seq,
               s.value ->> 1 AS kind,
               c.arrived_at + (s.value ->> 2)::double precision / 1000000.0 AS start,
               c.arrived_at + (s.value ->> 3)::double precision / 1000000.0 AS "end",
               s.value ->> 4 AS agent_id,
               s.value ->> 5 AS queue,
               (s.value ->> 6)::boolean AS answered
        FROM calls AS c
        CROSS JOIN LATERAL jsonb_array_elements(c.segments::jsonb) AS s(value)
        WHERE c.segments IS NOT NULL
    """,
}


def _calls_table() -> sa.TableClause:
    return sa.table(
        "calls",
        sa.column("call_id", sa.String),
        sa.column("arrived_at", sa.Double),
        sa.column("segments", sa.Text),
    )


def _call_chunks(bind: sa.Connection) -> Iterator[dict[str, float]]:
    """Every call's arrival by call id, `_CHUNK` calls at a time in id order (keyset paging:
    memory stays flat)."""
    calls = _calls_table()
    last = ""
    while True:
        arrivals: dict[str, float] = dict(
            bind.execute(
                sa.select(calls.c.call_id, calls.c.arrived_at)
                .where(calls.c.call_id > last)
                .order_by(calls.c.call_id)
                .limit(_CHUNK)
            ).all()
        )
        if not arrivals:
            return
        yield arrivals
        last = max(arrivals)


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("calls", sa.Column("segments", sa.Text(), nullable=True))
    for name, length in _QUEUE_LOG_COLUMNS:
        op.add_column("calls", sa.Column(name, sa.String(length=length), nullable=True))
    old = sa.table(
        "call_segments",
        *(sa.column(name) for name in ("call_id", "seq", "kind", "start", "end")),
        *(sa.column(name) for name in ("agent_id", "queue", "answered")),
    )
    calls = _calls_table()
    update = (
        calls.update()
        .where(calls.c.call_id == sa.bindparam("id"))
        .values(segments=sa.bindparam("packed"))
    )
    for arrivals in _call_chunks(bind):
        rows = bind.execute(
            sa.select(old)
            .where(old.c.call_id.in_(list(arrivals)))
            .order_by(old.c.call_id, old.c.seq)
        ).all()
        batch = [
            {
                "id": call_id,
                "packed": encode_segments(
                    [
                        Segment(
                            p.seq,
                            SegmentKind(p.kind),
                            p.start,
                            p.end,
                            p.agent_id,
                            p.queue,
                            bool(p.answered),
                        )
                        for p in pieces
                    ],
                    arrivals[call_id],
                ),
            }
            for call_id, pieces in groupby(rows, key=lambda row: row.call_id)
        ]
        if batch:
            bind.execute(update, batch)
    op.drop_table("call_segments")
    op.execute(_VIEW[bind.dialect.name])


def downgrade() -> None:
    bind = op.get_bind()
    op.execute("DROP VIEW call_segments")
    table = op.create_table(
        "call_segments",
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("start", sa.Double(), nullable=False),
        sa.Column("end", sa.Double(), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=True),
        sa.Column("queue", sa.String(length=64), nullable=True),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.call_id"],
            name=op.f("fk_call_segments_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("call_id", "seq", name=op.f("pk_call_segments")),
        sqlite_with_rowid=False,
    )
    assert table is not None
    calls = _calls_table()
    for arrivals in _call_chunks(bind):
        packed = bind.execute(
            sa.select(calls.c.call_id, calls.c.segments).where(
                calls.c.call_id.in_(list(arrivals)), calls.c.segments.is_not(None)
            )
        ).all()
        rows = [
            {
                "call_id": call_id,
                "seq": s.seq,
                "kind": s.kind.value,
                "start": s.start,
                "end": s.end,
                "agent_id": s.agent_id,
                "queue": s.queue,
                "answered": s.answered,
            }
            for call_id, text in packed
            for s in decode_segments(text, arrivals[call_id])
        ]
        if rows:
            bind.execute(table.insert(), rows)
    op.drop_column("calls", "segments")
    for name, _length in _QUEUE_LOG_COLUMNS:
        op.drop_column("calls", name)
