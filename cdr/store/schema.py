"""The CDR tables as SQLAlchemy 2 models; the Alembic migrations in `cdr/store/migrations/`
create them.

Times are stored as float seconds since the Unix epoch (UTC), the same on SQLite and PostgreSQL,
so that interval bucketing in SQL is plain arithmetic. `calls` carries per-call sums derived
from its segments (wait, ring, announcement, talk, hold, wrap-up) so that reports aggregate
one table.
"""

from __future__ import annotations

from typing import Any, get_type_hints

from sqlalchemy import (
    Boolean,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from cdr.kpis import RECORDED_FIELDS, CallTally

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class CallRow(Base):
    """One row per call."""

    __tablename__ = "calls"

    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    linkedid: Mapped[str | None] = mapped_column(String(64))
    uniqueid: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str | None] = mapped_column(String(128))
    agent_channel: Mapped[str | None] = mapped_column(String(128))
    context: Mapped[str | None] = mapped_column(String(80))
    direction: Mapped[str] = mapped_column(String(16))
    caller: Mapped[str | None] = mapped_column(String(64))
    dnis: Mapped[str | None] = mapped_column(String(64))
    customer_id: Mapped[str | None] = mapped_column(String(64))
    queue: Mapped[str | None] = mapped_column(String(64))
    call_type: Mapped[str | None] = mapped_column(String(64))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    tier: Mapped[str | None] = mapped_column(String(32))
    arrived_at: Mapped[float] = mapped_column(Double)
    enqueued_at: Mapped[float | None] = mapped_column(Double)
    offered_at: Mapped[float | None] = mapped_column(Double)
    answered_at: Mapped[float | None] = mapped_column(Double)
    ended_at: Mapped[float] = mapped_column(Double)
    outcome: Mapped[str] = mapped_column(String(32))  # 16 before 0008 (still so on SQLite)
    agent_id: Mapped[str | None] = mapped_column(String(64))
    agent_display_id: Mapped[str | None] = mapped_column(String(32))
    entry_position: Mapped[int | None] = mapped_column(Integer)
    hangup_by: Mapped[str | None] = mapped_column(String(16))
    transferred: Mapped[bool] = mapped_column(Boolean, default=False)
    recording: Mapped[str | None] = mapped_column(String(255))
    disposition: Mapped[str | None] = mapped_column(String(64))
    csat: Mapped[int | None] = mapped_column(Integer)
    nps: Mapped[int | None] = mapped_column(Integer)
    # Derived from the segments when the call is written.
    wait_s: Mapped[float | None] = mapped_column(Double)  # queue wait (None: never queued)
    ring_s: Mapped[float] = mapped_column(Double, default=0.0)
    # The agent answered, the caller heard its ID (migration 0008; 0 for calls written before
    # the announcement was a segment of its own: their talk_s includes it).
    announce_s: Mapped[float] = mapped_column(Double, default=0.0)
    talk_s: Mapped[float] = mapped_column(Double, default=0.0)
    hold_s: Mapped[float] = mapped_column(Double, default=0.0)
    wrap_up_s: Mapped[float] = mapped_column(Double, default=0.0)
    ring_no_answers: Mapped[int] = mapped_column(Integer, default=0)
    # The call's timed pieces (IVR, queue wait, ring, announcement, talk, hold, transfer,
    # wrap-up), a JSON array written by `cdr.store.rows.encode_segments`; the `call_segments` view
    # unpacks them.
    segments: Mapped[str | None] = mapped_column(Text)
    agent_uniqueid: Mapped[str | None] = mapped_column(String(64))
    transfer_exten: Mapped[str | None] = mapped_column(String(80))
    transfer_context: Mapped[str | None] = mapped_column(String(80))

    # Few indexes: each one costs the writer about as much as the row itself. Reports scan
    # by arrival time; FCR looks up customers' next calls; agent filters look up agents.
    # WITHOUT ROWID: one B-tree keyed by call id instead of a rowid table plus a key index.
    __table_args__ = (
        Index(None, "arrived_at"),
        Index(None, "agent_id", "arrived_at"),
        Index(None, "customer_id", "arrived_at"),
        {"sqlite_with_rowid": False},
    )


class AgentSessionRow(Base):
    """An agent's login session."""

    __tablename__ = "agent_sessions"

    agent_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    login_at: Mapped[float] = mapped_column(Double, primary_key=True)
    logout_at: Mapped[float | None] = mapped_column(Double)
    queues: Mapped[str] = mapped_column(String(512), default="")  # comma-separated
    device: Mapped[str | None] = mapped_column(String(128))


class AgentStateRow(Base):
    """A span of time an agent spent in one activity (paused: with its reason)."""

    __tablename__ = "agent_states"

    agent_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    start: Mapped[float] = mapped_column(Double, primary_key=True)
    activity: Mapped[str] = mapped_column(String(16), primary_key=True)
    end: Mapped[float] = mapped_column(Double)
    reason: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index(None, "start"),)


class SurveyRow(Base):
    """The post-call survey answers of one call."""

    __tablename__ = "survey_responses"

    call_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("calls.call_id", ondelete="CASCADE"), primary_key=True
    )
    csat: Mapped[int | None] = mapped_column(Integer)
    nps: Mapped[int | None] = mapped_column(Integer)
    answered_at: Mapped[float | None] = mapped_column(Double)


class CustomerRow(Base):
    """A customer record; its contact history is its calls (`calls.customer_id`)."""

    __tablename__ = "customers"

    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(200))
    tier: Mapped[str] = mapped_column(String(32), default="normal")
    notes: Mapped[str | None] = mapped_column(String(2000))
    updated_at: Mapped[float] = mapped_column(Double)

    __table_args__ = (Index(None, "phone"),)


class BlacklistRow(Base):
    """A number that is refused, with why and until when."""

    __tablename__ = "blacklist"

    number: Mapped[str] = mapped_column(String(64), primary_key=True)
    reason: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[float] = mapped_column(Double)
    expires_at: Mapped[float | None] = mapped_column(Double)


class RecordingRow(Base):
    """Recording file metadata, linked to its call."""

    __tablename__ = "recordings"

    recording_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(64), index=True)
    path: Mapped[str] = mapped_column(String(500))
    started_at: Mapped[float] = mapped_column(Double)
    ended_at: Mapped[float | None] = mapped_column(Double)
    format: Mapped[str] = mapped_column(String(16))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    # Added by migration 0003.
    sha256: Mapped[str | None] = mapped_column(String(64))
    queue: Mapped[str | None] = mapped_column(String(64))
    agent_id: Mapped[str | None] = mapped_column(String(64))
    duration_s: Mapped[float | None] = mapped_column(Double)
    pauses: Mapped[str | None] = mapped_column(Text)  # JSON [[start, end], ...]
    archive_path: Mapped[str | None] = mapped_column(String(500))
    verified_at: Mapped[float | None] = mapped_column(Double)
    purged_at: Mapped[float | None] = mapped_column(Double)
    reason: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (Index(None, "started_at"),)


class QaScoreRow(Base):
    """A reviewer's weighted score of one call (`callcenter qa score`); migration 0003."""

    __tablename__ = "qa_scores"

    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reviewer: Mapped[str] = mapped_column(String(64), primary_key=True)
    agent_id: Mapped[str | None] = mapped_column(String(64))
    scored_at: Mapped[float] = mapped_column(Double)
    score: Mapped[float] = mapped_column(Double)  # 0-100, weighted
    points: Mapped[str] = mapped_column(Text)  # JSON {criterion: points}
    comment: Mapped[str | None] = mapped_column(String(2000))

    __table_args__ = (Index(None, "agent_id", "scored_at"),)


class AgentPresenceRow(Base):
    """Who is logged in now, with which device and pause: what an engine restart reads back.

    One row per agent, overwritten on every change (the history is in `agent_states`)."""

    __tablename__ = "agent_presence"

    agent_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    logged_in_at: Mapped[float | None] = mapped_column(Double)  # None: logged out
    device: Mapped[str | None] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(64))
    since: Mapped[float] = mapped_column(Double)


class VoicemailRow(Base):
    """A voicemail message left in a box (migration 0005).

    The key is `{uniqueid}@{box}` (cdr.callers.voicemail.voicemail_id): one message per caller
    channel per box, so storing the same message again after a retry or an engine restart writes
    nothing new."""

    __tablename__ = "voicemails"

    id: Mapped[str] = mapped_column(String(160), primary_key=True)
    uniqueid: Mapped[str] = mapped_column(String(64))  # the caller channel's
    box: Mapped[str] = mapped_column(String(64))
    call_id: Mapped[str | None] = mapped_column(String(64))
    caller: Mapped[str | None] = mapped_column(String(64))  # None: withheld
    caller_name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[float] = mapped_column(Double)
    duration_s: Mapped[float] = mapped_column(Double)
    path: Mapped[str] = mapped_column(String(500))
    reason: Mapped[str] = mapped_column(String(32))  # closed, overflow, choice...
    heard_at: Mapped[float | None] = mapped_column(Double)
    notified_at: Mapped[float | None] = mapped_column(Double)

    __table_args__ = (Index(None, "box", "recorded_at"), Index(None, "recorded_at"))


class BlacklistChangeRow(Base):
    """One change to the blacklist: who added or removed which number, when, why, until when
    (migration 0005). Rows are only ever inserted, in the transaction of the change itself."""

    __tablename__ = "blacklist_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[float] = mapped_column(Double)
    number: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))  # add, remove
    by: Mapped[str] = mapped_column(String(64))  # agent id, supervisor id, "cli"...
    reason: Mapped[str | None] = mapped_column(String(200))
    expires_at: Mapped[float | None] = mapped_column(Double)

    __table_args__ = (Index(None, "number", "at"), Index(None, "at"))


def _interval_tallies() -> list[Column[Any]]:
    """The counts and sums of a 15-minute roll-up row (`cdr.store.rollup`, default thresholds): one
    column per field of `kpis.CallTally` that call records count (`kpis.RECORDED_FIELDS`, in
    that order), typed as the field."""
    types = get_type_hints(CallTally)
    return [
        Column(
            name,
            Double() if types[name] is float else Integer(),
            nullable=name == "max_wait_s",  # None: nobody left the queue
        )
        for name in RECORDED_FIELDS
    ]


class QueueIntervalRow(Base):
    """Offered calls per 15 minutes (by arrival, UTC), queue and call type (migration 0006).

    '' stands for no queue / no call type (key columns cannot be NULL)."""

    __table__ = Table(
        "queue_intervals",
        Base.metadata,
        Column("interval_start", Double(), primary_key=True),
        Column("queue", String(64), primary_key=True),
        Column("call_type", String(64), primary_key=True),
        *_interval_tallies(),
        sqlite_with_rowid=False,  # clustered by interval: range scans
    )


class AgentIntervalRow(Base):
    """Offered calls per 15 minutes (by arrival, UTC) and answering agent ('' for none)."""

    # Agent first: reports by agent read the rows in key order, filters pick agents' ranges.
    __table__ = Table(
        "agent_intervals",
        Base.metadata,
        Column("agent_id", String(64), primary_key=True),
        Column("interval_start", Double(), primary_key=True),
        *_interval_tallies(),
        sqlite_with_rowid=False,
    )


class QueueWaitBinRow(Base):
    """Callers who left the queue (answered or abandoned) per UTC day, queue, call type and
    1-second wait bin: the wait histograms (p90 wait) of day-aligned reports (migration 0006).
    A day, not 15 minutes: a histogram has about as many bins per interval as calls."""

    __tablename__ = "queue_wait_bins"

    day_start: Mapped[float] = mapped_column(Double, primary_key=True)
    queue: Mapped[str] = mapped_column(String(64), primary_key=True)
    call_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    bin: Mapped[int] = mapped_column(Integer, primary_key=True)
    waited: Mapped[int] = mapped_column(Integer)

    __table_args__ = ({"sqlite_with_rowid": False},)


class AgentWaitBinRow(Base):
    """As `queue_wait_bins`, per answering agent ('' for none) instead of queue."""

    __tablename__ = "agent_wait_bins"

    agent_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day_start: Mapped[float] = mapped_column(Double, primary_key=True)
    bin: Mapped[int] = mapped_column(Integer, primary_key=True)
    waited: Mapped[int] = mapped_column(Integer)

    __table_args__ = ({"sqlite_with_rowid": False},)
