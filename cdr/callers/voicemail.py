"""Voicemail messages: what was left in which box, by whom, and whether someone heard it.

A message's id is `{uniqueid}@{box}`: the caller channel's Asterisk uniqueid plus the box.
That natural key makes storing idempotent - a retry, or the engine reading the same recording
back after a restart, writes nothing twice - and it allows one message per channel per box
(re-recording inside the IVR replaces the file before the message is stored). Table
`voicemails`, migration 0005. Times are epoch seconds (UTC), as in every CDR table.
The values themselves are in `cdr.callers.voicemail_model` (no SQLAlchemy), re-exported here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row

from cdr.callers.voicemail_model import (
    DEFAULT_LIMIT,
    StoredVoicemail,
    VoicemailMessage,
    VoicemailReason,
    voicemail_id,
)
from cdr.store.db import Database
from cdr.store.schema import VoicemailRow

__all__ = [
    "DEFAULT_LIMIT",
    "StoredVoicemail",
    "VoicemailMessage",
    "VoicemailReason",
    "get_voicemail",
    "list_voicemails",
    "mark_heard",
    "mark_notified",
    "store_voicemail",
    "voicemail_id",
]

_TABLE = VoicemailRow.__table__


async def store_voicemail(db: Database, message: VoicemailMessage) -> bool:
    """Store a message's metadata; True if it was new, False if it was already there (then
    nothing is changed: the first store wins)."""
    module = postgresql if db.dialect == "postgresql" else sqlite
    stmt = module.insert(_TABLE).values(
        id=message.voicemail_id, uniqueid=message.uniqueid, box=message.box,
        call_id=message.call_id, caller=message.caller or None,
        caller_name=message.caller_name or None, language=message.language,
        recorded_at=message.recorded_at, duration_s=message.duration_s, path=message.path,
        reason=str(message.reason), heard_at=None, notified_at=None,
    ).on_conflict_do_nothing(index_elements=[_TABLE.c.id])
    async with db.engine.begin() as conn:
        result = await conn.execute(stmt)
    return result.rowcount == 1


def _stored(row: Row[Any]) -> StoredVoicemail:
    message = VoicemailMessage(
        uniqueid=row.uniqueid, box=row.box, recorded_at=row.recorded_at,
        duration_s=row.duration_s, path=row.path, reason=row.reason, caller=row.caller,
        caller_name=row.caller_name, language=row.language, call_id=row.call_id,
    )
    return StoredVoicemail(message, row.heard_at, row.notified_at)


async def get_voicemail(db: Database, voicemail_id: str) -> StoredVoicemail | None:
    """One message by id, or None."""
    async with db.engine.connect() as conn:
        row = (await conn.execute(select(_TABLE).where(_TABLE.c.id == voicemail_id))).first()
    return None if row is None else _stored(row)


async def list_voicemails(
    db: Database,
    *,
    box: str | None = None,
    unheard_only: bool = False,
    unnotified_only: bool = False,
    limit: int = DEFAULT_LIMIT,
) -> list[StoredVoicemail]:
    """Messages, newest first, at most `limit` (> 0): of one box, not yet heard, or whose
    notification has not gone out (what to retry after a restart)."""
    if limit <= 0:
        raise ValueError(f"limit: expected > 0, got {limit}")
    c = _TABLE.c
    stmt = select(_TABLE).order_by(c.recorded_at.desc(), c.id).limit(limit)
    if box is not None:
        stmt = stmt.where(c.box == box)
    if unheard_only:
        stmt = stmt.where(c.heard_at.is_(None))
    if unnotified_only:
        stmt = stmt.where(c.notified_at.is_(None))
    async with db.engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    return [_stored(row) for row in rows]


async def _mark(db: Database, voicemail_id: str, column: str, now: float) -> bool:
    c = _TABLE.c
    async with db.engine.begin() as conn:
        exists = (await conn.execute(select(c.id).where(c.id == voicemail_id))).first()
        if exists is None:
            return False
        await conn.execute(update(VoicemailRow).where(c.id == voicemail_id, c[column].is_(None))
                           .values({column: now}))
    return True


async def mark_heard(db: Database, voicemail_id: str, now: float) -> bool:
    """Record that someone listened to the message; False if there is no such message.
    Marking again keeps the first time."""
    return await _mark(db, voicemail_id, "heard_at", now)


async def mark_notified(db: Database, voicemail_id: str, now: float) -> bool:
    """Record that the new-message notification went out; False if there is no such message.
    Marking again keeps the first time."""
    return await _mark(db, voicemail_id, "notified_at", now)
