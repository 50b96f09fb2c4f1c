"""Reconciliation after a lost connection, on a recorded call."""

from __future__ import annotations

from collections.abc import Callable

from callcenter.ami import events as ev
from callcenter.ami.testing import Record, transcript_events
from callcenter.tracker import CallOutcome, CallTracker
from callcenter.tracker import facts as f

Transcript = Callable[[str], list[Record]]


def test_call_that_ended_while_away_is_closed_once_with_unknown_end(
    transcript: Transcript,
) -> None:
    events = list(transcript_events(transcript("b1")))
    cut = next(i for i, e in enumerate(events) if isinstance(e, ev.BridgeEnter)) + 2
    tracker = CallTracker()
    facts = tracker.apply_all(events[:cut])
    assert len(tracker.channels) == 4 and len(tracker.active_calls()) == 1
    facts += tracker.apply(ev.Disconnected(3.0, 1, "test"))
    facts += tracker.apply(ev.Resynced(9.0, 2, [], [], []))
    (call,) = tracker.calls.values()
    assert call.ended_at == 3.0 and not call.end_known
    assert call.outcome is CallOutcome.ANSWERED
    assert tracker.channels == {} and tracker.bridges == {}
    # Late events of the old session (or a second resync) change nothing.
    facts += tracker.apply_all(events[cut:])
    facts += tracker.apply(ev.Resynced(10.0, 3, [], [], []))
    assert len([x for x in facts if isinstance(x, f.CallEnded)]) == 1


def test_resync_adopts_channels_it_did_not_know(transcript: Transcript) -> None:
    records = transcript("e2")
    items = [e for e in transcript_events(records) if isinstance(e, ev.CoreShowChannel)]
    assert len(items) == 6  # talking caller + agent pairs, waiting caller pair
    tracker = CallTracker()
    tracker.apply(ev.Resynced(100.0, 2, items, [], []))
    assert set(tracker.channels) == {i.channel.uniqueid for i in items}
    talking = [c for c in tracker.active_calls() if c.talk]
    assert len(tracker.active_calls()) == 2 and len(talking) == 1
    assert talking[0].call_id == "cc-e2-talk"


def test_snapshot_older_than_live_events_does_not_resurrect_or_kill(
    transcript: Transcript,
) -> None:
    events = list(transcript_events(transcript("e2")))
    items = [e for e in events if isinstance(e, ev.CoreShowChannel)]
    hangups = {e.channel.uniqueid: e for e in events if isinstance(e, ev.Hangup)}
    newchannels = [e for e in events if isinstance(e, ev.Newchannel)]
    tracker = CallTracker()
    tracker.apply(ev.Connected(1.0, 2, "11.0.0"))
    # While CoreShowChannels was being listed, one channel hung up and one was created.
    gone = items[0].channel.uniqueid
    tracker.apply(hangups[gone])
    fresh = ev.Newchannel(2.0, newchannels[0].channel)
    fresh.channel.uniqueid = "created-during-the-list"
    tracker.apply(fresh)
    tracker.apply(ev.Resynced(3.0, 2, items, [], []))
    assert gone not in tracker.channels
    assert "created-during-the-list" in tracker.channels
    assert set(tracker.channels) == {i.channel.uniqueid for i in items[1:]} | {
        "created-during-the-list"}
