"""Typed decoding of the transcripts' events: the wire's unit quirks end up in seconds."""

from __future__ import annotations

from collections.abc import Callable

from callcenter.ami.events import AgentConnect, AgentRingNoAnswer
from callcenter.ami.testing import Record, transcript_events

Transcript = Callable[[str], list[Record]]


def test_agent_ring_times_are_seconds_whatever_the_wire_unit(transcript: Transcript) -> None:
    # b3: agent 1001 rings past the 10 s queue timeout, then 1002 answers after 2 s.
    events = list(transcript_events(transcript("b3")))
    (no_answer,) = [e for e in events if isinstance(e, AgentRingNoAnswer)]
    assert no_answer.interface == "Local/1001@agents"
    assert no_answer.ring_time == 10.0  # wire: RingTime: 10000 (milliseconds)
    (connect,) = [e for e in events if isinstance(e, AgentConnect)]
    assert connect.interface == "Local/1002@agents"
    assert connect.ring_time == 2.0  # wire: RingTime: 2 (seconds)
