"""The agent-ID announcement in the records: `calls.announce_s` (the call's announcement
segments), `announce_s` and `announcement_hangups` in the interval roll-ups, and room in
`calls.outcome` for "announcement-hangup"

Calls written before the announcement was a segment of its own have none: their announce_s is
0 (their talk_s includes the announcement). Calls with announcement segments get their sum from
the stored segments (whole microseconds); the roll-ups are then rebuilt from the calls, so
they hold what a rebuild would.

Revision ID: 0008_announcement
Revises: 0007
Create Date: 2026-12-08 02:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from cdr.store.rollup import rebuild

revision: str = "0008_announcement"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ROLLUPS = ("queue_intervals", "agent_intervals")
# The roll-ups' tally columns at this revision: 0006's, then the two added here.
_TALLY_COLUMNS = (
    "offered", "answered", "abandoned", "short_abandoned", "answered_within_target", "handled",
    "transferred", "wait_answered_s", "wait_all_s", "waited", "max_wait_s", "talk_s", "hold_s",
    "wrap_up_s", "csat_responses", "csat_sum", "csat_satisfied", "nps_responses",
    "nps_promoters", "nps_detractors", "fcr_eligible", "fcr_repeated", "announce_s",
    "announcement_hangups",
)  # fmt: skip
_ANNOUNCE_FROM_SEGMENTS = """
    UPDATE calls SET announce_s = (
        SELECT coalesce(sum(s."end" - s.start), 0) FROM call_segments AS s
        WHERE s.call_id = calls.call_id AND s.kind = 'announcement'
    )
    WHERE calls.segments LIKE '%"announcement"%'
"""
_ANY_ANNOUNCEMENT = """
    SELECT 1 FROM calls WHERE announce_s > 0 OR outcome = 'announcement-hangup' LIMIT 1
"""


def _zero(name: str, kind: sa.types.TypeEngine[Any]) -> sa.Column[Any]:
    return sa.Column(name, kind, nullable=False, server_default=sa.text("0"))


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # "announcement-hangup" is 19 characters. SQLite does not enforce a VARCHAR's length,
        # and changing the declared one there would copy the whole table: left as it is.
        op.alter_column(
            "calls", "outcome", type_=sa.String(length=32), existing_type=sa.String(length=16)
        )
    op.add_column("calls", _zero("announce_s", sa.Double()))
    for table in _ROLLUPS:
        op.add_column(table, _zero("announce_s", sa.Double()))
        op.add_column(table, _zero("announcement_hangups", sa.Integer()))
    op.execute(_ANNOUNCE_FROM_SEGMENTS)
    if bind.execute(sa.text(_ANY_ANNOUNCEMENT)).first() is not None:
        rebuild(bind, _TALLY_COLUMNS)


def downgrade() -> None:
    # calls.outcome stays wide: narrowing it would fail on the announcement hang-ups stored.
    for table in _ROLLUPS:
        op.drop_column(table, "announcement_hangups")
        op.drop_column(table, "announce_s")
    op.drop_column("calls", "announce_s")
