"""The engine's call flow (docs/engine.md) through the emulator, over AMI with AmiClient:
trunk caller → cc-enqueue UserEvent → Originate of a PJSIP softphone → Setvar + Redirect to
cc-connect → announcement → Bridge(); hangups by either side, RONA, offline devices,
hold, and Bridge() releasing the agent leg back to its Wait."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import numpy as np

from callcenter.ami import events as ev
from callcenter.ami.client import AmiClient, AmiConfig
from callcenter.emulator import Emulator, InboundCaller, Softphone
from dialplans.engine_contexts import EngineDialplanParams, Route, engine_contexts

SPEED = 40.0
PLAN = engine_contexts(EngineDialplanParams((
    Route("4000", "support", priority=3, skills="billing:2", tier="vip"),
    Route("4001", "sales", language="zh"),
)))


def name_of(e: ev.AmiEvent) -> str:
    return e.name if isinstance(e, ev.UnknownEvent) else type(e).__name__


def chan_of(e: ev.AmiEvent) -> str:
    ch = getattr(e, "channel", None)
    if isinstance(ch, ev.Channel):
        return ch.name
    if isinstance(e, ev.UnknownEvent):
        return e.headers.get("Channel", "")
    return ch if isinstance(ch, str) else ""


class Recorder:
    def __init__(self, ami: AmiClient) -> None:
        self.ami = ami
        self.seen: list[tuple[float, ev.AmiEvent]] = []
        self._changed = asyncio.Event()

    async def run(self) -> None:
        async for e in self.ami.events():
            self.seen.append((time.monotonic(), e))
            self._changed.set()

    async def wait(self, pred: Callable[[ev.AmiEvent], bool], timeout: float = 5.0
                   ) -> ev.AmiEvent:
        async with asyncio.timeout(timeout):
            start = 0
            while True:
                for _, e in self.seen[start:]:
                    if pred(e):
                        return e
                start = len(self.seen)
                self._changed.clear()
                await self._changed.wait()

    def names(self, channel: str) -> list[str]:
        return [name_of(e) for _, e in self.seen if chan_of(e) == channel]

    def at(self, pred: Callable[[ev.AmiEvent], bool]) -> float:
        return next(t for t, e in self.seen if pred(e))


def is_(name: str, channel: str = "") -> Callable[[ev.AmiEvent], bool]:
    return lambda e: name_of(e) == name and (not channel or chan_of(e) == channel)


@asynccontextmanager
async def engine_pbx(*phones: Softphone) -> AsyncIterator[tuple[Emulator, AmiClient, Recorder]]:
    async with Emulator(speed=SPEED, contexts=PLAN) as emu:
        for phone in phones:
            emu.phones.add(phone)
        config = AmiConfig("cc", "ccsecret", port=emu.port, resync=False,
                           keep_events=frozenset({"Newexten"}))
        async with AmiClient(config) as ami:
            rec = Recorder(ami)
            task = asyncio.create_task(rec.run(), name="test-recorder")
            try:
                yield emu, ami, rec
            finally:
                task.cancel()


async def enqueue(emu: Emulator, rec: Recorder, caller: InboundCaller) -> str:
    ch = emu.trunk.place(caller)
    assert ch is not None and ch.name.startswith("PJSIP/trunk-")
    await rec.wait(lambda e: isinstance(e, ev.UserEvent) and e.user_event == "CallcenterEnqueue"
                   and chan_of(e) == ch.name)
    await rec.wait(is_("MusicOnHoldStart", ch.name))
    return ch.name


async def offer(ami: AmiClient, rec: Recorder, caller: str, device: str, leg: str,
                timeout_ms: int = 30000) -> ev.OriginateResponse:
    await ami.action("Originate", {
        "Channel": device, "Context": "cc-agent", "Exten": "s", "Priority": "1",
        "Async": "true", "ChannelId": leg, "Timeout": str(timeout_ms),
        "CallerID": '"Customer" <5550001>',
        "Variable": ["CC_CALL_ID=call-1", "CC_AGENT_ID=1007"]})
    e = await rec.wait(lambda e: isinstance(e, ev.OriginateResponse))
    assert isinstance(e, ev.OriginateResponse)
    return e


async def connect(ami: AmiClient, caller: str, agent_channel: str) -> None:
    for var, value in (("CC_AGENT_CHANNEL", agent_channel), ("CC_AGENT_DISPLAY", "1007"),
                       ("CC_ANNOUNCE_PREFIX", "agent-intro"), ("CC_ANNOUNCE_SUFFIX", "at-service")):
        await ami.action("Setvar", {"Channel": caller, "Variable": var, "Value": value})
    await ami.action("Redirect", {"Channel": caller, "Context": "cc-connect", "Exten": "s",
                                  "Priority": "1"})


async def test_enqueue_offer_connect_then_agent_hangs_up() -> None:
    phone = Softphone("PJSIP/1007", ring_s=2.0, talk_s=20.0)
    async with engine_pbx(phone) as (emu, ami, rec):
        caller = await enqueue(emu, rec, InboundCaller("5550001", "4000", 60, 120, "Ann"))
        enq = next(e for _, e in rec.seen if isinstance(e, ev.UserEvent))
        assert isinstance(enq, ev.UserEvent) and enq.channel is not None
        assert enq.fields == {"Queue": "support", "CallPriority": "3", "Skills": "billing:2",
                              "CallLanguage": "en", "Tier": "vip", "IvrPath": "",
                              "RecordingOptOut": "", "Did": "4000"}
        assert enq.channel.caller_id_num == "5550001" and enq.channel.context == "cc-enqueue"

        resp = await offer(ami, rec, caller, "PJSIP/1007", "leg-1")
        assert resp.success and resp.reason == 4 and resp.uniqueid == "leg-1"
        agent = resp.channel
        assert agent.startswith("PJSIP/1007-") and len(agent) == len("PJSIP/1007-") + 8
        # As h1/h2: Newchannel, AppDial2, ringing, answer, OriginateResponse.
        assert rec.names(agent)[:4] == ["Newchannel", "Newexten", "Newstate", "Newstate"]
        assert "OriginateResponse" in rec.names(agent)[4:6]
        dials = [name_of(e) for _, e in rec.seen if name_of(e).startswith("Dial")]
        assert dials == ["DialBegin", "DialState", "DialEnd"]
        states = [e.channel.state.name for _, e in rec.seen
                  if isinstance(e, ev.Newstate) and e.channel.name == agent]
        assert states == ["RINGING", "UP"]
        devices = [e.state for _, e in rec.seen
                   if isinstance(e, ev.DeviceStateChange) and e.device == "PJSIP/1007"]
        assert devices == ["RINGING", "INUSE"]

        # The variables are visible to Getvar / Status, as after an engine restart.
        got = await ami.action("Getvar", {"Channel": agent, "Variable": "CC_CALL_ID"})
        assert got.headers["Value"] == "call-1"

        redirected = time.monotonic()
        await connect(ami, caller, agent)
        await rec.wait(lambda e: isinstance(e, ev.BridgeEnter) and e.channel.name == caller)
        bridged = rec.at(lambda e: isinstance(e, ev.BridgeEnter) and e.channel.name == caller)
        # Playback 1 s + SayDigits 4 × 0.9 s + Playback 1 s of PBX time, ÷ SPEED.
        assert bridged - redirected >= 5.6 / SPEED * 0.9
        assert rec.names(caller).count("MusicOnHoldStop") == 1
        status = await ami.list_action("Status", {"Channel": caller, "AllVariables": "true"})
        item = status.items[0]
        assert isinstance(item, ev.ChannelStatus) and item.bridge_id
        assert item.variables["CC_AGENT_CHANNEL"] == agent and item.variables["CC_LANG"] == "en"
        shown = await ami.list_action("CoreShowChannels")
        assert {m.channel.name for m in shown.items if isinstance(m, ev.CoreShowChannel)} == {
            caller, agent}

        # The agent's phone hangs up after talk_s: a far-end HangupRequest (a BYE sets no
        # cause), and leaving the bridge makes it 16 (bridge_channel.c channel_set_cause).
        hup = await rec.wait(is_("Hangup", agent), timeout=3)
        assert isinstance(hup, ev.Hangup) and hup.cause == 16
        req = next(e for _, e in rec.seen if isinstance(e, ev.HangupRequest)
                   and e.channel.name == agent)
        assert not req.soft
        caller_hup = await rec.wait(is_("Hangup", caller))
        assert isinstance(caller_hup, ev.Hangup) and caller_hup.cause == 16
        names = [name_of(e) for _, e in rec.seen]
        assert names.index("BridgeDestroy") > names.index("Hangup")
        # Bridge() returned, Hangup() ran: a local (soft) hangup request on the caller.
        assert rec.names(caller)[-4:] == ["Newexten", "HangupRequest", "Hangup", "Cdr"]
        assert [e.soft for _, e in rec.seen if isinstance(e, ev.HangupRequest)
                and e.channel.name == caller] == [True]
        await rec.wait(lambda e: isinstance(e, ev.DeviceStateChange)
                       and e.device == "PJSIP/1007" and e.state == "NOT_INUSE")


async def test_caller_hangs_up_while_talking_and_the_agent_leg_returns_to_its_wait() -> None:
    async with engine_pbx(Softphone("PJSIP/1008", ring_s=1.0, talk_s=600)) as (emu, ami, rec):
        caller = await enqueue(emu, rec, InboundCaller("5550002", "4001", 60, talk_s=3))
        agent = (await offer(ami, rec, caller, "PJSIP/1008", "leg-2")).channel
        await connect(ami, caller, agent)
        hup = await rec.wait(is_("Hangup", caller), timeout=3)
        assert isinstance(hup, ev.Hangup) and hup.cause == 16
        assert any(isinstance(e, ev.HangupRequest) and not e.soft and e.channel.name == caller
                   for _, e in rec.seen)
        # Bridge() dissolved: the agent leg goes on at cc-agent,s,3 (Goto(wait)) → Wait.
        await rec.wait(lambda e: isinstance(e, ev.Newexten) and e.channel.name == agent
                       and e.application == "Goto")
        await rec.wait(lambda e: isinstance(e, ev.Newexten) and e.channel.name == agent
                       and e.application == "Wait" and e.channel.priority == 2)
        assert agent in emu.pbx.channels
        # The engine hangs the agent leg up without a Cause: a local SoftHangupRequest, and
        # no cause set on the channel: Hangup Cause 0, at the Wait's priority (h4).
        await ami.action("Hangup", {"Channel": agent})
        hup = await rec.wait(is_("Hangup", agent))
        assert isinstance(hup, ev.Hangup) and hup.cause == 0 and hup.channel.priority == 2
        assert any(isinstance(e, ev.HangupRequest) and e.soft and e.channel.name == agent
                   for _, e in rec.seen)


async def test_ring_no_answer_hangup_of_the_ringing_leg_and_originate_timeout() -> None:
    async with engine_pbx(Softphone("PJSIP/1009", answers=False)) as (emu, ami, rec):
        caller = await enqueue(emu, rec, InboundCaller("5550003", "4000"))
        await ami.action("Originate", {
            "Channel": "PJSIP/1009", "Context": "cc-agent", "Exten": "s", "Async": "true",
            "ChannelId": "rona-1", "Timeout": "60000"})
        ringing = await rec.wait(lambda e: isinstance(e, ev.Newstate)
                                 and e.channel.state.name == "RINGING")
        assert isinstance(ringing, ev.Newstate)
        await ami.action("Hangup", {"Channel": ringing.channel.name})
        # h1: DialEnd NOANSWER, OriginateResponse Failure Reason 0 with the dial string and
        # the ChannelId, then the leg's Hangup with cause 0 (none set), no SoftHangupRequest.
        hup = await rec.wait(is_("Hangup", ringing.channel.name))
        assert isinstance(hup, ev.Hangup) and hup.cause == 0
        resp = next(e for _, e in rec.seen if isinstance(e, ev.OriginateResponse))
        assert not resp.success and resp.reason == 0 and resp.uniqueid == "rona-1"
        assert resp.channel == "PJSIP/1009"
        order = [name_of(e) for _, e in rec.seen
                 if name_of(e) in ("DialEnd", "OriginateResponse", "Hangup", "HangupRequest")]
        assert order == ["DialEnd", "OriginateResponse", "Hangup"]
        end = next(e for _, e in rec.seen if name_of(e) == "DialEnd")
        assert isinstance(end, ev.DialEnd) and end.status == "NOANSWER"
        # No answer within Timeout: cause 19, Reason 3, and no DialEnd (main/dial.c
        # handle_timeout_trip hangs the leg up without one).
        resp2 = await offer(ami, rec, caller, "PJSIP/1009", "rona-2", timeout_ms=2000)
        resp2 = await rec.wait(lambda e: isinstance(e, ev.OriginateResponse)
                               and e.uniqueid == "rona-2")
        assert isinstance(resp2, ev.OriginateResponse)
        assert not resp2.success and resp2.reason == 3
        hup2 = await rec.wait(lambda e: isinstance(e, ev.Hangup) and e.channel.uniqueid == "rona-2")
        assert isinstance(hup2, ev.Hangup) and hup2.cause == 19
        assert [name_of(e) for _, e in rec.seen].count("DialEnd") == 1
        assert caller in emu.pbx.channels  # the caller keeps waiting


async def test_offline_device_fails_the_originate_and_shows_unavailable() -> None:
    async with engine_pbx(Softphone("PJSIP/1010")) as (emu, ami, rec):
        emu.phones.set_online("PJSIP/1010", False)
        contact = await rec.wait(is_("ContactStatus"))
        assert isinstance(contact, ev.UnknownEvent)
        assert contact.headers["ContactStatus"] == "Unreachable"
        assert contact.headers["AOR"] == "1010" and contact.headers["EndpointName"] == "1010"
        peer = await rec.wait(is_("PeerStatus"))
        assert isinstance(peer, ev.UnknownEvent) and peer.headers["Peer"] == "PJSIP/1010"
        await rec.wait(lambda e: isinstance(e, ev.DeviceStateChange)
                       and e.device == "PJSIP/1010" and e.state == "UNAVAILABLE")
        listed = await ami.list_action("DeviceStateList")
        assert any(isinstance(m, ev.DeviceStateChange) and m.device == "PJSIP/1010"
                   and m.state == "UNAVAILABLE" for m in listed.items)
        await ami.action("Originate", {"Channel": "PJSIP/1010", "Context": "cc-agent",
                                       "Exten": "s", "Async": "true", "ChannelId": "off-1"})
        resp = await rec.wait(lambda e: isinstance(e, ev.OriginateResponse))
        assert isinstance(resp, ev.OriginateResponse)
        assert not resp.success and resp.reason == 0 and resp.uniqueid == "off-1"
        assert not any(isinstance(e, ev.Newchannel) for _, e in rec.seen)
        emu.phones.set_online("PJSIP/1010", True)
        await rec.wait(lambda e: isinstance(e, ev.DeviceStateChange)
                       and e.device == "PJSIP/1010" and e.state == "NOT_INUSE")


async def test_hold_unhold_by_the_phone_and_the_caller_redirected_to_hold_and_back() -> None:
    async with engine_pbx(Softphone("PJSIP/1011", ring_s=1, talk_s=600)) as (emu, ami, rec):
        caller = await enqueue(emu, rec, InboundCaller("5550004", "4000", 60, 600))
        agent = (await offer(ami, rec, caller, "PJSIP/1011", "leg-h")).channel
        await connect(ami, caller, agent)
        await rec.wait(lambda e: isinstance(e, ev.BridgeEnter) and e.channel.name == caller)
        assert emu.phones.hold("PJSIP/1011")
        await rec.wait(is_("Hold", agent))
        moh = await rec.wait(is_("MusicOnHoldStart", caller))
        assert rec.names(caller).count("MusicOnHoldStart") == 2  # waiting, then held
        assert isinstance(moh, ev.MusicOnHoldStart)
        await rec.wait(lambda e: isinstance(e, ev.DeviceStateChange)
                       and e.device == "PJSIP/1011" and e.state == "ONHOLD")
        assert emu.phones.unhold("PJSIP/1011")
        await rec.wait(is_("Unhold", agent))
        await rec.wait(lambda e: name_of(e) == "MusicOnHoldStop" and chan_of(e) == caller
                       and rec.names(caller).count("MusicOnHoldStop") == 2)

        # Engine-side hold: the caller to cc-hold dissolves the bridge; the agent leg
        # goes back to its Wait; cc-connect,unhold bridges them again.
        await ami.action("Redirect", {"Channel": caller, "Context": "cc-hold", "Exten": "s",
                                      "Priority": "1"})
        await rec.wait(is_("BridgeDestroy"))
        await rec.wait(lambda e: isinstance(e, ev.Newexten) and e.channel.name == agent
                       and e.application == "Wait")
        await rec.wait(lambda e: is_("MusicOnHoldStart", caller)(e)
                       and rec.names(caller).count("MusicOnHoldStart") == 3)
        await ami.action("Redirect", {"Channel": caller, "Context": "cc-connect",
                                      "Exten": "unhold", "Priority": "1"})
        await rec.wait(lambda e: isinstance(e, ev.BridgeEnter) and e.channel.name == caller
                       and sum(1 for _, x in rec.seen if isinstance(x, ev.BridgeEnter)
                               and x.channel.name == caller) == 2)
        assert emu.pbx.channels[caller].bridge is emu.pbx.channels[agent].bridge


async def test_impatient_caller_abandons_and_poisson_load_places_calls() -> None:
    async with engine_pbx() as (emu, _ami, rec):
        caller = await enqueue(emu, rec, InboundCaller("5550005", "4000", patience_s=2))
        hup = await rec.wait(is_("Hangup", caller), timeout=2)
        # A BYE out of MusicOnHold: no cause set (h4's rule), the PBX's SoftHangupRequest.
        assert isinstance(hup, ev.Hangup) and hup.cause == 0
        names = rec.names(caller)
        assert names.index("HangupRequest") < names.index("MusicOnHoldStop") < \
            names.index("Hangup")
        requests = [e for _, e in rec.seen if isinstance(e, ev.HangupRequest)
                    and e.channel.name == caller]
        assert [r.soft for r in requests] == [False, True]
        placed = await emu.trunk.poisson(
            50.0, np.random.default_rng(7), count=20,
            caller=lambda i: InboundCaller(f"555{i:04d}", "4000", patience_s=1))
        assert placed == 20
        await rec.wait(lambda e: sum(1 for _, x in rec.seen if isinstance(x, ev.UserEvent)) == 21)
        assert emu.trunk.placed == 21


async def test_click_to_dial_through_cc_outbound_reaches_the_trunk() -> None:
    async with engine_pbx(Softphone("PJSIP/1012", ring_s=1, talk_s=600)) as (emu, ami, rec):
        emu.trunk.outbound_talk_s = 4.0
        await ami.action("Originate", {"Channel": "PJSIP/1012", "Context": "cc-outbound",
                                       "Exten": "5551234", "Async": "true", "ChannelId": "out-1"})
        resp = await rec.wait(lambda e: isinstance(e, ev.OriginateResponse))
        assert isinstance(resp, ev.OriginateResponse) and resp.success
        enter = await rec.wait(lambda e: isinstance(e, ev.BridgeEnter)
                               and e.channel.name.startswith("PJSIP/trunk-"))
        assert isinstance(enter, ev.BridgeEnter)
        far = enter.channel.name
        assert any(name_of(e) == "DialBegin" for _, e in rec.seen)
        hup = await rec.wait(is_("Hangup", resp.channel), timeout=3)
        assert isinstance(hup, ev.Hangup) and hup.cause == 16
        names = [(name_of(e), chan_of(e)) for _, e in rec.seen if name_of(e) == "Hangup"]
        assert names[0][1] == far  # the far end hung up first; Dial() then ended the agent
