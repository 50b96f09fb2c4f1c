"""The IVR end to end: callers dial in over the emulator's trunk, the generated dialplan hands
them to the engine's FastAGI server, the flows in `data/` decide, and the ACD routes them.

Times are PBX seconds; the emulator runs 20x faster than the wall clock."""

from __future__ import annotations

import asyncio
import json
import sys
import wave
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import aiomqtt
import pytest
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parent))

from live_engine import LiveEngine, e2e_config, live_engine

from callcenter.agi import free_port
from callcenter.bus.client import BusConfig, MqttBus, probe, unique_client_id
from callcenter.bus.topics import unique_prefix
from callcenter.emulator import InboundCaller, Softphone
from callcenter.engine.config import EngineConfig, load_flows
from callcenter.engine.desktops import MqttDesktops
from callcenter.engine.live import CallPhase
from callcenter.notify.email import SmtpSettings
from cdr.callers.blacklist import add_to_blacklist
from cdr.callers.customers import import_customers
from cdr.callers.voicemail import list_voicemails
from cdr.records import CallRecord, Outcome, SegmentKind
from cdr.store.db import Database
from cdr.store.schema import SurveyRow
from ivr.dtmf import luhn_ok

DATA = Path(__file__).parent / "data"
LONG = 600.0
SPEED = 20.0  # live_engine's default: PBX seconds per wall-clock second
VALID_ACCOUNT = "79927398"  # passes the Luhn check
WRONG_ACCOUNTS = ("12345678", "11111111")


def ivr_config(tmp_path: Path, services: dict[str, Any] | None = None) -> EngineConfig:
    return e2e_config(
        agents=1,
        ivr={"flows": {"e2e": str(DATA / "e2e_flow.yaml"), "night": str(DATA / "night_flow.yaml")},
             "agi_port": 0, "voicemail_dir": str(tmp_path / "voicemail")},
        routes=[{"did": "4000", "queue": "support", "flow": "e2e"},
                {"did": "4002", "queue": "support", "flow": "night"}],
        services=services or {},
    )


@asynccontextmanager
async def ivr_engine(tmp_path: Path, config: EngineConfig, *, talk_s: float = 20.0,
                     login: bool = True, **kwargs: Any) -> AsyncIterator[LiveEngine]:
    phones = {"1001": Softphone("PJSIP/1001", ring_s=0.5, talk_s=talk_s)}
    async with live_engine(config, phones=phones, db_path=tmp_path / "cc.db", login=login,
                           flows=load_flows(config), **kwargs) as live:
        yield live


def caller(number: str, *keys: str, did: str = "4000", talk_s: float = LONG,
           message_s: float = 0.0) -> InboundCaller:
    return InboundCaller(number=number, did=did, patience_s=LONG, talk_s=talk_s, keys=keys,
                         message_s=message_s)


def db_of(live: LiveEngine) -> Database:
    assert live.service.db is not None
    return live.service.db


async def waiting(live: LiveEngine, count: int) -> None:
    sb = live.service.switchboard
    await live.wait_for(
        lambda: sum(c.phase is CallPhase.WAITING for c in sb.calls.values()) == count,
        10.0, f"{count} callers waiting")


def by_caller(records: list[CallRecord]) -> dict[str | None, CallRecord]:
    return {r.caller: r for r in records}


async def test_a_vip_identified_by_caller_id_jumps_ahead(tmp_path: Path) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text("customer_id,name,phone,tier\nC-1,Wang Fang,5550009,vip\n"
                         "C-2,Li Lei,5550001,normal\n", encoding="utf-8")
    async with ivr_engine(tmp_path, ivr_config(tmp_path), talk_s=2.0, login=False) as live:
        await import_customers(db_of(live), customers)
        emu = live.emulator
        for number in ("5550001", "5550002"):
            emu.trunk.place(caller(number, "2"))
            await waiting(live, int(number[-1]))
        emu.trunk.place(caller("5550009", "2"))  # the VIP calls last
        await waiting(live, 3)
        service = live.service
        service.switchboard.login("1001", None, service.now())
        service.perform_pending()
        records = await live.wait_records(3, timeout=20)
    answered = sorted(records, key=lambda r: r.answered_at or 0.0)
    assert [r.caller for r in answered] == ["5550009", "5550001", "5550002"]
    vip = by_caller(records)["5550009"]
    assert (vip.tier, vip.priority, vip.customer_id) == ("vip", 5, "C-1")
    assert vip.segments[0].kind is SegmentKind.IVR
    assert all(r.outcome is Outcome.ANSWERED for r in records)


async def test_a_wrong_account_number_twice_goes_to_the_general_queue(tmp_path: Path) -> None:
    assert luhn_ok(VALID_ACCOUNT) and not any(luhn_ok(a) for a in WRONG_ACCOUNTS)
    async with ivr_engine(tmp_path, ivr_config(tmp_path), talk_s=1.0) as live:
        emu = live.emulator
        emu.trunk.place(caller("5550101", "1", *WRONG_ACCOUNTS))
        emu.trunk.place(caller("5550102", "1", VALID_ACCOUNT))
        records = by_caller(await live.wait_records(2, timeout=20))
        heard = emu.trunk.heard("5550101")
    assert records["5550101"].queue == "support"  # the general queue
    assert records["5550102"].queue == "sales"
    assert sum(entry.endswith("enter-account") for entry in heard) == 2, heard


async def test_out_of_hours_takes_a_voicemail_and_publishes_it(tmp_path: Path) -> None:
    bus_config = BusConfig(topic_prefix=unique_prefix("test-ivr"))
    problem = await probe(bus_config)
    if problem is not None:
        pytest.skip(f"no MQTT broker at {bus_config.address}: {problem}")
    async with aiomqtt.Client("127.0.0.1", 1883,
                              identifier=unique_client_id("ivr-e2e-listener")) as listener, \
            MqttBus(bus_config) as bus, \
            ivr_engine(tmp_path, ivr_config(tmp_path), desktops=MqttDesktops(bus)) as live:
        await listener.subscribe(bus.topics.voicemail_filter, qos=1)
        live.emulator.trunk.place(caller("5550200", did="4002", message_s=6.0))
        async with asyncio.timeout(15):
            message = await anext(aiter(listener.messages))
        records = await live.wait_records(1, timeout=10)
        stored = await list_voicemails(db_of(live))
    event = json.loads(message.payload if isinstance(message.payload, bytes) else b"")
    assert str(message.topic) == bus_config.topics.voicemail("support")
    assert (event["box"], event["caller"], event["reason"]) == ("support", "5550200", "closed")
    assert 4.0 <= event["duration_s"] <= 6.5  # PBX seconds of speech
    assert [v.message.voicemail_id for v in stored] == [event["voicemail_id"]]
    with wave.open(stored[0].message.path) as audio:  # the file the PBX recorded
        assert audio.getnframes() / audio.getframerate() >= 4.0
    (record,) = records
    assert record.outcome is Outcome.VOICEMAIL and record.queue == "support"
    assert [s.kind for s in record.segments] == [SegmentKind.IVR]


async def test_a_voicemail_is_emailed_when_smtp_is_configured(tmp_path: Path) -> None:
    controller = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is not installed")
    received: list[bytes] = []

    class Inbox:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(envelope.content)
            return "250 OK"

    port = free_port()
    smtp = controller.Controller(Inbox(), hostname="127.0.0.1", port=port)
    smtp.start()
    config = ivr_config(tmp_path).model_copy(update={"smtp": SmtpSettings(
        host="127.0.0.1", port=port, starttls=False, sender="pbx@example.com",
        recipients=["support-leads@example.com"], timeout_s=5.0)})
    try:
        async with ivr_engine(tmp_path, config) as live:
            live.emulator.trunk.place(caller("5550250", did="4002", message_s=5.0))
            await live.wait_for(lambda: bool(received), 15.0, "the voicemail e-mail")
            await live.wait_for(lambda: bool(live.records), 10.0, "the call record")
            await asyncio.sleep(0.2)  # the notified mark is written after the send
            (stored,) = await list_voicemails(db_of(live))
    finally:
        smtp.stop()
    mail = message_from_bytes(received[0], policy=policy.default)
    assert "support" in str(mail["Subject"]) and "5550250" in str(mail["Subject"])
    assert mail["To"] == "support-leads@example.com"
    attachments = [part.get_filename() for part in mail.iter_attachments()]
    assert attachments and attachments[0].endswith(".wav")
    assert stored.notified_at is not None


async def test_a_blacklisted_number_is_blocked(tmp_path: Path) -> None:
    async with ivr_engine(tmp_path, ivr_config(tmp_path)) as live:
        db = db_of(live)
        await add_to_blacklist(db, "5550300", "abusive", live.service.now(), by="test")
        live.emulator.trunk.place(caller("5550300", "2"))
        (record,) = await live.wait_records(1, timeout=10)
        heard = live.emulator.trunk.heard("5550300")
    assert record.outcome is Outcome.BLOCKED and record.queue is None
    assert "play:cc/en/blocked" in heard
    assert not any("main-menu" in entry for entry in heard)


async def test_the_position_announcement_counts_down(tmp_path: Path) -> None:
    config = ivr_config(tmp_path, {"support": {"announce_every_s": 10}})
    async with ivr_engine(tmp_path, config, talk_s=30.0) as live:
        emu = live.emulator
        for i in range(4):
            emu.trunk.place(caller(f"555040{i}", "2"))
            await asyncio.sleep(0.2)
        await live.wait_records(4, timeout=40)
        heard = emu.trunk.heard("5550403")
    positions = [int(heard[i + 1].removeprefix("number:")) for i, entry in enumerate(heard)
                 if entry.endswith("queue-you-are-number")]
    assert positions[0] == 3 and 2 in positions, heard
    assert positions == sorted(positions, reverse=True), heard
    assert any(entry.endswith("queue-you-are-next") for entry in heard), heard


async def test_a_callback_request_keeps_the_callers_place(tmp_path: Path) -> None:
    config = ivr_config(tmp_path, {"support": {"announce_every_s": 10, "callback": True}})
    async with ivr_engine(tmp_path, config, talk_s=30.0) as live:
        emu = live.emulator
        emu.trunk.outbound_ring_s = 1.0
        emu.trunk.outbound_talk_s = 10.0
        emu.trunk.place(caller("5550500", "2"))  # talks to the agent first
        await live.wait_for(lambda: live.service.switchboard.agents["1001"].call_id is not None,
                            10.0, "the first call offered")
        emu.trunk.place(caller("5550501", "2", ""))  # stays on the line
        await waiting(live, 1)
        emu.trunk.place(caller("5550502", "2", "1"))  # presses 1 at its first announcement
        await waiting(live, 2)
        sb = live.service.switchboard
        await live.wait_for(lambda: any(c.callback_to for c in sb.calls.values()), 10.0,
                            "the callback request")
        emu.trunk.place(caller("5550503", "2", "", ""))  # calls after the request
        records = by_caller(await live.wait_records(4, timeout=40))
        heard = emu.trunk.heard("5550502")
    callback = records["5550502"]
    assert callback.outcome is Outcome.ANSWERED
    assert "play:cc/en/callback-registered" in heard
    answered = sorted(records.values(), key=lambda r: r.answered_at or 0.0)
    assert [r.caller for r in answered] == ["5550500", "5550501", "5550502", "5550503"]
    talk = [s for s in callback.segments if s.kind is SegmentKind.TALK]
    assert len(talk) == 1 and talk[0].end - talk[0].start >= 8.0 / SPEED  # 10 s on the phone


async def test_a_callback_requested_in_the_ivr_is_queued_and_dialled(tmp_path: Path) -> None:
    async with ivr_engine(tmp_path, ivr_config(tmp_path), talk_s=30.0) as live:
        emu = live.emulator
        emu.trunk.outbound_ring_s = 1.0
        emu.trunk.outbound_talk_s = 10.0
        emu.trunk.place(caller("5550550", "3", "1"))  # 3: call me back; 1: on this number
        (record,) = await live.wait_records(1, timeout=20)
        heard = emu.trunk.heard("5550550")
    assert "play:cc/en/callback-will-call" in heard and "digits:5550550" in heard
    assert record.outcome is Outcome.ANSWERED and record.queue == "support"
    assert record.call_id == record.uniqueid  # the IVR caller's channel: one record
    assert [s.kind for s in record.segments][:2] == [SegmentKind.IVR, SegmentKind.QUEUE]
    assert any(s.kind is SegmentKind.TALK for s in record.segments)


async def test_the_post_call_survey_stores_the_scores(tmp_path: Path) -> None:
    config = ivr_config(tmp_path, {"support": {"survey_csat": True, "survey_nps": True}})
    # the agent hangs up first, after the agent-ID announcement (about 4 s)
    async with ivr_engine(tmp_path, config, talk_s=8.0) as live:
        emu = live.emulator
        emu.trunk.place(caller("5550600", "2", "4", "10"))
        emu.trunk.place(caller("5550601", "2", "7", "*#", ""))  # out of range, junk, silence
        records = by_caller(await live.wait_records(2, timeout=30))
        await live.service.drain()
        async with db_of(live).engine.connect() as conn:
            stored = (await conn.execute(
                select(SurveyRow.csat, SurveyRow.nps).where(
                    SurveyRow.call_id == records["5550600"].call_id))).all()
    surveyed, refused = records["5550600"].survey, records["5550601"].survey
    assert surveyed is not None and (surveyed.csat, surveyed.nps) == (4, 10)
    assert [tuple(row) for row in stored] == [(4, 10)]
    assert refused is not None and (refused.csat, refused.nps) == (None, None)


async def test_a_caller_hanging_up_in_the_menu_is_an_ivr_abandon(tmp_path: Path) -> None:
    async with ivr_engine(tmp_path, ivr_config(tmp_path)) as live:
        live.emulator.trunk.place(caller("5550700", "hangup"))
        (record,) = await live.wait_records(1, timeout=10)
    assert record.outcome is Outcome.ABANDONED and record.queue is None
    assert [s.kind for s in record.segments] == [SegmentKind.IVR]
    assert live.service.switchboard.ivr_spans == {}
