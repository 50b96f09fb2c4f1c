"""Exports in Asterisk's own formats, so the tools people already use can read our data.

- `queue_log`: `epoch|callid|queue|agent|event|data1|...` with ENTERQUEUE, RINGNOANSWER,
  CONNECT, COMPLETECALLER/COMPLETEAGENT, TRANSFER, ABANDON, EXITWITHTIMEOUT, PAUSE/UNPAUSE
  and ADDMEMBER/REMOVEMEMBER and their standard fields (ring times in milliseconds). A caller
  who hangs up during the agent-ID announcement (outcome announcement-hangup) is CONNECT then
  COMPLETECALLER, as app_queue logs a caller who hangs up right after being connected.
- `Master.csv`: cdr_csv's column order, every field quoted.

Both stream one day at a time, so memory stays flat over long periods.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy import and_, or_, select

from cdr.records import AgentActivity, HangupBy, Outcome, Segment, SegmentKind
from cdr.store.db import Database
from cdr.store.rows import decode_segments
from cdr.store.schema import AgentSessionRow, AgentStateRow, CallRow

CALLS = CallRow.__table__
STATES = AgentStateRow.__table__
SESSIONS = AgentSessionRow.__table__
calls = CALLS.c
states = STATES.c
sessions = SESSIONS.c

DAY_S = 86400.0
MASTER_CSV_COLUMNS: tuple[str, ...] = (
    "accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp",
    "lastdata", "start", "answer", "end", "duration", "billsec", "disposition", "amaflags",
    "uniqueid", "userfield",
)  # fmt: skip

QueueLogEvent = tuple[float, str, str, str, str, tuple[str, ...]]


def _s(value: float) -> str:
    return str(round(value))


def queue_log_line(event: QueueLogEvent) -> str:
    """One queue_log line: epoch|callid|queue|agent|event|data..."""
    at, call_id, queue, agent, name, data = event
    return "|".join((str(int(at)), call_id, queue, agent, name, *data)) + "\n"


def _call_events(row: Any) -> list[QueueLogEvent]:
    call_id = row.uniqueid or row.call_id
    queue = row.queue or "NONE"
    enq = row.enqueued_at
    pos = str(row.entry_position or 1)
    events: list[QueueLogEvent] = [
        (enq, call_id, queue, "NONE", "ENTERQUEUE", ("", row.caller or ""))
    ]
    rings: list[Segment] = [
        s for s in decode_segments(row.segments, row.arrived_at) if s.kind is SegmentKind.RING
    ]
    for ring in rings:
        if not ring.answered:
            ms = str(round((ring.end - ring.start) * 1000))
            events.append(
                (ring.end, call_id, queue, ring.agent_id or "NONE", "RINGNOANSWER", (ms,))
            )
    wait = _s(row.wait_s or 0.0)
    if row.answered_at is not None:
        agent = row.agent_id or "NONE"
        ring_s = _s(row.answered_at - row.offered_at) if row.offered_at is not None else "0"
        events.append(
            (
                row.answered_at,
                call_id,
                queue,
                agent,
                "CONNECT",
                (wait, row.agent_uniqueid or "", ring_s),  # bridged channel's Uniqueid
            )
        )
        talk = _s(row.ended_at - row.answered_at)
        if row.transferred:
            events.append(
                (
                    row.ended_at,
                    call_id,
                    queue,
                    agent,
                    "TRANSFER",
                    (row.transfer_exten or "", row.transfer_context or "", wait, talk, pos),
                )
            )
        else:
            name = "COMPLETEAGENT" if row.hangup_by == HangupBy.AGENT.value else "COMPLETECALLER"
            events.append((row.ended_at, call_id, queue, agent, name, (wait, talk, pos)))
    elif row.outcome == Outcome.ABANDONED.value:
        events.append(
            (enq + (row.wait_s or 0.0), call_id, queue, "NONE", "ABANDON", (pos, pos, wait))
        )
    elif row.outcome in (Outcome.OVERFLOWED.value, Outcome.VOICEMAIL.value, Outcome.CALLBACK.value):
        events.append(
            (enq + (row.wait_s or 0.0), call_id, queue, "NONE", "EXITWITHTIMEOUT", (pos, pos, wait))
        )
    return events


async def _day_events(db: Database, lo: float, hi: float) -> list[QueueLogEvent]:
    events: list[QueueLogEvent] = []
    call_stmt = select(CALLS).where(
        calls.enqueued_at.is_not(None),
        calls.enqueued_at < hi,
        calls.ended_at >= lo,
        calls.arrived_at >= lo - DAY_S,
    )
    async with db.engine.connect() as conn:
        for row in await conn.execute(call_stmt):
            events.extend(_call_events(row))
        # Spans are stored cut at 15-minute boundaries: join the pieces of one pause again.
        pause_stmt = (
            select(STATES)
            .where(
                states.activity == AgentActivity.PAUSED.value,
                states.start >= lo - DAY_S,
                states.start < hi + DAY_S,
            )
            .order_by(states.agent_id, states.start)
        )
        pauses: list[list[Any]] = []
        for span in await conn.execute(pause_stmt):
            last = pauses[-1] if pauses else None
            if (
                last is not None
                and last[0] == span.agent_id
                and last[2] == span.start
                and last[3] == span.reason
            ):
                last[2] = span.end
            else:
                pauses.append([span.agent_id, span.start, span.end, span.reason])
        for agent_id, start, end, reason in pauses:
            events.append((start, "NONE", "NONE", agent_id, "PAUSE", (reason or "",)))
            events.append((end, "NONE", "NONE", agent_id, "UNPAUSE", (reason or "",)))
        session_stmt = select(SESSIONS).where(
            or_(
                and_(sessions.login_at >= lo, sessions.login_at < hi),
                and_(sessions.logout_at >= lo, sessions.logout_at < hi),
            ),
        )
        for session in await conn.execute(session_stmt):
            for queue in filter(None, session.queues.split(",")):
                events.append(
                    (session.login_at, "NONE", queue, session.agent_id, "ADDMEMBER", ("",))
                )
                if session.logout_at is not None:
                    events.append(
                        (session.logout_at, "NONE", queue, session.agent_id, "REMOVEMEMBER", ("",))
                    )
    return sorted(e for e in events if lo <= e[0] < hi)


async def queue_log(db: Database, start: float, end: float) -> AsyncIterator[str]:
    """queue_log lines for events in [start, end), in time order, one day at a time."""
    lo = start
    while lo < end:
        hi = min(lo + DAY_S, end)
        for event in await _day_events(db, lo, hi):
            yield queue_log_line(event)
        lo = hi


def _when(value: float | None, zone: tzinfo = UTC) -> str:
    if value is None:
        return ""
    return datetime.fromtimestamp(value, zone).strftime("%Y-%m-%d %H:%M:%S")


# An announcement hang-up was answered by the agent's phone: billsec counts from that answer.
_ANSWERED_DISPOSITION = frozenset(
    outcome.value
    for outcome in (
        Outcome.ANSWERED,
        Outcome.TRANSFERRED,
        Outcome.VOICEMAIL,
        Outcome.ANNOUNCEMENT_HANGUP,
    )
)


def _disposition(outcome: str) -> str:
    if outcome in _ANSWERED_DISPOSITION:
        return "ANSWERED"
    if outcome == Outcome.BLOCKED.value:
        return "FAILED"
    return "NO ANSWER"


def master_csv_row(row: Any, zone: tzinfo = UTC) -> list[str]:
    """One cdr_csv row (Master.csv column order) for a `calls` row, times in `zone` (cdr_csv
    writes the PBX's local time, or UTC with `usegmtime=yes`)."""
    duration = max(0, round(row.ended_at - row.arrived_at))
    billsec = max(0, round(row.ended_at - row.answered_at)) if row.answered_at else 0
    if row.outcome == Outcome.VOICEMAIL.value:
        lastapp, lastdata = "VoiceMail", row.queue or ""
    elif row.enqueued_at is not None:
        lastapp, lastdata = "Queue", row.queue or ""
    else:
        lastapp, lastdata = "Hangup", ""
    caller = row.caller or ""
    return [
        "", caller, row.dnis or "", row.context or "", f'"" <{caller}>', row.channel or "",
        row.agent_channel or "", lastapp, lastdata, _when(row.arrived_at, zone),
        _when(row.answered_at, zone), _when(row.ended_at, zone), str(duration), str(billsec),
        _disposition(row.outcome), "DOCUMENTATION", row.uniqueid or row.call_id,
        row.disposition or "",
    ]  # fmt: skip


async def master_csv(
    db: Database, start: float, end: float, zone: tzinfo = UTC
) -> AsyncIterator[str]:
    """Master.csv lines (no header, as cdr_csv writes) for calls arriving in [start, end)."""
    lo = start
    while lo < end:
        hi = min(lo + DAY_S, end)
        stmt = (
            select(CALLS)
            .where(calls.arrived_at >= lo, calls.arrived_at < hi)
            .order_by(calls.arrived_at)
        )
        async with db.engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        out = io.StringIO()
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
        for row in rows:
            writer.writerow(master_csv_row(row, zone))
        if rows:
            yield out.getvalue()
        lo = hi
