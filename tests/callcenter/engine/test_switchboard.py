"""The switchboard on its own: AMI events in, effects out (no network)."""

from __future__ import annotations

import pytest
from engine_helpers import (
    actions,
    bridged,
    caller_hangup,
    config,
    enqueue,
    leg_channel,
    leg_hangup,
    leg_up,
)

from acd import AgentState, SkillLevel
from callcenter.ami import events as ev
from callcenter.engine.effects import ScreenPopPublish, StoreRecord
from callcenter.engine.switchboard import CommandRefused, Switchboard, parse_skills
from cdr.records import (
    AgentActivity,
    AgentSession,
    AgentStateSpan,
    CallRecord,
    HangupBy,
    Outcome,
    SegmentKind,
)

T0 = 1_800_000_000.0


def records(effects: list[object]) -> list[CallRecord]:
    stored = [e.item for e in effects if isinstance(e, StoreRecord)]
    return [item for item in stored if isinstance(item, CallRecord)]


def logged_in(*agents: str) -> Switchboard:
    sb = Switchboard(config())
    for agent in agents:
        sb.login(agent, None, T0)
    sb.take_effects()
    return sb


def test_a_call_is_offered_announced_bridged_and_recorded() -> None:
    sb = logged_in("1002")
    enqueue(sb, "c1", T0 + 1, CallPriority="3", CallLanguage="zh", IvrPath="menu=2/account=1234")
    effects = sb.take_effects()
    setvar = actions(effects, "Setvar")
    assert [(a.fields["Variable"], a.fields["Value"]) for a in setvar] == [
        ("CC_ENQUEUED_AT", repr(T0 + 1))
    ]
    (originate,) = actions(effects, "Originate")
    assert originate.fields["Channel"] == "PJSIP/1002"
    assert originate.fields["Context"] == "cc-agent"
    assert originate.fields["ChannelId"] == "c1-1"
    assert originate.fields["Timeout"] == 20_000  # ring timeout 15 s + 5 s slack
    assert "CC_CALL_ID=c1" in originate.fields["Variable"]  # type: ignore[operator]
    assert [e for e in effects if isinstance(e, ScreenPopPublish)] == [
        ScreenPopPublish("c1", "1002", "c1-1")
    ]
    leg_channel(sb, "c1-1", T0 + 1.1)
    leg_up(sb, "c1-1", T0 + 4)
    effects = sb.take_effects()
    values = {a.fields["Variable"]: a.fields["Value"] for a in actions(effects, "Setvar")}
    assert values["CC_AGENT_DISPLAY"] == "2002"  # the display id is what the caller hears
    assert values["CC_AGENT_CHANNEL"] == "PJSIP/1002-c1-1"
    assert values["CC_ANNOUNCE_PREFIX"] == "cc/zh/agent-id-prefix"
    (redirect,) = actions(effects, "Redirect")
    assert (redirect.fields["Context"], redirect.fields["Exten"]) == ("cc-connect", "s")
    # The Setvars precede the Redirect: Asterisk runs a session's actions in order.
    names = [a.name for a in actions(effects)]
    assert names.index("Redirect") == len(names) - 1
    assert sb.agents["1002"].state is AgentState.ON_CALL
    bridged(sb, "c1", T0 + 7)
    leg_hangup(sb, "c1-1", T0 + 60)  # the agent hangs up
    effects = sb.take_effects()
    assert actions(effects, "Hangup") == []  # the caller's dialplan goes on after Bridge()
    assert sb.agents["1002"].state is AgentState.WRAP_UP
    assert records(effects) == []  # not before the wrap-up ends and the caller is gone
    caller_hangup(sb, "c1", T0 + 60.1)
    sb.advance(T0 + 70)  # wrap-up of 10 s ends
    effects = sb.take_effects()
    (record,) = records(effects)
    assert record.outcome is Outcome.ANSWERED
    assert record.hangup_by is HangupBy.AGENT
    assert record.agent_id == "1002" and record.agent_display_id == "2002"
    assert record.priority == 3
    kinds = [(s.kind, round(s.end - s.start, 3)) for s in record.segments]
    assert kinds == [
        (SegmentKind.QUEUE, 0.0), (SegmentKind.RING, 3.0), (SegmentKind.TALK, 56.0),
        (SegmentKind.WRAP_UP, 10.0),
    ]
    assert sb.agents["1002"].state is AgentState.AVAILABLE
    assert sb.calls == {} and sb.legs == {}


def test_ring_no_answer_hangs_up_the_leg_and_the_next_agent_gets_the_call() -> None:
    sb = logged_in("1001", "1002")
    enqueue(sb, "c1", T0)
    (first,) = actions(sb.take_effects(), "Originate")
    first_agent = first.fields["Channel"]
    sb.advance(T0 + 15)  # ring timeout
    effects = sb.take_effects()
    (hangup,) = actions(effects, "Hangup")
    assert hangup.fields["Channel"] == "c1-1"  # name unknown yet: the uniqueid addresses it
    (second,) = actions(effects, "Originate")
    assert second.fields["Channel"] != first_agent
    assert second.fields["ChannelId"] == "c1-2"
    rona_agent = "1001" if first_agent == "PJSIP/1001" else "1002"
    assert sb.agents[rona_agent].state is AgentState.PAUSED
    assert sb.agents[rona_agent].reason == "RONA"
    # The late Hangup of the first leg changes nothing.
    leg_hangup(sb, "c1-1", T0 + 15.1)
    assert sb.calls["c1"].leg is not None and sb.calls["c1"].leg.uniqueid == "c1-2"


def test_caller_abandons_while_the_agent_rings() -> None:
    sb = logged_in("1002")
    enqueue(sb, "c1", T0)
    sb.take_effects()
    leg_channel(sb, "c1-1", T0 + 0.1)
    caller_hangup(sb, "c1", T0 + 6)
    effects = sb.take_effects()
    (hangup,) = actions(effects, "Hangup")
    assert hangup.fields["Channel"] == "PJSIP/1002-c1-1"
    (record,) = records(effects)
    assert record.outcome is Outcome.ABANDONED
    assert [s.kind for s in record.segments] == [SegmentKind.QUEUE, SegmentKind.RING]
    assert record.segments[1].answered is False
    assert sb.agents["1002"].state is AgentState.AVAILABLE
    assert sb.stats.figures("support", T0 + 7).abandoned == 1


def test_abandon_while_waiting_and_answer_counts_for_today() -> None:
    sb = logged_in()
    enqueue(sb, "c1", T0)
    caller_hangup(sb, "c1", T0 + 30)
    (record,) = records(sb.take_effects())
    assert record.outcome is Outcome.ABANDONED
    assert record.segments[0].end - record.segments[0].start == pytest.approx(30)
    figures = sb.stats.figures("support", T0 + 31)
    assert (figures.offered, figures.abandoned, figures.abandon_rate) == (1, 1, 1.0)


def test_device_offline_pauses_and_online_resumes() -> None:
    sb = logged_in("1002")
    sb.handle(ev.DeviceStateChange(T0 + 1, "PJSIP/1002", "UNAVAILABLE"))
    assert sb.agents["1002"].state is AgentState.PAUSED
    assert sb.agents["1002"].reason == "device-offline"
    enqueue(sb, "c1", T0 + 2)
    assert actions(sb.take_effects(), "Originate") == []  # no call offered to it
    sb.handle(ev.DeviceStateChange(T0 + 3, "PJSIP/1002", "NOT_INUSE"))
    assert actions(sb.take_effects(), "Originate")[0].fields["Channel"] == "PJSIP/1002"


def test_offline_device_does_not_unpause_an_agent_paused_for_lunch() -> None:
    sb = logged_in("1002")
    sb.pause("1002", "lunch", T0 + 1)
    sb.handle(ev.DeviceStateChange(T0 + 2, "PJSIP/1002", "UNAVAILABLE"))
    sb.handle(ev.DeviceStateChange(T0 + 3, "PJSIP/1002", "NOT_INUSE"))
    assert (sb.agents["1002"].state, sb.agents["1002"].reason) == (AgentState.PAUSED, "lunch")


def test_failed_originate_is_a_reject() -> None:
    sb = logged_in("1002")
    enqueue(sb, "c1", T0)
    sb.take_effects()
    # Asterisk echoes the Originate's ChannelId as Uniqueid (main/manager.c, fast_originate).
    sb.handle(ev.OriginateResponse(T0 + 0.5, "a-1", False, "PJSIP/1002", "cc-agent", "s", 5,
                                   "c1-1"))
    assert sb.agents["1002"].state is AgentState.PAUSED  # rona_action pause
    assert sb.calls["c1"].leg is None
    assert sb.router.call_info("c1").state.value == "waiting"


def test_commands_refused_with_a_clear_reason() -> None:
    sb = logged_in("1002")
    enqueue(sb, "c1", T0)
    leg_up(sb, "c1-1", T0 + 2)
    with pytest.raises(CommandRefused, match="agent 1002 is on a call; cannot log out"):
        sb.logout("1002", T0 + 3)
    with pytest.raises(CommandRefused, match="not logged in"):
        sb.pause("1001", "lunch", T0 + 3)
    with pytest.raises(CommandRefused, match="is not configured"):
        sb.login("9999", None, T0 + 3)
    with pytest.raises(CommandRefused, match="already logged in"):
        sb.login("1002", None, T0 + 3)
    with pytest.raises(CommandRefused, match="device 'pjsip 1001' is not like"):
        sb.login("1001", "pjsip 1001", T0 + 3)
    with pytest.raises(CommandRefused, match="still hearing the announcement"):
        sb.hold("1002", T0 + 3)
    with pytest.raises(CommandRefused, match="unknown queue 'nope'"):
        sb.transfer("1002", "blind", "queue", "nope", T0 + 3)
    with pytest.raises(CommandRefused, match="attended transfer is not supported"):
        sb.transfer("1002", "attended", "extension", "200", T0 + 3)


def test_hold_and_unhold_redirect_the_caller_and_time_the_hold() -> None:
    sb = logged_in("1002")
    enqueue(sb, "c1", T0)
    leg_up(sb, "c1-1", T0 + 2)
    bridged(sb, "c1", T0 + 5)
    sb.take_effects()
    sb.hold("1002", T0 + 10)
    (redirect,) = actions(sb.take_effects(), "Redirect")
    assert (redirect.fields["Context"], redirect.fields["Exten"]) == ("cc-hold", "s")
    sb.unhold("1002", T0 + 25)
    (redirect,) = actions(sb.take_effects(), "Redirect")
    assert (redirect.fields["Context"], redirect.fields["Exten"]) == ("cc-connect", "unhold")
    bridged(sb, "c1", T0 + 25.2)
    caller_hangup(sb, "c1", T0 + 40)
    effects = sb.take_effects()
    assert actions(effects, "Hangup")[0].fields["Channel"] == "PJSIP/1002-c1-1"  # agent leg
    sb.end_wrap_up("1002", T0 + 41)
    (record,) = records(sb.take_effects())
    holds = [s for s in record.segments if s.kind is SegmentKind.HOLD]
    assert [(h.start, h.end) for h in holds] == [(T0 + 10, T0 + 25.2)]
    assert record.hangup_by is HangupBy.CALLER


def test_blind_transfer_to_a_queue_keeps_one_record() -> None:
    sb = logged_in("1001", "1002")
    sb.pause("1001", "meeting", T0)
    enqueue(sb, "c1", T0)
    leg_up(sb, "c1-1", T0 + 2)
    bridged(sb, "c1", T0 + 4)
    sb.ready("1001", T0 + 5)
    sb.take_effects()
    sb.transfer("1002", "blind", "queue", "sales", T0 + 20)
    effects = sb.take_effects()
    assert [(a.name, a.fields.get("Context")) for a in actions(effects)] == [
        ("Hangup", None), ("Redirect", "cc-hold"), ("Originate", "cc-agent"),
    ]
    leg_up(sb, "c1-2", T0 + 22)
    caller_hangup(sb, "c1", T0 + 50)
    sb.end_wrap_up("1002", T0 + 51)
    (record,) = records(sb.take_effects())
    assert record.transferred and record.agent_id == "1002"
    assert record.agent_uniqueid == "c1-1"  # queue_log CONNECT: the bridged leg's Uniqueid
    assert (record.transfer_exten, record.transfer_context) == ("s", "cc-hold")
    assert [s.agent_id for s in record.segments if s.kind is SegmentKind.TALK] == ["1002", "1001"]


def test_blind_transfer_to_an_extension_records_where_the_caller_went() -> None:
    sb = logged_in("1002")
    enqueue(sb, "c1", T0)
    leg_up(sb, "c1-1", T0 + 2)
    bridged(sb, "c1", T0 + 4)
    sb.take_effects()
    sb.transfer("1002", "blind", "extension", "200", T0 + 20)
    (redirect,) = actions(sb.take_effects(), "Redirect")
    assert (redirect.fields["Exten"], redirect.fields["Context"]) == ("200", "from-internal")
    caller_hangup(sb, "c1", T0 + 80)
    sb.end_wrap_up("1002", T0 + 81)
    (record,) = records(sb.take_effects())
    assert record.outcome is Outcome.TRANSFERRED and record.agent_uniqueid == "c1-1"
    assert (record.transfer_exten, record.transfer_context) == ("200", "from-internal")


def test_logout_writes_the_session_and_spans() -> None:
    sb = logged_in("1002")
    sb.pause("1002", "break", T0 + 100)
    sb.logout("1002", T0 + 400)
    effects = sb.take_effects()
    items = [e.item for e in effects if isinstance(e, StoreRecord)]
    assert AgentStateSpan("1002", AgentActivity.PAUSED, T0 + 100, T0 + 400, "break") in items
    assert AgentSession("1002", T0, T0 + 400, (), "PJSIP/1002") in items


def test_unknown_queue_and_bad_fields_are_reported_not_fatal() -> None:
    sb = logged_in("1002")
    enqueue(sb, "c1", T0, queue="nope")
    effects = sb.take_effects()
    assert actions(effects, "Hangup")[0].fields["Channel"] == "PJSIP/trunk-c1"
    enqueue(sb, "c2", T0, CallPriority="urgent", Skills="support:x")
    effects = sb.take_effects()
    assert sb.calls["c2"].priority == 0
    assert actions(effects, "Originate")


def test_parse_skills() -> None:
    assert parse_skills("") is None
    assert parse_skills("billing:3&english|general:1") == (
        (SkillLevel("billing", 3), SkillLevel("english", 1)), (SkillLevel("general", 1),)
    )
    with pytest.raises(ValueError, match="'billing:x'"):
        parse_skills("billing:x")
