"""The generated contexts run in the Asterisk emulator: a flow route whose IVR cannot be
reached falls back to its queue, a hold slice loops music → hold AGI → music, and the
voicemail overflow goes through cc-voicemail."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

from callcenter.ami import events as ev
from callcenter.ami.client import AmiClient, AmiConfig
from callcenter.emulator import Emulator, InboundCaller
from dialplans.engine_contexts import EngineDialplanParams, Route, engine_contexts


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def collect(ami: AmiClient, seen: list[ev.AmiEvent]) -> None:
    async for event in ami.events():
        seen.append(event)


async def until(seen: list[ev.AmiEvent], pred: Callable[[ev.AmiEvent], bool]) -> ev.AmiEvent:
    async with asyncio.timeout(10):
        while True:
            for event in seen:
                if pred(event):
                    return event
            await asyncio.sleep(0.01)


def named(name: str) -> Callable[[ev.AmiEvent], bool]:
    return lambda e: (e.name if isinstance(e, ev.UnknownEvent) else type(e).__name__) == name


async def test_flow_fallback_hold_slices_and_voicemail_overflow_run_in_the_emulator() -> None:
    plan = engine_contexts(EngineDialplanParams(
        (Route("4000", "support", language="zh", flow="main", hold_slice_s=2),),
        agi_url=f"agi://127.0.0.1:{closed_port()}"))
    async with Emulator(speed=20, contexts=plan) as emu:
        config = AmiConfig("cc", "ccsecret", port=emu.port, resync=False)
        async with AmiClient(config) as ami:
            seen: list[ev.AmiEvent] = []
            task = asyncio.create_task(collect(ami, seen), name="test-collector")
            try:
                ch = emu.trunk.place(InboundCaller("5550001", "4000", 600, 600))
                assert ch is not None
                enqueued = await until(seen, lambda e: isinstance(e, ev.UserEvent))
                assert isinstance(enqueued, ev.UserEvent)
                assert enqueued.fields["Queue"] == "support"
                assert enqueued.fields["CallLanguage"] == "zh"
                assert enqueued.fields["IvrPath"] == "ivr-unreachable"
                # The 2-s slice ends, the hold AGI (unreachable) returns, music again.
                await until(seen, lambda e: sum(map(named("MusicOnHoldStart"), seen)) >= 2)
                assert sum(map(named("MusicOnHoldStop"), seen)) >= 1
                await ami.action("Redirect", {"Channel": ch.name, "Context": "cc-overflow",
                                              "Exten": "voicemail", "Priority": "1"})
                hangup = await until(seen, lambda e: isinstance(e, ev.Hangup)
                                     and e.channel.name == ch.name)
                assert isinstance(hangup, ev.Hangup) and hangup.channel.context == "cc-voicemail"
            finally:
                task.cancel()
