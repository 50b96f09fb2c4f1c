"""Recording in the switchboard alone: MixMonitor at the first bridge by policy, opt-out,
agent commands (start on demand, pause/resume with MixMonitorMute), metadata at the end."""

from __future__ import annotations

from typing import Any

import pytest
from engine_helpers import actions, bridged, caller_hangup, config, enqueue, leg_channel, leg_up

from callcenter.engine.effects import Effect, StoreRecord
from callcenter.engine.switchboard import CommandRefused, Switchboard
from cdr.records import CallRecord, Recording

T0 = 1_800_000_000.0  # 2027-01-15 08:00 UTC


def talking(rules: list[dict[str, Any]], **fields: str) -> tuple[Switchboard, list[Effect]]:
    """Agent 1002 answered call c1 and the caller entered the bridge at T0 + 5."""
    sb = Switchboard(config(recording={"policy": {"rules": rules},
                                       "directory": "/var/spool/asterisk/monitor/cc"}))
    sb.login("1002", None, T0)
    enqueue(sb, "c1", T0 + 1, **fields)
    leg_channel(sb, "c1-1", T0 + 1.1)
    leg_up(sb, "c1-1", T0 + 3)
    sb.take_effects()
    bridged(sb, "c1", T0 + 5)
    return sb, sb.take_effects()


def stored(effects: list[Effect]) -> tuple[list[CallRecord], list[Recording]]:
    items = [e.item for e in effects if isinstance(e, StoreRecord)]
    return ([i for i in items if isinstance(i, CallRecord)],
            [i for i in items if isinstance(i, Recording)])


def test_record_all_starts_mixmonitor_at_the_bridge_on_the_caller() -> None:
    sb, effects = talking([{"mode": "all", "queues": ["support"]}])
    (mix,) = actions(effects, "MixMonitor")
    assert mix.fields == {
        "Channel": "PJSIP/trunk-c1",
        "File": "/var/spool/asterisk/monitor/cc/2027/01/15/support/c1-1002.wav",
        "Options": "b",
    }
    bridged(sb, "c1", T0 + 20)  # back from hold: the same recording goes on
    assert actions(sb.take_effects(), "MixMonitor") == []
    sb.record_pause("1002", T0 + 30)
    sb.record_resume("1002", T0 + 42)
    mutes = actions(sb.take_effects(), "MixMonitorMute")
    assert [(m.fields["Direction"], m.fields["State"]) for m in mutes] == [("both", 1),
                                                                          ("both", 0)]
    caller_hangup(sb, "c1", T0 + 60)
    sb.end_wrap_up("1002", T0 + 61)
    (record,), (rec,) = stored(sb.take_effects())
    assert record.recording == rec.path == mix.fields["File"]
    assert (rec.started_at, rec.ended_at, rec.pauses) == (T0 + 5, T0 + 60, ((T0 + 30, T0 + 42),))
    assert (rec.queue, rec.agent_id, rec.sha256) == ("support", "1002", None)
    assert rec.reason == "rule 0 (queue support): record all"


def test_no_rule_no_recording_and_the_opt_out_beats_record_all() -> None:
    sb, effects = talking([])
    assert actions(effects, "MixMonitor") == []
    with pytest.raises(CommandRefused, match="no recording rule matches"):
        sb.record_start("1002", T0 + 6)
    sb, effects = talking([{"mode": "all"}], RecordingOptOut="1")
    assert actions(effects, "MixMonitor") == []
    with pytest.raises(CommandRefused, match="opted out"):
        sb.record_start("1002", T0 + 6)
    caller_hangup(sb, "c1", T0 + 60)
    sb.end_wrap_up("1002", T0 + 61)
    (record,), recordings = stored(sb.take_effects())
    assert record.recording is None and recordings == []


def test_on_demand_start_then_pause_until_the_end() -> None:
    sb, effects = talking([{"mode": "demand"}])
    assert actions(effects, "MixMonitor") == []
    with pytest.raises(CommandRefused, match="not being recorded"):
        sb.record_pause("1002", T0 + 6)
    sb.record_start("1002", T0 + 10)
    (mix,) = actions(sb.take_effects(), "MixMonitor")
    assert mix.fields["Channel"] == "PJSIP/trunk-c1"
    with pytest.raises(CommandRefused, match="already being recorded"):
        sb.record_start("1002", T0 + 11)
    sb.record_pause("1002", T0 + 20)
    with pytest.raises(CommandRefused, match="already paused"):
        sb.record_pause("1002", T0 + 21)
    caller_hangup(sb, "c1", T0 + 30)  # hung up while paused: the pause ends with the call
    sb.end_wrap_up("1002", T0 + 31)
    _, (rec,) = stored(sb.take_effects())
    assert rec.started_at == T0 + 10 and rec.pauses == ((T0 + 20, T0 + 30),)
    assert rec.reason is not None and "agent's demand" in rec.reason


def test_commands_need_a_call() -> None:
    sb, _ = talking([{"mode": "demand"}])
    with pytest.raises(CommandRefused, match="1001 is not logged in"):
        sb.record_start("1001", T0 + 6)
    with pytest.raises(CommandRefused, match="not paused"):
        sb.record_resume("1002", T0 + 6)
