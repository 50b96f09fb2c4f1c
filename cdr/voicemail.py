"""Voicemail messages: what was left in which box, by whom, and whether someone heard it.

A message's id is `{uniqueid}@{box}`: the caller channel's Asterisk uniqueid plus the box.
That natural key makes storing idempotent - a retry, or the engine reading the same recording
back after a restart, writes nothing twice - and it allows one message per channel per box
(re-recording inside the IVR replaces the file before the message is stored). Table
`voicemails`, migration 0005. Times are epoch seconds (UTC), as in every CDR table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row

from cdr.db import Database
from cdr.schema import VoicemailRow

_TABLE = VoicemailRow.__table__
_BOX = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
DEFAULT_LIMIT = 100


class VoicemailReason(StrEnum):
    """Why the caller was sent to voicemail (ivr.outcomes.Voicemail.reason)."""

    CLOSED = "closed"  # outside business hours
    OVERFLOW = "overflow"  # waited too long in the queue (acd overflow rule)
    CHOICE = "choice"  # picked "leave a message" in the IVR


def voicemail_id(uniqueid: str, box: str) -> str:
    """The message key: the caller channel's uniqueid and the box, `{uniqueid}@{box}`."""
    return f"{uniqueid}@{box}"


@dataclass(frozen=True, slots=True)
class VoicemailMessage:
    """A recorded message as the engine hands it over.

    `path` is the audio file's full path with its extension (`.../1700000000.12@sales.wav`);
    `caller` is None when the caller ID was withheld; `reason` is a VoicemailReason value or
    another short word the IVR flow used. Raises ValueError for a box that is not
    letters/digits/`_.-` (at most 64), an empty uniqueid or a negative duration.
    """

    uniqueid: str
    box: str
    recorded_at: float
    duration_s: float
    path: str
    reason: str
    caller: str | None = None
    caller_name: str | None = None
    language: str = "en"
    call_id: str | None = None

    def __post_init__(self) -> None:
        if not _BOX.match(self.box):
            raise ValueError(f"voicemail box: expected letters, digits, '_.-' (1-64), "
                             f"got {self.box!r}")
        if not self.uniqueid or len(self.uniqueid) > 64:
            raise ValueError(f"voicemail uniqueid: expected 1-64 characters, "
                             f"got {self.uniqueid!r}")
        if not self.duration_s >= 0.0:
            raise ValueError(f"voicemail duration_s: expected >= 0, got {self.duration_s!r}")
        if not self.reason or len(self.reason) > 32:
            raise ValueError(f"voicemail reason: expected 1-32 characters, got {self.reason!r}")

    @property
    def voicemail_id(self) -> str:
        return voicemail_id(self.uniqueid, self.box)


@dataclass(frozen=True, slots=True)
class StoredVoicemail:
    """A message as stored, with when it was first heard and when its notification went out."""

    message: VoicemailMessage
    heard_at: float | None
    notified_at: float | None

    @property
    def voicemail_id(self) -> str:
        return self.message.voicemail_id


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
