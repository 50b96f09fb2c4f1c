"""Synthetic call records for tests and benchmarks: a seeded, plausible contact-center month.

Randomness comes from the `numpy.random.Generator` passed in, drawn in batches.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

import numpy as np

from cdr.records import (
    AgentActivity,
    AgentStateSpan,
    CallRecord,
    HangupBy,
    Outcome,
    Segment,
    SegmentKind,
    Survey,
)

QUEUES: tuple[str, ...] = ("billing", "support", "sales", "general")
CALL_TYPES: tuple[str, ...] = ("billing", "tech", "new-order", "other")
AGENTS: tuple[str, ...] = tuple(f"a{number:03d}" for number in range(100))


def synthetic_calls(
    n: int,
    rng: np.random.Generator,
    *,
    start: float,
    span_s: float,
    agents: Sequence[str] = AGENTS,
    queues: Sequence[str] = QUEUES,
    customers: int = 50_000,
    id_prefix: str = "c",
    chunk: int = 10_000,
) -> Iterator[CallRecord]:
    """`n` completed inbound calls spread uniformly over [start, start + span_s), in arrival
    order (as an engine writes them), `chunk` calls drawn at a time.

    About 78 % are answered (IVR, queue, ring, talk, wrap-up: 5 segments; some with hold),
    the rest abandon in the queue (IVR, queue: 2 segments). Waits are exponential (mean 25 s),
    talk lognormal (mean ~4 min), wrap-up exponential (mean 30 s).
    """
    made = 0
    while made < n:
        m = min(chunk, n - made)
        lo = start + span_s * made / n
        arrive = np.sort(rng.uniform(lo, lo + span_s * m / n, m))
        ivr = rng.uniform(5.0, 30.0, m)
        wait = rng.exponential(25.0, m)
        patience = rng.exponential(90.0, m)
        ring = rng.uniform(1.0, 8.0, m)
        talk = rng.lognormal(5.3, 0.6, m)
        hold = np.where(rng.random(m) < 0.15, rng.exponential(40.0, m), 0.0)
        wrap = rng.exponential(30.0, m)
        queue_ix = rng.integers(0, len(queues), m)
        agent_ix = rng.integers(0, len(agents), m)
        customer = rng.integers(0, customers, m)
        csat = rng.integers(1, 6, m)
        nps_score = rng.integers(0, 11, m)
        surveyed = rng.random(m) < 0.2
        transferred = rng.random(m) < 0.05
        for i in range(m):
            call_id = f"{id_prefix}{made + i:010d}"  # ordered, like Asterisk uniqueids
            t0 = float(arrive[i])
            t_queue = t0 + float(ivr[i])
            queue = queues[int(queue_ix[i])]
            segments: list[Segment] = [Segment(0, SegmentKind.IVR, t0, t_queue)]
            if patience[i] < wait[i]:
                left = t_queue + float(patience[i])
                segments.append(Segment(1, SegmentKind.QUEUE, t_queue, left, queue=queue))
                yield CallRecord(
                    call_id=call_id, arrived_at=t0, ended_at=left,
                    outcome=Outcome.ABANDONED, linkedid=call_id, uniqueid=call_id,
                    caller=f"+4930{int(customer[i]):07d}", customer_id=f"C{int(customer[i])}",
                    queue=queue, call_type=CALL_TYPES[int(queue_ix[i])], enqueued_at=t_queue,
                    hangup_by=HangupBy.CALLER, segments=tuple(segments),
                )
                continue
            agent = agents[int(agent_ix[i])]
            t_offer = t_queue + float(wait[i])
            t_answer = t_offer + float(ring[i])
            t_hung = t_answer + float(talk[i]) + float(hold[i])
            segments.append(Segment(1, SegmentKind.QUEUE, t_queue, t_offer, queue=queue))
            segments.append(Segment(2, SegmentKind.RING, t_offer, t_answer, agent, queue))
            seq = 3
            if hold[i] > 0:
                mid = t_answer + float(talk[i]) / 2
                segments.append(Segment(seq, SegmentKind.TALK, t_answer, mid, agent, queue))
                segments.append(
                    Segment(seq + 1, SegmentKind.HOLD, mid, mid + float(hold[i]), agent, queue)
                )
                segments.append(
                    Segment(seq + 2, SegmentKind.TALK, mid + float(hold[i]), t_hung, agent, queue)
                )
                seq += 3
            else:
                segments.append(Segment(seq, SegmentKind.TALK, t_answer, t_hung, agent, queue))
                seq += 1
            segments.append(
                Segment(seq, SegmentKind.WRAP_UP, t_hung, t_hung + float(wrap[i]), agent, queue)
            )
            yield CallRecord(
                call_id=call_id, arrived_at=t0, ended_at=t_hung,
                outcome=Outcome.TRANSFERRED if transferred[i] else Outcome.ANSWERED,
                linkedid=call_id, uniqueid=call_id, caller=f"+4930{int(customer[i]):07d}",
                customer_id=f"C{int(customer[i])}", queue=queue,
                call_type=CALL_TYPES[int(queue_ix[i])], enqueued_at=t_queue, offered_at=t_offer,
                answered_at=t_answer, agent_id=agent, agent_display_id=agent[1:],
                hangup_by=HangupBy.CALLER, transferred=bool(transferred[i]),
                survey=(
                    Survey(int(csat[i]), int(nps_score[i]), t_hung + 60.0)
                    if surveyed[i] else None
                ),
                segments=tuple(segments),
            )
        made += m


def synthetic_agent_day(
    agent_id: str, day_start: float, rng: np.random.Generator
) -> list[AgentStateSpan]:
    """An 8-hour shift from 08:00: alternating available / on-call / wrap-up, a lunch pause."""
    spans: list[AgentStateSpan] = []
    t = day_start + 8 * 3600.0
    end = t + 8 * 3600.0
    lunch_at = day_start + 12 * 3600.0
    lunch_done = False
    while t < end:
        if not lunch_done and t >= lunch_at:
            spans.append(AgentStateSpan(agent_id, AgentActivity.PAUSED, t, t + 1800.0, "lunch"))
            t += 1800.0
            lunch_done = True
            continue
        for activity, mean in (
            (AgentActivity.AVAILABLE, 60.0),
            (AgentActivity.ON_CALL, 240.0),
            (AgentActivity.WRAP_UP, 30.0),
        ):
            length = float(rng.exponential(mean))
            spans.append(AgentStateSpan(agent_id, activity, t, t + length))
            t += length
    return spans


def with_announcement(call: CallRecord, seconds: float, *, hung_up: bool = False) -> CallRecord:
    """`call` (answered, its first talk segment from the answer) with the agent-ID announcement
    as the engine records it: an `announcement` segment of `seconds` from the answer and the
    talk after it. `hung_up`: the caller left during it instead (outcome announcement-hangup,
    no talk, no hold, not transferred; the agent's wrap-up follows)."""
    first = next((s for s in call.segments if s.kind is SegmentKind.TALK), None)
    if call.answered_at is None or first is None or first.start != call.answered_at:
        raise ValueError(f"{call.call_id}: expected an answered call that talks from its answer")
    before = [s for s in call.segments if s.end <= first.start and s is not first]
    announced = Segment(
        0, SegmentKind.ANNOUNCEMENT, first.start, first.start + seconds, first.agent_id,
        first.queue,
    )  # fmt: skip
    if hung_up:
        wrap = next((s for s in call.segments if s.kind is SegmentKind.WRAP_UP), None)
        end = announced.end
        after = [] if wrap is None else [replace(wrap, start=end, end=end + wrap.end - wrap.start)]
        pieces = [*before, announced, *after]
        return replace(
            call, outcome=Outcome.ANNOUNCEMENT_HANGUP, ended_at=end, hangup_by=HangupBy.CALLER,
            transferred=False, transfer_exten=None, transfer_context=None, survey=None,
            segments=tuple(replace(s, seq=i) for i, s in enumerate(pieces)),
        )  # fmt: skip
    later = [s for s in call.segments if s not in before and s is not first]
    pieces = [*before, announced, replace(first, start=announced.end), *later]
    return replace(call, segments=tuple(replace(s, seq=i) for i, s in enumerate(pieces)))
