"""Each role's allowed and refused operations over HTTP, with the engine on the emulator:
an agent reads and commands only itself, a team lead its team, a supervisor everything live;
every refusal is a JSON 403 with its reason and an audit row; supervisor commands are audited
exactly as over MQTT."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
from api_engine import api_config, api_engine

from acd import AgentState
from callcenter.emulator import InboundCaller, Softphone


def _config(tmp_path: Path) -> Any:
    return api_config(
        recording={"directory": str(tmp_path / "rec"), "settle_s": 0.2,
                   "policy": {"rules": [{"mode": "all"}]}},
        http={"port": 0, "recordings_for_agents": True})


async def _eventually(client: httpx.AsyncClient, path: str,
                      done: Any = lambda r: True, timeout: float = 10) -> httpx.Response:
    """GET until 200 and `done` (the writer commits records in batches)."""
    deadline = time.monotonic() + timeout
    while True:
        response = await client.get(path)
        if response.status_code == 200 and done(response):
            return response
        assert time.monotonic() < deadline, response.text
        await asyncio.sleep(0.1)


async def _post(client: httpx.AsyncClient, csrf: str, path: str,
                body: dict[str, Any] | None = None) -> httpx.Response:
    return await client.post(path, json=body, headers={"X-CSRF-Token": csrf})


async def test_an_agent_cannot_read_or_command_another_agent(tmp_path: Path) -> None:
    (tmp_path / "rec").mkdir()
    phones = {a: Softphone(f"PJSIP/{a}", ring_s=0.3, talk_s=1000.0)
              for a in ("1001", "1002", "1003")}
    async with api_engine(tmp_path, _config(tmp_path), phones=phones) as live:
        sb = live.service.switchboard
        for agent in ("1001", "1003"):
            sb.pause(agent, "meeting", live.service.now())
        live.service.perform_pending()
        live.emulator.trunk.place(InboundCaller(number="5550200", did="4000", patience_s=100,
                                                talk_s=1.0))
        await live.wait_for(lambda: len(live.records) == 1, 20, "the call to 1002 to end")
        (record,) = live.records
        assert record.agent_id == "1002"
        await live.wait_for(lambda: sb.agents["1002"].state is AgentState.AVAILABLE, 5,
                            "1002 out of wrap-up")
        a, a_csrf = await live.session("desk-1001")
        b, b_csrf = await live.session("1002")
        call = record.call_id

        # B reads its own call, record and recording, and plays it with a Range
        own = await _eventually(b, f"/api/v1/calls/{call}",
                                lambda r: r.json()["record"]["recording"] is not None)
        assert own.json()["record"]["agent"] == "1002"
        assert own.json()["record"]["why"] is None  # issue 19
        assert [s["kind"] for s in own.json()["record"]["segments"]] == [
            "queue", "ring", "announcement", "talk", "wrap-up"]
        recordings = (await b.get("/api/v1/recordings")).json()
        assert [r["recording_id"] for r in recordings] == [call]
        part = await b.get(f"/api/v1/recordings/{call}/audio", headers={"Range": "bytes=0-9"})
        assert part.status_code == 206 and len(part.content) == 10
        assert part.headers["content-range"].startswith("bytes 0-9/")

        # A may not: each a JSON 403 with the table's reason
        refusals = {
            f"/api/v1/calls/{call}": "read_calls",
            f"/api/v1/records/{call}": "read_calls",
            "/api/v1/records?agent=1002": "read_calls",
            f"/api/v1/recordings/{call}": "read_recordings",
            f"/api/v1/recordings/{call}/audio": "read_recordings",
            "/api/v1/agents/1002": "read_agents",
            "/api/v1/customers?phone=5550200": "read_customers",
        }
        for path in refusals:
            response = await a.get(path)
            assert response.status_code == 403, (path, response.text)
            assert response.json()["error"] == "forbidden"
        own_list = (await a.get("/api/v1/records")).json()
        assert own_list == []  # its own calls only: it had none
        assert [x["agent"] for x in (await a.get("/api/v1/agents")).json()] == ["1001"]
        for path, body in (("/api/v1/agents/1002/pause", {"reason": "x"}),
                           ("/api/v1/agents/1002/logout", None),
                           ("/api/v1/agents/1002/login", None),
                           ("/api/v1/agents/1002/listen", None),
                           ("/api/v1/dial", {"number": "5551234", "agent": "1002"})):
            response = await _post(a, a_csrf, path, body)
            assert response.status_code == 403, (path, response.text)
        assert sb.agents["1002"].state is AgentState.AVAILABLE  # nothing happened to B

        # every refusal is in the audit table, with who, what and on whom
        rows = [r for r in await live.audit("desk-1001") if not r.ok]
        assert len(rows) == len(refusals) + 5
        assert {r.action for r in rows} >= {"read_calls", "read_recordings", "pause",
                                            "listen", "dial", "agent_command"}
        pause = next(r for r in rows if r.action == "pause")
        assert (pause.role, pause.agent_id, pause.result) == (
            "agent", "1002", "agent desk-1001 may not pause")
        plays = [r for r in await live.audit("1002") if r.action == "play_recording"]
        assert len(plays) == 1 and plays[0].ok and "bytes=0-9" in (plays[0].detail or "")

        # A commands itself
        assert (await _post(a, a_csrf, "/api/v1/agents/1001/ready")).status_code == 200
        assert sb.agents["1001"].state is AgentState.AVAILABLE
        conflict = await _post(b, b_csrf, "/api/v1/agents/1002/wrapup/end")
        assert conflict.status_code == 409  # the engine's own refusal, not the table's
        await a.aclose()
        await b.aclose()


async def test_team_lead_supervisor_and_admin(tmp_path: Path) -> None:
    async with api_engine(tmp_path) as live:
        sb = live.service.switchboard
        ann, ann_csrf = await live.session("ann")
        sam, sam_csrf = await live.session("sam")
        ada, ada_csrf = await live.session("ada")
        assert [x["agent"] for x in (await ann.get("/api/v1/agents")).json()] == [
            "1001", "1002"]
        assert (await ann.get("/api/v1/agents/1003")).status_code == 403
        ok = await _post(ann, ann_csrf, "/api/v1/agents/1002/pause", {"reason": "coaching"})
        assert ok.status_code == 200 and sb.agents["1002"].reason == "coaching"
        refused = await _post(ann, ann_csrf, "/api/v1/agents/1003/pause", {"reason": "x"})
        assert refused.json()["reason"] == (
            "team-lead ann may act only on team north; agent 1003 is not in it")
        assert (await ann.get("/api/v1/admin/config")).status_code == 403
        # supervisor: everyone; the audit row is the one an MQTT command writes
        done = await _post(sam, sam_csrf, "/api/v1/agents/1003/pause", {"reason": "lunch"})
        assert done.status_code == 200
        (row,) = [r for r in await live.audit("sam") if r.action == "pause"]
        assert (row.role, row.agent_id, row.detail, row.result, row.request_id) == (
            "supervisor", "1003", "reason lunch", "ok", done.json()["request_id"])
        busy = await _post(sam, sam_csrf, "/api/v1/agents/1003/listen")
        assert busy.status_code == 409 and "not on a call" in busy.json()["reason"]
        assert (await sam.get("/api/v1/admin/config")).status_code == 403
        # admin: the configuration, and admin commands through the MQTT code path
        config = (await ada.get("/api/v1/admin/config")).json()
        assert [q["name"] for q in config["queues"]] == ["support", "sales"]
        command = {"v": 1, "id": "skills-1", "cmd": "set_agent_skills", "agent": "1003",
                   "skills": {"support": 9}}
        assert (await _post(ada, ada_csrf, "/api/v1/admin/commands", command)
                ).status_code == 200
        assert dict(sb.router.agent_info("1003").skills)["support"] == 9
        for client in (ann, sam, ada):
            await client.aclose()


async def test_waiting_calls_move_and_priority(tmp_path: Path) -> None:
    async with api_engine(tmp_path, login=False) as live:
        sam, csrf = await live.session("sam")
        ann, ann_csrf = await live.session("ann")
        live.emulator.trunk.place(InboundCaller(number="5550300", did="4000", patience_s=100,
                                                talk_s=5))
        await live.wait_for(lambda: len(live.service.switchboard.calls) == 1, 10, "queued")
        (waiting,) = (await sam.get("/api/v1/waiting")).json()
        assert (waiting["queue"], waiting["position"], waiting["caller"]) == (
            "support", 1, "5550300")
        call = waiting["call_id"]
        assert (await ann.get("/api/v1/waiting")).json() == []  # a queue is not a team's
        refused = await _post(ann, ann_csrf, f"/api/v1/waiting/{call}/priority",
                              {"priority": 9})
        assert refused.status_code == 403
        assert (await _post(sam, csrf, f"/api/v1/waiting/{call}/priority", {"priority": 7})
                ).status_code == 200
        assert (await _post(sam, csrf, f"/api/v1/waiting/{call}/move", {"queue": "sales"})
                ).status_code == 200
        (moved,) = (await sam.get("/api/v1/waiting")).json()
        assert (moved["queue"], moved["priority"]) == ("sales", 7)
        bad = await _post(sam, csrf, f"/api/v1/waiting/{call}/priority", {"priority": 12})
        assert bad.status_code == 422
        assert bad.json()["fields"][0]["path"] == "body.priority"
        queue = (await sam.get("/api/v1/queues/sales")).json()
        assert queue["waiting"] == 1 and queue["today"]["offered"] == 0
        for client in (sam, ann):
            await client.aclose()
