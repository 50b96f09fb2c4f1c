"""initial CDR schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 08:58:36.223958
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "agent_sessions",
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("login_at", sa.Double(), nullable=False),
        sa.Column("logout_at", sa.Double(), nullable=True),
        sa.Column("queues", sa.String(length=512), nullable=False),
        sa.Column("device", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("agent_id", "login_at", name=op.f("pk_agent_sessions")),
    )
    op.create_table(
        "agent_states",
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("start", sa.Double(), nullable=False),
        sa.Column("activity", sa.String(length=16), nullable=False),
        sa.Column("end", sa.Double(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("agent_id", "start", "activity", name=op.f("pk_agent_states")),
    )
    with op.batch_alter_table("agent_states", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agent_states_start"), ["start"], unique=False)

    op.create_table(
        "blacklist",
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("added_at", sa.Double(), nullable=False),
        sa.Column("expires_at", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_blacklist")),
    )
    op.create_table(
        "calls",
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("linkedid", sa.String(length=64), nullable=True),
        sa.Column("uniqueid", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=128), nullable=True),
        sa.Column("agent_channel", sa.String(length=128), nullable=True),
        sa.Column("context", sa.String(length=80), nullable=True),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("caller", sa.String(length=64), nullable=True),
        sa.Column("dnis", sa.String(length=64), nullable=True),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("queue", sa.String(length=64), nullable=True),
        sa.Column("call_type", sa.String(length=64), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=32), nullable=True),
        sa.Column("arrived_at", sa.Double(), nullable=False),
        sa.Column("enqueued_at", sa.Double(), nullable=True),
        sa.Column("offered_at", sa.Double(), nullable=True),
        sa.Column("answered_at", sa.Double(), nullable=True),
        sa.Column("ended_at", sa.Double(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=True),
        sa.Column("agent_display_id", sa.String(length=32), nullable=True),
        sa.Column("entry_position", sa.Integer(), nullable=True),
        sa.Column("hangup_by", sa.String(length=16), nullable=True),
        sa.Column("transferred", sa.Boolean(), nullable=False),
        sa.Column("recording", sa.String(length=255), nullable=True),
        sa.Column("disposition", sa.String(length=64), nullable=True),
        sa.Column("csat", sa.Integer(), nullable=True),
        sa.Column("nps", sa.Integer(), nullable=True),
        sa.Column("wait_s", sa.Double(), nullable=True),
        sa.Column("ring_s", sa.Double(), nullable=False),
        sa.Column("talk_s", sa.Double(), nullable=False),
        sa.Column("hold_s", sa.Double(), nullable=False),
        sa.Column("wrap_up_s", sa.Double(), nullable=False),
        sa.Column("ring_no_answers", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_calls")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calls_agent_id_arrived_at"), ["agent_id", "arrived_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_calls_arrived_at"), ["arrived_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_calls_customer_id_arrived_at"),
            ["customer_id", "arrived_at"],
            unique=False,
        )

    op.create_table(
        "customers",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=64), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("tier", sa.String(length=32), nullable=False),
        sa.Column("notes", sa.String(length=2000), nullable=True),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customers")),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customers_phone"), ["phone"], unique=False)

    op.create_table(
        "recordings",
        sa.Column("recording_id", sa.String(length=64), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("started_at", sa.Double(), nullable=False),
        sa.Column("ended_at", sa.Double(), nullable=True),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("recording_id", name=op.f("pk_recordings")),
    )
    with op.batch_alter_table("recordings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recordings_call_id"), ["call_id"], unique=False)

    op.create_table(
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
    op.create_table(
        "survey_responses",
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("csat", sa.Integer(), nullable=True),
        sa.Column("nps", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.call_id"],
            name=op.f("fk_survey_responses_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_survey_responses")),
    )


def downgrade() -> None:

    op.drop_table("survey_responses")
    op.drop_table("call_segments")
    with op.batch_alter_table("recordings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recordings_call_id"))

    op.drop_table("recordings")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_phone"))

    op.drop_table("customers")
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calls_customer_id_arrived_at"))
        batch_op.drop_index(batch_op.f("ix_calls_arrived_at"))
        batch_op.drop_index(batch_op.f("ix_calls_agent_id_arrived_at"))

    op.drop_table("calls")
    op.drop_table("blacklist")
    with op.batch_alter_table("agent_states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_states_start"))

    op.drop_table("agent_states")
    op.drop_table("agent_sessions")
