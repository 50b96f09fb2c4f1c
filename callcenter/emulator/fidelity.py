"""Fidelity: run a transcript's actions against the emulator and compare the streams.

The one normalisation used everywhere (`normalise`) ignores what naturally differs
between two runs (unique ids, Linkedids, timestamps, bridge ids, Local `-0000000N`
suffixes, counters and durations) and keeps what must not: event names, field
names in order, and the values that carry meaning (`SEMANTIC_FIELDS`). Three views
are compared, because Asterisk interleaves the events of different channels
differently from one run to the next (thread scheduling; e.g. `Cdr` before or
after `Hangup`, `OriginateResponse` before or after the dialplan's first events):

* `key`: the README's noise-free sequence, in global order;
* `per_channel`: every event about one channel, in order;
* `counts`: how many of each normalised message (DeviceStateChange excepted: it
  depends on device-state caches warmed by earlier captures).

Events whose position is racy in Asterisk itself (`RACY_ORDER`: OriginateResponse,
SuccessfulAuth, Cdr, AgentComplete, BridgeDestroy) are compared by count only.

The PJSIP captures (set h, `PJSIP_SET`) are compared the same way, with three
differences: DeviceStateChange is counted (the emulator is set up in the state the
capture started from), ExtensionStatus is compared by count only (hint notifications
come from another thread than the channel's events: their place differed between runs),
and RTCPSent/RTCPReceived are left out (the emulator carries no RTP). A few more values
carry meaning there (device states, dial strings, AGI results, ...). `AgiReplay` plays the
FastAGI side of a capture (h7) against the emulator's AGI().
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from callcenter.ami.codec import FrameDecoder, Message, encode_action, parse_frame
from callcenter.ami.testing import Record, transcript_messages

README_NOISE = frozenset((
    "VarSet", "Newexten", "DeviceStateChange", "NewCallerid", "NewConnectedLine", "Cdr",
    "Newstate", "DialState", "LocalBridge", "SoftHangupRequest", "HangupRequest",
    "HangupRequest", "QueueMemberStatus",
))
RACY_ORDER = frozenset((
    "OriginateResponse", "SuccessfulAuth", "Cdr", "DeviceStateChange",
    # When the agent hangs up, app_queue's AgentComplete comes after the agent leg left
    # the bridge in b1 but before it in b3 and b4, and BridgeDestroy comes before the
    # caller's Hangup in b1 but after it in b3: compared by count only.
    "AgentComplete", "BridgeDestroy",
))
SEMANTIC_FIELDS = frozenset((
    "Response", "Message", "ChannelStateDesc", "DialStatus", "Cause", "Reason", "Queue",
    "Variable", "Application", "Context", "Exten", "Disposition", "EventList", "Status",
    "Restart", "Shutdown", "UserEvent", "Events", "Ping",
))


@dataclass(frozen=True, slots=True)
class Profile:
    """What one set of captures compares (see the module docstring)."""

    semantic: frozenset[str] = SEMANTIC_FIELDS
    racy: frozenset[str] = RACY_ORDER
    ignored: frozenset[str] = frozenset()
    count_device_states: bool = False


LOCAL_SET = Profile()
PJSIP_SET = Profile(
    semantic=SEMANTIC_FIELDS | {
        "Device", "State", "DialString", "ContactStatus", "PeerStatus", "Peer", "Hint",
        "StatusText", "ResultCode", "Result", "Command", "DeviceState", "ObjectType"},
    racy=RACY_ORDER | {"ExtensionStatus"},
    ignored=frozenset({"RTCPSent", "RTCPReceived"}),
    count_device_states=True,
)
_LOCAL = re.compile(r"-[0-9a-f]{8}(;[12])")
MIN_GAP = 0.01
CATCH_UP = 1.0
_FULL_NAME = re.compile(r"Local/[^,;\s]+-[0-9a-f]{8};[12]")

Signature = tuple[str, tuple[str, ...]]


def channel_label(name: str) -> str:
    """`Local/60@callers-0000000f;1` -> `Local/60@callers;1`."""
    return _LOCAL.sub(r"\1", name)


def signature(message: Message, profile: Profile = LOCAL_SET) -> Signature:
    """The normalised form of one message: its name and `field[=value]` list."""
    semantic = profile.semantic
    h = message.headers
    name = h.get("Event") or "Response"
    parts = []
    for key in message.field_names():
        if name == "AgentComplete" and key.startswith("Dest"):
            continue  # present only while the agent leg still exists: a race in Asterisk
        if key in semantic and key not in ("Event",):
            value = h.get(key, "")
            if key == "Message" and name == "Response":
                value = value.split(":")[0]
            if key == "Variable" and name == "Status":
                value = ""  # repeated NAME=value lines: values differ, names are listed
            parts.append(f"{key}={value}")
        else:
            parts.append(key)
    return name, tuple(parts)


@dataclass
class Normalised:
    key: list[Signature] = field(default_factory=list)
    per_channel: dict[str, list[Signature]] = field(default_factory=dict)
    counts: Counter[Signature] = field(default_factory=Counter)
    responses: list[Signature] = field(default_factory=list)


def normalise(messages: Iterable[Message], profile: Profile = LOCAL_SET) -> Normalised:
    out = Normalised()
    seen_names: dict[str, str] = {}
    label_count: Counter[str] = Counter()
    for message in messages:
        if message.headers.get("Event") in profile.ignored:
            continue
        sig = signature(message, profile)
        name = sig[0]
        if name == "Response":
            out.responses.append(sig)
            continue
        if name != "DeviceStateChange" or profile.count_device_states:
            out.counts[sig] += 1
        if name not in README_NOISE and name not in profile.racy:
            out.key.append(sig)
        if name in profile.racy:
            continue
        h = message.headers
        chan = h.get("Channel") or h.get("DestChannel") or h.get("LocalOneChannel")
        if chan is None or chan == "none":
            group = name if not name.startswith("QueueMember") else "member:" + (
                h.get("Queue", "") + h.get("Interface", ""))
        else:
            if chan not in seen_names:
                base = channel_label(chan)
                label_count[base] += 1
                seen_names[chan] = f"{base}#{label_count[base]}"
            group = seen_names[chan]
        out.per_channel.setdefault(group, []).append(sig)
    return out


def compare(expected: Normalised, got: Normalised) -> list[str]:
    """Human-readable differences (empty when the emulator reproduces the transcript)."""
    problems: list[str] = []
    if _runs_sorted(expected.key) != _runs_sorted(got.key):
        problems.append(_first_diff("key sequence", _runs_sorted(expected.key),
                                    _runs_sorted(got.key)))
    if expected.responses != got.responses:
        problems.append(_first_diff("responses", expected.responses, got.responses))
    for group in sorted(set(expected.per_channel) | set(got.per_channel)):
        a = expected.per_channel.get(group, [])
        b = got.per_channel.get(group, [])
        if a != b:
            problems.append(_first_diff(f"channel {group}", a, b))
    if expected.counts != got.counts:
        missing = expected.counts - got.counts
        extra = got.counts - expected.counts
        problems.append(f"counts: missing {dict(missing)} extra {dict(extra)}")
    return problems


def _runs_sorted(seq: list[Signature]) -> list[Signature]:
    """Sort within runs of one event name (e.g. the Hangups of a Local pair's two halves,
    which Asterisk emits in either order)."""
    out: list[Signature] = []
    run: list[Signature] = []
    for sig in seq:
        if run and sig[0] != run[0][0]:
            out.extend(sorted(run))
            run = []
        run.append(sig)
    out.extend(sorted(run))
    return out


def _first_diff(what: str, a: list[Signature], b: list[Signature]) -> str:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return f"{what}: at {i} expected {x} got {y}"
    return f"{what}: lengths {len(a)} vs {len(b)}; next expected " \
           f"{a[len(b)] if len(a) > len(b) else None} got {b[len(a)] if len(b) > len(a) else None}"


async def run_transcript(records: list[Record], host: str, port: int, speed: float,
                         control: object | None = None, *, secret: str = "ccsecret",
                         settle: float = 0.3,
                         on_note: Callable[[str], None] | None = None) -> list[Message]:
    """Replay the transcript's actions (same relative timing / `speed`) against a server;
    return every message received after the banner. `control` gets `core_stop(...)`
    calls for the CLI notes of g1/g2; `on_note(text)` is called at each other note's
    time (the PJSIP captures' notes say when a SIPp caller starts or a phone registers)."""
    reader, writer = await asyncio.open_connection(host, port)
    decoder = FrameDecoder()
    received: list[Message] = []
    names: dict[str, str] = {}
    expected_names: dict[str, str] = {}
    label_count: Counter[str] = Counter()
    for _t, message in transcript_messages(records):
        for value in message.headers.values():
            if _LOCAL.search(value) and value not in expected_names:
                base = channel_label(value)
                label_count[base] += 1
                expected_names[value] = f"{base}#{label_count[base]}"
    got_count: Counter[str] = Counter()
    challenge: list[str] = []
    closed = asyncio.Event()
    # How many key events the transcript had received before each of its actions: the
    # driver waits (up to CATCH_UP s) for the emulator to get there too, so that an
    # action the capture driver sent 1 ms after an answer is not sent before it.
    needed: list[int] = []
    note_needed: list[int] = []
    seen_key = 0
    for rec in records:
        if rec.dir == "out":
            needed.append(seen_key)
        elif rec.dir == "note":
            note_needed.append(seen_key)
        elif rec.dir == "in":
            frame = parse_frame(rec.raw.rstrip("\r\n"))
            if frame is not None and _is_key(frame):
                seen_key += 1
    key_count = [0]

    async def read() -> None:
        while True:
            try:
                data = await reader.read(65536)
            except (ConnectionError, OSError):
                data = b""
            if not data:
                closed.set()
                return
            for frame in decoder.feed(data):
                if not isinstance(frame, str):
                    continue
                message = parse_frame(frame)
                if message is None:
                    continue
                received.append(message)
                if _is_key(message):
                    key_count[0] += 1
                if "Challenge" in message.headers:
                    challenge.append(message.headers["Challenge"])
                for value in message.headers.values():
                    if _LOCAL.search(value) and value not in names.values():
                        base = channel_label(value)
                        got_count[base] += 1
                        names[f"{base}#{got_count[base]}"] = value

    reader_task = asyncio.create_task(read(), name="fidelity-reader")
    start = time.monotonic()
    shift = 0.0
    n_out = 0
    n_note = 0
    try:
        for rec in records:
            delay = start + shift + rec.t / speed - time.monotonic()
            if rec.dir == "note" and control is not None and "CLI: core" in rec.raw:
                # Let the server answer what was sent before the CLI command runs.
                await asyncio.sleep(max(delay, 0.05))
                restart = "restart" in rec.raw
                await control.core_stop(restart=restart)  # type: ignore[attr-defined]
                continue
            if rec.dir == "note":
                n_note += 1
            if rec.dir == "note" and on_note is not None:
                # As for an action: the note is acted on once the stream got as far.
                await asyncio.sleep(max(delay, 0.0))
                waited = time.monotonic()
                while key_count[0] < note_needed[n_note - 1] and \
                        time.monotonic() - waited < CATCH_UP:
                    await asyncio.sleep(0.002)
                shift += time.monotonic() - waited
                on_note(rec.raw)
                continue
            if rec.dir != "out":
                continue
            # Keep actions at least MIN_GAP apart, as the capture driver's were in real time
            # (Asterisk had acted on the previous one by then); the extra wait shifts all
            # later actions too, so that their timing relative to each other is kept.
            if delay < MIN_GAP:
                shift += MIN_GAP - delay
                delay = MIN_GAP
            await asyncio.sleep(delay)
            target = needed[n_out] if n_out < len(needed) else 0
            n_out += 1
            waited = time.monotonic()
            while key_count[0] < target and time.monotonic() - waited < CATCH_UP:
                await asyncio.sleep(0.002)
            shift += time.monotonic() - waited
            sent = parse_frame(rec.raw.rstrip("\r\n"))
            if sent is None:
                continue
            fields = []
            # Every value of a repeated header (several `Variable:` lines of an Originate).
            for key, value in ((k, v) for k in sent.headers for v in sent.values(k)):
                if key == "Action":
                    continue

                def rename(m: re.Match[str]) -> str:
                    label = expected_names.get(m.group(0))
                    return names.get(label, m.group(0)) if label is not None else m.group(0)

                value = _FULL_NAME.sub(rename, value)
                if key == "Key" and challenge:
                    value = hashlib.md5((challenge[-1] + secret).encode(),
                                        usedforsecurity=False).hexdigest()
                fields.append((key, value))
            action = sent.headers.get("Action")
            if action is None:
                writer.write("".join(f"{k}: {v}\r\n" for k, v in fields).encode() + b"\r\n")
            else:
                writer.write(encode_action(action, fields))
            await writer.drain()
            if action == "Challenge":
                async with asyncio.timeout(5):
                    while not challenge:
                        await asyncio.sleep(0.001)
            if action == "Login" and sent.headers.get("Secret", secret) != secret:
                await asyncio.wait_for(closed.wait(), 5)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(closed.wait(), settle + 2.0)
    finally:
        reader_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader_task
        writer.close()
    return received


def _is_key(message: Message) -> bool:
    name = message.headers.get("Event")
    return name is not None and name not in README_NOISE and name not in RACY_ORDER


def transcript_side(records: list[Record]) -> list[Message]:
    return [m for _t, m in transcript_messages(records)]


def agi_records(path: Path) -> list[tuple[str, str]]:
    """(dir, raw) of a FastAGI transcript (`agi/<name>.agi.jsonl` of the PJSIP set:
    `agi-in` from Asterisk, `agi-out` from the AGI server, `note`)."""
    return [(o["dir"], o["raw"]) for o in map(json.loads, path.read_text().splitlines())
            if o.get("dir")]


class AgiReplay:
    """A FastAGI server on 127.0.0.1 that sends a transcript's commands (`agi-out`) and
    collects what it is sent: the environment block, then one reply line per command.
    `done` is set when the session ends."""

    def __init__(self, records: list[tuple[str, str]]) -> None:
        self.commands = [raw for d, raw in records if d == "agi-out"]
        self.received: list[str] = []
        self.port = 0
        self._server: asyncio.Server | None = None
        self.done = asyncio.Event()

    async def __aenter__(self) -> AgiReplay:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            env = []
            while True:
                line = await reader.readline()
                env.append(line.decode())
                if line in (b"\n", b""):
                    break
            self.received.append("".join(env))
            for command in self.commands:
                writer.write(command.encode())
                await writer.drain()
                self.received.append((await reader.readline()).decode())
        finally:
            writer.close()
            self.done.set()
