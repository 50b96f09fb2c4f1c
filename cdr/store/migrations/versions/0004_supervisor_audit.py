"""supervisor audit: every supervisor command, refused ones included (callcenter.supervision.audit)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 14:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "supervisor_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=True),
        sa.Column("call_id", sa.String(length=128), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("result", sa.String(length=600), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervisor_audit")),
    )
    op.create_index(op.f("ix_supervisor_audit_at"), "supervisor_audit", ["at"])
    op.create_index(op.f("ix_supervisor_audit_user_id_at"), "supervisor_audit",
                    ["user_id", "at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_supervisor_audit_user_id_at"), table_name="supervisor_audit")
    op.drop_index(op.f("ix_supervisor_audit_at"), table_name="supervisor_audit")
    op.drop_table("supervisor_audit")
