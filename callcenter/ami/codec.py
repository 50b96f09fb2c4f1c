"""The AMI wire codec: split the byte stream into frames, parse frames, encode actions.

Wire format (Asterisk `main/manager.c`, `astman_append`/`send_string`): the banner
`Asterisk Call Manager/<version>\r\n` (one CRLF, no blank line), then messages of
`Key: Value\r\n` lines ended by an empty line. A key may repeat (`Output:` of
`Command`, `ChanVariable:`), so a `Message` keeps the first value in `headers`
and every value of a repeated key in `repeats`.

Robustness: a frame longer than `max_frame` bytes is discarded (memory per frame
is bounded, also while no terminator has arrived), invalid UTF-8 is replaced,
and lines without a colon are dropped; none of this raises.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from callcenter.ami.errors import AmiProtocolError

BANNER_PREFIX = "Asterisk Call Manager/"
_BANNER_PREFIX_B = BANNER_PREFIX.encode()
_TERMINATOR = b"\r\n\r\n"
DEFAULT_MAX_FRAME = 256 * 1024


@dataclass(slots=True)
class Message:
    """One AMI message: headers in wire order (first value of each key) plus repeats."""

    headers: dict[str, str]
    repeats: dict[str, list[str]] | None = None

    @property
    def event(self) -> str | None:
        """The `Event:` name, if this is an event (checked before `Response:`)."""
        return self.headers.get("Event")

    @property
    def response(self) -> str | None:
        """The `Response:` value of a reply; None for events (OriginateResponse has one)."""
        if "Event" in self.headers:
            return None
        return self.headers.get("Response")

    @property
    def action_id(self) -> str | None:
        return self.headers.get("ActionID")

    def get(self, key: str, default: str = "") -> str:
        return self.headers.get(key, default)

    def values(self, key: str) -> list[str]:
        """Every value of `key` in wire order (e.g. each `Output:` line of a Command)."""
        if self.repeats is not None and key in self.repeats:
            return list(self.repeats[key])
        value = self.headers.get(key)
        return [] if value is None else [value]

    def field_names(self) -> list[str]:
        """Header names in wire order, repeats included (what fidelity tests compare)."""
        if self.repeats is None:
            return list(self.headers)
        names: list[str] = []
        for key in self.headers:
            names.extend([key] * len(self.repeats.get(key, (None,))))
        return names


@dataclass(frozen=True, slots=True)
class Banner:
    """The greeting line; `version` is the AMI protocol version (11.0.0 on Asterisk 22)."""

    version: str


@dataclass(frozen=True, slots=True)
class FrameError:
    """A frame that was discarded; `reason` says why, `size` how many bytes were dropped."""

    reason: str
    size: int


Frame = str | Banner | FrameError


@dataclass(slots=True)
class FrameDecoder:
    """Incremental splitter of the AMI byte stream into frames (text without the blank line).

    Memory is bounded by `max_frame`: a frame growing past it is reported as a
    `FrameError` and skipped up to the next terminator.
    """

    max_frame: int = DEFAULT_MAX_FRAME
    expect_banner: bool = True
    _buf: bytes = b""
    _skipping: bool = False
    _skipped: int = 0
    pending: list[Frame] = field(default_factory=list)

    def feed(self, data: bytes) -> list[Frame]:
        """Add received bytes; return the complete frames (and errors) found, in order."""
        buf = self._buf + data if self._buf else data
        out: list[Frame] = []
        start = 0
        if self.expect_banner:
            if len(buf) < len(_BANNER_PREFIX_B) and _BANNER_PREFIX_B.startswith(buf):
                self._buf = buf
                return out
            if buf.startswith(_BANNER_PREFIX_B):
                end = buf.find(b"\r\n")
                if end < 0:
                    if len(buf) > self.max_frame:
                        out.append(FrameError("banner line too long", len(buf)))
                        self.expect_banner = False
                        self._buf = b""
                        return out
                    self._buf = buf
                    return out
                line = buf[:end].decode("utf-8", "replace")
                out.append(Banner(line[len(BANNER_PREFIX) :].strip()))
                start = end + 2
            self.expect_banner = False
        if self._skipping:
            idx = buf.find(_TERMINATOR, start)
            if idx < 0:
                keep = buf[-3:]
                self._skipped += max(0, len(buf) - start - len(keep))
                self._buf = keep
                return out
            self._skipped += idx - start
            out.append(FrameError("frame exceeds the size limit", self._skipped))
            self._skipping = False
            self._skipped = 0
            start = idx + 4
        find = buf.find
        starts = buf.startswith
        limit = self.max_frame
        while True:
            while starts(b"\r\n", start):
                start += 2  # stray blank lines between messages
            idx = find(_TERMINATOR, start)
            if idx < 0:
                break
            if idx - start > limit:
                out.append(FrameError("frame exceeds the size limit", idx - start))
            elif idx > start:
                out.append(buf[start:idx].decode("utf-8", "replace"))
            start = idx + 4
        rest = buf[start:] if start else buf
        if len(rest) > limit:
            self._skipping = True
            self._skipped = len(rest) - 3
            rest = rest[-3:]
        self._buf = rest
        return out

    @property
    def buffered(self) -> int:
        """Bytes held while waiting for a terminator (never more than `max_frame`)."""
        return len(self._buf)


def parse_frame(text: str) -> Message | None:
    """Parse one frame into a `Message`; None when no line is a `Key: Value` header.

    Asterisk separates key and value with ": "; a bare ":" is accepted too. A bare
    LF line ending (seen from some proxies) is tolerated.
    """
    lines = text.split("\r\n")
    if "\n" in text:
        lines = text.splitlines()
    headers: dict[str, str] = {}
    repeats: dict[str, list[str]] | None = None
    for line in lines:
        key, sep, value = line.partition(": ")
        if not sep:
            key, sep, value = line.partition(":")
            if not sep or not key:
                continue
            value = value.lstrip(" ")
        if key in headers:
            if repeats is None:
                repeats = {}
            seen = repeats.get(key)
            if seen is None:
                repeats[key] = [headers[key], value]
            else:
                seen.append(value)
        else:
            headers[key] = value
    if not headers:
        return None
    return Message(headers, repeats)


def event_name_of(text: str) -> str | None:
    """The event name when the frame starts with `Event:`, without parsing the rest.

    Lets the client drop filtered noise (VarSet, Newexten) at the cost of one slice.
    """
    if text.startswith("Event: "):
        end = text.find("\r\n")
        return text[7:] if end < 0 else text[7:end]
    return None


Value = str | int | float | bool | Sequence[str]


def _render(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def encode_action(action: str, fields: Mapping[str, Value] | Iterable[tuple[str, Value]]) -> bytes:
    """Encode an action; sequence values repeat the key (e.g. several `Variable:`).

    Raises `AmiProtocolError` when a key or value holds CR/LF (header injection);
    the message names the key, never the value, which may be a secret.
    """
    parts = [f"Action: {action}\r\n"]
    items = fields.items() if isinstance(fields, Mapping) else fields
    for key, value in items:
        values: Sequence[str | int | float | bool] = (
            (value,) if isinstance(value, (str, int, float, bool)) else value
        )
        for one in values:
            text = _render(one)
            if "\r" in text or "\n" in text or "\r" in key or "\n" in key or ":" in key:
                raise AmiProtocolError(
                    f"action {action!r}: header {key!r} must be one line without ':' in its name"
                )
            parts.append(f"{key}: {text}\r\n")
    parts.append("\r\n")
    return "".join(parts).encode("utf-8")


def encode_message(pairs: Iterable[tuple[str, str]]) -> bytes:
    """Encode a server-side message (response or event) from ordered pairs."""
    return ("".join(f"{k}: {v}\r\n" for k, v in pairs) + "\r\n").encode("utf-8")
