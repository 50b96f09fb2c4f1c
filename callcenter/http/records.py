"""Call records and recordings as the database holds them (calls that have ended)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from callcenter.engine.payloads import utc
from callcenter.http.models import CallRecordView, RecordingView, SegmentView, SurveyView
from callcenter.recording_index import recording_meta, recording_query
from cdr import CallRow, Database, RecordingRow, SurveyRow
from cdr.store.rows import decode_segments
from recording.metadata import RecordingMetadata

MAX_LIMIT = 500
ALL_TIME = 1e13  # epoch seconds past any recording


@dataclass(frozen=True, slots=True)
class RecordFilter:
    """Which call records: any of these that is set must match."""

    start: float
    end: float
    caller: str | None = None
    customer_id: str | None = None
    agents: Sequence[str] | None = None  # None: any agent (calls without one included)
    queue: str | None = None
    limit: int = 100


def recording_view(meta: RecordingMetadata, outcome: str | None = None,
                   csat: int | None = None) -> RecordingView:
    return RecordingView(
        recording_id=meta.recording_id, call_id=meta.call_id, started_at=utc(meta.started_at),
        ended_at=None if meta.ended_at is None else utc(meta.ended_at),
        duration_s=None if meta.duration_s is None else round(meta.duration_s, 3),
        format=meta.format, size_bytes=meta.size_bytes, sha256=meta.sha256, queue=meta.queue,
        agent=meta.agent_id, pauses=[(utc(p.start), utc(p.end)) for p in meta.pauses],
        reason=meta.reason, purged=meta.purged_at is not None, outcome=outcome, csat=csat,
        audio_url=f"/api/v1/recordings/{meta.recording_id}/audio")


def _record(row: Any, survey: Any, recording: RecordingView | None) -> CallRecordView:
    segments = decode_segments(row.segments, row.arrived_at)
    csat = survey.csat if survey is not None else row.csat
    nps = survey.nps if survey is not None else row.nps
    return CallRecordView(
        call_id=row.call_id, direction=row.direction, caller=row.caller, dnis=row.dnis,
        customer_id=row.customer_id, queue=row.queue, call_type=row.call_type,
        priority=row.priority, tier=row.tier, arrived_at=utc(row.arrived_at),
        enqueued_at=None if row.enqueued_at is None else utc(row.enqueued_at),
        offered_at=None if row.offered_at is None else utc(row.offered_at),
        answered_at=None if row.answered_at is None else utc(row.answered_at),
        ended_at=utc(row.ended_at), outcome=row.outcome, agent=row.agent_id,
        agent_display_id=row.agent_display_id, hangup_by=row.hangup_by,
        transferred=bool(row.transferred), disposition=row.disposition, wait_s=row.wait_s,
        talk_s=row.talk_s, hold_s=row.hold_s, wrap_up_s=row.wrap_up_s,
        segments=[SegmentView(kind=s.kind.value, start=utc(s.start), end=utc(s.end),
                              agent=s.agent_id, queue=s.queue, answered=s.answered)
                  for s in segments],
        recording=recording,
        survey=None if csat is None and nps is None else SurveyView(csat=csat, nps=nps))


async def _recordings(db: Database, call_ids: list[str]) -> dict[str, RecordingView]:
    if not call_ids:
        return {}
    query = recording_query(0.0, ALL_TIME, [], [], [], None).where(
        RecordingRow.call_id.in_(call_ids))
    async with db.engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return {r.call_id: recording_view(recording_meta(r), r.call_outcome, r.csat_value)
            for r in rows}


async def _surveys(db: Database, call_ids: list[str]) -> dict[str, Any]:
    if not call_ids:
        return {}
    s = SurveyRow.__table__.c
    async with db.engine.connect() as conn:
        rows = await conn.execute(select(s.call_id, s.csat, s.nps)
                                  .where(s.call_id.in_(call_ids)))
        return {row.call_id: row for row in rows}


async def find_record(db: Database, call_id: str) -> CallRecordView | None:
    c = CallRow.__table__.c
    async with db.engine.connect() as conn:
        row = (await conn.execute(select(CallRow.__table__).where(c.call_id == call_id))).first()
    if row is None:
        return None
    recordings = await _recordings(db, [call_id])
    surveys = await _surveys(db, [call_id])
    return _record(row, surveys.get(call_id), recordings.get(call_id))


async def search_records(db: Database, flt: RecordFilter) -> list[CallRecordView]:
    """Newest first, at most `flt.limit`."""
    c = CallRow.__table__.c
    query = (select(CallRow.__table__)
             .where(c.arrived_at >= flt.start, c.arrived_at < flt.end)
             .order_by(c.arrived_at.desc()).limit(min(flt.limit, MAX_LIMIT)))
    if flt.caller is not None:
        query = query.where(c.caller == flt.caller)
    if flt.customer_id is not None:
        query = query.where(c.customer_id == flt.customer_id)
    if flt.agents is not None:
        query = query.where(c.agent_id.in_(list(flt.agents)))
    if flt.queue is not None:
        query = query.where(c.queue == flt.queue)
    async with db.engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    ids = [r.call_id for r in rows]
    recordings = await _recordings(db, ids)
    surveys = await _surveys(db, ids)
    return [_record(r, surveys.get(r.call_id), recordings.get(r.call_id)) for r in rows]


async def list_recordings(db: Database, frm: float, to: float, agents: list[str],
                          queues: list[str], outcomes: list[str], csat_below: int | None,
                          limit: int) -> list[RecordingView]:
    query = recording_query(frm, to, agents, queues, outcomes, csat_below).limit(limit)
    async with db.engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [recording_view(recording_meta(r), r.call_outcome, r.csat_value) for r in rows]


async def find_recording(db: Database, recording_id: str) -> RecordingMetadata | None:
    query = recording_query(0.0, ALL_TIME, [], [], [], None).where(
        RecordingRow.recording_id == recording_id)
    async with db.engine.connect() as conn:
        row = (await conn.execute(query)).first()
    return None if row is None else recording_meta(row)
