"""Defects found on a real Asterisk 22 with PJSIP phones, replayed on the switchboard with the
events in the order real Asterisk sends them (../shared/fixtures/asterisk-ami-pjsip/)."""

from __future__ import annotations

from engine_helpers import (
    actions,
    bridged,
    caller_hangup,
    config,
    enqueue,
    hangup,
    leg_channel,
    leg_hangup,
    leg_up,
)

from acd import AgentState
from callcenter.ami import events as ev
from callcenter.engine.effects import StoreRecord
from callcenter.engine.screenpop import CustomerView, build_pop
from callcenter.engine.switchboard import Switchboard
from cdr.callers.customers import Customer
from cdr.records import CallRecord, Outcome, SegmentKind

T0 = 1_800_000_000.0


def logged_in(*agents: str) -> Switchboard:
    sb = Switchboard(config())
    for agent in agents:
        sb.login(agent, None, T0)
    sb.take_effects()
    return sb


def test_a_late_originate_failure_is_charged_to_its_own_leg_not_the_next_offer() -> None:
    # Caller A abandons while 1002 rings; the engine hangs A's leg up and offers B at once.
    # Asterisk then reports A's leg: OriginateResponse Failure with Uniqueid = A's ChannelId,
    # *before* that leg's Hangup (fixture h1).
    sb = logged_in("1002")
    enqueue(sb, "a", T0)
    enqueue(sb, "b", T0 + 1)
    sb.take_effects()
    leg_channel(sb, "a-1", T0 + 1.1)
    caller_hangup(sb, "a", T0 + 3)
    effects = sb.take_effects()
    assert [a.fields["Channel"] for a in actions(effects, "Hangup")] == ["PJSIP/1002-a-1"]
    (offer_b,) = actions(effects, "Originate")
    assert offer_b.fields["ChannelId"] == "b-1"
    sb.handle(ev.OriginateResponse(T0 + 3.01, "cc-7", False, "PJSIP/1002", "cc-agent", "s", 0,
                                   "a-1"))
    sb.handle(ev.Hangup(T0 + 3.02, ev.Channel("PJSIP/1002-a-1", "a-1", "a-1",
                                              ev.ChannelState.RINGING, "", "", "", "",
                                              "cc-agent", "s", 1), 0, "Unknown"))
    effects = sb.take_effects()
    assert actions(effects, "Hangup") == []  # B's leg is not dropped
    agent = sb.agents["1002"]
    assert (agent.state, agent.call_id) == (AgentState.RESERVED, "b")  # no RONA pause
    leg_channel(sb, "b-1", T0 + 3.1)
    leg_up(sb, "b-1", T0 + 5)
    assert sb.agents["1002"].state is AgentState.ON_CALL
    assert [a.name for a in actions(sb.take_effects())][-1] == "Redirect"  # B is connected
    leg_hangup(sb, "b-1", T0 + 30)


def test_an_originate_failure_without_a_leg_of_ours_changes_nothing() -> None:
    sb = logged_in("1002")
    enqueue(sb, "a", T0)
    sb.take_effects()
    sb.handle(ev.OriginateResponse(T0 + 1, "cc-9", False, "PJSIP/1002", "cc-agent", "s", 0,
                                   "someone-else"))
    assert sb.take_effects() == []
    assert sb.agents["1002"].state is AgentState.RESERVED


def _status(name: str, uid: str, context: str, variables: dict[str, str], *,
            bridge: str = "", seconds: int = 0) -> ev.ChannelStatus:
    chan = ev.Channel(name, uid, uid, ev.ChannelState.UP, "5550001", "Caller", "", "", context,
                      "s", 1)
    return ev.ChannelStatus(T0 + 100, chan, bridge, "", seconds, variables)


def _restarted(*agents: str) -> Switchboard:
    sb = Switchboard(config())
    for agent in agents:
        sb.restore_agent(agent, None, None, T0, T0 + 100)
    sb.take_effects()
    return sb


def _caller(uid: str, enqueued_at: float, **extra: str) -> dict[str, str]:
    return {"CC_QUEUE": "support", "CC_PRIORITY": "0", "CC_ENQUEUED_AT": repr(enqueued_at),
            **extra}


def test_a_restart_adopts_talking_calls_whatever_the_status_order() -> None:
    # Status lists channels in hash order (fixture h2): here an agent leg, a newer waiting
    # caller, an older talking caller, the other agent's leg, the other talking caller and an
    # older waiting caller. Both talking calls are adopted; the waiting ones wait in their
    # order, offered to nobody (both agents are busy).
    sb = _restarted("1001", "1002")
    statuses = [
        _status("PJSIP/1001-00000002", "c1-1", "cc-agent",
                {"CC_CALL_ID": "c1", "CC_AGENT_ID": "1001", "CC_OFFERED_AT": repr(T0 + 12)},
                bridge="br-1", seconds=80),
        _status("PJSIP/trunk-00000006", "c4", "cc-hold", _caller("c4", T0 + 60)),
        _status("PJSIP/trunk-00000001", "c1", "cc-connect",
                _caller("c1", T0 + 10, CC_AGENT_ID="1001", CC_ANSWERED_AT=repr(T0 + 15),
                        CC_PRIORITY="4"), bridge="br-1"),
        _status("PJSIP/1002-00000005", "c2-1", "cc-agent",
                {"CC_CALL_ID": "c2", "CC_AGENT_ID": "1002"}, bridge="br-2", seconds=50),
        _status("PJSIP/trunk-00000003", "c2", "cc-connect",
                _caller("c2", T0 + 20, CC_AGENT_ID="1002"), bridge="br-2"),
        _status("PJSIP/trunk-00000004", "c3", "cc-hold", _caller("c3", T0 + 40)),
    ]
    assert sb.adopt(statuses, T0 + 100) == (2, 2)
    assert actions(sb.take_effects(), "Originate") == []  # nobody rung on a busy phone
    assert sb.agents["1001"].state is AgentState.ON_CALL and sb.agents["1001"].call_id == "c1"
    assert sb.agents["1002"].state is AgentState.ON_CALL and sb.agents["1002"].call_id == "c2"
    assert sb.router.waiting_call_ids("support") == ["c3", "c4"]
    assert sb.calls["c1"].priority == 4
    # The adopted call's record keeps its wait and ring from the channel variables.
    hangup(sb, "c1", "PJSIP/trunk-00000001", T0 + 130)
    sb.advance(T0 + 141)
    (record,) = [e.item for e in sb.take_effects()
                 if isinstance(e, StoreRecord) and isinstance(e.item, CallRecord)]
    spans = [(s.kind, s.start - T0, s.end - T0) for s in record.segments]
    assert spans[:3] == [(SegmentKind.QUEUE, 10.0, 12.0), (SegmentKind.RING, 12.0, 15.0),
                         (SegmentKind.TALK, 15.0, 130.0)]
    assert record.priority == 4


def test_a_caller_waiting_at_a_restart_keeps_its_whole_wait_on_the_record() -> None:
    sb = _restarted("1001")
    sb.pause("1001", "lunch", T0 + 100)
    sb.take_effects()
    assert sb.adopt([_status("PJSIP/trunk-1", "c9", "cc-hold", _caller("c9", T0 + 30))],
                    T0 + 100) == (1, 0)
    hangup(sb, "c9", "PJSIP/trunk-1", T0 + 110)
    (record,) = [e.item for e in sb.take_effects()
                 if isinstance(e, StoreRecord) and isinstance(e.item, CallRecord)]
    assert [(s.kind, s.start - T0, s.end - T0) for s in record.segments] == [
        (SegmentKind.QUEUE, 30.0, 110.0)]


def test_the_crm_link_is_null_for_an_unknown_caller_as_documented() -> None:
    sb = logged_in("1002")
    enqueue(sb, "c1", T0)
    call = sb.calls["c1"]
    template = "https://crm.example.com/customers/{customer_id}?call={call_id}"
    unknown = CustomerView(None, (), "unknown")
    assert build_pop(call, "c1-1", "1002", "2002", unknown, T0, template).crm_url == ""
    known = CustomerView(Customer("C-7", "Ann", "5550001", None, "vip", None), (), "found")
    assert build_pop(call, "c1-1", "1002", "2002", known, T0, template).crm_url == (
        "https://crm.example.com/customers/C-7?call=c1")
    by_number = "https://crm.example.com/search?phone={caller}"
    assert build_pop(call, "c1-1", "1002", "2002", unknown, T0, by_number).crm_url == (
        "https://crm.example.com/search?phone=5550001")


def test_the_dialled_number_is_the_record_dnis_not_the_enqueue_extension() -> None:
    sb = logged_in()
    enqueue(sb, "c1", T0, Did="4000")
    caller_hangup(sb, "c1", T0 + 5)
    (record,) = [e.item for e in sb.take_effects()
                 if isinstance(e, StoreRecord) and isinstance(e.item, CallRecord)]
    assert record.dnis == "4000"


def _record(sb: Switchboard) -> CallRecord:
    (record,) = [e.item for e in sb.take_effects()
                 if isinstance(e, StoreRecord) and isinstance(e.item, CallRecord)]
    return record


def test_a_caller_who_hangs_up_during_the_agent_id_is_not_answered() -> None:
    # On a real PBX the ID (SayDigits of four digits) takes ~3.5 s after the agent's 200 OK;
    # a caller gone then never talked (fixture h4: no Bridge event at all).
    sb = logged_in("1002")
    enqueue(sb, "c1", T0)
    leg_channel(sb, "c1-1", T0 + 0.1)
    leg_up(sb, "c1-1", T0 + 2)
    sb.take_effects()
    caller_hangup(sb, "c1", T0 + 3.5)
    effects = sb.take_effects()
    assert [a.fields["Channel"] for a in actions(effects, "Hangup")] == ["PJSIP/1002-c1-1"]
    sb.end_wrap_up("1002", T0 + 4)
    record = _record(sb)
    assert record.outcome is Outcome.ANNOUNCEMENT_HANGUP
    assert record.answered_at == T0 + 2  # answered for the service level
    assert [(s.kind, s.start - T0, s.end - T0) for s in record.segments[:3]] == [
        (SegmentKind.QUEUE, 0.0, 0.0), (SegmentKind.RING, 0.0, 2.0),
        (SegmentKind.ANNOUNCEMENT, 2.0, 3.5)]
    assert not [s for s in record.segments if s.kind is SegmentKind.TALK]


def _ringing_config() -> Switchboard:
    return Switchboard(config(services={"support": {"announce_agent": "while-ringing"}}))


def test_while_ringing_the_caller_hears_the_id_as_the_phone_rings_and_is_bridged_at_once() -> None:
    sb = _ringing_config()
    sb.login("1002", None, T0)
    sb.take_effects()
    enqueue(sb, "c1", T0 + 1)
    effects = sb.take_effects()
    names = [(a.name, a.fields.get("Context")) for a in actions(effects)]
    assert names[-1] == ("Redirect", "cc-announce")  # while 1002's phone rings
    values = {a.fields["Variable"]: a.fields["Value"] for a in actions(effects, "Setvar")}
    assert values["CC_AGENT_DISPLAY"] == "2002" and values["CC_AGENT_ID"] == "1002"
    chan = ev.Channel("PJSIP/trunk-c1", "c1", "c1", ev.ChannelState.UP, "5550001", "Caller",
                      "", "", "cc-announce", "s", 4)
    sb.handle(ev.UserEvent(T0 + 4.5, "CallcenterAnnounced", chan, {"Agent": "1002"}))
    leg_up(sb, "c1-1", T0 + 6)
    (redirect,) = actions(sb.take_effects(), "Redirect")
    assert (redirect.fields["Context"], redirect.fields["Exten"]) == ("cc-connect", "unhold")
    bridged(sb, "c1", T0 + 6.05)
    caller_hangup(sb, "c1", T0 + 30)
    sb.end_wrap_up("1002", T0 + 31)
    kinds = [s.kind for s in _record(sb).segments]
    assert SegmentKind.ANNOUNCEMENT not in kinds and SegmentKind.TALK in kinds


def test_while_ringing_an_agent_who_answers_early_is_bridged_when_the_id_ends() -> None:
    sb = _ringing_config()
    sb.login("1002", None, T0)
    enqueue(sb, "c1", T0 + 1)
    leg_up(sb, "c1-1", T0 + 2)  # answered while the caller still hears "1 0 0 2"
    sb.take_effects()
    chan = ev.Channel("PJSIP/trunk-c1", "c1", "c1", ev.ChannelState.UP, "5550001", "Caller",
                      "", "", "cc-announce", "s", 4)
    sb.handle(ev.UserEvent(T0 + 4.5, "CallcenterAnnounced", chan, {"Agent": "1002"}))
    (redirect,) = actions(sb.take_effects(), "Redirect")
    assert (redirect.fields["Context"], redirect.fields["Exten"]) == ("cc-connect", "unhold")
    bridged(sb, "c1", T0 + 4.6)
    caller_hangup(sb, "c1", T0 + 20)
    sb.end_wrap_up("1002", T0 + 21)
    spans = [(s.kind, round(s.start - T0, 3), round(s.end - T0, 3))
             for s in _record(sb).segments]
    assert (SegmentKind.ANNOUNCEMENT, 2.0, 4.6) in spans  # the agent waited for its ID


def test_while_ringing_a_ring_no_answer_sends_the_caller_back_to_music() -> None:
    sb = _ringing_config()
    sb.login("1001", None, T0)
    sb.login("1002", None, T0)
    enqueue(sb, "c1", T0 + 1)
    (first,) = actions(sb.take_effects(), "Originate")
    sb.advance(T0 + 16)  # ring timeout 15 s
    effects = sb.take_effects()
    redirects = [a.fields["Context"] for a in actions(effects, "Redirect")]
    assert redirects == ["cc-hold", "cc-announce"]  # music, then the next agent's ID
    (second,) = actions(effects, "Originate")
    assert second.fields["Channel"] != first.fields["Channel"]
