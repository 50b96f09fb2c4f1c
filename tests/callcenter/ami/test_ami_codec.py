"""The wire codec against the transcripts and against hostile input."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from callcenter.ami.codec import (
    Banner,
    FrameDecoder,
    FrameError,
    encode_action,
    event_name_of,
    parse_frame,
)
from callcenter.ami.errors import AmiProtocolError
from callcenter.ami.testing import Record, fixtures_dir

Transcript = Callable[[str], list[Record]]


def _stream(transcript: Transcript, name: str) -> bytes:
    return "".join(r.raw for r in transcript(name) if r.dir == "in").encode()


@pytest.mark.parametrize("name", sorted(p.name[:2] for p in fixtures_dir().glob("*.jsonl")))
def test_every_transcript_splits_into_its_recorded_messages(
    transcript: Transcript, name: str
) -> None:
    records = transcript(name)
    expected = [r.raw[:-4] for r in records if r.dir == "in"][1:]
    stream = _stream(transcript, name)
    # Feed in awkward chunk sizes: frames must not depend on recv() boundaries.
    for chunk in (1, 7, 4096):
        decoder = FrameDecoder()
        frames: list[object] = []
        for i in range(0, len(stream), chunk):
            frames.extend(decoder.feed(stream[i : i + chunk]))
        assert frames[0] == Banner("11.0.0")
        assert frames[1:] == expected
        assert decoder.buffered == 0


def test_command_output_lines_are_all_kept_in_order(transcript: Transcript) -> None:
    raw = next(r.raw for r in transcript("e4") if "Output: support has" in r.raw)
    message = parse_frame(raw[:-4])
    assert message is not None
    lines = message.values("Output")
    assert lines[0].startswith("support has 0 calls")
    assert lines[1] == "   Members: "
    assert len(lines) == 7
    assert message.field_names().count("Output") == 7


def test_event_is_classified_before_response(transcript: Transcript) -> None:
    raw = next(r.raw for r in transcript("b1") if r.raw.startswith("Event: OriginateResponse"))
    message = parse_frame(raw[:-4])
    assert message is not None
    assert message.event == "OriginateResponse"
    assert message.response is None
    assert message.headers["Response"] == "Success"


def test_oversized_frame_is_dropped_and_the_stream_continues() -> None:
    decoder = FrameDecoder(max_frame=1024)
    out = decoder.feed(b"Asterisk Call Manager/11.0.0\r\n")
    assert out == [Banner("11.0.0")]
    junk = b"X-Junk: " + b"a" * (1 << 20)
    for i in range(0, len(junk), 4096):
        out = decoder.feed(junk[i : i + 4096])
        assert decoder.buffered <= 1024
    out = decoder.feed(b"\r\n\r\nEvent: Ping\r\nA: b\r\n\r\n")
    assert isinstance(out[0], FrameError)
    assert out[0].size >= 1 << 20
    assert out[1] == "Event: Ping\r\nA: b"


def test_garbage_lines_are_skipped_and_bad_utf8_replaced() -> None:
    message = parse_frame("Event: X\r\nno colon here\r\nKey:tight\r\nName: \xff\ufffd")
    assert message is not None
    assert message.headers == {"Event": "X", "Key": "tight", "Name": "\xff\ufffd"}
    assert parse_frame("\x00\x01 garbage") is None
    decoder = FrameDecoder(expect_banner=False)
    frames = decoder.feed(b"\xff\xfe\r\n\r\nEvent: Y\r\n\r\n")
    assert frames == ["\ufffd\ufffd", "Event: Y"]


def test_event_name_peek_matches_the_parser(transcript: Transcript) -> None:
    for _t, raw in ((r.t, r.raw) for r in transcript("b1") if r.dir == "in"):
        message = parse_frame(raw[:-4])
        if message is not None:
            assert event_name_of(raw[:-4]) == message.event


def test_encode_action_repeats_keys_and_refuses_injection() -> None:
    data = encode_action("Originate", {"ActionID": "1", "Variable": ["A=1", "B=2"], "Async": True})
    assert data == (
        b"Action: Originate\r\nActionID: 1\r\nVariable: A=1\r\nVariable: B=2\r\nAsync: true\r\n\r\n"
    )
    with pytest.raises(AmiProtocolError) as info:
        encode_action("Login", {"Secret": "s3cr3t\r\nAction: Logoff"})
    assert "s3cr3t" not in str(info.value)
