"""A small, hand-checked contact-center history: the KPIs in the tests are worked out by hand.

Day 1 is Monday 2025-11-03 (UTC). Queue `billing`, interval 09:00-09:15:
  c1  K1  waits 10 s, a1 answers: talk 100, hold 20, wrap-up 30; CSAT 5, NPS 10
  c2  K2  waits 30 s, a2 answers: talk 200, wrap-up 10; CSAT 2, NPS 3
  c3  K3  abandons after 3 s (a short abandon)
  c4  K1  abandons after 40 s (a repeat of c1 within 24 h: c1 is not first-call resolved)
Queue `support`, interval 09:15-09:30:
  c6  --  waits 5 s, a2 answers: talk 50, wrap-up 10
Day 2, `billing`, 10:00:
  c5  K2  waits 20 s (exactly the target), a1 answers: talk 60, transferred; 25 h after c2
Agents on day 1 from 09:00: a1 available 1000 s, on call 300 s, wrap-up 100 s, paused
(lunch) 600 s; a2 available 500 s, on call 400 s, wrap-up 100 s.
"""

from __future__ import annotations

from cdr.records import (
    AgentActivity,
    AgentSession,
    AgentStateSpan,
    CallRecord,
    HangupBy,
    Outcome,
    Segment,
    SegmentKind,
    Survey,
)

DAY1 = 1_762_128_000.0  # 2025-11-03 00:00 UTC, a Monday
DAY2 = DAY1 + 86400.0
NINE = DAY1 + 9 * 3600.0


def answered(
    call_id: str,
    queue: str,
    arrived: float,
    wait: float,
    agent: str,
    talk: float,
    *,
    hold: float = 0.0,
    wrap: float = 0.0,
    customer: str | None = None,
    survey: Survey | None = None,
    transferred: bool = False,
    ring: float = 2.0,
) -> CallRecord:
    """An answered call: IVR 5 s, queue, ring (inside the wait), talk, hold, wrap-up."""
    enq = arrived + 5.0
    offer = enq + wait - ring
    answer = enq + wait
    segs = [
        Segment(0, SegmentKind.IVR, arrived, enq),
        Segment(1, SegmentKind.QUEUE, enq, offer, queue=queue),
        Segment(2, SegmentKind.RING, offer, answer, agent, queue),
        Segment(3, SegmentKind.TALK, answer, answer + talk, agent, queue),
    ]
    end = answer + talk
    if hold:
        segs.append(Segment(4, SegmentKind.HOLD, end, end + hold, agent, queue))
        end += hold
    if wrap:
        segs.append(Segment(len(segs), SegmentKind.WRAP_UP, end, end + wrap, agent, queue))
    return CallRecord(
        call_id=call_id, arrived_at=arrived, ended_at=end,
        outcome=Outcome.TRANSFERRED if transferred else Outcome.ANSWERED,
        linkedid=call_id, uniqueid=f"{arrived:.0f}.{call_id}", channel=f"PJSIP/trunk-{call_id}",
        agent_channel=f"PJSIP/{agent}-0001", agent_uniqueid=f"{offer:.0f}.{call_id}-agent",
        context="cc-inbound", caller=f"+49301{call_id}",
        dnis="8000", customer_id=customer, queue=queue, call_type=queue, enqueued_at=enq,
        offered_at=offer, answered_at=answer, agent_id=agent, agent_display_id=agent.upper(),
        entry_position=1, hangup_by=HangupBy.CALLER, transferred=transferred, survey=survey,
        transfer_exten="2001" if transferred else None,
        transfer_context="from-internal" if transferred else None, segments=tuple(segs),
    )  # fmt: skip


def abandoned(
    call_id: str, queue: str, arrived: float, wait: float, *, customer: str | None = None
) -> CallRecord:
    """A caller who hangs up after `wait` seconds in the queue."""
    enq = arrived + 5.0
    return CallRecord(
        call_id=call_id, arrived_at=arrived, ended_at=enq + wait, outcome=Outcome.ABANDONED,
        linkedid=call_id, uniqueid=f"{arrived:.0f}.{call_id}", caller=f"+49301{call_id}",
        dnis="8000", customer_id=customer, queue=queue, call_type=queue, enqueued_at=enq,
        entry_position=2, hangup_by=HangupBy.CALLER,
        segments=(
            Segment(0, SegmentKind.IVR, arrived, enq),
            Segment(1, SegmentKind.QUEUE, enq, enq + wait, queue=queue),
        ),
    )  # fmt: skip


def hand_checked_calls() -> list[CallRecord]:
    """The six calls of the module docstring."""
    return [
        answered("c1", "billing", NINE, 10.0, "a1", 100.0, hold=20.0, wrap=30.0,
                 customer="K1", survey=Survey(5, 10, NINE + 600)),
        answered("c2", "billing", NINE + 60, 30.0, "a2", 200.0, wrap=10.0,
                 customer="K2", survey=Survey(2, 3, NINE + 900)),
        abandoned("c3", "billing", NINE + 120, 3.0, customer="K3"),
        abandoned("c4", "billing", NINE + 180, 40.0, customer="K1"),
        answered("c6", "support", NINE + 1200, 5.0, "a2", 50.0, wrap=10.0),
        answered("c5", "billing", DAY2 + 10 * 3600, 20.0, "a1", 60.0, customer="K2",
                 transferred=True),
    ]  # fmt: skip


def hand_checked_agent_time() -> list[AgentStateSpan | AgentSession]:
    """a1's and a2's day 1 (see the module docstring)."""
    spans: list[AgentStateSpan | AgentSession] = []
    for agent, parts in (
        ("a1", [(AgentActivity.AVAILABLE, 1000.0, None), (AgentActivity.ON_CALL, 300.0, None),
                (AgentActivity.WRAP_UP, 100.0, None), (AgentActivity.PAUSED, 600.0, "lunch")]),
        ("a2", [(AgentActivity.AVAILABLE, 500.0, None), (AgentActivity.ON_CALL, 400.0, None),
                (AgentActivity.WRAP_UP, 100.0, None)]),
    ):  # fmt: skip
        t = NINE
        for activity, seconds, reason in parts:
            spans.append(AgentStateSpan(agent, activity, t, t + seconds, reason))
            t += seconds
        spans.append(AgentSession(agent, NINE, t, ("billing", "support"), f"PJSIP/{agent}"))
    return spans
