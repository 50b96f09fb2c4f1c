"""recordings: checksum, queue, agent, duration, pauses, archive copy, verification, purge,
policy reason; qa_scores (issue 9)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 11:30:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NEW_COLUMNS: tuple[tuple[str, sa.types.TypeEngine[Any]], ...] = (
    ("sha256", sa.String(length=64)),
    ("queue", sa.String(length=64)),
    ("agent_id", sa.String(length=64)),
    ("duration_s", sa.Double()),
    ("pauses", sa.Text()),
    ("archive_path", sa.String(length=500)),
    ("verified_at", sa.Double()),
    ("purged_at", sa.Double()),
    ("reason", sa.String(length=200)),
)


def upgrade() -> None:
    with op.batch_alter_table("recordings", schema=None) as batch_op:
        for name, kind in _NEW_COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))
        batch_op.create_index(batch_op.f("ix_recordings_started_at"), ["started_at"],
                              unique=False)
    op.create_table(
        "qa_scores",
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("reviewer", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=True),
        sa.Column("scored_at", sa.Double(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("points", sa.Text(), nullable=False),
        sa.Column("comment", sa.String(length=2000), nullable=True),
        sa.PrimaryKeyConstraint("call_id", "reviewer", name=op.f("pk_qa_scores")),
    )
    with op.batch_alter_table("qa_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qa_scores_agent_id_scored_at"),
                              ["agent_id", "scored_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("qa_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_scores_agent_id_scored_at"))
    op.drop_table("qa_scores")
    with op.batch_alter_table("recordings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recordings_started_at"))
        for name, _ in reversed(_NEW_COLUMNS):
            batch_op.drop_column(name)
