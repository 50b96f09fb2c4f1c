"""Where a recording goes: a file name template with a dated directory layout, and the
MixMonitor options that go with the chosen format.

The template is `str.format` with `{date}` / `{time}` (a `datetime` in the center's time
zone: format specs such as `{date:%Y/%m/%d}` work), `{queue}`, `{call_id}` and `{agent}`.
Values are made safe for a path (anything but letters, digits, `.`, `_`, `-` becomes `_`):
MixMonitor passes the file name to the shell if a post-recording command is configured, so
caller-controlled text must never reach it (and the caller's number is not offered at all).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_OPTIONS = re.compile(r"^[A-Za-z]*$")
_SAMPLE = {"queue": "support", "call_id": "1700000000.42", "agent": "1007"}


class AudioFormat(StrEnum):
    WAV = "wav"  # 8 kHz 16-bit PCM, mixed to mono
    WAV16 = "wav16"  # 16 kHz PCM (wideband codecs)
    GSM = "gsm"  # about a fifth of the size of wav
    RAW = "raw"  # the only format option D (stereo) may write


def safe_part(value: str) -> str:
    """`value` with every character that is not a letter, digit, `.`, `_` or `-` as `_`."""
    cleaned = _UNSAFE.sub("_", value)
    return "_" if cleaned in ("", ".", "..") else cleaned


class NamingSettings(BaseModel):
    """File layout and format (the `recording.naming` key of the engine's YAML)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    template: Annotated[str, Field(min_length=1)] = "{date:%Y/%m/%d}/{queue}/{call_id}-{agent}"
    format: AudioFormat = AudioFormat.WAV
    stereo: bool = False  # caller left, agent right (MixMonitor option D; needs format raw)
    options: str = "b"  # MixMonitor options; b: only while bridged (no music on hold)

    @field_validator("template")
    @classmethod
    def _template(cls, value: str) -> str:
        try:
            name = value.format(date=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
                                time=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), **_SAMPLE)
        except (KeyError, IndexError, ValueError, AttributeError) as error:
            raise ValueError(
                "expected a template using only {date}, {time}, {queue}, {call_id}, {agent};"
                f" got {value!r} ({type(error).__name__}: {error})"
            ) from None
        if "{call_id}" not in value:
            raise ValueError(f"expected {{call_id}} in the template (file names must be"
                             f" unique per call), got {value!r}")
        if name.startswith("/") or any(part in ("", ".", "..") for part in name.split("/")):
            raise ValueError(f"expected a relative path without '..' or empty parts, got"
                             f" {value!r} (gives {name!r})")
        if _UNSAFE.search(name.replace("/", "")):
            raise ValueError(f"expected only letters, digits, '.', '_', '-' and '/' in the"
                             f" file name, got {value!r} (gives {name!r})")
        return value

    @field_validator("options")
    @classmethod
    def _options(cls, value: str) -> str:
        if not _OPTIONS.match(value) or "D" in value:
            raise ValueError(f"expected MixMonitor option letters without arguments (D is set"
                             f" by stereo: true), got {value!r}")
        return value

    @model_validator(mode="after")
    def _stereo_needs_raw(self) -> NamingSettings:
        if self.stereo and self.format is not AudioFormat.RAW:
            raise ValueError(f"stereo: true needs format: raw (MixMonitor option D writes"
                             f" interleaved raw audio; got format {self.format.value!r})")
        return self

    def relative_path(self, when: datetime, call_id: str, queue: str | None,
                      agent_id: str | None) -> str:
        """The file's path below the recording directory, with its extension."""
        name = self.template.format(date=when, time=when, call_id=safe_part(call_id),
                                    queue=safe_part(queue or "none"),
                                    agent=safe_part(agent_id or "none"))
        return f"{name}.{self.format.value}"

    def mixmonitor_options(self) -> str:
        return self.options + ("D" if self.stereo else "")
