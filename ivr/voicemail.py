"""Taking a voicemail message: greeting, beep, recording under `directory/<box>/<uniqueid>`."""

from __future__ import annotations

import contextlib
import posixpath
import re
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from ivr.errors import IvrError
from ivr.ports import CallerChannel, CallerHungUp
from ivr.prompts import BUILTIN_TEMPLATE, Builtin, builtin, resolve

# Box and unique id become path parts on the PBX's disk: no separators, no "..".
_PATH_PART = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$")
Seconds = Annotated[float, Field(gt=0, le=3600, allow_inf_nan=False)]


class VoicemailSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    fmt: Annotated[str, Field(pattern=r"^[a-z0-9]+$")] = "wav"
    max_s: Seconds = 120.0
    silence_s: Seconds = 5.0  # this much silence ends the recording
    min_s: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 1.0  # shorter: no message
    greeting: list[str] | None = None  # None: the built-in; bare names under cc/<lang>/

    def greeting_files(self, language: str) -> list[str]:
        if self.greeting is None:
            return [builtin(Builtin.VOICEMAIL_GREETING, language)]
        return [resolve(name, language, BUILTIN_TEMPLATE) for name in self.greeting]


@dataclass(frozen=True, slots=True)
class VoicemailMessage:
    box: str
    path: str  # without the format extension, as Asterisk names recordings
    fmt: str
    duration_s: float  # what the caller said (trailing silence that ended it removed)
    caller_id: str
    uniqueid: str
    language: str


def message_path(directory: str, box: str, uniqueid: str) -> str:
    """`directory/box/uniqueid` (a path on the PBX); IvrError on a box or id unsafe in a path."""
    for what, part in (("box", box), ("uniqueid", uniqueid)):
        if not _PATH_PART.match(part):
            raise IvrError(f"voicemail {what}: expected letters, digits, _ . -, got {part!r}")
    return posixpath.join(directory, box, uniqueid)


async def take_message(
    channel: CallerChannel,
    *,
    box: str,
    language: str,
    directory: str,
    settings: VoicemailSettings | None = None,
) -> VoicemailMessage | None:
    """Record a message; None when the caller left before the beep or said nothing
    (less than `min_s` of speech). Hanging up after speaking is the usual way to finish,
    so it keeps the message."""
    settings = settings or VoicemailSettings()
    info = channel.info
    path = message_path(directory, box, info.uniqueid)
    greeting = settings.greeting_files(language)
    try:
        if greeting:
            await channel.play(greeting)
        result = await channel.record(path, fmt=settings.fmt, max_s=settings.max_s,
                                      silence_s=settings.silence_s, beep=True, end_digits="#")
    except CallerHungUp:
        return None
    spoken = result.duration_s
    if result.ended_by == "silence":
        spoken = max(0.0, spoken - settings.silence_s)
    if spoken < settings.min_s:
        return None
    if result.ended_by != "hangup":
        # The message is taken; a caller leaving during "thank you" changes nothing.
        with contextlib.suppress(CallerHungUp):
            await channel.play([builtin(Builtin.VOICEMAIL_THANKS, language)])
    return VoicemailMessage(box=box, path=result.path, fmt=result.fmt, duration_s=spoken,
                            caller_id=info.caller_id, uniqueid=info.uniqueid, language=language)
