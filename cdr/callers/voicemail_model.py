"""Voicemail messages as values, without the database: the message the engine hands over, the
stored one with its heard/notified times, the reasons and the message id.

`cdr.callers.voicemail` stores and lists them (and re-exports these names); this module does
not load SQLAlchemy, so the CLI can name `DEFAULT_LIMIT` in its help cheaply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_BOX = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
DEFAULT_LIMIT = 100  # messages a listing returns unless told otherwise


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
