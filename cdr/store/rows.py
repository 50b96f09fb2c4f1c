"""Records to table rows: the per-call sums derived from segments, one tuple per row.

Conversion happens when the engine hands a record to the writer (a few microseconds per call),
so that a flush only waits on the database while the engine goes on producing.

A call's segments are stored on its `calls` row as one JSON array (`calls.segments`, one
`[seq, kind, start_us, end_us, agent_id, queue, answered]` array per segment, times in
microseconds after the call's arrival), not as a row each:
one row per call instead of five or six is what lets the writer keep up with bulk loads.
Migration 0007 keeps a `call_segments` view with one row per segment for SQL users.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import partial
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

from cdr.records import (
    AgentSession,
    AgentStateSpan,
    CallRecord,
    CdrItem,
    Recording,
    Segment,
    SegmentKind,
)

Row = tuple[Any, ...]  # values in the table's column order; enums as their plain text


# Table indexes into `TABLE_ORDER`: parents before children (surveys reference calls).
CALLS, SURVEYS, AGENT_STATES, AGENT_SESSIONS, RECORDINGS = range(5)
TABLE_ORDER: tuple[str, ...] = (
    "calls",
    "survey_responses",
    "agent_states",
    "agent_sessions",
    "recordings",
)
Entry = list[tuple[int, Row]]  # the rows one item writes: (table index, row)
SPAN_SPLIT_S = 900.0  # agent spans are stored cut at 15-minute boundaries (UTC)


def _joined(encoder: Callable[[Any, int], list[str]], value: Any) -> str:
    return "".join(encoder(value, 0))


# The C encoder made once: JSONEncoder.encode builds a new one per call (a third of the time).
_encode_json: Callable[[Any], str] = (
    json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    if c_make_encoder is None
    else partial(
        _joined,
        c_make_encoder(None, None, encode_basestring, None, ":", ",", False, False, True),
    )
)


def encode_segments(segments: Iterable[Segment], arrived_at: float) -> str | None:
    """`calls.segments`: a JSON array of `[seq, kind, start_us, end_us, agent_id, queue,
    answered]`, start and end in whole microseconds after the call's arrival (None for a call
    without segments). Integers, because formatting an epoch float for JSON costs several
    times more than rounding it; a microsecond is Asterisk's own resolution."""
    packed = [
        [
            s.seq,
            s.kind,
            round((s.start - arrived_at) * 1e6),
            round((s.end - arrived_at) * 1e6),
            s.agent_id,
            s.queue,
            s.answered,
        ]
        for s in segments
    ]
    return _encode_json(packed) if packed else None


def decode_segments(text: str | None, arrived_at: float) -> tuple[Segment, ...]:
    """The segments stored by `encode_segments` for a call that arrived at `arrived_at`."""
    if not text:
        return ()
    return tuple(
        Segment(
            seq,
            SegmentKind(kind),
            arrived_at + start_us / 1e6,
            arrived_at + end_us / 1e6,
            agent_id,
            queue,
            bool(answered),
        )
        for seq, kind, start_us, end_us, agent_id, queue, answered in json.loads(text)
    )


def queue_wait_s(record: CallRecord) -> float | None:
    """Seconds from entering the queue to answer, or to leaving the queue unanswered.

    Ring time of an offer that was not answered (RONA) counts as waiting: the caller still waits.
    None for calls that never entered a queue.
    """
    if record.enqueued_at is None:
        return None
    if record.answered_at is not None:
        return max(0.0, record.answered_at - record.enqueued_at)
    left = record.ended_at
    waits = [s.end for s in record.segments if s.kind in (SegmentKind.QUEUE, SegmentKind.RING)]
    if waits:
        left = max(waits)
    return max(0.0, left - record.enqueued_at)


def call_row(record: CallRecord) -> Row:
    """The `calls` row of a record (column order of `schema.CallRow`), with segment sums."""
    ring = announce = talk = hold = wrap_up = 0.0
    ring_no_answers = 0
    for segment in record.segments:
        length = segment.end - segment.start
        kind = segment.kind
        if kind is SegmentKind.TALK:
            talk += length
        elif kind is SegmentKind.HOLD:
            hold += length
        elif kind is SegmentKind.WRAP_UP:
            wrap_up += length
        elif kind is SegmentKind.RING:
            ring += length
            if not segment.answered:
                ring_no_answers += 1
        elif kind is SegmentKind.ANNOUNCEMENT:
            announce += length
    survey = record.survey
    return (
        record.call_id,
        record.linkedid,
        record.uniqueid,
        record.channel,
        record.agent_channel,
        record.context,
        str(record.direction),  # plain text: sqlite3 binds a str subclass the slow way
        record.caller,
        record.dnis,
        record.customer_id,
        record.queue or None,  # '' is no queue: the roll-ups key both as ''
        record.call_type or None,
        record.priority,
        record.tier,
        record.arrived_at,
        record.enqueued_at,
        record.offered_at,
        record.answered_at,
        record.ended_at,
        str(record.outcome),
        record.agent_id or None,
        record.agent_display_id,
        record.entry_position,
        None if record.hangup_by is None else str(record.hangup_by),
        record.transferred,
        record.recording,
        record.disposition,
        survey.csat if survey is not None else None,
        survey.nps if survey is not None else None,
        queue_wait_s(record),
        ring,
        announce,
        talk,
        hold,
        wrap_up,
        ring_no_answers,
        encode_segments(record.segments, record.arrived_at),
        record.agent_uniqueid,
        record.transfer_exten,
        record.transfer_context,
    )


def split_span(start: float, end: float, step: float = SPAN_SPLIT_S) -> list[tuple[float, float]]:
    """[start, end) cut at multiples of `step` (epoch seconds), so that every stored agent span
    lies inside one 15-minute interval and reports add agent time to the right interval."""
    pieces: list[tuple[float, float]] = []
    while True:
        boundary = (start // step + 1) * step
        if boundary >= end:
            pieces.append((start, end))
            return pieces
        pieces.append((start, boundary))
        start = boundary


def entry_of(item: CdrItem) -> Entry:
    """The rows `item` writes, as (table index, tuple in the table's column order)."""
    if isinstance(item, CallRecord):
        entry: Entry = [(CALLS, call_row(item))]
        survey = item.survey
        if survey is not None:
            entry.append((SURVEYS, (item.call_id, survey.csat, survey.nps, survey.answered_at)))
        return entry
    if isinstance(item, AgentStateSpan):
        return [
            (AGENT_STATES, (item.agent_id, start, str(item.activity), end, item.reason))
            for start, end in split_span(item.start, item.end)
        ]
    if isinstance(item, AgentSession):
        return [
            (
                AGENT_SESSIONS,
                (item.agent_id, item.login_at, item.logout_at, ",".join(item.queues), item.device),
            )
        ]
    if isinstance(item, Recording):
        return [
            (
                RECORDINGS,
                (
                    item.recording_id,
                    item.call_id,
                    item.path,
                    item.started_at,
                    item.ended_at,
                    item.format,
                    item.size_bytes,
                    item.sha256,
                    item.queue,
                    item.agent_id,
                    None if item.ended_at is None else max(0.0, item.ended_at - item.started_at),
                    json.dumps([list(p) for p in item.pauses]),
                    item.archive_path,
                    item.verified_at,
                    None,  # purged_at: set by `callcenter recordings purge`
                    item.reason,
                ),
            )
        ]
    else:  # pragma: no cover - the union is closed; mypy checks callers
        raise TypeError(
            "CDR writer: expected a CallRecord, AgentStateSpan, AgentSession or Recording, "
            f"got {type(item).__name__}"
        )


def group_rows(entries: list[Entry]) -> list[list[Row]]:
    """The rows of many entries, one list per table in `TABLE_ORDER`."""
    groups: list[list[Row]] = [[] for _ in TABLE_ORDER]
    for entry in entries:
        for table, row in entry:
            groups[table].append(row)
    return groups
