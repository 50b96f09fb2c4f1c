"""The database side of `callcenter recordings …` and `callcenter qa …`: the queries and writes.

The command module (`callcenter/cli/recordings.py`) imports this when a command runs, so that
building the command line does not load SQLAlchemy. Each function takes an open `Database`
(through `run_on_database`) or returns a query for one.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from callcenter.recording_index import recording_meta, recording_query
from cdr import CallRow, Database, QaScoreRow, RecordingRow, SurveyRow
from recording.metadata import RecordingMetadata

AnyRow = Any  # SQLAlchemy rows and selects of several columns (variadic generics)
meta = recording_meta  # the queries the HTTP API shares (callcenter.recording_index)
query = recording_query
AnySelect = Any


@dataclass(frozen=True, slots=True)
class Listed:
    meta: RecordingMetadata
    outcome: str | None
    csat: int | None


async def listed(database: Database, selected: AnySelect) -> list[Listed]:
    """The rows of a `query`."""
    async with database.engine.connect() as conn:
        rows = (await conn.execute(selected)).all()
    return [Listed(meta(r), r.call_outcome, r.csat_value) for r in rows]


async def recording_row(database: Database, recording_id: str) -> AnyRow | None:
    """One recording as a row of `query` (all times, purged too), or None."""
    selected = query(0.0, 1e12, [], [], [], None).where(
        RecordingRow.recording_id == recording_id)
    async with database.engine.connect() as conn:
        return (await conn.execute(selected)).first()


async def stamp(database: Database, recording_ids: list[str], **times: float) -> None:
    """Set a time column (verified_at, purged_at) on these recordings' rows."""
    async with database.engine.begin() as conn:
        await conn.execute(update(RecordingRow)
                           .where(RecordingRow.recording_id.in_(recording_ids))
                           .values(**times))


async def unarchived(database: Database) -> list[RecordingMetadata]:
    """Recordings without an archive copy whose file is not purged."""
    selected = select(RecordingRow).where(RecordingRow.archive_path.is_(None),
                                          RecordingRow.purged_at.is_(None))
    async with database.engine.connect() as conn:
        return [meta(r) for r in (await conn.execute(selected)).all()]


async def store_archived(database: Database, done: dict[str, str], now: float) -> None:
    """Store each recording's archive copy (id -> path), verified at `now`."""
    async with database.engine.begin() as conn:
        for recording_id, copy in done.items():
            await conn.execute(update(RecordingRow)
                               .where(RecordingRow.recording_id == recording_id)
                               .values(archive_path=copy, verified_at=now))


async def unpurged(database: Database) -> list[RecordingMetadata]:
    """Every recording whose file is not purged."""
    async with database.engine.connect() as conn:
        rows = (await conn.execute(select(RecordingRow)
                                   .where(RecordingRow.purged_at.is_(None)))).all()
    return [meta(r) for r in rows]


async def answered_calls(database: Database, frm: float, to: float,
                         all_calls: bool) -> list[AnyRow]:
    """Answered calls arrived in [frm, to): call_id, agent_id and the recording's path; only
    calls with an unpurged recording unless `all_calls`."""
    selected = (select(CallRow.call_id, CallRow.agent_id, RecordingRow.path)
                .outerjoin(RecordingRow, RecordingRow.call_id == CallRow.call_id)
                .where(CallRow.arrived_at >= frm, CallRow.arrived_at < to,
                       CallRow.outcome == "answered", CallRow.agent_id.is_not(None)))
    if not all_calls:
        selected = selected.where(RecordingRow.path.is_not(None),
                                  RecordingRow.purged_at.is_(None))
    async with database.engine.connect() as conn:
        return list((await conn.execute(selected)).all())


async def store_score(database: Database, call_id: str, reviewer: str, score: float,
                      given: dict[str, int], comment: str | None) -> str | None:
    """Replace the reviewer's score of the call; the call's agent, or None if no such call."""
    async with database.engine.begin() as conn:
        agent = (await conn.execute(select(CallRow.agent_id)
                                    .where(CallRow.call_id == call_id))).first()
        if agent is None:
            return None
        await conn.execute(delete(QaScoreRow).where(QaScoreRow.call_id == call_id,
                                                    QaScoreRow.reviewer == reviewer))
        await conn.execute(insert(QaScoreRow).values(
            call_id=call_id, reviewer=reviewer, agent_id=agent.agent_id,
            scored_at=time.time(), score=score, points=json.dumps(given), comment=comment))
        return str(agent.agent_id)


async def qa_rows(database: Database, frm: float, to: float,
                  agents: list[str]) -> tuple[list[AnyRow], list[AnyRow]]:
    """For calls arrived in [frm, to): the QA scores (agent_id, arrived_at, score) and the
    answered calls (agent_id, arrived_at, csat_value), of these agents if any are given."""
    scores = (select(QaScoreRow.agent_id, CallRow.arrived_at, QaScoreRow.score)
              .join(CallRow, CallRow.call_id == QaScoreRow.call_id)
              .where(CallRow.arrived_at >= frm, CallRow.arrived_at < to))
    csat = func.coalesce(SurveyRow.csat, CallRow.csat).label("csat_value")
    calls = (select(CallRow.agent_id, CallRow.arrived_at, csat)
             .outerjoin(SurveyRow, SurveyRow.call_id == CallRow.call_id)
             .where(CallRow.arrived_at >= frm, CallRow.arrived_at < to,
                    CallRow.outcome == "answered", CallRow.agent_id.is_not(None)))
    if agents:
        scores = scores.where(QaScoreRow.agent_id.in_(agents))
        calls = calls.where(CallRow.agent_id.in_(agents))
    async with database.engine.connect() as conn:
        return (list((await conn.execute(scores)).all()),
                list((await conn.execute(calls)).all()))
