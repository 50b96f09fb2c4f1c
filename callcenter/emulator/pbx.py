"""The emulated PBX core: channel registry, Local pairs, bridges, hangups, Originate.

Everything that happens to a channel emits the AMI events Asterisk 22 emits, in
the per-channel order of the transcripts. Event fan-out is synchronous (one
`emit` writes to every listening session), so the order on the wire is the
order of the calls here. Time runs `speed` times faster than the wall clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from callcenter.emulator.model import (
    CAUSE_TXT,
    DOWN,
    EXTENSION_STATE,
    EXTENSION_STATE_TEXT,
    RING,
    RINGING,
    UP,
    EBridge,
    EChannel,
    Pairs,
    channel_bucket,
)

if TYPE_CHECKING:
    from dialplans.model import Dialplan as DialplanModel


class Listener(Protocol):
    """An AMI session (or a test probe) receiving events."""

    def deliver(self, event: str, privilege: str, data: bytes) -> None: ...


@dataclass(frozen=True, slots=True)
class OriginateRequest:
    channel: str
    context: str = ""
    exten: str = ""
    priority: int = 1
    application: str = ""
    data: str = ""
    caller_id: tuple[str, str] | None = None
    channel_id: str = ""
    other_channel_id: str = ""
    variables: tuple[tuple[str, str], ...] = ()
    timeout: float = 30.0
    action_id: str = ""
    asynchronous: bool = True


def encode_event(event: str, privilege: str, pairs: Pairs) -> bytes:
    head = f"Event: {event}\r\nPrivilege: {privilege}\r\n" if privilege else f"Event: {event}\r\n"
    return (head + "".join(f"{k}: {v}\r\n" for k, v in pairs) + "\r\n").encode("utf-8")


class Pbx:
    """See the module docstring. Owns every task it starts; `stop()` cancels them."""

    def __init__(self, *, speed: float = 1.0, contexts: DialplanModel | None = None,
                 app_queue: bool | None = None, sounds_dir: str | None = None) -> None:
        """`app_queue`: whether app_queue is loaded (its actions, events and `Queue()`);
        None loads it when the dialplan needs it: always for the fixture dialplan alone
        (no `contexts`), else only if `contexts` uses `Queue()` (the engine's generated
        dialplan does not). `sounds_dir`: where prompts are looked up; None plays every
        prompt (nothing installed), a directory makes a missing one fail (dialplan.py)."""
        from callcenter.emulator.dialplan import (
            Dialplan,
            default_contexts,
            steps_from_model,
            uses_application,
        )
        from callcenter.emulator.phones import Devices, Phones, Trunk
        from callcenter.emulator.queues import QueueSystem

        self.speed = speed
        self.listeners: set[Listener] = set()
        self.globals: dict[str, str] = {"AGENT_RING": "2", "AGENT_TALK": "20"}
        self.channels: dict[str, EChannel] = {}
        self.bridges: dict[str, EBridge] = {}
        self.epoch = int(time.time())
        self._uid = itertools.count()
        self._local = itertools.count()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.booted_at = time.monotonic()
        self.processed_calls = 0
        steps = default_contexts()
        if contexts is not None:
            steps.update(steps_from_model(contexts))
        self.dialplan = Dialplan(self, steps, sounds_dir=sounds_dir)
        if app_queue is None:
            app_queue = contexts is None or uses_application(contexts, "Queue")
        self.app_queue = app_queue
        self.cdr_events = True
        """Whether `Cdr` events are sent (cdr_manager loaded); the PJSIP captures had
        none (their modules.conf: noload cdr_manager.so)."""
        self.hints: dict[tuple[str, str], str] = {}
        """(context, exten) → device of each `exten => X,hint,<device>` (ExtensionState,
        ExtensionStatus)."""
        self._hint_states: dict[tuple[str, str], int] = {}
        self._pjsip = itertools.count()
        self.devices = Devices(self)
        self.phones = Phones(self)
        self.trunk = Trunk(self)
        # res_pjsip publishes every configured endpoint's state when it loads: the trunk
        # is listed by DeviceStateList before its first call (h3).
        self.devices.states[f"PJSIP/{self.trunk.endpoint}"] = "NOT_INUSE"
        self.queues = QueueSystem(self, None if self.app_queue else [])
        self.events_emitted = 0
        self._answer_handlers: dict[str, Callable[[], None]] = {}
        self._ring_handlers: dict[str, Callable[[], None]] = {}
        self._hangup_handlers: dict[str, Callable[[], None]] = {}
        self._request_handlers: dict[str, Callable[[], None]] = {}
        self._bridge_watchers: dict[str, Callable[[EChannel], None]] = {}
        self._local_opt = itertools.count()

    # -- plumbing ---------------------------------------------------------------------

    def emit(self, event: str, privilege: str, pairs: Pairs) -> None:
        self.events_emitted += 1
        if not self.listeners:
            return
        data = encode_event(event, privilege, pairs)
        for listener in list(self.listeners):
            listener.deliver(event, privilege, data)

    def spawn(self, coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def stop(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.speed)

    async def wait(self, ch: EChannel, seconds: float | None) -> bool:
        """Sleep on behalf of a channel; True if interrupted (hangup, redirect, bridge)."""
        if ch.interrupt.is_set():
            return True
        try:
            timeout = None if seconds is None else max(0.0, seconds) / self.speed
            await asyncio.wait_for(ch.interrupt.wait(), timeout)
            return True
        except TimeoutError:
            return False

    def uptime(self) -> int:
        return int((time.monotonic() - self.booted_at) * self.speed)

    def new_uid(self) -> str:
        return f"{self.epoch}.{next(self._uid)}"

    # -- channels --------------------------------------------------------------------------

    def new_local(
        self,
        exten: str,
        context: str,
        *,
        linkedid: str | None = None,
        uid1: str = "",
        uid2: str = "",
        cid: tuple[str, str] | None = None,
    ) -> tuple[EChannel, EChannel]:
        """Create a Local pair; emits Newchannel for ;1 (Down) and ;2 (Ring)."""
        base = f"Local/{exten}@{context}-{next(self._local):08x}"
        uid1 = uid1 or self.new_uid()
        uid2 = uid2 or self.new_uid()
        link = linkedid or uid1
        now = time.monotonic()
        one = EChannel(base + ";1", uid1, link, context, exten, state=DOWN, half=1, created=now)
        two = EChannel(base + ";2", uid2, link, context, exten, state=RING, half=2, created=now)
        if cid is not None:
            one.cid_num, one.cid_name = cid
            two.cid_num, two.cid_name = cid
        one.peer, two.peer = two, one
        self.channels[one.name] = one
        self.channels[two.name] = two
        self.emit("Newchannel", "call,all", one.snapshot())
        self.emit("Newchannel", "call,all", two.snapshot())
        return one, two

    def new_channel(self, name: str, context: str, exten: str) -> EChannel:
        ch = EChannel(name, self.new_uid(), "", context, exten, created=time.monotonic())
        ch.linkedid = ch.uniqueid
        self.channels[name] = ch
        self.emit("Newchannel", "call,all", ch.snapshot())
        return ch

    def new_pjsip(self, endpoint: str, context: str, exten: str, *, state: int = DOWN,
                  uniqueid: str = "", linkedid: str = "",
                  cid: tuple[str, str] | None = None, call_id: str = "") -> EChannel:
        """A `PJSIP/<endpoint>-<8 hex>` channel (chan_pjsip numbers them with one global
        counter); emits Newchannel and the endpoint's device state. `call_id`: the SIP
        Call-ID of an incoming INVITE (a fresh one for a call we place)."""
        name = f"PJSIP/{endpoint}-{next(self._pjsip):08x}"
        uid = uniqueid or self.new_uid()
        ch = EChannel(name, uid, linkedid or uid, context, exten, state=state,
                      created=time.monotonic(), call_id=call_id or str(uuid.uuid4()))
        if cid is not None:
            ch.cid_num, ch.cid_name = cid
        self.channels[name] = ch
        self.emit("Newchannel", "call,all", ch.snapshot())
        self.devices.track(ch)
        return ch

    def count_pjsip_channels_from(self, start: int) -> None:
        """Number the next PJSIP channel `start` (chan_pjsip's counter runs from boot: a
        capture made after others starts past 0)."""
        self._pjsip = itertools.count(start)

    def find(self, name: str) -> EChannel | None:
        return self.channels.get(name)

    def listed(self) -> list[EChannel]:
        """The live channels in the order Asterisk lists them (`Status`, `CoreShowChannels`,
        `core show channels`, a regex `Hangup`): hash-bucket order of the channel name,
        creation order within a bucket (`model.channel_bucket`). Not creation order: a
        client that pairs channels by list position is wrong on a real PBX too (h2)."""
        return sorted(self.channels.values(), key=lambda c: channel_bucket(c.name))

    def remote_hangup(self, ch: EChannel, cause: int = 0) -> None:
        """The far end hung up: a SIP BYE (`cause` 0), or a refusal while ringing (the
        cause chan_pjsip derived from the SIP response). As chan_pjsip_session_end
        (channels/chan_pjsip.c): the RTP statistics variables of a call that had media,
        then ast_queue_hangup (main/channel.c): `HangupRequest`, with a `Cause` only when
        one is set. The channel then leaves what it runs; a BYE leaves its hangup cause 0
        (h4: `Hangup Cause: 0` out of SayDigits) unless a bridge sets 16 on the way out
        (main/bridge_channel.c channel_set_cause; h6)."""
        if ch.hungup or ch.soft_hangup:
            return
        if ch.devcat and ch.answered is not None:
            self.rtp_stats(ch)
        extra = [("Cause", str(cause))] if cause else []
        self.emit("HangupRequest", "call,all", [*ch.snapshot(), *extra])
        ch.soft_hangup = True
        ch.hangup_cause = cause
        ch.variables["__remote"] = "1"
        if ch.task is None or ch.task.done():
            self.hangup(ch, cause, soft=False)
        else:
            ch.interrupt.set()

    def rtp_stats(self, ch: EChannel) -> None:
        """The RTPAUDIOQOS* variables chan_pjsip sets from its RTP instance when a call
        with media ends (ast_rtp_instance_set_stats_vars, main/rtp_engine.c); the values
        are those of a call whose far end sent no RTP (the SIPp captures)."""
        if "__rtp_stats" in ch.variables:
            return
        ch.variables["__rtp_stats"] = "1"
        zero = "000.000000"
        for name, value in (
            ("RTPAUDIOQOS", "ssrc=0;themssrc=0;lp=0;rxjitter=0.000000;rxcount=0;"
                            "txjitter=0.000000;txcount=0;rlp=0;rtt=0.000000;"
                            "rxmes=0.000000;txmes=0.000000"),
            ("RTPAUDIOQOSJITTER", "".join(f"{k}jitter={zero};" for k in (
                "minrx", "maxrx", "avgrx", "stdevrx", "mintx", "maxtx", "avgtx", "stdevtx"))),
            ("RTPAUDIOQOSLOSS", "".join(f"  {k}lost={zero};" for k in (
                "minrx", "maxrx", "avgrx", "stdevrx", "mintx", "maxtx", "avgtx", "stdevtx"))),
            ("RTPAUDIOQOSRTT", "".join(f"     {k}rtt={zero};" for k in (
                "min", "max", "avg", "stdev"))),
            ("RTPAUDIOQOSMES", "".join(f"   {k}mes={zero};" for k in (
                "minrx", "maxrx", "avgrx", "stdevrx", "mintx", "maxtx", "avgtx", "stdevtx"))),
        ):
            self.setvar(ch, name, value)

    def newexten(self, ch: EChannel, app: str, data: str) -> None:
        ch.app, ch.app_data = app, data
        self.emit(
            "Newexten",
            "dialplan,all",
            [*ch.snapshot(), ("Extension", ch.exten), ("Application", app), ("AppData", data)],
        )

    def setvar(self, ch: EChannel | None, name: str, value: str) -> None:
        if ch is None:
            self.globals[name] = value
            pairs: Pairs = [("Channel", "none"), ("Uniqueid", "none")]
        else:
            ch.variables[name] = value
            pairs = ch.snapshot()
        self.emit("VarSet", "dialplan,all", [*pairs, ("Variable", name), ("Value", value)])

    def set_caller_id(self, ch: EChannel, num: str, name: str) -> None:
        ch.cid_num, ch.cid_name = num, name
        self.emit("NewCallerid", "call,all",
                  [*ch.snapshot(), ("CID-CallingPres", "0 (Presentation Allowed, Not Screened)")])

    def set_connected(self, ch: EChannel, num: str, name: str) -> None:
        ch.conn_num, ch.conn_name = num, name
        self.emit("NewConnectedLine", "call,all", ch.snapshot())

    def local_bridge(self, one: EChannel, two: EChannel) -> None:
        self.emit(
            "LocalBridge",
            "call,all",
            [*one.snapshot("LocalOne"), *two.snapshot("LocalTwo"), ("Context", two.context),
             ("Exten", two.exten), ("LocalOptimization", "Yes")],
        )

    def device_state(self, device: str, state: str) -> None:
        """A device changed state: `ExtensionStatus` for each hint on it whose extension
        state changed (main/pbx.c device_state_notify_callbacks), then DeviceStateChange
        (the order of h2, h3 and h4)."""
        self.notify_hints(device, state)
        self.emit("DeviceStateChange", "call,all", [("Device", device), ("State", state)])

    def notify_hints(self, device: str, state: str) -> None:
        """`ExtensionStatus` for each hint on `device` whose extension state `state`
        changes (manager_state_cb, main/manager.c)."""
        for key, hinted in self.hints.items():
            if hinted != device:
                continue
            status = EXTENSION_STATE[state]
            if self._hint_states.get(key) != status:
                self._hint_states[key] = status
                self.emit("ExtensionStatus", "call,all", self._hint_pairs(key, status))

    def add_hint(self, context: str, exten: str, device: str) -> None:
        """`exten => <exten>,hint,<device>` in `context`."""
        self.hints[(context, exten)] = device
        self._hint_states[(context, exten)] = EXTENSION_STATE[self.device_state_of(device)]

    def device_state_of(self, device: str) -> str:
        """The current state of `device`: a PJSIP endpoint's aggregate (phones.py), INVALID
        for an endpoint that is not configured, UNKNOWN for other devices."""
        known = self.devices.states.get(device)
        if known is not None:
            return known
        if device.startswith("PJSIP/"):
            configured = device.removeprefix("PJSIP/") in self.phones.phones \
                or device == f"PJSIP/{self.trunk.endpoint}"
            return "NOT_INUSE" if configured else "INVALID"
        return "UNKNOWN"

    def extension_state(self, context: str, exten: str) -> tuple[str, int]:
        """(hint, extension state) as ast_extension_state; ("", -1) without a hint."""
        device = self.hints.get((context, exten))
        if device is None:
            return "", -1
        return device, EXTENSION_STATE[self.device_state_of(device)]

    def _hint_pairs(self, key: tuple[str, str], status: int) -> Pairs:
        return [("Exten", key[1]), ("Context", key[0]), ("Hint", self.hints[key]),
                ("Status", str(status)), ("StatusText", EXTENSION_STATE_TEXT[status])]

    def set_state(self, ch: EChannel, state: int) -> None:
        ch.state = state
        if state == UP and ch.answered is None:
            ch.answered = time.monotonic()
        self.emit("Newstate", "call,all", ch.snapshot())
        if ch.devcat:
            self.devices.refresh(ch)

    def answer(self, ch: EChannel) -> None:
        """Answer `ch`; for a Local ;2 half the ;1 half goes Up and its dialler is told."""
        if ch.state == UP:
            return
        self.set_state(ch, UP)
        peer = ch.peer
        if ch.half == 2 and peer is not None and not peer.hungup and peer.state != UP:
            self.set_state(peer, UP)
            handler = self._answer_handlers.pop(peer.name, None)
            if handler is not None:
                handler()

    def ringing(self, ch: EChannel) -> None:
        """`Ringing()` on a ;2 half: the ;1 half shows Ringing to its dialler."""
        peer = ch.peer
        if ch.half == 2 and peer is not None and peer.state not in (UP, RINGING):
            handler = self._ring_handlers.pop(peer.name, None)
            if handler is not None:
                handler()
            else:
                self.set_state(peer, RINGING)
            self.queues.device_changed(peer.device)

    def on_answer(self, ch: EChannel, handler: Callable[[], None]) -> None:
        self._answer_handlers[ch.name] = handler

    def on_ringing(self, ch: EChannel, handler: Callable[[], None]) -> None:
        self._ring_handlers[ch.name] = handler

    def on_hangup_request(self, ch: EChannel, handler: Callable[[], None] | None) -> None:
        """Run `handler` when `ch` is asked to hang up by its Local peer (before it does)."""
        if handler is None:
            self._request_handlers.pop(ch.name, None)
        else:
            self._request_handlers[ch.name] = handler

    def on_hangup(self, ch: EChannel, handler: Callable[[], None]) -> None:
        self._hangup_handlers[ch.name] = handler

    # -- hangup ----------------------------------------------------------------------------------

    def media(self, ch: EChannel | None, settle: float = 0.02) -> None:
        """A media frame reaches `ch`: ends the wait of an Answer() on it, which goes on
        `settle` s later (20 ms after music in b1, at once after a DTMF frame in e5)."""
        if ch is not None and ch.variables.pop("__awaiting_media", None) is not None:
            ch.variables["__media_settle"] = str(settle)
            ch.interrupt.set()

    def request_peer_hangup(self, ch: EChannel, cause: int) -> None:
        """HangupRequest to the Local peer of `ch` (which then hangs up), `ch` staying."""
        peer = ch.peer
        if peer is None or peer.hungup or peer.soft_hangup:
            return
        peer.soft_hangup = True
        peer.hangup_cause = cause
        self.emit("HangupRequest", "call,all", [*peer.snapshot(), ("Cause", str(cause))])
        peer.interrupt.set()

    def hangup(self, ch: EChannel, cause: int = 16, *, soft: bool = True, soft_cause: int = 16
               ) -> None:
        """Hang `ch` up now: [SoftHangupRequest], HangupRequest to its Local peer, leave
        its bridge, Hangup, Cdr; then the peer follows (bridged peers at once, peers
        running dialplan when their task wakes up)."""
        if ch.hungup:
            return
        ch.hungup = True
        if soft:
            self.emit("SoftHangupRequest", "call,all",
                      [*ch.snapshot(), ("Cause", str(soft_cause))])
        peer = ch.peer
        for side in (peer, ch):
            pending = side.variables.pop("__dtmf_end", None) if side is not None else None
            if side is not None and pending is not None:
                digit, _, duration = pending.partition(",")
                self.emit("DTMFEnd", "dtmf,all", [*side.snapshot(), ("Digit", digit),
                                                 ("DurationMs", duration),
                                                 ("Direction", "Received")])
        if peer is not None and not peer.hungup and not peer.soft_hangup:
            peer.soft_hangup = True
            peer.hangup_cause = cause
            self.emit("HangupRequest", "call,all", [*peer.snapshot(), ("Cause", str(cause))])
            on_request = self._request_handlers.pop(peer.name, None)
            if on_request is not None:
                on_request()
        if ch.bridge is not None:
            if cause == 0 and ch.devcat:
                cause = 16  # kicked out of its bridge: channel_set_cause (bridge_channel.c)
            self.leave_bridge(ch)
        if ch.devcat and ch.answered is not None:
            self.rtp_stats(ch)  # chan_pjsip_hangup, for a hangup from our side
        self.emit("Hangup", "call,all",
                  [*ch.snapshot(), ("Cause", str(cause)), ("Cause-txt", CAUSE_TXT.get(cause, ""))])
        self.channels.pop(ch.name, None)
        self._answer_handlers.pop(ch.name, None)
        self._ring_handlers.pop(ch.name, None)
        if ch.devcat:
            self.trunk.forget(ch)
        if self.cdr_events and not (ch.dialed and ch.half == 1):
            default = "ANSWERED" if ch.answered else "FAILED" if cause == 0 else "NO ANSWER"
            for disposition in ch.cdr_rows or [default]:
                self.cdr(ch, disposition)
        if ch.half == 2 and "__cid_on_hangup" in ch.variables:
            del ch.variables["__cid_on_hangup"]
            # A connected-line update queued on the ;1 half reaches ;2 as a caller-ID
            # change, processed only when ;2 leaves its Wait (d2).
            self.set_caller_id(ch, ch.cid_num, ch.cid_name)
        ch.interrupt.set()
        if ch.watch is not None:
            ch.watch.set()
        for spy in ch.spies:
            spy.interrupt.set()
        handler = self._hangup_handlers.pop(ch.name, None)
        if handler is not None:
            handler()
        if peer is not None and not peer.hungup and peer.soft_hangup:
            if "__ejected" in peer.variables:
                pass  # put out of its bridge by the Hangup action; its Dial() ends it
            elif peer.task is None or peer.task.done():
                self.hangup(peer, cause, soft=False)
            else:
                peer.interrupt.set()
        if ch.devcat:
            self.devices.untrack(ch)
        elif ch.half != 1:
            self.device_state(ch.device, "NOT_INUSE")
            if peer is not None:
                self.device_state(peer.device, "NOT_INUSE")
        self.queues.device_changed(ch.device)

    def cdr(self, ch: EChannel, disposition: str) -> None:
        if not self.cdr_events:
            return
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
        answer = stamp if ch.answered else ""
        dur = int((time.monotonic() - ch.created) * self.speed)
        bill = int((time.monotonic() - ch.answered) * self.speed) if ch.answered else 0
        cid = f'"{ch.cid_name if ch.cid_name != "<unknown>" else ""}" <{ch.cid_num if ch.cid_num != "<unknown>" else ""}>'  # noqa: E501
        self.emit(
            "Cdr",
            "cdr,all",
            [
                ("AccountCode", ""),
                ("Source", ch.cid_num if ch.cid_num != "<unknown>" else ""),
                ("Destination", ch.exten),
                ("DestinationContext", ch.context),
                ("CallerID", cid),
                ("Channel", ch.name),
                ("DestinationChannel", ch.variables.get("__dest", "")),
                ("LastApplication", ch.app),
                ("LastData", ch.app_data),
                ("StartTime", stamp),
                ("AnswerTime", answer),
                ("EndTime", stamp),
                ("Duration", str(dur)),
                ("BillableSeconds", str(bill)),
                ("Disposition", disposition),
                ("AMAFlags", "DOCUMENTATION"),
                ("UniqueID", ch.uniqueid),
                ("UserField", ""),
            ],
        )

    # -- bridges -------------------------------------------------------------------------------

    def new_bridge(self) -> EBridge:
        bridge = EBridge(str(uuid.uuid4()))
        self.bridges[bridge.uniqueid] = bridge
        self.emit("BridgeCreate", "call,all", bridge.snapshot())
        return bridge

    def enter_bridge(self, bridge: EBridge, ch: EChannel, swap: EChannel | None = None) -> None:
        ch.bridge = bridge
        bridge.members.append(ch)
        extra = [("SwapUniqueid", swap.uniqueid)] if swap is not None else []
        self.emit("BridgeEnter", "call,all", [*bridge.snapshot(), *ch.snapshot(), *extra])
        ch.interrupt.set()
        if ch.watch is not None:
            ch.watch.set()
        peer = ch.peer
        if (peer is not None and peer.bridge is not None and peer.bridge is not bridge
                and len(bridge.members) == 2 and len(peer.bridge.members) == 2
                and "__optimising" not in ch.variables):
            ch.variables["__optimising"] = peer.variables["__optimising"] = "1"
            self.spawn(self._optimise(ch if ch.half == 1 else peer,
                                      peer if ch.half == 1 else ch), f"emu-optimise-{ch.name}")

    def _media_flows(self, bridges: list[EBridge]) -> bool:
        """Asterisk optimises a Local pair away only once audio passes (d3: a caller
        playing music); without media it never did."""
        for bridge in bridges:
            for member in bridge.members:
                if member.moh or (member.peer is not None and member.peer.moh):
                    return True
        return False

    async def _optimise(self, one: EChannel, two: EChannel) -> None:
        """Local channel optimisation (d3): the party bridged with ;1 takes ;2's place in
        ;2's bridge; the pair hangs up; ;1's bridge goes."""
        await self.sleep(0.04)
        a, b = one.bridge, two.bridge
        if a is None or b is None or len(a.members) != 2 or len(b.members) != 2:
            return
        if one.hungup or two.hungup or not self._media_flows([a, b]):
            return
        source = next(m for m in a.members if m is not one)
        opt_id = str(next(self._local_opt))
        self.emit("LocalOptimizationBegin", "call,all", [
            *one.snapshot("LocalOne"), *two.snapshot("LocalTwo"), *source.snapshot("Source"),
            ("DestUniqueId", two.uniqueid), ("Id", opt_id)])
        a.members.remove(source)
        source.bridge = None
        self.emit("BridgeLeave", "call,all", [*a.snapshot(), *source.snapshot()])
        self.setvar(two, "BRIDGEPEER", "")
        b.members.remove(two)
        two.bridge = None
        two.variables["__swapped"] = "1"
        self.emit("BridgeLeave", "call,all", [*b.snapshot(), *two.snapshot()])
        self.enter_bridge(b, source, swap=two)
        self.bridge_peers(b)
        self.setvar(one, "BRIDGEPEER", "")
        self.emit("LocalOptimizationEnd", "call,all", [
            *one.snapshot("LocalOne"), *two.snapshot("LocalTwo"), ("Success", "Yes"),
            ("Id", opt_id)])
        # The source's Dial now follows the bridge it was moved into.
        watcher = self._bridge_watchers.pop(a.uniqueid, None)
        if watcher is not None:
            self._bridge_watchers[b.uniqueid] = watcher
        self.hangup(one, 16, soft=False)
        self.destroy_bridge(a)

    def bridge_peers(self, bridge: EBridge) -> None:
        """BRIDGEPEER, and BRIDGEPVTCALLID when the peer is a SIP channel, for each member
        of a two-party bridge (set_bridge_peer_vars_2party, main/bridge.c)."""
        if len(bridge.members) == 2:
            a, b = bridge.members
            self.setvar(a, "BRIDGEPEER", b.name)
            if b.call_id:
                self.setvar(a, "BRIDGEPVTCALLID", b.call_id)
            self.setvar(b, "BRIDGEPEER", a.name)
            if a.call_id:
                self.setvar(b, "BRIDGEPVTCALLID", a.call_id)

    def leave_bridge(self, ch: EChannel) -> None:
        bridge = ch.bridge
        if bridge is None:
            return
        if len(bridge.members) == 2:
            for member in sorted(bridge.members, key=lambda m: m is not ch):
                self.setvar(member, "BRIDGEPEER", "")
                if member.variables.get("BRIDGEPVTCALLID"):
                    self.setvar(member, "BRIDGEPVTCALLID", "")
        bridge.members.remove(ch)
        ch.bridge = None
        if ch.soft_hangup and ch.devcat and ch.hangup_cause == 0:
            ch.hangup_cause = 16  # main/bridge_channel.c channel_set_cause
        ch.interrupt.set()
        if ch.watch is not None:
            ch.watch.set()
        self.emit("BridgeLeave", "call,all", [*bridge.snapshot(), *ch.snapshot()])
        watcher = self._bridge_watchers.get(bridge.uniqueid)
        if watcher is not None:
            watcher(ch)

    def watch_bridge(self, bridge: EBridge, watcher: Callable[[EChannel], None]) -> None:
        self._bridge_watchers[bridge.uniqueid] = watcher

    def destroy_bridge(self, bridge: EBridge) -> None:
        if self.bridges.pop(bridge.uniqueid, None) is None:
            return
        self._bridge_watchers.pop(bridge.uniqueid, None)
        self.emit("BridgeDestroy", "call,all", bridge.snapshot())

    def bridge_channels(self, a: EChannel, b: EChannel) -> None:
        """The `Bridge` action: both leave their dialplan for a new basic bridge; when
        one leaves, the other is put out too and goes on at its next priority."""
        bridge = self.new_bridge()
        b.linkedid = a.linkedid
        b.dialed = True  # its CDR is folded into the first channel's (d2: no row for it)
        self.enter_bridge(bridge, a)
        self.enter_bridge(bridge, b)
        self.bridge_peers(bridge)
        self.set_connected(b, a.cid_num, a.cid_name)
        self.set_connected(a, b.cid_num, b.cid_name)
        for ch in (a, b):
            if ch.peer is not None:
                ch.peer.variables["__cid_on_hangup"] = "1"

        def left(gone: EChannel) -> None:
            for other in list(bridge.members):
                self.leave_bridge(other)
            self.destroy_bridge(bridge)

        self.watch_bridge(bridge, left)

    # -- originate ---------------------------------------------------------------------------------

    async def originate(self, req: OriginateRequest, respond: Callable[[Pairs], None]) -> None:
        """Run an Originate of a Local channel; `respond` gets the OriginateResponse fields."""
        tech, _, rest = req.channel.partition("/")
        if tech == "PJSIP":
            from callcenter.emulator.phones import originate_pjsip

            await originate_pjsip(self, req, respond)
            return
        exten, _, context = rest.partition("@")
        if tech != "Local" or not exten or not context:
            respond(self._originate_failure(req))
            return
        uid2 = req.other_channel_id or (req.channel_id + ";2" if req.channel_id else "")
        one, two = self.new_local(exten, context, uid1=req.channel_id, uid2=uid2)
        self.newexten(one, "AppDial2", "(Outgoing Line)")
        if not self.dialplan.has_exten(context, exten):
            self._originate_no_context(req, one, two, respond)
            return
        for name, value in req.variables:
            self.setvar(one, name, value)
        if req.caller_id is not None:
            self.set_caller_id(one, *req.caller_id)
            self.set_connected(one, *req.caller_id)
        for name, value in req.variables:
            self.setvar(two, name, value)
        if req.caller_id is not None:
            self.set_caller_id(two, *req.caller_id)
            self.set_connected(two, *req.caller_id)
        self.local_bridge(one, two)
        self.emit("DialBegin", "call,all",
                  [*one.snapshot("Dest"), ("DialString", f"{exten}@{context}")])
        answered = asyncio.Event()

        def on_ringing() -> None:
            self.set_state(one, RINGING)
            self.emit("DialState", "call,all", [*one.snapshot("Dest"), ("DialStatus", "RINGING")])

        def on_answer() -> None:
            self.emit("DialEnd", "call,all", [*one.snapshot("Dest"), ("DialStatus", "ANSWER")])
            self.device_state(one.device, "INUSE")
            self.device_state(two.device, "INUSE")
            answered.set()

        self.on_ringing(one, on_ringing)
        self.on_answer(one, on_answer)
        two.task = self.spawn(self.dialplan.run(two), f"emu-{two.name}")
        if not await self.wait_event(answered, req.timeout):
            self.emit("DialEnd", "call,all", [*one.snapshot("Dest"), ("DialStatus", "NOANSWER")])
            respond(self._response_pairs(req, one, "Failure", 3))
            self.hangup(one, 16, soft=False)
            return
        self.processed_calls += 1
        respond(self._response_pairs(req, one, "Success", 4))
        if req.application:
            # The application runs on the ;1 half outside any dialplan (no Newexten);
            # when it returns the channel is hung up with cause 0 (e4).
            one.task = asyncio.current_task()
            one.app, one.app_data = req.application, req.data
            await self.dialplan.execute(one, req.application, req.data)
            if not one.hungup:
                # Cause 0 when the application returned (also when the Hangup action
                # made it return), the requested one when the far half hung up (e4, e5).
                far = one.soft_hangup and "__ami_hangup" not in one.variables
                self.hangup(one, one.hangup_cause if far else 0, soft=False)
        else:
            one.context, one.exten, one.priority = req.context, req.exten, req.priority
            one.task = asyncio.current_task()
            await self.dialplan.run(one)

    async def wait_event(self, event: asyncio.Event, seconds: float) -> bool:
        try:
            await asyncio.wait_for(event.wait(), max(0.0, seconds) / self.speed)
            return True
        except TimeoutError:
            return False

    def _response_pairs(self, req: OriginateRequest, one: EChannel, result: str, reason: int
                        ) -> Pairs:
        pairs: Pairs = [("Response", result), ("Channel", one.name)]
        if req.application:
            pairs += [("Application", req.application), ("Data", req.data)]
        else:
            pairs += [("Context", req.context), ("Exten", req.exten)]
        return [*pairs, ("Reason", str(reason)), ("Uniqueid", one.uniqueid),
                ("CallerIDNum", one.cid_num), ("CallerIDName", one.cid_name)]

    def _originate_failure(self, req: OriginateRequest) -> Pairs:
        pairs: Pairs = [("Response", "Failure"), ("Channel", req.channel)]
        if req.application:
            pairs += [("Application", req.application), ("Data", req.data)]
        else:
            pairs += [("Context", req.context), ("Exten", req.exten)]
        return [*pairs, ("Reason", "0"), ("Uniqueid", "<unknown>"),
                ("CallerIDNum", "<unknown>"), ("CallerIDName", "<unknown>")]

    def _originate_no_context(self, req: OriginateRequest, one: EChannel, two: EChannel,
                              respond: Callable[[Pairs], None]) -> None:
        # e4: the ;2 half cannot find its extension; the Originate fails, both halves go
        # with cause 0, and `failed` of the Originate context runs on a dummy channel.
        two.hungup = True
        self.cdr(two, "FAILED")
        respond(self._originate_failure(req))
        for ch in (two, one):
            ch.hungup = True
            self.channels.pop(ch.name, None)
            self.emit("Hangup", "call,all",
                      [*ch.snapshot(), ("Cause", "0"), ("Cause-txt", "Unknown")])
        if req.context and self.dialplan.has_exten(req.context, "failed"):
            dummy = self.new_channel("OutgoingSpoolFailed", req.context, "failed")
            self.setvar(dummy, "REASON", "0")
            dummy.task = self.spawn(self.dialplan.run(dummy), "emu-OutgoingSpoolFailed")
        one.app, one.app_data = "AppDial2", "(Outgoing Line)"
        self.cdr(one, "FAILED")

    # -- snapshot for tests and reconciliation ---------------------------------------------

    def live_view(self) -> dict[str, tuple[str, str | None]]:
        """Uniqueid -> (channel name, bridge id) of every live channel."""
        return {
            c.uniqueid: (c.name, c.bridge.uniqueid if c.bridge is not None else None)
            for c in self.channels.values()
        }
