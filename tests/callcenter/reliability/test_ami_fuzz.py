"""Hostile input: the codec and the client log and discard bad frames and never die."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings, strategies as st

from callcenter.ami.client import AmiClient, AmiConfig
from callcenter.ami.codec import FrameDecoder, FrameError, parse_frame
from callcenter.ami.events import UserEvent, decode_event
from callcenter.emulator import Emulator

MAX_FRAME = 4096
VALID = b"Event: UserEvent\r\nPrivilege: user,all\r\nUserEvent: Probe\r\nN: 1\r\n\r\n"

junk = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=500).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.just(b"\r\n\r\n"),
    st.just(b"Event: Hangup\r\nCause: x\r\nPriority: \xff\r\n"),
    st.just(b"X" * (MAX_FRAME + 10)),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chunks=st.lists(junk, max_size=8), cuts=st.lists(st.integers(1, 97), min_size=1))
def test_decoder_survives_anything_and_recovers(chunks: list[bytes], cuts: list[int]) -> None:
    decoder = FrameDecoder(max_frame=MAX_FRAME, expect_banner=False)
    stream = b"".join(chunks) + b"\r\n\r\n" + VALID
    frames: list[object] = []
    i = 0
    step = 0
    while i < len(stream):
        n = cuts[step % len(cuts)]
        frames.extend(decoder.feed(stream[i : i + n]))
        assert decoder.buffered <= MAX_FRAME  # memory per frame is bounded
        i += n
        step += 1
    for frame in frames:
        if isinstance(frame, str):
            message = parse_frame(frame)
            if message is not None and message.event:
                decode_event(message, 0.0)  # never raises on bad numbers or missing fields
    assert frames[-1] == VALID[:-4].decode()
    assert all(isinstance(f, (str, FrameError)) for f in frames)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_typed_decoding_never_raises(text: str) -> None:
    for name in ("Hangup", "AgentConnect", "QueueMember", "OriginateResponse", "Status",
                 "DialEnd", "Cdr", "LocalOptimizationBegin", "UserEvent"):
        message = parse_frame(f"Event: {name}\r\n{text}")
        assert message is not None
        decode_event(message, 1.0)


async def test_client_keeps_the_connection_through_garbage() -> None:
    async with Emulator(speed=50) as emu:
        config = AmiConfig("cc", "ccsecret", port=emu.port, resync=False, max_frame=MAX_FRAME,
                           ping_interval=3600)
        async with AmiClient(config) as ami:
            emu.inject(b"\x00\xff\xfe garbage without terminator ")
            emu.inject(b"\r\n\r\nno colon at all\r\n\r\n")
            emu.inject(b"Event: Truncated\r\nKey: v")  # completed by the next write
            emu.inject(b"\r\n\r\n")
            emu.inject(b"H: " + b"a" * (1 << 20) + b"\r\n\r\n")  # a 1 MiB header line
            emu.inject(bytes(range(256)) * 8 + b"\r\n\r\n")
            emu.inject(VALID)
            seen: list[object] = []
            async with asyncio.timeout(5):
                async for event in ami.events():
                    seen.append(event)
                    if isinstance(event, UserEvent) and event.user_event == "Probe":
                        break
            assert ami.connected and ami.stats.sessions == 1
            assert ami.stats.bad_frames >= 2
            await ami.ping()
