"""Supervisor controls end to end: MQTT (real Mosquitto) → engine → emulator (real AMI).

Each control is seen where it matters (a ChanSpyStart from the PBX, the agent's state, the
router's queues), each refusal gets an error reply and changes nothing, and every command,
refused or not, is in the audit table.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from live_engine import LiveEngine, e2e_config, live_engine

from acd import AgentState
from acd.testing import fingerprint
from callcenter.ami import AmiClient, AmiConfig, events as ev
from callcenter.bus.client import BusConfig, MqttBus, probe, unique_client_id
from callcenter.bus.topics import unique_prefix
from callcenter.emulator import InboundCaller, Softphone
from callcenter.engine.config import EngineConfig
from callcenter.engine.desktops import MqttDesktops
from callcenter.engine.effects import AmiRequest
from callcenter.engine.live import CallPhase
from callcenter.engine.remote import Remote
from callcenter.supervision.audit import AuditEntry, read_audit
from cdr.records import Outcome

SUPERVISION = {
    "teams": {"north": ["1001", "1002"], "south": ["1003"]},
    "users": [
        {"id": "sam", "role": "supervisor", "device": "PJSIP/800"},
        {"id": "ann", "role": "team-lead", "team": "north", "device": "PJSIP/801"},
        {"id": "desk-1001", "role": "agent", "agent": "1001"},
    ],
}
LONG = 5000.0  # simulated seconds: the call lasts the whole test


def config() -> EngineConfig:
    return e2e_config(agents=3, supervision=SUPERVISION)


@dataclass
class Rig:
    live: LiveEngine
    remote: Remote
    db_path: Path
    sent: list[AmiRequest] = field(default_factory=list)
    pbx_events: list[ev.AmiEvent] = field(default_factory=list)
    ami: AmiClient | None = None  # the test's own AMI session (a supervisor's phone, say)

    async def audit(self) -> list[AuditEntry]:
        db = self.live.service.db
        assert db is not None
        return await read_audit(db)

    def spy_events(self, kind: type[ev.AmiEvent]) -> list[ev.AmiEvent]:
        return [e for e in self.pbx_events if isinstance(e, kind)]

    def seen(self, kind: type[ev.AmiEvent], count: int) -> Callable[[], bool]:
        return lambda: len(self.spy_events(kind)) == count

    def originates(self) -> list[AmiRequest]:
        return [r for r in self.sent if r.name == "Originate"
                and r.fields.get("Application") == "ChanSpy"]


@asynccontextmanager
async def rig(tmp_path: Path, name: str, *, login: bool = True) -> AsyncIterator[Rig]:
    bus_config = BusConfig(client_id=unique_client_id(f"{name}-engine"),
                           topic_prefix=unique_prefix(f"test-{name}"))
    problem = await probe(bus_config)
    if problem is not None:
        pytest.skip(f"no MQTT broker at {bus_config.address}: {problem}")
    phones = {a: Softphone(f"PJSIP/{a}", ring_s=0.5, talk_s=LONG) for a in ("1001", "1002")}
    async with MqttBus(bus_config) as engine_bus, MqttBus(
        replace(bus_config, client_id=unique_client_id(f"{name}-desk"))
    ) as desk_bus, live_engine(config(), desktops=MqttDesktops(engine_bus), phones=phones,
                               db_path=tmp_path / "cc.db", login=login) as live:
        emu = live.emulator
        for device in ("PJSIP/800", "PJSIP/801"):
            emu.phones.add(Softphone(device, ring_s=0.3, talk_s=LONG))
        service = live.service
        result = Rig(live, Remote(desk_bus), tmp_path / "cc.db")
        send = service._send

        def recording_send(request: AmiRequest) -> None:
            result.sent.append(request)
            send(request)

        service._send = recording_send  # type: ignore[method-assign]
        watcher = AmiConfig(username="cc", secret="ccsecret", port=emu.port)
        async with AmiClient(watcher) as ami, result.remote:
            result.ami = ami

            async def watch() -> None:
                async for event in ami.events():
                    if isinstance(event, ev.ChanSpyStart | ev.ChanSpyStop):
                        result.pbx_events.append(event)

            task = asyncio.create_task(watch(), name="spy-watch")
            await asyncio.sleep(0.3)  # the engine's subscriptions reach the broker
            try:
                yield result
            finally:
                task.cancel()


async def connected_call(r: Rig, agent: str = "1001") -> str:
    """Place a call and wait until `agent` talks on it, bridged; its call id."""
    sb = r.live.service.switchboard
    r.live.emulator.trunk.place(InboundCaller(did="4000", patience_s=LONG, talk_s=LONG))

    def talking() -> bool:
        call = sb.calls.get(sb.agents[agent].call_id or "")
        return (call is not None and call.phase is CallPhase.CONNECTED and call.bridged
                and call.leg is not None and bool(call.leg.channel))

    await r.live.wait_for(talking, 10.0, f"agent {agent} talking")
    call_id = sb.agents[agent].call_id
    assert call_id is not None
    return call_id


async def test_listen_whisper_barge_ring_the_supervisor_and_chanspy_starts(
    tmp_path: Path,
) -> None:
    async with rig(tmp_path, "sup-spy") as r:
        sb = r.live.service.switchboard
        call_id = await connected_call(r)
        leg = sb.calls[call_id].leg
        assert leg is not None
        for n, (cmd, options) in enumerate((("listen", "qE"), ("whisper", "qEw"),
                                             ("barge", "qEB")), 1):
            user = "ann" if cmd == "barge" else "sam"  # a team lead on its own team
            reply = await r.remote.supervisor(user, cmd, agent="1001")
            assert reply["ok"], reply
            await r.live.wait_for(r.seen(ev.ChanSpyStart, n), 5.0, f"ChanSpyStart for {cmd}")
            start = r.spy_events(ev.ChanSpyStart)[-1]
            assert isinstance(start, ev.ChanSpyStart)
            assert start.spyee.name == leg.channel
            device = "PJSIP/801" if user == "ann" else "PJSIP/800"
            assert start.spyer.name.startswith(device + "-")
            originate = r.originates()[-1]
            assert originate.fields["Channel"] == device
            assert originate.fields["Data"] == f"{leg.channel},{options}"
            # the supervisor hangs up: the spy stops, the call goes on
            assert r.ami is not None
            await r.ami.action("Hangup", {"Channel": start.spyer.name})
            await r.live.wait_for(r.seen(ev.ChanSpyStop, n), 5.0, f"ChanSpyStop for {cmd}")
            assert sb.calls[call_id].phase is CallPhase.CONNECTED
        await r.live.wait_for(lambda: len(r.remote.view.supervisor_events) >= 6, 5.0,
                              "supervisor events")
        events = [(e["event"], e["user"], e["mode"]) for e in r.remote.view.supervisor_events]
        assert events == [("spy-started", "sam", "listen"), ("spy-stopped", "sam", "listen"),
                          ("spy-started", "sam", "whisper"), ("spy-stopped", "sam", "whisper"),
                          ("spy-started", "ann", "barge"), ("spy-stopped", "ann", "barge")]
        audit = await r.audit()
        assert [(a.user_id, a.action, a.agent_id, a.call_id, a.result) for a in audit] == [
            ("sam", "listen", "1001", call_id, "ok"), ("sam", "whisper", "1001", call_id, "ok"),
            ("ann", "barge", "1001", call_id, "ok")]


async def test_forced_hangup_pause_ready_logout(tmp_path: Path) -> None:
    async with rig(tmp_path, "sup-force") as r:
        sb = r.live.service.switchboard
        call_id = await connected_call(r)
        assert (await r.remote.supervisor("sam", "hangup", agent="1001"))["ok"]
        (record,) = await r.live.wait_records(1)
        assert record.call_id == call_id and record.outcome is Outcome.ANSWERED
        await r.live.wait_for(lambda: sb.agents["1001"].state is not AgentState.ON_CALL, 5.0,
                              "the call to end")
        reply = await r.remote.supervisor("ann", "pause", agent="1002", reason="coaching")
        assert reply["ok"], reply
        assert (sb.agents["1002"].state, sb.agents["1002"].reason) == (
            AgentState.PAUSED, "coaching")
        assert (await r.remote.supervisor("ann", "ready", agent="1002"))["ok"]
        assert sb.agents["1002"].state is AgentState.AVAILABLE
        assert (await r.remote.supervisor("sam", "logout", agent="1003"))["ok"]
        assert sb.agents["1003"].state is AgentState.LOGGED_OUT
        # what the agent could not do itself, a supervisor cannot force either
        reply = await r.remote.supervisor("sam", "hangup", agent="1003")
        assert reply == {**reply, "ok": False, "error": "agent 1003 is not logged in"}
        audit = await r.audit()
        assert [(a.user_id, a.action, a.agent_id, a.detail, a.result) for a in audit] == [
            ("sam", "hangup", "1001", None, "ok"),
            ("ann", "pause", "1002", "reason coaching", "ok"),
            ("ann", "ready", "1002", None, "ok"),
            ("sam", "logout", "1003", None, "ok"),
            ("sam", "hangup", "1003", None, "agent 1003 is not logged in")]


async def test_move_call_and_set_priority_change_the_router(tmp_path: Path) -> None:
    async with rig(tmp_path, "sup-queue", login=False) as r:
        sb = r.live.service.switchboard
        for number in ("5550001", "5550002"):
            r.live.emulator.trunk.place(InboundCaller(number=number, did="4000",
                                                      patience_s=LONG, talk_s=5))
            await asyncio.sleep(0.05)
        await r.live.wait_for(lambda: len(sb.calls) == 2, 5.0, "two callers waiting")
        first, second = sorted(sb.calls, key=lambda c: sb.calls[c].enqueued_at)
        reply = await r.remote.supervisor("sam", "set_priority", call_id=second, priority=8)
        assert reply["ok"], reply
        assert sb.router.call_info(second).priority == 8 and sb.calls[second].priority == 8
        reply = await r.remote.supervisor("sam", "move_call", call_id=first, queue="sales")
        assert reply["ok"], reply
        assert sb.router.call_info(first).queue == "sales" and sb.calls[first].queue == "sales"
        assert sb.router.waiting_call_ids("sales") == [first]
        reply = await r.remote.supervisor("sam", "move_call", call_id=first, queue="nowhere")
        assert not reply["ok"] and "nowhere" in reply["error"]
        # an agent serving both queues now gets the raised call before the one waiting longer
        sb.login("1001", None, r.live.service.now())
        r.live.service.perform_pending()
        assert sb.agents["1001"].call_id == second
        setvars = [q.fields for q in r.sent if q.name == "Setvar"
                   and q.fields.get("Variable") in ("CC_PRIORITY", "CC_QUEUE")]
        assert {"Channel": sb.calls[second].channel, "Variable": "CC_PRIORITY",
                "Value": "8"} in setvars
        assert any(f["Variable"] == "CC_QUEUE" and f["Value"] == "sales" for f in setvars)
        audit = await r.audit()
        assert [(a.action, a.call_id, a.detail, a.result == "ok") for a in audit] == [
            ("set_priority", second, "priority 8", True),
            ("move_call", first, "to queue sales", True),
            ("move_call", first, "to queue nowhere", False)]


async def test_refusals_get_an_error_change_nothing_and_are_audited(tmp_path: Path) -> None:
    async with rig(tmp_path, "sup-refuse") as r:
        sb = r.live.service.switchboard
        call_id = await connected_call(r, "1001")
        await connected_call(r, "1002")
        await r.live.wait_for(lambda: sb.agents["1003"].state is AgentState.AVAILABLE, 5.0,
                              "1003 available")
        before = fingerprint(sb.router)[1:]  # all but the clock
        states = {a: (x.state, x.reason) for a, x in sb.agents.items()}
        sent_before = len(r.sent)
        attempts: list[tuple[str, str, dict[str, Any], str]] = [
            ("ann", "barge", {"agent": "1003"},
             "team-lead ann may act only on team north; agent 1003 is not in it"),
            ("ann", "logout", {"agent": "1003"}, "may act only on team north; agent 1003"),
            ("ann", "move_call", {"call_id": call_id, "queue": "sales"},
             "team-lead ann may not move_call"),
            ("desk-1001", "pause", {"agent": "1002", "reason": "x"},
             "agent desk-1001 may not pause"),
            ("desk-1001", "listen", {"agent": "1001"}, "agent desk-1001 may not listen"),
            ("eve", "hangup", {"agent": "1001"}, "user 'eve' is not configured"),
            ("sam", "listen", {"agent": "1003"}, "agent 1003 is not on a call"),
        ]
        for user, cmd, fields, error in attempts:
            reply = await r.remote.supervisor(user, cmd, **fields)
            assert reply["ok"] is False and reply["user"] == user
            assert error in reply["error"], (cmd, reply["error"])
        # a payload that cannot be read: an error reply carrying its id, and an audit row
        r.remote.bus.publish(r.remote.topics.supervisor_commands("sam"), json.dumps(
            {"v": 1, "id": "bad-1", "cmd": "pause", "agent": "1002"}).encode())
        await r.live.wait_for(lambda: len(r.remote.view.replies_failed) >= 7, 5.0, "replies")
        await asyncio.sleep(0.3)
        assert fingerprint(sb.router)[1:] == before
        assert {a: (x.state, x.reason) for a, x in sb.agents.items()} == states
        assert r.sent[sent_before:] == []  # nothing reached Asterisk
        assert r.spy_events(ev.ChanSpyStart) == []
        audit = await r.audit()
        assert [(a.user_id, a.role, a.action) for a in audit] == [
            ("ann", "team-lead", "barge"), ("ann", "team-lead", "logout"),
            ("ann", "team-lead", "move_call"), ("desk-1001", "agent", "pause"),
            ("desk-1001", "agent", "listen"), ("eve", None, "hangup"),
            ("sam", "supervisor", "listen"), ("sam", "supervisor", "?")]
        assert not any(a.ok for a in audit)
        assert audit[-1].request_id == "bad-1"
        assert audit[-1].result == "pause: field 'reason': Field required"
