"""The AMI connection drops in the middle of calls: the engine reconnects, reconciles and
every call is written exactly once."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "engine"))

from live_engine import e2e_config, live_engine

from callcenter.emulator import InboundCaller, Softphone
from callcenter.engine.service import EngineService
from cdr.records import Outcome


async def wait_for_session(service: EngineService, session: int, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while service.ami_sessions() < session:
        assert asyncio.get_running_loop().time() < deadline, f"no AMI session {session}"
        await asyncio.sleep(0.02)


async def test_calls_survive_ami_outages() -> None:
    config = e2e_config(agents=4)
    phones = {f"10{i:02d}": Softphone(f"PJSIP/10{i:02d}", ring_s=0.5, talk_s=15.0)
              for i in range(1, 5)}
    async with live_engine(config, phones=phones, speed=20.0) as live:
        emu = live.emulator
        numbers = [f"55500{i:02d}" for i in range(12)]
        for i, number in enumerate(numbers):
            # some hang up while waiting (patience 30 s of PBX time = 1.5 s), most are served
            emu.trunk.place(InboundCaller(number=number, did="4000",
                                          patience_s=30.0 if i % 4 == 3 else 400.0,
                                          talk_s=10.0))
            if i in (3, 7):
                sessions = live.service.ami_sessions()
                await emu.cut(0.3)  # calls go on inside the PBX while the engine is away
                # the engine's backoff may outlast the outage; the next cut must find it back
                await wait_for_session(live.service, sessions + 1)
            await asyncio.sleep(0.1)
        records = await live.wait_records(12, timeout=30)
        await asyncio.sleep(0.5)
        assert len(records) == 12  # nothing written twice
        assert sorted(r.caller for r in records) == numbers  # type: ignore[type-var]
        outcomes = {r.caller: r.outcome for r in records}
        assert {outcomes[n] for i, n in enumerate(numbers) if i % 4 != 3} == {Outcome.ANSWERED}
        sb = live.service.switchboard
        assert sb.calls == {} and sb.legs == {}
        assert live.service.ami_sessions() >= 3
