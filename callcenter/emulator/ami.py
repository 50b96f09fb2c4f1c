"""The AMI server of the emulator: sessions, login, event masks, and the actions.

Replies and event lists are formatted as Asterisk 22 formats them (see the
transcripts): `ActionID` right after `Response`, list items carrying the
ActionID (first for CoreShowChannel and DeviceStateChange items, last for the
others), `<Name>Complete` closing each list.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import random
import re
import time
import wave
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from callcenter.ami.codec import FrameDecoder, Message, encode_message, parse_frame
from callcenter.emulator.model import EXTENSION_STATE_TEXT, EChannel, Pairs, devstate_bucket
from callcenter.emulator.pbx import OriginateRequest, encode_event

if TYPE_CHECKING:
    from callcenter.emulator.server import Emulator

BANNER = b"Asterisk Call Manager/11.0.0\r\n"
_EVENT_CLASSES = ("system", "call", "log", "verbose", "command", "agent", "user", "config",
                  "dtmf", "reporting", "cdr", "dialplan", "originate", "agi", "cc", "aoc",
                  "test", "security", "message")


class Session:
    """One AMI connection to the emulator."""

    def __init__(self, emu: Emulator, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter) -> None:
        self.emu = emu
        self.pbx = emu.pbx
        self.reader = reader
        self.writer = writer
        self.logged_in = False
        self.username = ""
        self.events: set[str] | None = set(_EVENT_CLASSES)
        self.challenge = ""
        self.session_id = f"0x{random.randrange(1 << 44):x}"
        self.opened = time.time()
        peer = writer.get_extra_info("peername") or ("127.0.0.1", 0)
        self.remote = f"IPV4/TCP/{peer[0]}/{peer[1]}"
        self.closed = False

    # -- output --------------------------------------------------------------------------

    def deliver(self, event: str, privilege: str, data: bytes) -> None:
        if not self.logged_in or self.closed or self.events is None:
            return
        klass = privilege.split(",", 1)[0]
        if klass and klass not in self.events:
            return
        self.writer.write(data)

    def reply(self, message: Message, pairs: Pairs, status: str = "Success") -> None:
        head: Pairs = [("Response", status)]
        if "ActionID" in message.headers:
            head.append(("ActionID", message.headers["ActionID"]))
        self.writer.write(encode_message(head + pairs))

    def error(self, message: Message, text: str) -> None:
        self.reply(message, [("Message", text)], "Error")

    def own_event(self, event: str, privilege: str, pairs: Pairs) -> None:
        self.writer.write(encode_event(event, privilege, pairs))

    def send_list(self, message: Message, intro: str, items: list[tuple[str, Pairs]],
                  complete: str, *, id_first: bool = False, extra: Pairs | None = None) -> None:
        # Without an ActionID in the request there is none in the list either
        # (astman_send_listack, astman_send_list_complete_start in main/manager.c).
        aid: Pairs = [("ActionID", message.headers["ActionID"])] \
            if "ActionID" in message.headers else []
        self.reply(message, [("EventList", "start"), ("Message", intro)])
        for name, pairs in items:
            privilege = "Call" if name == "Status" else ""
            body = [*aid, *pairs] if id_first else [*pairs, *aid]
            self.writer.write(encode_event(name, privilege, body))
        tail: Pairs = [*aid, ("EventList", "Complete"),
                       ("ListItems", str(len(items))), *(extra or [])]
        self.writer.write(encode_event(complete, "", tail))

    def security(self, event: str, severity: str, version: str, account: str, extra: Pairs
                 ) -> Pairs:
        now = time.strftime("%Y-%m-%dT%H:%M:%S.000+0000", time.gmtime())
        return [
            ("EventTV", now), ("Severity", severity), ("Service", "AMI"),
            ("EventVersion", version), ("AccountID", account), ("SessionID", self.session_id),
            ("LocalAddress", f"IPV4/TCP/127.0.0.1/{self.emu.port}"),
            ("RemoteAddress", self.remote), *extra,
        ]

    # -- input -------------------------------------------------------------------------------

    async def run(self) -> None:
        self.writer.write(BANNER)
        decoder = FrameDecoder(expect_banner=False)
        try:
            while not self.closed:
                data = await self.reader.read(65536)
                if not data:
                    return
                for frame in decoder.feed(data):
                    if not isinstance(frame, str):
                        continue
                    message = parse_frame(frame)
                    if message is None:
                        continue
                    await self.emu.responsive.wait()
                    await self.handle(message)
                    if self.closed:
                        return
                await self.writer.drain()
        except (ConnectionError, OSError):
            return

    async def handle(self, message: Message) -> None:
        action = message.headers.get("Action")
        if action is None:
            self.error(message, "Missing action in request")
            self.bad_format("NONE")
            return
        key = action.lower()
        if not self.logged_in and key not in ("login", "challenge", "logoff", "ping"):
            self.error(message, "Authentication Required")
            return
        handler = HANDLERS.get(key)
        if key in QUEUE_ACTIONS and not self.pbx.app_queue:
            handler = None  # registered by app_queue, which is not loaded
        if handler is None:
            self.error(message, f"Invalid/unknown command: {action}. Use Action: ListCommands"
                                " to show available commands.")
            self.bad_format(action)
            return
        await handler(self, message)

    def bad_format(self, action: str) -> None:
        """The `RequestBadFormat` security event Asterisk sends to the offending session."""
        stamp = "%Y-%m-%dT%H:%M:%S.000+0000"
        self.own_event("RequestBadFormat", "security,all", [
            ("EventTV", time.strftime(stamp, time.gmtime())), ("Severity", "Error"),
            ("Service", "AMI"), ("EventVersion", "1"), ("SessionID", self.session_id),
            ("LocalAddress", f"IPV4/TCP/127.0.0.1/{self.emu.port}"),
            ("RemoteAddress", self.remote), ("RequestType", f"Action: {action}"),
            ("SessionTV", time.strftime(stamp, time.gmtime(self.opened))),
            ("AccountID", self.username),
        ])

    def close(self) -> None:
        self.closed = True
        self.pbx.listeners.discard(self)
        with contextlib.suppress(Exception):
            self.writer.close()


Handler = Callable[[Session, Message], Awaitable[None]]
HANDLERS: dict[str, Handler] = {}
QUEUE_ACTIONS = frozenset(("queueadd", "queueremove", "queuepause", "queuepenalty",
                           "queuememberringinuse", "queuelog", "queuestatus", "queuesummary"))
"""The actions apps/app_queue.c registers (load_module): unknown without app_queue."""


def action(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[name.lower()] = fn
        return fn

    return register


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


@action("Challenge")
async def _challenge(s: Session, m: Message) -> None:
    s.challenge = str(random.randrange(10**8, 10**9))
    s.reply(m, [("Challenge", s.challenge)])


@action("Login")
async def _login(s: Session, m: Message) -> None:
    h = m.headers
    user = h.get("Username", "")
    secret = s.emu.users.get(user)
    if secret is None:
        ok = False
    elif h.get("AuthType", "").lower() == "md5":
        expected = hashlib.md5((s.challenge + secret).encode(), usedforsecurity=False)
        ok = bool(s.challenge) and h.get("Key", "") == expected.hexdigest()
    else:
        ok = h.get("Secret") == secret
    if not ok:
        # Asterisk answers a failed login after about one second, then closes.
        event = "InvalidAccountID" if secret is None else "InvalidPassword"
        version = "1" if secret is None else "2"
        pairs = s.security(event, "Error", version, user,
                           [("SessionTV", "1970-01-01T00:00:00.000+0000")])
        s.pbx.emit(event, "security,all", pairs)
        await asyncio.sleep(1.0 / s.emu.auth_speed)
        s.error(m, "Authentication failed")
        with contextlib.suppress(ConnectionError, OSError):
            await s.writer.drain()
        s.close()
        return
    s.username = user
    events = h.get("Events")
    if events is not None and events.strip().lower() == "off":
        s.events = None
    s.reply(m, [("Message", "Authentication accepted")])
    s.logged_in = True
    s.pbx.listeners.add(s)
    up = str(s.pbx.uptime())
    if s.events is not None:
        s.own_event("FullyBooted", "system,all", [("Uptime", up), ("LastReload", up),
                                                 ("Status", "Fully Booted")])
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000+0000", time.gmtime())
    s.pbx.emit("SuccessfulAuth", "security,all", s.security(
        "SuccessfulAuth", "Informational", "1", user,
        [("UsingPassword", "0"), ("SessionTV", now)]))


@action("Logoff")
async def _logoff(s: Session, m: Message) -> None:
    s.reply(m, [("Message", "Thanks for all the fish.")], "Goodbye")
    with contextlib.suppress(ConnectionError, OSError):
        await s.writer.drain()
    s.close()


@action("Ping")
async def _ping(s: Session, m: Message) -> None:
    s.reply(m, [("Ping", "Pong"), ("Timestamp", f"{time.time():.6f}")])


@action("Events")
async def _events(s: Session, m: Message) -> None:
    mask = m.headers.get("EventMask", "on").strip().lower()
    if mask in ("off", "0", "no", "false"):
        s.events = None
        s.reply(m, [("Events", "Off")])
        return
    if mask in ("on", "all", "1", "yes", "true"):
        s.events = set(_EVENT_CLASSES)
    else:
        s.events = {x.strip() for x in mask.split(",") if x.strip()}
    s.reply(m, [("Events", "On")])


@action("Setvar")
async def _setvar(s: Session, m: Message) -> None:
    h = m.headers
    name = h.get("Channel")
    ch = s.pbx.find(name) if name else None
    if name and ch is None:
        s.error(m, "No such channel")
        return
    s.reply(m, [("Message", "Variable Set")])
    s.pbx.setvar(ch, h.get("Variable", ""), h.get("Value", ""))


@action("Getvar")
async def _getvar(s: Session, m: Message) -> None:
    h = m.headers
    name = h.get("Channel")
    var = h.get("Variable", "")
    if name:
        ch = s.pbx.find(name)
        if ch is None:
            s.error(m, "No such channel")
            return
        value = ch.variables.get(var, "")
    else:
        value = s.pbx.globals.get(var, "")
    s.reply(m, [("Variable", var), ("Value", value)])


@action("UserEvent")
async def _userevent(s: Session, m: Message) -> None:
    s.reply(m, [("Message", "Event Sent")])
    pairs = [(k, v) for k, v in m.headers.items() if k != "Action"]
    name = m.headers.get("UserEvent", "")
    rest = [(k, v) for k, v in pairs if k != "UserEvent"]
    s.pbx.emit("UserEvent", "user,all", [("UserEvent", name), *rest])


@action("Command")
async def _command(s: Session, m: Message) -> None:
    cli = m.headers.get("Command", "").strip()
    lines = s.emu.cli(cli)
    if lines is None:
        words = cli.split()
        s.reply(m, [("Message", "Command output follows"), ("Output", (
            f"No such command '{cli}' (type 'core show help {' '.join(words[:2])}'"
            " for other possible commands)"))], "Error")
        return
    s.reply(m, [("Message", "Command output follows"), *[("Output", line) for line in lines]])


@action("CoreStatus")
async def _corestatus(s: Session, m: Message) -> None:
    t = time.gmtime(s.emu.started_wall)
    s.reply(m, [
        ("CoreStartupDate", time.strftime("%Y-%m-%d", t)),
        ("CoreStartupTime", time.strftime("%H:%M:%S", t)),
        ("CoreReloadDate", time.strftime("%Y-%m-%d", t)),
        ("CoreReloadTime", time.strftime("%H:%M:%S", t)),
        ("CoreCurrentCalls", str(sum(1 for c in s.pbx.channels.values() if c.half != 2))),
        ("CoreProcessedCalls", str(s.pbx.processed_calls)),
    ])


@action("CoreSettings")
async def _coresettings(s: Session, m: Message) -> None:
    s.reply(m, [
        ("AMIversion", "11.0.0"), ("AsteriskVersion", "22.10.1"), ("SystemName", ""),
        ("CoreMaxCalls", "0"), ("CoreMaxLoadAvg", "0.000000"), ("CoreRunUser", ""),
        ("CoreRunGroup", ""), ("CoreMaxFilehandles", "0"), ("CoreRealTimeEnabled", "No"),
        ("CoreCDRenabled", "Yes"), ("CoreHTTPenabled", "No"), ("SoundsSearchCustomDir", "No"),
    ])


@action("ExtensionState")
async def _extstate(s: Session, m: Message) -> None:
    """action_extensionstate (main/manager.c): the hint and its extension state."""
    exten = m.get("Exten")
    if not exten:
        s.error(m, "Extension not specified")
        return
    context = m.get("Context") or "default"
    hint, status = s.pbx.extension_state(context, exten)
    s.reply(m, [("Message", "Extension Status"), ("Exten", exten), ("Context", context),
                ("Hint", hint), ("Status", str(status)),
                ("StatusText", EXTENSION_STATE_TEXT.get(status, "Unknown"))])


@action("DeviceStateList")
async def _devstates(s: Session, m: Message) -> None:
    """action_devicestatelist (res/res_manager_devicestate.c): every cached device state,
    in the order of the stasis cache's hash buckets (model.devstate_bucket)."""
    states = {**s.pbx.queues._device_cache, **s.pbx.devices.states}
    items = [("DeviceStateChange", [("Device", d), ("State", states[d])])
             for d in sorted(states, key=devstate_bucket)]
    s.send_list(m, "Device State Changes will follow", items, "DeviceStateListComplete",
                id_first=True)


@action("Originate")
async def _originate(s: Session, m: Message) -> None:
    h = m.headers
    cid = None
    if "CallerID" in h:
        text = h["CallerID"]
        if "<" in text:
            name, _, rest = text.partition("<")
            cid = (rest.rstrip(">").strip(), name.strip().strip('"'))
        else:
            cid = (text, "")
    variables = tuple(tuple(v.split("=", 1)) for v in m.values("Variable") if "=" in v)
    req = OriginateRequest(
        channel=h.get("Channel", ""),
        context=h.get("Context", ""),
        exten=h.get("Exten", ""),
        priority=int(h.get("Priority", "1") or 1),
        application=h.get("Application", ""),
        data=h.get("Data", ""),
        caller_id=cid,
        channel_id=h.get("ChannelId", ""),
        other_channel_id=h.get("OtherChannelId", ""),
        variables=variables,  # type: ignore[arg-type]
        timeout=float(h.get("Timeout", "30000") or 30000) / 1000.0,
        action_id=h.get("ActionID", ""),
        asynchronous=_flag(h.get("Async", "false")),
    )
    s.reply(m, [("Message", "Originate successfully queued")])
    aid = h.get("ActionID", "")

    def respond(pairs: Pairs) -> None:
        if not req.asynchronous:
            return  # a synchronous Originate has only its Response (sent above)
        head: Pairs = [("ActionID", aid)] if aid else []
        s.pbx.emit("OriginateResponse", "call,all", head + pairs)

    s.pbx.spawn(s.pbx.originate(req, respond), f"emu-originate-{aid or id(req)}")


@action("Redirect")
async def _redirect(s: Session, m: Message) -> None:
    ch = s.pbx.find(m.get("Channel"))
    if ch is None:
        s.error(m, "Channel specified does not exist")
        return
    s.reply(m, [("Message", "Redirect successful")])
    ch.redirect_to = (m.get("Context"), m.get("Exten"), int(m.get("Priority") or 1))
    if ch.bridge is not None:
        s.pbx.leave_bridge(ch)
    ch.interrupt.set()


def _hangup_cause(text: str) -> int:
    """ast_manager_hangup_helper: a Cause of 1..127 is set on the channel; none, or an
    invalid one, sets nothing (0)."""
    text = text.strip()
    return int(text) if text.isdigit() and 0 < int(text) <= 127 else 0


@action("Hangup")
async def _hangup(s: Session, m: Message) -> None:
    name = m.get("Channel")
    if not name:
        s.error(m, "No channel specified")
        return
    if name.startswith("/"):
        await _hangup_regex(s, m, name)
        return
    ch = s.pbx.find(name)
    if ch is None:
        s.error(m, "No such channel")
        return
    s.reply(m, [("Message", "Channel Hungup")])
    _hangup_channel(s, ch, _hangup_cause(m.get("Cause")))


async def _hangup_regex(s: Session, m: Message, name: str) -> None:
    """`Channel: /regex/`: every channel whose name matches, in the container's order,
    each reported as `ChannelHungup` (ast_manager_hangup_helper, main/manager.c; h7)."""
    if len(name) < 2 or not name.endswith("/"):
        s.error(m, "Regex format invalid, Channel param should be /regex/")
        return
    try:
        pattern = re.compile(name[1:-1])
    except re.error:
        s.error(m, f"Regex compile failed on: {name}")
        return
    aid: Pairs = [("ActionID", m.headers["ActionID"])] if "ActionID" in m.headers else []
    s.reply(m, [("EventList", "start"), ("Message", "Channels hung up will follow")])
    cause = _hangup_cause(m.get("Cause"))
    matched = 0
    for ch in s.pbx.listed():
        if ch.hungup or pattern.search(ch.name) is None:
            continue
        _hangup_channel(s, ch, cause)
        matched += 1
        s.own_event("ChannelHungup", "", [("Channel", ch.name), *aid])
    s.own_event("ChannelsHungupListComplete", "", [*aid, ("EventList", "Complete"),
                                                   ("ListItems", str(matched))])


def _hangup_channel(s: Session, ch: EChannel, requested: int) -> None:
    # A Local channel keeps the emulator's cause 16 (the Local-channel captures); on a SIP
    # channel no Cause means none is set: its Hangup says 0 (h1, h4).
    cause = requested or (0 if ch.devcat else 16)
    # A channel running dialplan (or an application that owns its bridge: Queue, Dial)
    # is asked to hang up and does so after the application's cleanup; one suspended
    # in a bridge made by the Bridge action, or a dialled leg, goes at once (d2, e2).
    owns = ch.bridge is None or "__app_bridge" in ch.variables
    if ch.task is not None and not ch.task.done() and owns:
        ch.soft_hangup = True
        ch.hangup_cause = cause
        ch.variables["__ami_hangup"] = "1"
        ch.interrupt.set()
    elif ch.task is None and ch.dialed and ch.bridge is not None and "__dial_leg" in ch.variables:
        # A leg called by Dial(): put out of the bridge now; Dial hangs it up at its end.
        ch.soft_hangup = True
        ch.variables["__ejected"] = "1"
        s.pbx.leave_bridge(ch)
        s.pbx.request_peer_hangup(ch, cause or 16)
    else:
        s.pbx.hangup(ch, cause, soft=False)


@action("Bridge")
async def _bridge(s: Session, m: Message) -> None:
    a = s.pbx.find(m.get("Channel1"))
    b = s.pbx.find(m.get("Channel2"))
    if a is None or b is None:
        s.error(m, f"Channel2 does not exist: {m.get('Channel2')}" if a else
                f"Channel1 does not exist: {m.get('Channel1')}")
        return
    s.reply(m, [("Message", "Channels have been bridged")])
    s.pbx.bridge_channels(a, b)


@action("QueueAdd")
async def _queueadd(s: Session, m: Message) -> None:
    err = s.pbx.queues.add(m.get("Queue"), m.get("Interface"), m.get("MemberName"),
                           m.get("StateInterface"), int(m.get("Penalty") or 0),
                           _flag(m.get("Paused")), m.get("Reason"))
    if err:
        s.error(m, err)
    else:
        s.reply(m, [("Message", "Added interface to queue")])


@action("QueueRemove")
async def _queueremove(s: Session, m: Message) -> None:
    err = s.pbx.queues.remove(m.get("Queue"), m.get("Interface"))
    if err:
        s.error(m, err)
    else:
        s.reply(m, [("Message", "Removed interface from queue")])


@action("QueuePause")
async def _queuepause(s: Session, m: Message) -> None:
    paused = _flag(m.get("Paused"))
    qs = s.pbx.queues
    if not any(mm.interface == m.get("Interface") for q in qs.queues.values()
               if not m.get("Queue") or q.name == m.get("Queue") for mm in q.members):
        s.error(m, "Interface not found")
        return
    s.reply(m, [("Message", f"Interface {'paused' if paused else 'unpaused'} successfully")])
    qs.pause(m.get("Queue"), m.get("Interface"), paused, m.get("Reason"))


@action("QueuePenalty")
async def _queuepenalty(s: Session, m: Message) -> None:
    qs = s.pbx.queues
    if not any(mm.interface == m.get("Interface") for q in qs.queues.values() for mm in q.members):
        s.error(m, "Invalid interface, queuename or penalty")
        return
    s.reply(m, [("Message", "Interface penalty set successfully")])
    qs.penalty(m.get("Queue"), m.get("Interface"), int(m.get("Penalty") or 0))


@action("QueueMemberRingInUse")
async def _ringinuse(s: Session, m: Message) -> None:
    qs = s.pbx.queues
    if not any(mm.interface == m.get("Interface") for q in qs.queues.values() for mm in q.members):
        s.error(m, "Invalid interface, queuename, or ringinuse value")
        return
    s.reply(m, [("Message", "Interface ringinuse set successfully")])
    qs.ringinuse(m.get("Queue"), m.get("Interface"), _flag(m.get("RingInUse")))


@action("QueueLog")
async def _queuelog(s: Session, m: Message) -> None:
    s.reply(m, [("Message", "Event added successfully")])


@action("QueueStatus")
async def _queuestatus(s: Session, m: Message) -> None:
    items = s.pbx.queues.status_items(m.get("Queue"), m.get("Member"))
    s.send_list(m, "Queue status will follow", items, "QueueStatusComplete")


@action("QueueSummary")
async def _queuesummary(s: Session, m: Message) -> None:
    items = s.pbx.queues.summary_items(m.get("Queue"))
    s.send_list(m, "Queue summary will follow", items, "QueueSummaryComplete")


def _duration(seconds: float) -> str:
    n = int(seconds)
    return f"{n // 3600:02d}:{n % 3600 // 60:02d}:{n % 60:02d}"


@action("CoreShowChannels")
async def _coreshowchannels(s: Session, m: Message) -> None:
    # action_coreshowchannels (main/manager.c) walks the snapshot cache by name: the
    # channel container's hash order (Pbx.listed), the snapshot's appl "" when unset.
    now = time.monotonic()
    items = [("CoreShowChannel", [
        *c.snapshot(), ("Application", c.app), ("ApplicationData", c.app_data),
        ("Duration", _duration((now - c.created) * s.pbx.speed)),
        ("BridgeId", c.bridge.uniqueid if c.bridge else ""),
    ]) for c in s.pbx.listed()]
    s.send_list(m, "Channels will follow", items, "CoreShowChannelsComplete", id_first=True)


def _formats(c: EChannel) -> Pairs:
    """Codec fields of `Status`: ulaw for SIP (h2; slin written through a translator while
    music plays), signed linear for Local channels (e2)."""
    if not c.devcat:
        return [("Nativeformats", "(slin)"), ("Readformat", "slin"), ("Readtrans", ""),
                ("Writeformat", "slin"), ("Writetrans", "")]
    write, trans = ("slin", "(slin@8000)->(ulaw@8000)") if c.moh else ("ulaw", "")
    return [("Nativeformats", "(ulaw)"), ("Readformat", "ulaw"), ("Readtrans", ""),
            ("Writeformat", write), ("Writetrans", trans)]


@action("ShowDialPlan")
async def _showdialplan(s: Session, m: Message) -> None:
    """As main/pbx.c `manager_show_dialplan`: one `ListDialplan` per priority (ActionID
    first, `Registrar: pbx_config`), `ShowDialPlanComplete` with the counts; an unknown
    context or extension is an error reply, no list. (The emulator's contexts have no
    includes, ignore patterns or switches, so none are listed.)"""
    context, exten = m.get("Context") or "", m.get("Extension") or ""
    aid = m.headers.get("ActionID", "")
    items: list[Pairs] = []
    contexts = extensions = 0
    found_context = found_exten = False
    for name, extens in s.pbx.dialplan.contexts.items():
        if context and name != context:
            continue
        found_context = True
        contexts += 1
        for pattern, steps in extens.items():
            if exten and not _extension_matches(pattern, exten):
                continue
            found_exten = True
            extensions += 1
            for priority, step in enumerate(steps, 1):
                data = step.data if isinstance(step.data, str) else ""
                label: Pairs = [("ExtensionLabel", step.label)] if step.label else []
                items.append([("ActionID", aid), ("Context", name), ("Extension", pattern),
                              *label, ("Priority", str(priority)), ("Application", step.app),
                              ("AppData", data), ("Registrar", "pbx_config")])
    if context and not found_context:
        s.error(m, f"Did not find context {context}")
        return
    if exten and not found_exten:
        s.error(m, f"Did not find extension {exten}@{context}" if context else
                f"Did not find extension {exten} in any context")
        return
    s.reply(m, [("EventList", "start"), ("Message", "DialPlan list will follow")])
    for pairs in items:
        s.writer.write(encode_event("ListDialplan", "", pairs))
    s.writer.write(encode_event("ShowDialPlanComplete", "", [
        ("ActionID", aid), ("EventList", "Complete"), ("ListItems", str(len(items))),
        ("ListExtensions", str(extensions)), ("ListPriorities", str(len(items))),
        ("ListContexts", str(contexts))]))


def _extension_matches(pattern: str, exten: str) -> bool:
    """`ast_extension_match`: the interpreter's own matching, so a listing finds what a call
    would."""
    from callcenter.emulator.dialplan import _pattern

    return _pattern(pattern).match(exten) is not None


@action("Status")
async def _status(s: Session, m: Message) -> None:
    name = m.get("Channel")
    if name:
        ch = s.pbx.find(name)
        if ch is None:
            s.error(m, "No such channel")
            return
        chans = [ch]
    else:
        chans = s.pbx.listed()
    now = time.monotonic()
    items = []
    for c in chans:
        # generate_status (main/manager.c) prints ast_channel_appl/data with %s: a
        # channel with none (one pulled into Bridge() out of its Wait) shows "(null)".
        appl, data = (c.app, c.app_data) if c.app else ("(null)", "(null)")
        pairs: Pairs = [
            *c.snapshot(), ("Type", c.name.partition("/")[0]),
            ("DNID", c.variables.get("__dnid", "")),
            ("EffectiveConnectedLineNum", c.conn_num), ("EffectiveConnectedLineName", c.conn_name),
            ("TimeToHangup", "0"), ("BridgeID", c.bridge.uniqueid if c.bridge else ""),
            ("Application", appl), ("Data", data),
            *_formats(c), ("Callgroup", "0"), ("Pickupgroup", "0"),
            ("Seconds", str(int((now - c.created) * s.pbx.speed))),
        ]
        if _flag(m.get("AllVariables")):
            # Channel variables are kept newest first (a list with insertion at the head).
            pairs += [("Variable", f"{k}={v}") for k, v in reversed(c.variables.items())
                      if not k.startswith("__")]
        items.append(("Status", pairs))
    s.send_list(m, "Channel status will follow", items, "StatusComplete",
                extra=[("Items", str(len(items)))])


@action("MixMonitor")
async def _mixmonitor(s: Session, m: Message) -> None:
    ch = s.pbx.find(m.get("Channel"))
    if ch is None:
        s.error(m, "No such channel")
        return
    name = m.get("File")
    # An absolute file name is used as it is, else the monitor directory (app_mixmonitor).
    path = name if name.startswith("/") else "/var/spool/asterisk/monitor/" + name
    if name.startswith("/"):
        # No audio here: a small placeholder WAV, so that the engine's checksums, `callcenter
        # recordings verify|export|archive|purge` can be tested on real files (docs/recording.md).
        try:
            await asyncio.to_thread(_placeholder_recording, path, ch.uniqueid)
        except OSError as error:
            s.error(m, f"Cannot write {path}: {error}")  # not Asterisk's wording: ours
            return
    s.reply(m, [])
    s.pbx.setvar(ch, "MIXMONITOR_FILENAME", path)
    ch.variables["__mixmonitor"] = "1"
    s.pbx.emit("MixMonitorStart", "call,all", ch.snapshot())
    if ch.bridge is not None:
        s.pbx.bridge_peers(ch.bridge)  # the audiohook makes the bridge re-announce (e1)


def _placeholder_recording(path: str, uniqueid: str) -> None:
    """A 0.1 s silent 8 kHz mono WAV, its last bytes made unique by the channel's id."""
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    with wave.open(path, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(bytes(1600) + hashlib.sha256(uniqueid.encode()).digest())


@action("StopMixMonitor")
async def _stopmixmonitor(s: Session, m: Message) -> None:
    ch = s.pbx.find(m.get("Channel"))
    if ch is None or not ch.variables.pop("__mixmonitor", None):
        s.error(m, "Could not stop monitoring channel")
        return
    s.reply(m, [])  # Asterisk 22 answers a bare Success (e1)
    s.pbx.emit("MixMonitorStop", "call,all", ch.snapshot())
    if ch.bridge is not None:
        s.pbx.bridge_peers(ch.bridge)


@action("MixMonitorMute")
async def _mixmonitormute(s: Session, m: Message) -> None:
    ch = s.pbx.find(m.get("Channel"))
    if ch is None:
        s.error(m, "No such channel")
        return
    s.reply(m, [])
    s.pbx.emit("MixMonitorMute", "call,all", [*ch.snapshot(), ("Direction", m.get("Direction")),
                                              ("State", m.get("State"))])


@action("PlayDTMF")
async def _playdtmf(s: Session, m: Message) -> None:
    """As Asterisk 22 did with Local channels (e5): towards the channel, the reply comes
    after the tone, the far half reports the digit's start twice and its end only when
    the call ends; with `Receive: true` only an end, on the channel itself."""
    pbx = s.pbx
    ch = pbx.find(m.get("Channel"))
    if ch is None:
        s.error(m, "No such channel specified")
        return
    digit = m.get("Digit")
    duration = int(m.get("Duration") or 250)
    if _flag(m.get("Receive")):
        s.reply(m, [("Message", "DTMF successfully queued")])
        pbx.emit("DTMFEnd", "dtmf,all", [*ch.snapshot(), ("Digit", digit),
                                        ("DurationMs", str(duration)),
                                        ("Direction", "Received")])
        return
    await pbx.sleep(duration / 1000)
    s.reply(m, [("Message", "DTMF successfully queued")])
    target = ch.peer if ch.peer is not None else ch
    for n in range(2):
        pbx.emit("DTMFBegin", "dtmf,all", [*target.snapshot(), ("Digit", digit),
                                          ("Direction", "Received")])
        if n == 0:
            pbx.media(target, settle=0.0)
            await pbx.sleep(0.05)  # the far half's dialplan goes on in between (e5)
    target.variables["__dtmf_end"] = f"{digit},{duration}"


@action("SendText")
async def _sendtext(s: Session, m: Message) -> None:
    s.reply(m, [("Message", "Success")])
