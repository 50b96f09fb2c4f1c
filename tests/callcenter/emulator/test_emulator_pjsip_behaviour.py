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
from callcenter.emulator import Emulator, InboundCaller
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


# -- app_queue -----------------------------------------------------------------------------


# -- prompts ---------------------------------------------------------------------------------


# -- timing ------------------------------------------------------------------------------------
