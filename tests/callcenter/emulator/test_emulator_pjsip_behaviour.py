"""What the emulator does like Asterisk beyond the captures' exact streams: ring-in-use,
registration and hints, app_queue not loaded, prompts that do not exist (with a sounds
directory), Answer()'s wait for media, SayDigits' pace, and BYE hangup causes."""

from __future__ import annotations

import asyncio
import time
import wave
from pathlib import Path

from callcenter.ami import events as ev
from callcenter.ami.client import AmiClient, AmiConfig
from callcenter.emulator import Emulator, InboundCaller, Softphone
from callcenter.emulator.fidelity import AgiReplay
from callcenter.emulator.model import channel_bucket
from dialplans.engine_contexts import EngineDialplanParams, Route, engine_contexts
from dialplans.model import Context, Dialplan, Extension, Priority

SPEED = 20.0
P = Priority


class Probe:
    """The PBX's event stream as (time, event, fields)."""

    def __init__(self) -> None:
        self.events: list[tuple[float, str, dict[str, str]]] = []
        self.changed = asyncio.Event()

    def deliver(self, event: str, privilege: str, data: bytes) -> None:
        fields: dict[str, str] = {}
        for line in data.decode().split("\r\n"):
            key, sep, value = line.partition(": ")
            if sep and key not in fields:
                fields[key] = value
        self.events.append((time.monotonic(), event, fields))
        self.changed.set()

    def of(self, name: str, **match: str) -> list[dict[str, str]]:
        return [f for _, e, f in self.events
                if e == name and all(f.get(k) == v for k, v in match.items())]

    def at(self, name: str, **match: str) -> float:
        return next(t for t, e, f in self.events
                    if e == name and all(f.get(k) == v for k, v in match.items()))

    async def wait(self, name: str, seconds: float = 5.0, **match: str) -> dict[str, str]:
        async with asyncio.timeout(seconds):
            while not self.of(name, **match):
                self.changed.clear()
                await self.changed.wait()
        return self.of(name, **match)[0]


def plan(*steps: Priority, did: str = "4000") -> Dialplan:
    return Dialplan((Context("cc-inbound", (Extension(did, steps),)),))


async def _emulator(contexts: Dialplan | None, **options: object) -> tuple[Emulator, Probe]:
    emu = Emulator(speed=SPEED, contexts=contexts, **options)  # type: ignore[arg-type]
    await emu.start()
    probe = Probe()
    emu.pbx.listeners.add(probe)
    return emu, probe


def _silence(path: Path, seconds: float = 0.2) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(bytes(2 * int(8000 * seconds)))


async def _action(emu: Emulator, action: str, **fields: str) -> dict[str, str]:
    async with AmiClient(AmiConfig("cc", "ccsecret", port=emu.port, resync=False)) as ami:
        reply = await ami.action(action, dict(fields), check=False)
        return dict(reply.headers)


# -- channel lists -------------------------------------------------------------------------


async def test_status_and_coreshowchannels_share_asterisks_hash_order() -> None:
    emu, probe = await _emulator(engine_contexts(EngineDialplanParams((Route("4000", "q"),))))
    try:
        emu.pbx.count_pjsip_channels_from(1)  # h2's names: trunk-00000001, ...
        created = []
        for n in range(4):
            ch = emu.trunk.place(InboundCaller(f"555000{n}", patience_s=60))
            assert ch is not None
            created.append(ch.name)
            await probe.wait("MusicOnHoldStart", Channel=ch.name)
        async with AmiClient(AmiConfig("cc", "ccsecret", port=emu.port, resync=False)) as ami:
            status = await ami.list_action("Status")
            shown = await ami.list_action("CoreShowChannels")
        listed = [m.channel.name for m in status.items if isinstance(m, ev.ChannelStatus)]
        assert listed == [m.channel.name for m in shown.items
                          if isinstance(m, ev.CoreShowChannel)]
        # Buckets 340, 343, 342, 345 of ast_str_case_hash(name) % 1567: not creation order.
        assert listed == sorted(created, key=channel_bucket) == [
            "PJSIP/trunk-00000001", "PJSIP/trunk-00000003", "PJSIP/trunk-00000002",
            "PJSIP/trunk-00000004"]
    finally:
        await emu.close()


# -- device states -------------------------------------------------------------------------


async def test_a_busy_phone_rung_again_is_ringinuse_and_its_hint_inuse_and_ringing() -> None:
    emu, probe = await _emulator(engine_contexts(EngineDialplanParams((Route("4000", "q"),))))
    try:
        emu.phones.add(Softphone("PJSIP/1007", ring_s=0.5, talk_s=600))
        emu.pbx.add_hint("hints", "1007", "PJSIP/1007")
        async with AmiClient(AmiConfig("cc", "ccsecret", port=emu.port, resync=False)) as ami:
            for leg in ("leg-1", "leg-2"):
                await ami.action("Originate", {"Channel": "PJSIP/1007", "Context": "cc-agent",
                                               "Exten": "s", "Async": "true", "ChannelId": leg})
                await probe.wait("Newstate", Uniqueid=leg, ChannelStateDesc="Ringing")
                if leg == "leg-1":
                    await probe.wait("OriginateResponse", Uniqueid=leg)  # answered: in use
            states = [f["State"] for f in probe.of("DeviceStateChange", Device="PJSIP/1007")]
            assert states[:3] == ["RINGING", "INUSE", "RINGINUSE"]
            state = await ami.action("ExtensionState", {"Exten": "1007", "Context": "hints"})
            assert (state.headers["Hint"], state.headers["Status"],
                    state.headers["StatusText"]) == ("PJSIP/1007", "9", "InUse&Ringing")
            assert [f["Status"] for f in probe.of("ExtensionStatus", Exten="1007")][:3] == [
                "8", "1", "9"]
    finally:
        await emu.close()


async def test_a_phone_that_is_not_registered_is_unavailable_until_it_registers() -> None:
    emu, probe = await _emulator(None)
    try:
        emu.phones.add(Softphone("PJSIP/1005", online=False))
        emu.pbx.add_hint("tx-hints", "1005", "PJSIP/1005")
        got = await _action(emu, "ExtensionState", Exten="1005", Context="tx-hints")
        assert (got["Status"], got["StatusText"]) == ("4", "Unavailable")
        mark = len(probe.events)
        emu.phones.register("PJSIP/1005")
        assert [e for _, e, _f in probe.events[mark:]] == [
            "ChallengeSent", "SuccessfulAuth", "ExtensionStatus", "DeviceStateChange",
            "PeerStatus", "ContactStatus"]
        assert probe.of("ContactStatus")[0]["ContactStatus"] == "NonQualified"
        got = await _action(emu, "ExtensionState", Exten="1005", Context="tx-hints")
        assert (got["Status"], got["StatusText"]) == ("0", "Idle")
        unknown = await _action(emu, "ExtensionState", Exten="1006", Context="tx-hints")
        assert (unknown["Hint"], unknown["Status"], unknown["StatusText"]) == (
            "", "-1", "Unknown")
    finally:
        await emu.close()


# -- app_queue -----------------------------------------------------------------------------


async def test_queuestatus_is_unknown_without_app_queue_and_queue_ends_the_call() -> None:
    engine = engine_contexts(EngineDialplanParams((Route("4000", "q"),)))
    emu, probe = await _emulator(engine)
    try:
        assert not emu.pbx.app_queue  # the engine's dialplan does not use Queue()
        got = await _action(emu, "QueueStatus")
        assert got["Response"] == "Error" and got["Message"] == (
            "Invalid/unknown command: QueueStatus. Use Action: ListCommands to show "
            "available commands.")
    finally:
        await emu.close()
    emu, probe = await _emulator(plan(P("Answer"), P("Queue", "support"), P("Hangup")),
                                 app_queue=False)
    try:
        ch = emu.trunk.place(InboundCaller("5550001", patience_s=60))
        assert ch is not None
        hup = await probe.wait("Hangup", Channel=ch.name)
        # pbx_extension_helper: "No application 'Queue'": -1 before any Newexten.
        assert hup["Priority"] == "2"
        assert [f["Application"] for f in probe.of("Newexten", Channel=ch.name)] == ["Answer"]
    finally:
        await emu.close()
    for contexts, loaded in ((None, True), (engine, True)):
        emu, _probe = await _emulator(contexts, app_queue=loaded if contexts else None)
        try:
            got = await _action(emu, "QueueStatus")
            assert got["Response"] == "Success" and got["EventList"] == "start"
        finally:
            await emu.close()


# -- prompts ---------------------------------------------------------------------------------


async def test_prompts_that_do_not_exist_fail_at_once_with_a_sounds_directory(
        tmp_path: Path) -> None:
    sounds = tmp_path / "sounds"
    _silence(sounds / "en" / "hello.wav")
    _silence(sounds / "cc" / "bye.gsm")  # any format's extension: format_gsm
    steps = (P("Answer"), P("Playback", "missing&hello"), P("Playback", "cc/bye"),
             P("Background", "nothing&hello"), P("Hangup"))
    emu, probe = await _emulator(plan(*steps), sounds_dir=str(sounds))
    try:
        ch = emu.trunk.place(InboundCaller("5550002", patience_s=60))
        assert ch is not None
        await probe.wait("Hangup", Channel=ch.name)
        status = [(f["Variable"], f["Value"]) for f in probe.of("VarSet", Channel=ch.name)
                  if f["Variable"].endswith("STATUS")]
        # Playback goes on after the missing file (FAILED), Background stops at it.
        assert status == [("PLAYBACKSTATUS", "FAILED"), ("PLAYBACKSTATUS", "SUCCESS"),
                          ("BACKGROUNDSTATUS", "FAILED")]
        assert emu.trunk.heard("5550002") == ["play:hello", "play:cc/bye"]
        first = probe.at("Newexten", Channel=ch.name, Application="Playback")
        background = probe.at("Newexten", Channel=ch.name, Application="Background")
        played = (background - first) * SPEED  # two files of playback_s each
        assert 2 * emu.pbx.dialplan.playback_s * 0.9 <= played < 2.6
    finally:
        await emu.close()
    emu, probe = await _emulator(plan(*steps))  # no sounds directory: everything plays
    try:
        ch = emu.trunk.place(InboundCaller("5550003", patience_s=60))
        assert ch is not None
        await probe.wait("Hangup", Channel=ch.name, seconds=10)
        assert {f["Value"] for f in probe.of("VarSet", Channel=ch.name)
                if f["Variable"].endswith("STATUS")} == {"SUCCESS"}
    finally:
        await emu.close()


async def test_stream_file_of_a_missing_prompt_answers_minus_one_at_once(
        tmp_path: Path) -> None:
    sounds = tmp_path / "sounds"
    _silence(sounds / "en" / "there.wav")
    commands = [("agi-out", "STREAM FILE nothere \"\"\n"), ("agi-out", "STREAM FILE there #\n"),
                ("agi-out", "SAY DIGITS 12 \"\"\n")]
    async with AgiReplay(commands) as server:
        emu, probe = await _emulator(
            plan(P("Answer"), P("AGI", f"agi://127.0.0.1:{server.port}/x"), P("Hangup")),
            sounds_dir=str(sounds))
        try:
            ch = emu.trunk.place(InboundCaller("5550004", patience_s=60))
            assert ch is not None
            await asyncio.wait_for(server.done.wait(), 5)
            await probe.wait("Hangup", Channel=ch.name)
        finally:
            await emu.close()
    assert server.received[1:] == ["200 result=-1 endpos=0\n", "200 result=0 endpos=8000\n",
                                   "200 result=-1\n"]  # no digits/1 in the directory
    assert [f["ResultCode"] for f in probe.of("AGIExecEnd")] == ["-1", "200", "-1"]


# -- timing ------------------------------------------------------------------------------------


async def test_answer_waits_for_media_and_saydigits_takes_about_0_9_s_a_digit() -> None:
    steps = (P("Answer"), P("SayDigits", "1007"), P("NoOp", "said"), P("Hangup"))
    for media in (0.5, 0.1):
        emu, probe = await _emulator(plan(*steps))
        emu.pbx.dialplan.answer_media_s = media
        try:
            ch = emu.trunk.place(InboundCaller("5550005", patience_s=60))
            assert ch is not None
            await probe.wait("Hangup", Channel=ch.name, seconds=10)
            up = probe.at("Newstate", Channel=ch.name, ChannelStateDesc="Up")
            saying = probe.at("Newexten", Channel=ch.name, Application="SayDigits")
            said = probe.at("Newexten", Channel=ch.name, Application="NoOp")
            assert media * 0.8 <= (saying - up) * SPEED < media + 0.3
            assert 4 * 0.9 * 0.95 <= (said - saying) * SPEED < 4 * 0.9 + 0.5
        finally:
            await emu.close()


async def test_a_bye_in_an_application_is_cause_0_and_in_a_bridge_16() -> None:
    emu, probe = await _emulator(engine_contexts(EngineDialplanParams((Route("4000", "q"),))))
    try:
        emu.phones.add(Softphone("PJSIP/1007", ring_s=0.2, talk_s=600))
        waiting = emu.trunk.place(InboundCaller("5550006", patience_s=1, talk_s=1))
        talking = emu.trunk.place(InboundCaller("5550007", patience_s=60, talk_s=1))
        assert waiting is not None and talking is not None
        await probe.wait("MusicOnHoldStart", Channel=talking.name)
        async with AmiClient(AmiConfig("cc", "ccsecret", port=emu.port, resync=False)) as ami:
            await ami.action("Originate", {"Channel": "PJSIP/1007", "Context": "cc-agent",
                                           "Exten": "s", "Async": "true", "ChannelId": "a"})
            await probe.wait("OriginateResponse", Uniqueid="a")
            for var, value in (("CC_AGENT_CHANNEL", emu.phones.channel("PJSIP/1007").name),
                               ("CC_AGENT_DISPLAY", "1007"),
                               ("CC_ANNOUNCE_PREFIX", "agent-intro"),
                               ("CC_ANNOUNCE_SUFFIX", "at-service")):
                await ami.action("Setvar", {"Channel": talking.name, "Variable": var,
                                            "Value": value})
            await ami.action("Redirect", {"Channel": talking.name, "Context": "cc-connect",
                                          "Exten": "s", "Priority": "1"})
            assert (await probe.wait("Hangup", Channel=waiting.name))["Cause"] == "0"
            await probe.wait("BridgeEnter", Channel=talking.name, seconds=10)
            assert (await probe.wait("Hangup", Channel=talking.name))["Cause"] == "16"
        for name in (waiting.name, talking.name):
            request = probe.of("HangupRequest", Channel=name)[0]
            assert "Cause" not in request  # a BYE sets no cause (chan_pjsip_session_end)
            assert [f["Cause"] for f in probe.of("SoftHangupRequest", Channel=name)] == ["16"]
    finally:
        await emu.close()
