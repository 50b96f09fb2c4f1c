"""Recording end to end through the emulator: MixMonitor at the bridge on the wire, the
file's SHA-256 in the recordings table, a card-data pause from the agent's commands."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

from live_engine import e2e_config, live_engine
from sqlalchemy import select

from callcenter.ami import AmiClient, AmiConfig, events as ev
from callcenter.emulator import InboundCaller, Softphone
from cdr.store.schema import RecordingRow
from recording.metadata import file_facts


@asynccontextmanager
async def observer(port: int) -> AsyncIterator[list[ev.AmiEvent]]:
    """A second AMI session watching what the engine made Asterisk do."""
    seen: list[ev.AmiEvent] = []
    config = AmiConfig(username="cc", secret="ccsecret", port=port, ping_interval=5.0)
    async with AmiClient(config) as ami:
        async def read() -> None:
            async for event in ami.events():
                if isinstance(event, ev.MixMonitorStart | ev.MixMonitorMute | ev.BridgeEnter):
                    seen.append(event)

        task = asyncio.create_task(read(), name="observer")
        try:
            yield seen
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task


async def test_recorded_call_has_mixmonitor_at_the_bridge_a_pause_and_its_checksum(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "rec"
    config = e2e_config(agents=1, recording={
        "policy": {"rules": [{"mode": "all", "queues": ["support"]}]},
        "directory": str(directory)})
    phones = {"1001": Softphone("PJSIP/1001", ring_s=0.5, talk_s=100.0)}
    async with live_engine(config, phones=phones, db_path=tmp_path / "cc.db") as live:
        sb = live.service.switchboard
        async with observer(live.emulator.port) as seen:
            live.emulator.trunk.place(InboundCaller(number="5551234", did="4000",
                                                    patience_s=60, talk_s=40))
            await live.wait_for(lambda: any(c.recording for c in sb.calls.values()), 10.0,
                                "the recording to start")
            await asyncio.sleep(0.2)
            sb.record_pause("1001", live.service.now())
            live.service.perform_pending()
            await asyncio.sleep(0.2)
            sb.record_resume("1001", live.service.now())
            live.service.perform_pending()
            (record,) = await live.wait_records(1, timeout=20)
            await live.service.drain()
        names = [type(e).__name__ for e in seen]
        assert names.index("MixMonitorStart") > names.index("BridgeEnter")  # at the bridge
        mutes = [e for e in seen if isinstance(e, ev.MixMonitorMute)]
        assert [(m.direction, m.muted) for m in mutes] == [("both", True), ("both", False)]
        assert record.recording is not None and record.recording.startswith(str(directory))
        assert Path(record.recording).exists()
        db = live.service.db
        assert db is not None
        async with db.engine.connect() as conn:
            row = (await conn.execute(select(RecordingRow))).one()
    facts = file_facts(record.recording)
    assert (row.call_id, row.path, row.queue, row.agent_id) == (
        record.call_id, record.recording, "support", "1001")
    assert (row.sha256, row.size_bytes) == (facts.sha256, facts.size_bytes)
    ((start, end),) = json.loads(row.pauses)
    assert 0.1 < end - start < 1.0
    assert row.started_at <= start and end <= row.ended_at
    assert row.duration_s is not None and row.duration_s > 1.0  # 40 s of talk at speed 20


async def test_a_call_outside_the_policy_is_not_recorded(tmp_path: Path) -> None:
    config = e2e_config(agents=1, recording={
        "policy": {"rules": [{"mode": "all", "queues": ["sales"]}]},
        "directory": str(tmp_path / "rec")})
    async with live_engine(config, db_path=tmp_path / "cc.db") as live:
        live.emulator.trunk.place(InboundCaller(did="4000", patience_s=60, talk_s=4))
        (record,) = await live.wait_records(1, timeout=20)
        await live.service.drain()
    assert record.recording is None and not (tmp_path / "rec").exists()
