"""AGI() in the emulator, end to end: trunk callers running dialplan that hands them to a
FastAGI server — the engine's `FastAgiServer`, or a raw one written here to see the wire."""

from __future__ import annotations

import asyncio
import wave
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from callcenter.agi import AgiChannel, FastAgiServer
from callcenter.ami.client import AmiClient, AmiConfig
from callcenter.emulator import Emulator, InboundCaller
from callcenter.emulator.agi import agi_settings, parse_args, say_words
from callcenter.emulator.model import EChannel
from dialplans.model import Context, Dialplan, Extension, Priority
from ivr.ports import CallerHungUp, ChannelInfo, RecordResult

SPEED = 20.0
P = Priority
PLAN = Dialplan((
    Context("cc-inbound", (Extension("4000", (
        P("Answer"),
        P("AGI", "${AGI_URL},one,two words"),
        P("NoOp", "AGISTATUS=${AGISTATUS}"),
        P("Playback", "after-agi"),
        P("Hangup"),
    )),)),
    Context("target", (Extension("s", (
        P("Playback", "connected&to-agent"),
        P("SayDigits", "1007"),
        P("Hangup"),
    )),)),
))


class Probe:
    """A listener on the PBX's event stream (what an AMI client would see)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, str]]] = []
        self.changed = asyncio.Event()

    def deliver(self, event: str, privilege: str, data: bytes) -> None:
        fields: dict[str, str] = {"Privilege": privilege}
        for line in data.decode().split("\r\n"):
            key, sep, value = line.partition(": ")
            if sep and key not in fields:
                fields[key] = value
        self.events.append((event, fields))
        self.changed.set()

    def of(self, name: str, channel: str = "") -> list[dict[str, str]]:
        return [f for e, f in self.events
                if e == name and (not channel or f.get("Channel") == channel)]

    def var(self, channel: str, name: str) -> list[str]:
        return [f["Value"] for e, f in self.events if e == "VarSet"
                and f["Channel"] == channel and f["Variable"] == name]

    async def hangup_of(self, channel: str, seconds: float = 10.0) -> None:
        async with asyncio.timeout(seconds):
            while not any(f.get("Channel") == channel for f in self.of("Hangup")):
                self.changed.clear()
                await self.changed.wait()


async def run_call(caller: InboundCaller, url: str, tmp_path: Path,
                   ) -> tuple[Emulator, Probe, EChannel]:
    emu = Emulator(speed=SPEED, contexts=PLAN)
    await emu.start()
    emu.pbx.globals["AGI_URL"] = url
    agi_settings(emu.pbx).record_dir = str(tmp_path / "sounds")
    # RECORD FILE never makes a directory (h7): the ones these calls record into exist.
    (tmp_path / "vm").mkdir(exist_ok=True)
    (tmp_path / "sounds" / "vm").mkdir(parents=True, exist_ok=True)
    probe = Probe()
    emu.pbx.listeners.add(probe)
    ch = emu.trunk.place(caller)
    assert ch is not None
    return emu, probe, ch


Flow = Callable[[AgiChannel], Awaitable[object]]


def keeping(outcome: dict[str, object], flow: Flow) -> Callable[[AgiChannel], Awaitable[None]]:
    async def handler(channel: AgiChannel) -> None:
        outcome["info"] = channel.info
        try:
            outcome["result"] = await flow(channel)
        except CallerHungUp as error:
            outcome["hung_up"] = error
            raise

    return handler


async def test_every_command_against_the_engine_server(tmp_path: Path) -> None:
    outcome: dict[str, object] = {}

    async def flow(ch: AgiChannel) -> list[object]:
        await ch.answer()
        got: list[object] = [await ch.play(["cc/en/welcome", "cc/en/menu"],
                                           interrupt_digits="123")]
        got.append(await ch.read_digits("cc/en/enter-account", max_digits=8, timeout_s=3))
        got.append(await ch.wait_digit(3))
        await ch.say_digits("1007")
        await ch.say_number(3)
        await ch.set_variable("CC_NOTE", 'a "quoted" \\ value')
        got += [await ch.get_variable("CC_NOTE"), await ch.get_variable("NOPE"),
                await ch.get_variable("CALLERID(num)"), await ch.channel_status(),
                await ch.exec("Playback", "cc/en/thanks&cc/en/bye"),
                await ch.exec("NoSuchApp", "x")]
        await ch.verbose("checked")
        got.append(await ch.record(str(tmp_path / "vm" / "m1"), max_s=30, silence_s=0))
        return got

    async with FastAgiServer("127.0.0.1", 0, {"ivr": keeping(outcome, flow)}) as server:
        caller = InboundCaller(number="5550101", did="4000", patience_s=600,
                               keys=("1234#", "9"), message_s=2.0)
        emu, probe, ch = await run_call(caller, f"agi://127.0.0.1:{server.port}/ivr/main",
                                        tmp_path)
        try:
            await probe.hangup_of(ch.name)
        finally:
            await emu.close()
    info = outcome["info"]
    assert isinstance(info, ChannelInfo)
    assert (info.arguments, info.dnid, info.caller_id, info.caller_name, info.script) == (
        ("one", "two words"), "4000", "5550101", "", "ivr/main")
    wav = str(tmp_path / "vm" / "m1.wav")
    assert outcome["result"] == ["", "1234", "9", 'a "quoted" \\ value', None, "5550101", 6,
                                 0, -2, RecordResult(str(tmp_path / "vm" / "m1"), "wav", 2.0,
                                                     "dtmf", "#")]
    with wave.open(wav) as audio:
        assert (audio.getframerate(), audio.getnchannels(), audio.getsampwidth(),
                audio.getnframes()) == (8000, 1, 2, 16000)
    assert emu.trunk.heard("5550101") == [
        "play:cc/en/welcome", "play:cc/en/menu", "getdata:cc/en/enter-account",
        "digits:1007", "number:3", "play:cc/en/thanks", "play:cc/en/bye", "play:beep",
        f"record:{wav}", "play:after-agi"]
    assert probe.var(ch.name, "AGISTATUS") == ["SUCCESS"]
    digits = [f["Digit"] for f in probe.of("DTMFEnd", ch.name)]
    assert digits == ["1", "2", "3", "4", "#", "9", "#"]
    assert all(f["Direction"] == "Received" for f in probe.of("DTMFBegin", ch.name))
    starts, ends = probe.of("AGIExecStart", ch.name), probe.of("AGIExecEnd", ch.name)
    assert [f["Command"] for f in starts] == [f["Command"] for f in ends]
    assert starts[0]["Command"] == "ANSWER" and starts[0]["Privilege"] == "agi,all"
    assert [(f["CommandId"], f["ResultCode"], f["Result"]) for f in ends][-2][1:] == (
        "200", "Success")
    unknown = next(f for f in ends if "NoSuchApp" in f["Command"])
    assert unknown["Result"] == "Unknown Result"


async def test_keys_silence_garbage_and_a_caller_hanging_up_at_a_prompt(
        tmp_path: Path) -> None:
    outcome: dict[str, object] = {}
    typed: list[str] = []

    async def flow(ch: AgiChannel) -> None:
        typed.append(await ch.read_digits("q1", max_digits=4, timeout_s=2))
        typed.append(await ch.read_digits("q2", max_digits=4, timeout_s=2))
        typed.append(await ch.read_digits("q3", max_digits=3, timeout_s=2))
        typed.append(await ch.wait_digit(1))
        typed.append(await ch.read_digits("q4", max_digits=4, timeout_s=2))
        typed.append(await ch.read_digits("q5", max_digits=4, timeout_s=2))  # never reached

    async with FastAgiServer("127.0.0.1", 0, {"ivr": keeping(outcome, flow)}) as server:
        caller = InboundCaller(number="5550102", patience_s=600,
                               keys=("", "*#9", "12345", "", "hangup"))
        emu, probe, ch = await run_call(caller, f"agi://127.0.0.1:{server.port}/ivr/x",
                                        tmp_path)
        try:
            await probe.hangup_of(ch.name)
        finally:
            await emu.close()
    assert typed == ["", "*", "123", ""]
    assert isinstance(outcome["hung_up"], CallerHungUp)
    assert probe.var(ch.name, "AGISTATUS") == ["HANGUP"]
    assert "play:after-agi" not in emu.trunk.heard("5550102")  # the call ended there
    assert [f["Digit"] for f in probe.of("DTMFEnd", ch.name)] == ["*", "#", "1", "2", "3"]


class RawServer:
    """A FastAGI server whose sessions run `script(reader, writer, env)`."""

    def __init__(self, script: Callable[[asyncio.StreamReader, asyncio.StreamWriter,
                                         dict[str, str]], Awaitable[None]]) -> None:
        self.script = script
        self.done = asyncio.Event()
        self.env: dict[str, str] = {}
        self.env_order: list[str] = []

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (line := (await reader.readline()).decode().rstrip("\n")):
            key, _, value = line.partition(": ")
            self.env[key] = value
            self.env_order.append(key)
        try:
            await self.script(reader, writer, self.env)
        finally:
            writer.close()
            self.done.set()

    async def __aenter__(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port: int = self.server.sockets[0].getsockname()[1]
        return port

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()


async def ask(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, line: str,
              lines: int = 1) -> list[str]:
    writer.write(line.encode() + b"\n")
    async with asyncio.timeout(5):
        return [(await reader.readline()).decode().rstrip("\n") for _ in range(lines)]


async def test_redirect_during_stream_file_sends_hangup_and_the_call_goes_on(
        tmp_path: Path) -> None:
    wire: list[str] = []
    started = asyncio.Event()

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                     env: dict[str, str]) -> None:
        wire.extend(await ask(reader, writer, "ANSWER"))
        wire.extend(await ask(reader, writer, "FROB"))
        wire.extend(await ask(reader, writer, "SAY DIGITS abc x", 3))
        started.set()
        wire.extend(await ask(reader, writer, 'STREAM FILE "cc/en/position-3" ""', 2))
        wire.extend(await ask(reader, writer, 'STREAM FILE "cc/en/more" ""'))
        wire.extend(await ask(reader, writer, "SET VARIABLE CC_SEEN 1"))
        wire.extend(await ask(reader, writer, "GET VARIABLE CC_SEEN"))
        wire.extend(await ask(reader, writer, "SAY DIGITS abc x"))

    raw = RawServer(script)
    async with raw as port:
        emu, probe, ch = await run_call(InboundCaller(number="5550103", patience_s=600),
                                        f"agi://127.0.0.1:{port}/hold/announce", tmp_path)
        emu.pbx.dialplan.playback_s = 20.0  # a long announcement, cut short
        try:
            async with AmiClient(AmiConfig("cc", "ccsecret", port=emu.port,
                                           resync=False)) as ami:
                await asyncio.wait_for(started.wait(), 5)
                await asyncio.sleep(0.1)
                await ami.action("Redirect", {"Channel": ch.name, "Context": "target",
                                              "Exten": "s", "Priority": "1"})
                emu.pbx.dialplan.playback_s = 1.0
                await probe.hangup_of(ch.name)
        finally:
            await emu.close()
    dead = "511 Command Not Permitted on a dead channel or intercept routine"
    assert wire[:5] == [
        "200 result=0", "510 Invalid or unknown command",
        "520-Invalid command syntax.  Proper usage follows:",
        " Say a given digit string, returning early if any of the given DTMF digits are "
        "received on the channel.", "520 End of proper usage."]
    assert wire[5].startswith("200 result=-1 endpos=") and 0 < int(wire[5][21:]) < 160000
    assert wire[6:] == ["HANGUP", dead, "200 result=1", "200 result=1 (1)", dead]
    assert probe.var(ch.name, "AGISTATUS") == ["HANGUP"]
    assert emu.trunk.heard("5550103") == ["play:cc/en/position-3", "play:connected",
                                          "play:to-agent", "digits:1007"]
    assert raw.env_order[:3] == ["agi_network", "agi_network_script", "agi_request"]
    assert raw.env["agi_network_script"] == "hold/announce"
    assert raw.env["agi_calleridname"] == "unknown" and raw.env["agi_type"] == "PJSIP"
    assert raw.env["agi_arg_2"] == "two words" and raw.env["agi_priority"] == "2"


async def test_a_closed_port_fails_the_agi_and_the_dialplan_goes_on(tmp_path: Path) -> None:
    holder = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = holder.sockets[0].getsockname()[1]
    holder.close()
    await holder.wait_closed()
    emu, probe, ch = await run_call(InboundCaller(number="5550104", patience_s=600),
                                    f"agi://127.0.0.1:{port}/ivr/main", tmp_path)
    try:
        await probe.hangup_of(ch.name)
    finally:
        await emu.close()
    assert probe.var(ch.name, "AGISTATUS") == ["FAILURE"]
    assert emu.trunk.heard("5550104") == ["play:after-agi"]


async def test_an_unknown_script_on_the_engine_server_is_agistatus_failure(
        tmp_path: Path) -> None:
    async with FastAgiServer("127.0.0.1", 0, {"ivr": keeping({}, AgiChannel.answer)}) as srv:
        emu, probe, ch = await run_call(InboundCaller(number="5550105", patience_s=600),
                                        f"agi://127.0.0.1:{srv.port}/nope", tmp_path)
        try:
            await probe.hangup_of(ch.name)
        finally:
            await emu.close()
    assert probe.var(ch.name, "AGISTATUS") == ["FAILURE"]
    assert emu.trunk.heard("5550105") == ["play:after-agi"]


@pytest.mark.parametrize("message_s", [0.0, 3.0])
async def test_record_file_relative_path_silence_and_hangup(tmp_path: Path,
                                                            message_s: float) -> None:
    outcome: dict[str, object] = {}

    async def flow(ch: AgiChannel) -> list[RecordResult]:
        first = await ch.record("vm/msg", max_s=60, silence_s=2, beep=False, end_digits="*")
        return [first]

    async with FastAgiServer("127.0.0.1", 0, {"ivr": keeping(outcome, flow)}) as server:
        caller = InboundCaller(number="5550106", patience_s=600, message_s=message_s)
        emu, probe, ch = await run_call(caller, f"agi://127.0.0.1:{server.port}/ivr/vm",
                                        tmp_path)
        try:
            await probe.hangup_of(ch.name)
        finally:
            await emu.close()
    results = outcome["result"]
    assert isinstance(results, list)
    (result,) = results
    assert isinstance(result, RecordResult)
    path = tmp_path / "sounds" / "vm" / "msg.wav"
    with wave.open(str(path)) as audio:
        seconds = audio.getnframes() / audio.getframerate()
    if message_s:
        # `#` is not an end digit here: two seconds of silence end it, one is kept.
        assert (result.ended_by, result.duration_s, seconds) == ("silence", 4.0, 4.0)
        assert probe.var(ch.name, "AGISTATUS") == ["SUCCESS"]
    else:
        assert result.ended_by == "hangup" and 0.4 < seconds < 1.0
        assert probe.var(ch.name, "AGISTATUS") == ["HANGUP"]
    assert emu.trunk.heard("5550106")[0] == f"record:{path}"


def test_parse_args_and_say_words_follow_asterisk() -> None:
    assert parse_args('STREAM FILE "a b" "" 0') == ["STREAM", "FILE", "a b", "", "0"]
    assert parse_args('SET VARIABLE X "say \\"hi\\" \\\\ x"') == [
        "SET", "VARIABLE", "X", 'say "hi" \\ x']
    assert parse_args("  NOOP   ") == ["NOOP"]
    assert [say_words(n) for n in (0, 7, 20, 42, 100, 1007, 2500, -3)] == [
        1, 1, 1, 2, 2, 3, 4, 2]


async def test_the_flow_hanging_up_ends_the_call(tmp_path: Path) -> None:
    outcome: dict[str, object] = {}

    async def flow(ch: AgiChannel) -> None:
        await ch.play(["cc/en/goodbye"])
        await ch.hangup()

    async with FastAgiServer("127.0.0.1", 0, {"ivr": keeping(outcome, flow)}) as server:
        emu, probe, ch = await run_call(InboundCaller(number="5550107", patience_s=600),
                                        f"agi://127.0.0.1:{server.port}/ivr/bye", tmp_path)
        try:
            await probe.hangup_of(ch.name)
        finally:
            await emu.close()
    assert "hung_up" not in outcome
    assert probe.var(ch.name, "AGISTATUS") == ["HANGUP"]
    assert emu.trunk.heard("5550107") == ["play:cc/en/goodbye"]
    assert len(probe.of("SoftHangupRequest", ch.name)) == 1
