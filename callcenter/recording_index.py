"""The recordings as stored (`recordings`, joined to their call's outcome and CSAT), with the
filters `callcenter recordings list` and the HTTP API's `GET /api/v1/recordings` share."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from cdr import CallRow, RecordingRow, SurveyRow
from recording.metadata import RecordingMetadata, pauses_from_json

AnyRow = Any  # SQLAlchemy rows and selects of several columns (variadic generics)


def recording_query(frm: float, to: float, agents: list[str], queues: list[str],
                    outcomes: list[str], csat_below: int | None, *,
                    include_purged: bool = True) -> Any:
    """Recordings started in [frm, to), of these agents, queues, call outcomes, with a CSAT
    (survey, else the call's) below `csat_below`; empty lists filter nothing. Columns: the
    recording's, `call_outcome`, `csat_value`; ordered by start."""
    csat = func.coalesce(SurveyRow.csat, CallRow.csat).label("csat_value")
    query = (
        select(RecordingRow, CallRow.outcome.label("call_outcome"), csat)
        .outerjoin(CallRow, CallRow.call_id == RecordingRow.call_id)
        .outerjoin(SurveyRow, SurveyRow.call_id == RecordingRow.call_id)
        .where(RecordingRow.started_at >= frm, RecordingRow.started_at < to)
        .order_by(RecordingRow.started_at, RecordingRow.recording_id)
    )
    if agents:
        query = query.where(RecordingRow.agent_id.in_(agents))
    if queues:
        query = query.where(RecordingRow.queue.in_(queues))
    if outcomes:
        query = query.where(CallRow.outcome.in_(outcomes))
    if csat_below is not None:
        query = query.where(csat < csat_below)
    if not include_purged:
        query = query.where(RecordingRow.purged_at.is_(None))
    return query


def recording_meta(row: AnyRow) -> RecordingMetadata:
    """A row of `recording_query` as the recording's metadata."""
    return RecordingMetadata(
        recording_id=row.recording_id, call_id=row.call_id, path=row.path,
        started_at=row.started_at, ended_at=row.ended_at, format=row.format,
        size_bytes=row.size_bytes, sha256=row.sha256, queue=row.queue, agent_id=row.agent_id,
        pauses=pauses_from_json(row.pauses), archive_path=row.archive_path,
        verified_at=row.verified_at, purged_at=row.purged_at, reason=row.reason,
    )
