"""PJSIP in the emulator: agent softphones, the inbound/outbound trunk, device states.

* `Softphone` — a scripted SIP phone per agent (`PJSIP/1007`): rings `ring_s`, answers
  (or never does), hangs up `talk_s` after answering unless the other side went first;
  registers and unregisters (`Phones.register`), goes unreachable (`Phones.set_online`),
  puts the call on hold. `originate_pjsip` is the Originate of one (h1, h8).
* `InboundCaller` placed by `Trunk.place` — a `PJSIP/trunk-…` channel entering
  `<trunk.context>,<did>`, hanging up after `patience_s` if never bridged, else after
  `talk_s` of bridged time.
* `Devices` — the device state of each PJSIP endpoint, aggregated over its channels as
  `chan_pjsip_devicestate` (channels/chan_pjsip.c) does: offline endpoint UNAVAILABLE,
  channels on hold ONHOLD, Ringing RINGING, other live states INUSE (ast_state_chan2dev),
  RINGINUSE for both; `DeviceStateChange` only when the aggregate changes.

Who hung up shows as in Asterisk: a far-end hangup (BYE, or a refusal while ringing) is
a `HangupRequest` queued by the channel driver (`Pbx.remote_hangup`; no Cause for a BYE),
a local one (Hangup action, Hangup()) a `SoftHangupRequest`. A BYE leaves the cause 0
out of an application and 16 out of a bridge (h4, h6); see docs/ami.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from callcenter.emulator.model import DOWN, RING, RINGING, UP, EChannel, Pairs
from dialplans.contract import INBOUND

if TYPE_CHECKING:
    from callcenter.emulator.pbx import OriginateRequest, Pbx

Sampler = float | Callable[[], float]
"""A fixed number of seconds, or a function drawing one (e.g. from a numpy Generator)."""


def draw(value: Sampler) -> float:
    return float(value()) if callable(value) else float(value)


@dataclass(slots=True)
class Softphone:
    """An agent's SIP phone. `device` is `PJSIP/<endpoint>`; `online`: registered (a
    configured endpoint without a contact is UNAVAILABLE and cannot be called); `context`:
    the endpoint's `context` (res_pjsip's default is `default`), where its channels start;
    `password`: its auth password, which `PJSIPShowEndpoint` prints as Asterisk does."""

    device: str
    ring_s: Sampler = 2.0
    answers: bool = True
    talk_s: Sampler = 30.0
    online: bool = True
    context: str = "default"
    password: str = field(default="", repr=False)
    contact: str = ""
    """The Contact it registers (`sip:<endpoint>@127.0.0.1:5060` if empty)."""

    @property
    def endpoint(self) -> str:
        return self.device.partition("/")[2]

    @property
    def contact_uri(self) -> str:
        return self.contact or f"sip:{self.endpoint}@127.0.0.1:5060"


@dataclass(frozen=True, slots=True)
class InboundCaller:
    """A customer calling `did` from `number` over the trunk."""

    number: str = "5550000"
    did: str = "4000"
    patience_s: Sampler = 60.0
    talk_s: Sampler = 120.0
    name: str = ""
    keys: tuple[str, ...] = ()
    """Answers to successive AGI input requests: each GET DATA takes one entry, each WAIT
    FOR DIGIT one entry's first key; "" is silence (a timeout), "hangup" hangs up at that
    prompt; silence once they run out. Prompts are heard to the end (no barge-in)."""
    message_s: float = 0.0
    """At an AGI RECORD FILE: speaks this long, then presses `#`; 0 hangs up at once."""


@dataclass(slots=True)
class CallerScript:
    """One placed call's `InboundCaller`, and how many of its `keys` AGI has used."""

    caller: InboundCaller
    used: int = 0

    def next_input(self) -> str:
        """The answer to the next input request ("" once the keys run out)."""
        if self.used >= len(self.caller.keys):
            return ""
        self.used += 1
        return self.caller.keys[self.used - 1]


_AGGREGATE_ORDER = ("INUSE", "RINGING", "ONHOLD")


class Devices:
    """Device state of every PJSIP endpoint (see the module docstring)."""

    def __init__(self, pbx: Pbx) -> None:
        self.pbx = pbx
        self.states: dict[str, str] = {}
        self.offline: set[str] = set()
        self._counts: dict[str, dict[str, int]] = {}

    @staticmethod
    def category(ch: EChannel) -> str:
        if ch.on_hold:
            return "ONHOLD"
        if ch.state == DOWN:
            return "NOT_INUSE"
        if ch.state == RINGING:
            return "RINGING"
        return "INUSE"

    def aggregate(self, device: str) -> str:
        counts = self._counts.get(device, {})
        inuse, ringing = counts.get("INUSE", 0), counts.get("RINGING", 0)
        if inuse:
            return "RINGINUSE" if ringing else "INUSE"
        if ringing:
            return "RINGING"
        if counts.get("ONHOLD", 0):
            return "ONHOLD"
        return "UNAVAILABLE" if device in self.offline else "NOT_INUSE"

    def publish(self, device: str) -> None:
        state = self.aggregate(device)
        if self.states.get(device) != state:
            self.states[device] = state
            self.pbx.device_state(device, state)

    def _move(self, ch: EChannel, new: str) -> None:
        counts = self._counts.setdefault(ch.device, {})
        if ch.devcat and ch.devcat != "-":
            counts[ch.devcat] -= 1
        if new != "-":
            counts[new] = counts.get(new, 0) + 1
        ch.devcat = new

    def track(self, ch: EChannel) -> None:
        ch.devcat = "-"
        self._move(ch, self.category(ch))
        self.publish(ch.device)

    def refresh(self, ch: EChannel) -> None:
        new = self.category(ch)
        if new != ch.devcat:
            self._move(ch, new)
            self.publish(ch.device)

    def untrack(self, ch: EChannel) -> None:
        self._move(ch, "-")
        self.publish(ch.device)


class Phones:
    """The agents' softphones registered on the PBX (`pbx.phones`)."""

    def __init__(self, pbx: Pbx) -> None:
        self.pbx = pbx
        self.phones: dict[str, Softphone] = {}
        self.active: dict[str, EChannel] = {}
        """Endpoint → its latest channel (the one hold/hangup act on)."""

    def add(self, phone: Softphone) -> Softphone:
        """Register a phone (as a configured, registered endpoint: no events)."""
        tech, _, endpoint = phone.device.partition("/")
        if tech != "PJSIP" or not endpoint or "-" in endpoint:
            raise ValueError(f"softphone device: expected PJSIP/<endpoint>, got {phone.device!r}")
        self.phones[endpoint] = phone
        devices = self.pbx.devices
        if phone.online:
            devices.offline.discard(phone.device)
        else:
            devices.offline.add(phone.device)
        devices.states[phone.device] = devices.aggregate(phone.device)
        return phone

    def get(self, device: str) -> Softphone:
        phone = self.phones.get(device.removeprefix("PJSIP/"))
        if phone is None:
            raise KeyError(f"no softphone {device!r}")
        return phone

    def set_online(self, device: str, online: bool) -> None:
        """The phone's contact becomes reachable or not: ContactStatus, PeerStatus,
        DeviceStateChange (res_pjsip pjsip_options.c then pjsip_configuration.c)."""
        phone = self.get(device)
        if phone.online == online:
            return
        phone.online = online
        endpoint = phone.endpoint
        status = "Reachable" if online else "Unreachable"
        self.pbx.emit("ContactStatus", "system,all", [
            ("URI", f"sip:{endpoint}@127.0.0.1:5060"), ("ContactStatus", status),
            ("AOR", endpoint), ("EndpointName", endpoint),
            ("RoundtripUsec", "1200" if online else "0")])
        self.pbx.emit("PeerStatus", "system,all", [
            ("ChannelType", "PJSIP"), ("Peer", f"PJSIP/{endpoint}"), ("PeerStatus", status)])
        devices = self.pbx.devices
        if online:
            devices.offline.discard(phone.device)
        else:
            devices.offline.add(phone.device)
        devices.publish(phone.device)

    def register(self, device: str, registered: bool = True) -> None:
        """The phone REGISTERs its contact (or unREGISTERs it, `Expires: 0`) with digest
        auth, as h3 shows: `ChallengeSent` (the 401) and `SuccessfulAuth` (res_pjsip's
        security events), then for a registration ExtensionStatus (hints on it),
        DeviceStateChange NOT_INUSE, `PeerStatus Reachable`, `ContactStatus
        NonQualified`; for an unregistration ExtensionStatus, `PeerStatus Unreachable`,
        DeviceStateChange UNAVAILABLE, `ContactStatus Removed` (res_pjsip/pjsip_options.c,
        res_pjsip/pjsip_configuration.c persistent_endpoint_contact_*_observer)."""
        phone = self.get(device)
        pbx = self.pbx
        endpoint = phone.endpoint
        call_id = f"{uuid.uuid4().hex[:12]}@127.0.0.1"
        host_port = phone.contact_uri.partition("@")[2] or "127.0.0.1:5060"
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000+0000", time.gmtime())
        common: Pairs = [
            ("EventTV", stamp), ("Severity", "Informational"), ("Service", "PJSIP"),
            ("EventVersion", "1"), ("AccountID", endpoint), ("SessionID", call_id),
            ("LocalAddress", "IPV4/UDP/127.0.0.1/5060"),
            ("RemoteAddress", "IPV4/UDP/" + host_port.replace(":", "/"))]
        pbx.emit("ChallengeSent", "security,all", [*common, ("Challenge", "")])
        pbx.emit("SuccessfulAuth", "security,all", [*common, ("UsingPassword", "1")])
        devices = pbx.devices
        if phone.online == registered:
            return  # a refresh: nothing changes
        phone.online = registered
        peer: Pairs = [("ChannelType", "PJSIP"), ("Peer", phone.device),
                       ("PeerStatus", "Reachable" if registered else "Unreachable")]
        if registered:
            devices.offline.discard(phone.device)
            devices.publish(phone.device)
            pbx.emit("PeerStatus", "system,all", peer)
        else:
            devices.offline.add(phone.device)
            pbx.notify_hints(phone.device, devices.aggregate(phone.device))
            pbx.emit("PeerStatus", "system,all", peer)
            devices.publish(phone.device)
        pbx.emit("ContactStatus", "system,all", [
            ("URI", phone.contact_uri),
            ("ContactStatus", "NonQualified" if registered else "Removed"),
            ("AOR", endpoint), ("EndpointName", endpoint), ("RoundtripUsec", "0")])

    def unregister(self, device: str) -> None:
        """`register(device, False)`: the phone removes its contact (`Expires: 0`)."""
        self.register(device, False)

    def channel(self, device: str) -> EChannel | None:
        """The phone's live channel, if any."""
        ch = self.active.get(self.get(device).endpoint)
        return ch if ch is not None and not ch.hungup else None

    def hold(self, device: str, hold: bool = True) -> bool:
        """The agent presses hold (re-INVITE sendonly) or resumes: `Hold`/`Unhold` on the
        agent's channel (main/manager_channels.c), the device ONHOLD/INUSE, and music on
        hold started/stopped on the other party of its bridge. False if no call is up."""
        ch = self.channel(device)
        if ch is None or ch.state != UP or ch.on_hold == hold:
            return False
        pbx = self.pbx
        ch.on_hold = hold
        pbx.emit("Hold" if hold else "Unhold", "call,all", ch.snapshot())
        pbx.devices.refresh(ch)
        if ch.bridge is not None:
            for other in ch.bridge.members:
                if other is ch or other.moh == hold:
                    continue
                other.moh = hold
                if hold:
                    pbx.emit("MusicOnHoldStart", "call,all",
                             [*other.snapshot(), ("Class", "default")])
                else:
                    pbx.emit("MusicOnHoldStop", "call,all", other.snapshot())
        return True

    def unhold(self, device: str) -> bool:
        return self.hold(device, False)

    def hangup(self, device: str) -> bool:
        """The agent hangs up now: a BYE (no cause), or while ringing a 603 Decline
        (chan_pjsip: cause 21, call rejected)."""
        ch = self.channel(device)
        if ch is None:
            return False
        self.pbx.remote_hangup(ch, 0 if ch.state == UP else 21)
        return True

    async def talk(self, ch: EChannel, seconds: float) -> None:
        """Hang up `seconds` after the answer unless the call already ended."""
        await asyncio.sleep(max(0.0, seconds) / self.pbx.speed)
        if not ch.hungup and not ch.soft_hangup:
            if ch.on_hold:
                self.hold(ch.device, False)
            self.pbx.remote_hangup(ch)


def _failure(req: OriginateRequest, reason: int) -> Pairs:
    """fast_originate (main/manager.c) without a channel: the dial string, and the
    requested ChannelId (or `<unknown>`) as Uniqueid."""
    pairs: Pairs = [("Response", "Failure"), ("Channel", req.channel)]
    if req.application:
        pairs += [("Application", req.application), ("Data", req.data)]
    else:
        pairs += [("Context", req.context), ("Exten", req.exten)]
    cid_num, cid_name = req.caller_id or ("", "")
    return [*pairs, ("Reason", str(reason)), ("Uniqueid", req.channel_id or "<unknown>"),
            ("CallerIDNum", cid_num or "<unknown>"), ("CallerIDName", cid_name or "<unknown>")]


def dial_status(cause: int) -> str:
    """ast_hangup_cause_to_dial_status (main/dial.c)."""
    if cause in (17, 34):  # AST_CAUSE_BUSY, AST_CAUSE_CONGESTION
        return "BUSY" if cause == 17 else "CONGESTION"
    if cause in (3, 20):  # AST_CAUSE_NO_ROUTE_DESTINATION, AST_CAUSE_UNREGISTERED
        return "CHANUNAVAIL"
    return "NOANSWER"


async def originate_pjsip(pbx: Pbx, req: OriginateRequest,
                          respond: Callable[[Pairs], None]) -> None:
    """Originate `PJSIP/<endpoint>`: pbx_outgoing_attempt and pbx_outgoing_exec (main/pbx.c)
    dialling with ast_dial (main/dial.c), fast_originate (main/manager.c) reporting.

    * Unknown endpoint, or one with no registered contact: ast_dial_prerun fails, no
      channel at all, `OriginateResponse Failure Reason 0` with the dial string and the
      ChannelId (h8).
    * Otherwise Newchannel in the endpoint's context, `AppDial2`, the Variables (in the
      reverse order of the action, h1), caller ID and connected line, `DialBegin`
      (no caller), Ringing with `DialState`; on answer `DialEnd ANSWER` and the dialplan.
    * Hung up while ringing — the Hangup action, or the phone refusing: monitor_dial's
      ast_read gets nothing: `DialEnd` with the status of the channel's hangup cause (the
      action sets none without `Cause`: 0 → NOANSWER), then `OriginateResponse Failure
      Reason 0` before the leg's `Hangup` (h1); no SoftHangupRequest for the action.
    * No answer within Timeout: handle_timeout_trip sets cause 19 and hangs the leg up
      without a DialEnd; Reason 3 (pbx_dial_reason: NO_ANSWER was ringing).
    """
    endpoint = req.channel.partition("/")[2]
    phone = pbx.phones.phones.get(endpoint)
    if phone is None or not phone.online:
        respond(_failure(req, 0))
        if req.context and pbx.dialplan.has_exten(req.context, "failed"):
            dummy = pbx.new_channel("OutgoingSpoolFailed", req.context, "failed")
            pbx.setvar(dummy, "REASON", "0")
            dummy.task = pbx.spawn(pbx.dialplan.run(dummy), "emu-OutgoingSpoolFailed")
        return
    ch = pbx.new_pjsip(endpoint, phone.context, "s", uniqueid=req.channel_id)
    ch.task = asyncio.current_task()
    pbx.phones.active[endpoint] = ch
    pbx.newexten(ch, "AppDial2", "(Outgoing Line)")
    for name, value in reversed(req.variables):
        pbx.setvar(ch, name, value)
    if req.caller_id is not None:
        pbx.set_caller_id(ch, *req.caller_id)
        pbx.set_connected(ch, *req.caller_id)
    pbx.emit("DialBegin", "call,all", [*ch.snapshot("Dest"), ("DialString", endpoint)])
    await pbx.wait(ch, 0.01)  # INVITE → 180 Ringing
    if not ch.soft_hangup and not ch.hungup:
        pbx.set_state(ch, RINGING)
        pbx.emit("DialState", "call,all", [*ch.snapshot("Dest"), ("DialStatus", "RINGING")])
        ring = draw(phone.ring_s)
        answers = phone.answers and ring < req.timeout
        await pbx.wait(ch, ring if answers else req.timeout)
        if not ch.soft_hangup and not ch.hungup and answers:
            pbx.set_state(ch, UP)
            pbx.emit("DialEnd", "call,all", [*ch.snapshot("Dest"), ("DialStatus", "ANSWER")])
            pbx.processed_calls += 1
            respond(pbx._response_pairs(req, ch, "Success", 4))
            pbx.spawn(pbx.phones.talk(ch, draw(phone.talk_s)), f"emu-talk-{ch.name}")
            if req.application:
                await pbx.dialplan.execute(ch, req.application, req.data)
                if not ch.hungup:
                    pbx.hangup(ch, ch.hangup_cause, soft=False)
                return
            ch.context, ch.exten, ch.priority = req.context, req.exten, req.priority
            ch.interrupt.clear()
            await pbx.dialplan.run(ch)
            return
        if not ch.soft_hangup and not ch.hungup:
            respond(_failure(req, 3))
            pbx.hangup(ch, 19, soft=False)
            return
    if not ch.hungup:
        pbx.emit("DialEnd", "call,all", [*ch.snapshot("Dest"),
                                         ("DialStatus", dial_status(ch.hangup_cause))])
        respond(_failure(req, 0))
        pbx.hangup(ch, ch.hangup_cause, soft=False)
    else:
        respond(_failure(req, 0))


class Trunk:
    """The SIP trunk (`pbx.trunk`): inbound callers, and the far ends of outbound Dials.

    What each inbound caller heard, in order, is kept per calling number (all calls from
    that number): `heard("5550000")` → `["play:cc/en/welcome", "getdata:cc/en/menu",
    "number:3", "digits:1007", "record:/tmp/vm/msg.wav", ...]`. Entries: `play:<file>`
    (Playback, each `&` file, and AGI STREAM FILE; `play:beep` before a RECORD FILE
    with BEEP), `digits:<digits>` (SayDigits, SAY DIGITS), `number:<n>` (SAY NUMBER),
    `getdata:<file>` (GET DATA's prompt), `record:<file with extension>` (RECORD FILE).
    Dialplan applications (`callcenter.emulator.dialplan`) and AGI commands
    (`callcenter.emulator.agi`) note what they played as it starts.
    """

    def __init__(self, pbx: Pbx, endpoint: str = "trunk") -> None:
        self.pbx = pbx
        self.endpoint = endpoint
        self.context = INBOUND
        """The trunk endpoint's `context`: where inbound calls start (the engine's
        cc-inbound; `from-trunk` in the PJSIP captures)."""
        self.contact_uri = "sip:127.0.0.2:5090"
        """The trunk AOR's permanent contact (PJSIPShowEndpoint)."""
        self.placed = 0
        self.outbound_ring_s: Sampler = 3.0
        self.outbound_talk_s: Sampler = 60.0
        self.outbound_answers = True
        self.scripts: dict[str, CallerScript] = {}
        """Live inbound channel name → its caller's script."""
        self._heard: dict[str, list[str]] = {}

    def heard(self, number: str) -> list[str]:
        """What the callers from `number` heard so far, oldest first (see the class doc)."""
        return list(self._heard.get(number, ()))

    def note(self, ch: EChannel, *entries: str) -> None:
        """Add to the transcript of `ch`'s caller (nothing if `ch` is not an inbound call)."""
        script = self.scripts.get(ch.name)
        if script is not None and entries:
            self._heard.setdefault(script.caller.number, []).extend(entries)

    def forget(self, ch: EChannel) -> None:
        """`ch` hung up: its caller's script goes (the transcript stays)."""
        self.scripts.pop(ch.name, None)

    def place(self, caller: InboundCaller, *, uniqueid: str = "") -> EChannel | None:
        """An INVITE from the trunk to `caller.did`: a `PJSIP/trunk-…` channel (state
        Ring) runs `<context>,<did>,1` (`self.context`), after the `SIPDOMAIN` VarSet of
        chan_pjsip's set_sipdomain_variable (h2). None (404, no channel) if that extension
        does not exist, as res_pjsip_session rejects it."""
        pbx = self.pbx
        if not pbx.dialplan.has_exten(self.context, caller.did):
            return None
        self.placed += 1
        ch = pbx.new_pjsip(self.endpoint, self.context, caller.did, state=RING,
                           uniqueid=uniqueid, cid=(caller.number, caller.name or "<unknown>"),
                           call_id=f"{self.placed}-{uuid.uuid4().hex[:8]}@127.0.0.2")
        ch.variables["__dnid"] = caller.did  # the dialled number: DNID, AGI's agi_dnid
        pbx.setvar(ch, "SIPDOMAIN", "127.0.0.1")
        self.scripts[ch.name] = CallerScript(caller)
        ch.watch = asyncio.Event()
        ch.task = pbx.spawn(pbx.dialplan.run(ch), f"emu-{ch.name}")
        pbx.spawn(self._caller(ch, draw(caller.patience_s), draw(caller.talk_s)),
                  f"emu-caller-{ch.name}")
        return ch

    async def _caller(self, ch: EChannel, patience: float, talk: float) -> None:
        """Hang up after `patience` s unless bridged by then; once bridged, after `talk`
        s of bridged time (time on hold, out of the bridge, does not count)."""
        pbx = self.pbx
        loop = asyncio.get_running_loop()
        watch = ch.watch
        assert watch is not None
        give_up = loop.time() + patience / pbx.speed
        talk_left = talk / pbx.speed
        since: float | None = None
        bridged_once = False
        while not ch.hungup and not ch.soft_hangup:
            watch.clear()
            now = loop.time()
            if ch.bridge is not None:
                since = now if since is None else since
                bridged_once = True
                left: float | None = talk_left - (now - since)
            else:
                if since is not None:
                    talk_left -= now - since
                    since = None
                left = None if bridged_once else give_up - now
            if left is not None and left <= 0:
                pbx.remote_hangup(ch)
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(watch.wait(), left)

    async def poisson(self, rate: float, rng: np.random.Generator, *,
                      count: int | None = None, duration: float | None = None,
                      caller: InboundCaller | Callable[[int], InboundCaller] = InboundCaller()
                      ) -> int:
        """Place calls with exponential gaps of mean 1/`rate` s (PBX time) until `count`
        calls or `duration` s; `caller(i)` may vary each call. Returns calls placed."""
        if rate <= 0 or (count is None and duration is None):
            raise ValueError("poisson: expected rate > 0 and a count or a duration")
        loop = asyncio.get_running_loop()
        start = loop.time()
        at = 0.0
        placed = 0
        while count is None or placed < count:
            for gap in rng.exponential(1.0 / rate, size=1024):
                at += float(gap)
                if duration is not None and at > duration:
                    return placed
                delay = start + at / self.pbx.speed - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                self.place(caller(placed) if callable(caller) else caller)
                placed += 1
                if count is not None and placed >= count:
                    return placed
        return placed


async def run_dial_pjsip(pbx: Pbx, caller: EChannel, data: str) -> int:
    """Dial(PJSIP/<number>@<trunk>[,timeout]): the far end rings `trunk.outbound_ring_s`,
    answers, and hangs up after `trunk.outbound_talk_s` unless the caller went first.
    Without the `g` option the caller is hung up when the called party hangs up."""
    target, _, rest = data.partition(",")
    timeout = float(rest.split(",")[0]) if rest.split(",")[0].strip() else 30.0
    nxt = caller.priority + 1
    number, _, endpoint = target.removeprefix("PJSIP/").partition("@")
    trunk = pbx.trunk
    for name in ("DIALSTATUS", "DIALEDPEERNUMBER", "DIALEDPEERNAME"):
        pbx.setvar(caller, name, "")
    callee = pbx.new_pjsip(endpoint or number, "default", "s", linkedid=caller.linkedid,
                           cid=(caller.cid_num, caller.cid_name))
    pbx.setvar(callee, "DIALEDPEERNUMBER", target.removeprefix("PJSIP/"))
    pbx.emit("DialBegin", "call,all", [*caller.snapshot(), *callee.snapshot("Dest"),
                                       ("DialString", target.removeprefix("PJSIP/"))])
    caller.variables["__app_bridge"] = "Dial"

    def stopped() -> bool:
        return caller.hungup or caller.soft_hangup or caller.redirect_to is not None

    caller.interrupt.clear()
    await pbx.wait(caller, 0.05)
    if not stopped():
        pbx.set_state(callee, RINGING)
        pbx.emit("DialState", "call,all", [*caller.snapshot(), *callee.snapshot("Dest"),
                                           ("DialStatus", "RINGING")])
        ring = draw(trunk.outbound_ring_s)
        answers = trunk.outbound_answers and ring < timeout
        await pbx.wait(caller, ring if answers else timeout)
        if not stopped() and not answers:
            pbx.emit("DialEnd", "call,all", [*caller.snapshot(), *callee.snapshot("Dest"),
                                             ("DialStatus", "NOANSWER")])
            pbx.hangup(callee, 0, soft=False)
            pbx.setvar(caller, "DIALSTATUS", "NOANSWER")
            return nxt
    if stopped():
        pbx.emit("DialEnd", "call,all", [*caller.snapshot(), *callee.snapshot("Dest"),
                                         ("DialStatus", "CANCEL")])
        pbx.hangup(callee, 0, soft=False)
        pbx.setvar(caller, "DIALSTATUS", "CANCEL")
        return nxt
    pbx.set_state(callee, UP)
    pbx.setvar(caller, "DIALSTATUS", "ANSWER")
    pbx.setvar(caller, "DIALEDPEERNAME", callee.name)
    pbx.emit("DialEnd", "call,all", [*caller.snapshot(), *callee.snapshot("Dest"),
                                     ("DialStatus", "ANSWER")])
    if caller.state != UP:
        pbx.set_state(caller, UP)
    bridge = pbx.new_bridge()
    pbx.enter_bridge(bridge, callee)
    pbx.enter_bridge(bridge, caller)
    pbx.bridge_peers(bridge)
    caller.variables["__dest"] = callee.name
    done = asyncio.Event()

    def left(_who: EChannel) -> None:
        done.set()
        caller.interrupt.set()

    pbx.watch_bridge(bridge, left)
    pbx.spawn(_far_end_talk(pbx, callee, draw(trunk.outbound_talk_s)), f"emu-talk-{callee.name}")
    while not done.is_set() and not stopped():
        caller.interrupt.clear()
        await pbx.wait(caller, None)
    if caller.bridge is not None:
        pbx.leave_bridge(caller)
    for other in list(bridge.members):
        pbx.leave_bridge(other)
    pbx.destroy_bridge(bridge)
    if not callee.hungup:
        pbx.hangup(callee, 16, soft=False)
    if not stopped():
        pbx.hangup(caller, 16, soft=False)  # Dial() returned -1: the PBX ends the channel
    return nxt


async def _far_end_talk(pbx: Pbx, ch: EChannel, seconds: float) -> None:
    await asyncio.sleep(max(0.0, seconds) / pbx.speed)
    if not ch.hungup:
        pbx.remote_hangup(ch)
