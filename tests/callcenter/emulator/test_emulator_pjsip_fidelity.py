"""The emulator reproduces the PJSIP transcripts (set h: chan_pjsip phones, SIPp callers).

Each test replays the capture's actions (timing ÷ SPEED) against an emulator running the
capture's own dialplan and endpoints in the state the capture started from; the driver's
notes start the SIPp callers and the phone registrations (`pjsip_fixture.py`). The
streams are compared with `fidelity.PJSIP_SET`: same events, same order per channel and
in the noise-free sequence, same field names, same meaningful values; what the generic
comparison does not see (the order inside a list) is asserted on its own.

h5 (attended transfer) and h6 (ConfBridge) are not emulated.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from pjsip_fixture import Notes, agi_transcript, config_dir, fixture_dialplan, setup_for

from callcenter.ami.codec import Message
from callcenter.ami.testing import Record
from callcenter.emulator import Emulator
from callcenter.emulator.fidelity import (
    PJSIP_SET,
    AgiReplay,
    agi_records,
    compare,
    normalise,
    run_transcript,
    transcript_side,
)

Transcript = Callable[[str], list[Record]]
SPEED = 4.0


def _events(messages: list[Message], name: str) -> list[Message]:
    return [m for m in messages if m.headers.get("Event") == name]


async def _replay(transcript: Transcript, name: str, *, agi_port: int | None = None
                  ) -> tuple[list[Record], list[Message], Emulator]:
    records = transcript(name)
    if not config_dir().is_dir():
        pytest.skip(f"PJSIP capture config not found in {config_dir()}")
    plan, hints = fixture_dialplan(agi_port)
    emu = Emulator(speed=SPEED, contexts=plan, setup=setup_for(name, hints))
    async with emu:
        got = await run_transcript(records, "127.0.0.1", emu.port, SPEED, emu,
                                   on_note=Notes(emu))
    return records, got, emu


def _assert_reproduced(records: list[Record], got: list[Message]) -> None:
    expected = normalise(transcript_side(records), PJSIP_SET)
    assert compare(expected, normalise(got, PJSIP_SET)) == []


async def test_h1_ringing_leg_hung_up_fails_the_originate_before_its_hangup(
        transcript: Transcript) -> None:
    records, got, _emu = await _replay(transcript, "h1")
    _assert_reproduced(records, got)
    order = [m.headers["Event"] for m in got if m.headers.get("Event") in (
        "DialEnd", "OriginateResponse", "Hangup", "SoftHangupRequest")]
    assert order == ["DialEnd", "OriginateResponse", "Hangup"]
    (resp,) = _events(got, "OriginateResponse")
    assert resp.headers["Channel"] == "PJSIP/1002"
    assert resp.headers["Uniqueid"] == "cc-h1-agent-1002" and resp.headers["Reason"] == "0"


async def test_h8_unregistered_or_unknown_endpoint_makes_no_channel(
        transcript: Transcript) -> None:
    records, got, _emu = await _replay(transcript, "h8")
    _assert_reproduced(records, got)
    assert not _events(got, "Newchannel") and not _events(got, "Hangup")
    assert [m.headers["Uniqueid"] for m in _events(got, "OriginateResponse")] == [
        "cc-h1b-agent-1004", "cc-h1b-agent-1009"]


async def test_h2_status_and_coreshowchannels_list_in_hash_order(
        transcript: Transcript) -> None:
    records, got, _emu = await _replay(transcript, "h2")
    _assert_reproduced(records, got)
    captured = transcript_side(records)
    for item in ("Status", "CoreShowChannel"):
        assert [m.headers["Channel"] for m in _events(got, item)] == [
            m.headers["Channel"] for m in _events(captured, item)]
    names = [m.headers["Channel"] for m in _events(got, "Status")]
    assert names == [m.headers["Channel"] for m in _events(got, "CoreShowChannel")]
    assert names != sorted(names, key=lambda n: n[-8:])  # not creation order
    agents = [m for m in _events(got, "Status") if m.headers["Channel"].startswith("PJSIP/10")]
    assert {(m.headers["Application"], m.headers["Data"]) for m in agents} == {
        ("(null)", "(null)")}
    status = _events(got, "Status")[0]
    assert status.headers["Privilege"] == "Call" and list(status.headers)[-1] == "ActionID"
    assert list(_events(got, "CoreShowChannel")[0].headers)[1] == "ActionID"


async def test_h3_device_states_extension_states_and_endpoints(
        transcript: Transcript) -> None:
    records, got, _emu = await _replay(transcript, "h3")
    _assert_reproduced(records, got)
    captured = transcript_side(records)

    def listed(messages: list[Message]) -> list[tuple[str, str, str]]:
        return [(m.headers["ActionID"], m.headers["Device"], m.headers["State"])
                for m in _events(messages, "DeviceStateChange") if "ActionID" in m.headers]

    assert listed(got) == listed(captured)
    sequence = [m.headers["Event"] for m in got if m.headers.get("Event") in (
        "ChallengeSent", "SuccessfulAuth", "ExtensionStatus", "DeviceStateChange",
        "PeerStatus", "ContactStatus") and "ActionID" not in m.headers]
    login = sequence.index("ChallengeSent")
    assert sequence[login:] == [
        "ChallengeSent", "SuccessfulAuth", "ExtensionStatus", "DeviceStateChange",
        "PeerStatus", "ContactStatus",
        "ChallengeSent", "SuccessfulAuth", "ExtensionStatus", "PeerStatus",
        "DeviceStateChange", "ContactStatus"]
    error = next(m for m in got if m.headers.get("Response") == "Error")
    assert error.headers["Message"] == "Unable to retrieve endpoint 1009"


async def test_unknown_endpoint_error_ends_its_message_with_a_bare_lf() -> None:
    """h3's raw bytes: `Message: Unable to retrieve endpoint 1009\\n\\r\\n\\r\\n` (the
    format string of ami_show_endpoint ends with a LF; a line-based parser loses it)."""
    async with Emulator() as emu:
        reader, writer = await asyncio.open_connection("127.0.0.1", emu.port)
        await reader.readline()
        writer.write(b"Action: Login\r\nUsername: cc\r\nSecret: ccsecret\r\nEvents: off\r\n\r\n"
                     b"Action: PJSIPShowEndpoint\r\nActionID: x\r\nEndpoint: 1009\r\n\r\n")
        data = b""
        async with asyncio.timeout(5):
            while b"1009" not in data or not data.endswith(b"\r\n\r\n"):
                data += await reader.read(4096)
        writer.close()
    assert data.endswith(b"Response: Error\r\nActionID: x\r\n"
                         b"Message: Unable to retrieve endpoint 1009\n\r\n\r\n")


async def test_h4_caller_hangs_up_during_saydigits(transcript: Transcript) -> None:
    records, got, _emu = await _replay(transcript, "h4")
    _assert_reproduced(records, got)
    trunk = [m for m in got if m.headers.get("Channel", "").startswith("PJSIP/trunk-")
             and m.headers.get("Event") in ("HangupRequest", "SoftHangupRequest", "Hangup")]
    assert [(m.headers["Event"], m.headers.get("Cause"), m.headers["Priority"])
            for m in trunk] == [("HangupRequest", None, "2"), ("SoftHangupRequest", "16", "2"),
                                ("Hangup", "0", "2")]
    assert not _events(got, "BridgeCreate")
    # The agent leg in Wait() gets nothing until the driver's Hangup action.
    events = [m for m in got if m.headers.get("Event")]
    gone = next(i for i, m in enumerate(events) if m.headers["Event"] == "Hangup")
    agent = [m.headers["Event"] for m in events[gone + 1:]
             if m.headers.get("Channel", "").startswith("PJSIP/1001-")]
    assert agent[0] == "SoftHangupRequest" and agent[-1] == "Hangup"


async def test_h7_record_file_into_a_missing_directory_fails(transcript: Transcript) -> None:
    agi = agi_records(agi_transcript("h7"))
    recorded = Path("/tmp/h7-ok.wav")  # the capture's second RECORD FILE writes it
    existed = recorded.exists()
    try:
        async with AgiReplay(agi) as server:
            records, got, _emu = await _replay(transcript, "h7", agi_port=server.port)
            await asyncio.wait_for(server.done.wait(), 5)
    finally:
        if not existed:
            recorded.unlink(missing_ok=True)
    assert not Path("/nonexistent").exists()  # no directory was made
    _assert_reproduced(records, got)
    captured = [raw for d, raw in agi if d == "agi-in"]
    assert server.received[1:] == captured[1:]  # 200 result=-1 (writefile), ...
    keys = [line.split(":")[0] for line in server.received[0].splitlines() if line]
    assert keys == [line.split(":")[0] for line in captured[0].splitlines() if line]
    ends = [(m.headers["ResultCode"], m.headers["Result"]) for m in _events(got, "AGIExecEnd")]
    assert ends == [("-1", "Failure"), ("200", "Success"), ("200", "Success")]
