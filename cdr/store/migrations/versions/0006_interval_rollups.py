"""queue_intervals, agent_intervals (per-15-minute roll-ups of the calls) and queue_wait_bins,
agent_wait_bins (daily wait histograms), that the writer keeps
in the same transaction as the raw rows; upgrading fills them from the calls already stored

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from cdr.store.rollup import rebuild

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tally columns as this revision created them (later revisions add more, at the end).
TALLY_COLUMNS_0006: tuple[str, ...] = (
    "offered", "answered", "abandoned", "short_abandoned", "answered_within_target", "handled",
    "transferred", "wait_answered_s", "wait_all_s", "waited", "max_wait_s", "talk_s", "hold_s",
    "wrap_up_s", "csat_responses", "csat_sum", "csat_satisfied", "nps_responses",
    "nps_promoters", "nps_detractors", "fcr_eligible", "fcr_repeated",
)  # fmt: skip
_FLOATS = {"wait_answered_s", "wait_all_s", "max_wait_s", "talk_s", "hold_s", "wrap_up_s"}


def _tallies() -> list[sa.Column[object]]:
    return [
        sa.Column(
            name,
            sa.Double() if name in _FLOATS else sa.Integer(),
            nullable=name == "max_wait_s",
        )
        for name in TALLY_COLUMNS_0006
    ]


def upgrade() -> None:
    op.create_table(
        "queue_intervals",
        sa.Column("interval_start", sa.Double(), nullable=False),
        sa.Column("queue", sa.String(length=64), nullable=False),
        sa.Column("call_type", sa.String(length=64), nullable=False),
        *_tallies(),
        sa.PrimaryKeyConstraint(
            "interval_start", "queue", "call_type", name=op.f("pk_queue_intervals")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "agent_intervals",
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("interval_start", sa.Double(), nullable=False),
        *_tallies(),
        sa.PrimaryKeyConstraint("agent_id", "interval_start", name=op.f("pk_agent_intervals")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "queue_wait_bins",
        sa.Column("day_start", sa.Double(), nullable=False),
        sa.Column("queue", sa.String(length=64), nullable=False),
        sa.Column("call_type", sa.String(length=64), nullable=False),
        sa.Column("bin", sa.Integer(), nullable=False),
        sa.Column("waited", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day_start", "queue", "call_type", "bin", name=op.f("pk_queue_wait_bins")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "agent_wait_bins",
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("day_start", sa.Double(), nullable=False),
        sa.Column("bin", sa.Integer(), nullable=False),
        sa.Column("waited", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("agent_id", "day_start", "bin", name=op.f("pk_agent_wait_bins")),
        sqlite_with_rowid=False,
    )
    # The calls written before this revision: rolled up with the writer's own statement.
    rebuild(op.get_bind(), TALLY_COLUMNS_0006)


def downgrade() -> None:
    op.drop_table("agent_wait_bins")
    op.drop_table("queue_wait_bins")
    op.drop_table("agent_intervals")
    op.drop_table("queue_intervals")
