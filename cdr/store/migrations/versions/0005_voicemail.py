"""voicemails (metadata of messages left in boxes) and blacklist_changes (who added or removed
which number, when, why, until when)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "voicemails",
        sa.Column("id", sa.String(length=160), nullable=False),
        sa.Column("uniqueid", sa.String(length=64), nullable=False),
        sa.Column("box", sa.String(length=64), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.Column("caller", sa.String(length=64), nullable=True),
        sa.Column("caller_name", sa.String(length=200), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("recorded_at", sa.Double(), nullable=False),
        sa.Column("duration_s", sa.Double(), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("heard_at", sa.Double(), nullable=True),
        sa.Column("notified_at", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voicemails")),
    )
    op.create_index(op.f("ix_voicemails_box_recorded_at"), "voicemails", ["box", "recorded_at"])
    op.create_index(op.f("ix_voicemails_recorded_at"), "voicemails", ["recorded_at"])
    op.create_table(
        "blacklist_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("expires_at", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blacklist_changes")),
    )
    op.create_index(op.f("ix_blacklist_changes_number_at"), "blacklist_changes",
                    ["number", "at"])
    op.create_index(op.f("ix_blacklist_changes_at"), "blacklist_changes", ["at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_blacklist_changes_at"), table_name="blacklist_changes")
    op.drop_index(op.f("ix_blacklist_changes_number_at"), table_name="blacklist_changes")
    op.drop_table("blacklist_changes")
    op.drop_index(op.f("ix_voicemails_recorded_at"), table_name="voicemails")
    op.drop_index(op.f("ix_voicemails_box_recorded_at"), table_name="voicemails")
    op.drop_table("voicemails")
