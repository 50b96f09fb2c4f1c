"""Local channel optimisation (d3) in the emulator: the relay pair leaves the path."""

from __future__ import annotations

from collections.abc import Callable

from callcenter.ami.codec import Message
from callcenter.ami.events import LocalOptimizationBegin, LocalOptimizationEnd, decode_event
from callcenter.ami.testing import Record
from callcenter.emulator import Emulator
from callcenter.emulator.fidelity import channel_label, run_transcript, transcript_side

Transcript = Callable[[str], list[Record]]
SPEED = 5.0
CALLER = "Local/40@callers-talking;1"
AGENT = "Local/1001@agents;1"
RELAY = ("Local/1001@relay;1", "Local/1001@relay;2")

Step = tuple[str, str]


def _bridge_story(messages: list[Message]) -> dict[str, list[Step]]:
    """Per channel (Local suffix dropped): its BridgeEnter/BridgeLeave, each bridge named by
    the channels that ever entered it, and its Hangup, in order."""
    members: dict[str, set[str]] = {}
    for m in messages:
        if m.event == "BridgeEnter":
            members.setdefault(m.headers["BridgeUniqueid"], set()).add(
                channel_label(m.headers["Channel"]))
    story: dict[str, list[Step]] = {}
    for m in messages:
        h = m.headers
        if m.event in ("BridgeEnter", "BridgeLeave"):
            step = (m.event, " + ".join(sorted(members[h["BridgeUniqueid"]])))
        elif m.event == "Hangup":
            step = ("Hangup", "")
        else:
            continue
        story.setdefault(channel_label(h["Channel"]), []).append(step)
    return story


def _bridges(messages: list[Message], event: str) -> set[str]:
    return {m.headers["BridgeUniqueid"] for m in messages if m.event == event}


async def test_relay_pair_is_optimised_away_and_the_call_goes_on(
    transcript: Transcript,
) -> None:
    records = transcript("d3")
    async with Emulator(speed=SPEED) as emu:
        got = await run_transcript(records, "127.0.0.1", emu.port, SPEED, emu)
    events = [decode_event(m, float(i)) for i, m in enumerate(got) if m.event]
    begin = [e for e in events if isinstance(e, LocalOptimizationBegin)]
    end = [e for e in events if isinstance(e, LocalOptimizationEnd)]
    assert len(begin) == 1 and len(end) == 1 and end[0].success
    assert begin[0].one.name.startswith("Local/1001@relay-")
    assert begin[0].source is not None and begin[0].source.name.startswith(
        "Local/40@callers-talking-")

    # Every channel's path through the bridges is Asterisk's: the caller leaves the relay's
    # bridge for the agent's, the relay halves leave theirs and hang up, and the caller and
    # the agent stay together until the end of the call.
    story = _bridge_story(got)
    assert story == _bridge_story(transcript_side(records))
    talk = " + ".join(sorted({CALLER, AGENT, RELAY[1]}))
    assert story[CALLER][-3:] == [("BridgeEnter", talk), ("BridgeLeave", talk), ("Hangup", "")]
    # Across channels: the relay pair is gone while the caller and the agent still talk.
    order = [(m.event, channel_label(m.headers.get("Channel", ""))) for m in got]
    talk_over = min(max(i for i, step in enumerate(order) if step == ("BridgeLeave", who))
                    for who in (CALLER, AGENT))
    assert all(order.index(("Hangup", relay)) < talk_over for relay in RELAY)
    # Nothing is left over: every channel hung up, every bridge destroyed.
    assert _bridges(got, "BridgeCreate") == _bridges(got, "BridgeDestroy")
    assert {c for c, steps in story.items() if steps[-1] != ("Hangup", "")} == set()
