"""Which recordings are due for deletion by the retention policy: a dry-run list, pure over
metadata rows (the CLI deletes, after showing this list)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from recording.metadata import RecordingMetadata

DAY_S = 86_400.0


class RetentionPolicy(BaseModel):
    """`recording.retention` in the engine's YAML. Days are counted from the recording's end."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default_days: Annotated[int, Field(ge=1)] | None = None  # None: keep for ever
    queues: dict[str, Annotated[int, Field(ge=1)]] = Field(default_factory=dict)
    require_archive: bool = False  # never delete a file whose archive copy is not verified

    def days_for(self, queue: str | None) -> int | None:
        if queue is not None and queue in self.queues:
            return self.queues[queue]
        return self.default_days


@dataclass(frozen=True, slots=True)
class PurgeItem:
    recording: RecordingMetadata
    age_days: float
    keep_days: int


@dataclass(frozen=True, slots=True)
class Held:
    """Past its retention but kept, and why."""

    recording: RecordingMetadata
    why: str


@dataclass(frozen=True, slots=True)
class PurgePlan:
    due: list[PurgeItem]
    held: list[Held]


def purge_plan(rows: list[RecordingMetadata], policy: RetentionPolicy, now: float) -> PurgePlan:
    """The recordings whose age passed their queue's retention (oldest first); already purged
    rows are skipped; with `require_archive`, ones without a verified archive copy are held."""
    due: list[PurgeItem] = []
    held: list[Held] = []
    for meta in sorted(rows, key=lambda m: (m.ended_at or m.started_at, m.recording_id)):
        if meta.purged_at is not None:
            continue
        keep = policy.days_for(meta.queue)
        if keep is None:
            continue
        age = (now - (meta.ended_at or meta.started_at)) / DAY_S
        if age < keep:
            continue
        if policy.require_archive and (meta.archive_path is None or meta.verified_at is None):
            held.append(Held(meta, "no verified archive copy (retention.require_archive)"))
            continue
        due.append(PurgeItem(meta, age, keep))
    return PurgePlan(due, held)
