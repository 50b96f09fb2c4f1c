"""Test helpers shipped with the package: read AMI transcripts and replay them.

* `load_transcript(path)` reads the JSONL capture format of
  `shared/fixtures/asterisk-ami/README.md`.
* `transcript_messages(records)` / `transcript_events(records)` decode the
  received side without a socket (decoding and fidelity tests).
* `TranscriptServer` is a TCP server on 127.0.0.1 that plays one transcript to a
  real client: it answers each action with what Asterisk sent, in the recorded
  order and (scaled) timing, rewriting the recorded ActionIDs into the client's.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from callcenter.ami.codec import FrameDecoder, Message, parse_frame
from callcenter.ami.events import NOISE_EVENTS, AmiEvent, decode_event

Direction = Literal["in", "out", "note"]


@dataclass(frozen=True, slots=True)
class Record:
    """One transcript line: `t` seconds since connect, direction, exact bytes (or note)."""

    t: float
    dir: Direction
    raw: str


def load_transcript(path: str | Path) -> list[Record]:
    """Read a JSONL transcript; notes keep their text in `raw`."""
    records: list[Record] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            obj = json.loads(line)
            raw = obj.get("raw", obj.get("text", ""))
            records.append(Record(float(obj["t"]), obj["dir"], raw))
    return records


def transcript_messages(records: list[Record]) -> Iterator[tuple[float, Message]]:
    """(t, message) for every received message after the banner, decoded by the codec."""
    decoder = FrameDecoder()
    for rec in records:
        if rec.dir != "in":
            continue
        for frame in decoder.feed(rec.raw.encode("utf-8")):
            if isinstance(frame, str):
                message = parse_frame(frame)
                if message is not None:
                    yield rec.t, message


def transcript_events(records: list[Record], *, noise: bool = False) -> Iterator[AmiEvent]:
    """Typed events of a transcript (`received_at` = the record's `t`); noise only if asked."""
    for t, message in transcript_messages(records):
        name = message.event
        if name is None or (not noise and name in NOISE_EVENTS):
            continue
        yield decode_event(message, t)


_ACTION_ID = re.compile(r"ActionID: ([^\r\n]*)")


def _headers(raw: str) -> dict[str, str]:
    message = parse_frame(raw.rstrip("\r\n"))
    return {} if message is None else message.headers


@dataclass
class TranscriptServer:
    """Play `records` to whoever connects to `127.0.0.1:<port>` (one connection at a time).

    Connection n plays `records` for n = 0 and `more[n - 1]` after (a restart is
    g1 then g3); connections beyond those get `records` again.
    `speed` divides the recorded gaps (10.0 plays ten times faster). `secret` is what
    a Login must prove (plain `Secret` or MD5 `Key` over the recorded challenge); a
    wrong one is still answered as recorded, but `auth_failures` counts it. Actions
    that the transcript does not expect get `Response: Error` (Ping gets a Pong),
    and are listed in `unexpected`.
    """

    records: list[Record]
    speed: float = 1.0
    secret: str = "ccsecret"
    port: int = 0
    more: list[list[Record]] = field(default_factory=list)
    connections: int = 0
    unexpected: list[str] = field(default_factory=list)
    received: list[dict[str, str]] = field(default_factory=list)
    auth_failures: int = 0
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    _server: asyncio.Server | None = None

    async def __aenter__(self) -> TranscriptServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        ids: dict[str, str] = {}
        challenge = ""
        n = self.connections
        self.connections += 1
        records = self.more[n - 1] if 0 < n <= len(self.more) else self.records
        closes = any(r.dir == "note" and "connection closed by server" in r.raw for r in records)
        last_t = 0.0
        decoder = FrameDecoder(expect_banner=False)
        frames: list[str] = []
        try:
            for rec in records:
                if rec.dir == "note":
                    continue
                if rec.dir == "in":
                    gap = max(0.0, rec.t - last_t) / self.speed
                    if gap > 0.0005:
                        await writer.drain()
                        await asyncio.sleep(gap)
                    last_t = rec.t
                    raw = _ACTION_ID.sub(
                        lambda m: "ActionID: " + ids.get(m.group(1), m.group(1)), rec.raw
                    )
                    if "Challenge: " in raw:
                        challenge = _headers(raw).get("Challenge", "")
                    writer.write(raw.encode("utf-8"))
                    continue
                expected = _headers(rec.raw)
                while True:
                    while not frames:
                        data = await reader.read(65536)
                        if not data:
                            return
                        frames.extend(f for f in decoder.feed(data) if isinstance(f, str))
                    got = _headers(frames.pop(0))
                    self.received.append(got)
                    if got.get("Action", "").lower() == expected.get("Action", "").lower():
                        break
                    self._answer_unexpected(writer, got)
                if "ActionID" in expected and "ActionID" in got:
                    ids[expected["ActionID"]] = got["ActionID"]
                if got.get("Action", "").lower() == "login" and not self._login_ok(got, challenge):
                    self.auth_failures += 1
                last_t = rec.t
            await writer.drain()
            if closes:
                return
            while True:
                data = await reader.read(65536)
                if not data:
                    return
                for f in decoder.feed(data):
                    if isinstance(f, str):
                        self._answer_unexpected(writer, _headers(f))
        except (ConnectionError, OSError):
            return
        finally:
            self.finished.set()
            writer.close()

    def _login_ok(self, got: dict[str, str], challenge: str) -> bool:
        if got.get("AuthType", "").lower() == "md5":
            key = hashlib.md5((challenge + self.secret).encode(), usedforsecurity=False)
            return got.get("Key") == key.hexdigest()
        return got.get("Secret") == self.secret

    def _answer_unexpected(self, writer: asyncio.StreamWriter, got: dict[str, str]) -> None:
        action = got.get("Action", "")
        aid = f"ActionID: {got['ActionID']}\r\n" if "ActionID" in got else ""
        if action.lower() == "ping":
            writer.write(f"Response: Success\r\n{aid}Ping: Pong\r\nTimestamp: 0.0\r\n\r\n".encode())
            return
        self.unexpected.append(action)
        writer.write(
            f"Response: Error\r\n{aid}Message: replay: transcript does not expect {action}\r\n"
            "\r\n".encode()
        )


__all__ = [
    "NOISE_EVENTS",
    "Record",
    "ScriptedAction",
    "TranscriptServer",
    "find_transcript",
    "fixtures_dir",
    "load_transcript",
    "pjsip_fixtures_dir",
    "transcript_actions",
    "transcript_events",
    "transcript_messages",
]


def fixtures_dir() -> Path:
    """The transcripts directory: `$CALLCENTER_AMI_FIXTURES`, else `../shared/fixtures/...`."""
    env = os.environ.get("CALLCENTER_AMI_FIXTURES")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "asterisk-ami"


def pjsip_fixtures_dir() -> Path:
    """The PJSIP transcripts (set h): `$CALLCENTER_AMI_PJSIP_FIXTURES`, else the
    `asterisk-ami-pjsip` folder beside `fixtures_dir()`."""
    env = os.environ.get("CALLCENTER_AMI_PJSIP_FIXTURES")
    if env:
        return Path(env)
    return fixtures_dir().parent / "asterisk-ami-pjsip"


def find_transcript(name: str) -> Path | None:
    """The transcript whose file name starts with `name` ("b1", or "h2" in the PJSIP
    set), or None."""
    folder = pjsip_fixtures_dir() if name.startswith("h") else fixtures_dir()
    matches = sorted(folder.glob(f"{name}-*.jsonl"))
    return matches[0] if matches else None


@dataclass(frozen=True, slots=True)
class ScriptedAction:
    """An action the capture driver sent: when, its name, its fields without ActionID."""

    t: float
    action: str
    fields: tuple[tuple[str, str], ...]
    had_action_id: bool


def transcript_actions(records: list[Record]) -> list[ScriptedAction]:
    """The actions of a transcript in order (Login and messages without `Action` included)."""
    out: list[ScriptedAction] = []
    for rec in records:
        if rec.dir != "out":
            continue
        message = parse_frame(rec.raw.rstrip("\r\n"))
        if message is None:
            continue
        fields = tuple(
            (k, v) for k, v in message.headers.items() if k not in ("Action", "ActionID")
        )
        out.append(
            ScriptedAction(rec.t, message.headers.get("Action", ""), fields,
                           "ActionID" in message.headers)
        )
    return out
