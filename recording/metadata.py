"""What is known and stored about one recording: the call, agent, queue, when, how long, the
file's size and SHA-256, the pauses (card data), and where the file and its copies are.

`RecordingSession` follows a recording while the call is live (start, pauses, end); the
metadata is what it leaves behind. `file_facts` reads a file (blocking: the engine calls it
through `asyncio.to_thread`). Times are float epoch seconds.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Pause:
    """The recording was muted (both directions) from `start` to `end`."""

    start: float
    end: float


@dataclass(frozen=True, slots=True)
class RecordingMetadata:
    """One recording as stored (the `recordings` table)."""

    recording_id: str
    call_id: str
    path: str  # absolute, as the engine reads it
    started_at: float
    ended_at: float | None = None
    format: str = "wav"
    size_bytes: int | None = None
    sha256: str | None = None
    queue: str | None = None
    agent_id: str | None = None
    pauses: tuple[Pause, ...] = ()
    archive_path: str | None = None
    verified_at: float | None = None
    purged_at: float | None = None
    reason: str | None = None  # why it was recorded (policy decision)

    @property
    def duration_s(self) -> float | None:
        return None if self.ended_at is None else max(0.0, self.ended_at - self.started_at)

    @property
    def paused_s(self) -> float:
        return sum(p.end - p.start for p in self.pauses)


def pauses_json(pauses: tuple[Pause, ...] | list[Pause]) -> str:
    """`[[start, end], ...]`: the `pauses` column."""
    return json.dumps([[p.start, p.end] for p in pauses])


def pauses_from_json(text: str | None) -> tuple[Pause, ...]:
    """The `pauses` column back; ValueError names what is wrong."""
    if not text:
        return ()
    data = json.loads(text)
    if not isinstance(data, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(x, int | float) for x in p)
        for p in data
    ):
        raise ValueError(f"pauses: expected [[start, end], ...], got {text[:80]!r}")
    return tuple(Pause(float(a), float(b)) for a, b in data)


@dataclass(slots=True)
class RecordingSession:
    """A recording in progress: started at the bridge (or on demand), paused and resumed."""

    recording_id: str
    path: str
    channel: str  # the channel MixMonitor runs on (the caller's)
    started_at: float
    queue: str | None = None
    agent_id: str | None = None
    format: str = "wav"
    reason: str = ""
    paused_since: float | None = None
    pauses: list[Pause] = field(default_factory=list)

    @property
    def paused(self) -> bool:
        return self.paused_since is not None

    def pause(self, now: float) -> None:
        if self.paused_since is None:
            self.paused_since = now

    def resume(self, now: float) -> None:
        if self.paused_since is not None:
            self.pauses.append(Pause(self.paused_since, max(self.paused_since, now)))
            self.paused_since = None

    def finish(self, call_id: str, now: float) -> RecordingMetadata:
        """The metadata at the end of the call (a pause still open ends with the call)."""
        self.resume(now)
        return RecordingMetadata(
            recording_id=self.recording_id, call_id=call_id, path=self.path,
            started_at=self.started_at, ended_at=max(self.started_at, now), format=self.format,
            queue=self.queue, agent_id=self.agent_id, pauses=tuple(self.pauses),
            reason=self.reason or None,
        )


@dataclass(frozen=True, slots=True)
class FileFacts:
    size_bytes: int
    sha256: str


def file_facts(path: str | Path) -> FileFacts:
    """Size and SHA-256 of a file (blocking); OSError if it cannot be read."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return FileFacts(size, digest.hexdigest())


def with_facts(meta: RecordingMetadata, facts: FileFacts) -> RecordingMetadata:
    return replace(meta, size_bytes=facts.size_bytes, sha256=facts.sha256)
