"""Retention: what purge would delete, by queue, oldest first; archive required when asked."""

from __future__ import annotations

from recording.metadata import Pause, RecordingMetadata, pauses_from_json, pauses_json
from recording.retention import DAY_S, RetentionPolicy, purge_plan

NOW = 1_800_000_000.0


def meta(rid: str, age_days: float, queue: str = "support", **kw: object) -> RecordingMetadata:
    end = NOW - age_days * DAY_S
    return RecordingMetadata(rid, rid, f"/r/{rid}.wav", end - 60, end, queue=queue,
                             **kw)  # type: ignore[arg-type]


def test_due_by_queue_retention_oldest_first_and_purged_ones_skipped() -> None:
    rows = [meta("a", 100), meta("b", 400), meta("c", 40, queue="billing"),
            meta("d", 20, queue="billing"), meta("e", 500, purged_at=NOW - 1)]
    policy = RetentionPolicy(default_days=365, queues={"billing": 30})
    plan = purge_plan(rows, policy, NOW)
    assert [i.recording.recording_id for i in plan.due] == ["b", "c"]
    assert [i.keep_days for i in plan.due] == [365, 30]
    assert plan.held == []


def test_keep_for_ever_by_default_and_archive_required_holds() -> None:
    rows = [meta("a", 1000), meta("b", 1000, archive_path="/arch/b.wav", verified_at=NOW - 5)]
    assert purge_plan(rows, RetentionPolicy(), NOW).due == []
    plan = purge_plan(rows, RetentionPolicy(default_days=90, require_archive=True), NOW)
    assert [i.recording.recording_id for i in plan.due] == ["b"]
    assert [(h.recording.recording_id, h.why[:19]) for h in plan.held] == [
        ("a", "no verified archive")]


def test_pauses_round_trip_through_json() -> None:
    pauses = (Pause(1.5, 3.0), Pause(10.0, 12.25))
    assert pauses_from_json(pauses_json(pauses)) == pauses
    assert pauses_from_json(None) == ()
