"""Click-to-dial for a CRM, through the emulator: a token names the agent; a user dials as
itself."""

from __future__ import annotations

from pathlib import Path

from api_engine import api_engine

from callcenter.emulator import Softphone


async def test_a_crm_token_dials_for_an_agent_and_an_agent_for_itself(tmp_path: Path) -> None:
    phones = {a: Softphone(f"PJSIP/{a}", ring_s=0.3, talk_s=1.0)
              for a in ("1001", "1002", "1003")}
    async with api_engine(tmp_path, phones=phones) as live:
        secret = await live.token("crm", "dial,calls:read")
        crm = live.client(headers={"Authorization": f"Bearer {secret}"})
        nobody = await crm.post("/api/v1/dial", json={"number": "0612345678"})
        assert nobody.status_code == 422 and "agent" in nobody.json()["reason"]
        bad = await crm.post("/api/v1/dial", json={"number": "06-12", "agent": "1001"})
        assert bad.status_code == 422 and bad.json()["fields"][0]["path"] == "body.number"
        done = await crm.post("/api/v1/dial", json={"number": "0612345678", "agent": "1001"})
        assert done.status_code == 200, done.text
        sb = live.service.switchboard
        assert sb.agents["1001"].reason == "outbound-call"
        agent, csrf = await live.session("1002")
        mine = await agent.post("/api/v1/dial", json={"number": "0698765432"},
                                headers={"X-CSRF-Token": csrf})
        assert mine.status_code == 200 and mine.json()["agent"] == "1002"
        await live.wait_for(lambda: len(live.records) == 2, 30, "both outbound calls")
        dialled = sorted((r.agent_id, r.dnis, r.direction.value) for r in live.records)
        assert dialled == [("1001", "0612345678", "outbound"),
                           ("1002", "0698765432", "outbound")]
        busy = await crm.post("/api/v1/dial", json={"number": "0611111111", "agent": "1003"})
        assert busy.status_code == 200
        again = await crm.post("/api/v1/dial", json={"number": "0622222222", "agent": "1003"})
        assert again.status_code == 409  # the engine's refusal: already dialling
        await crm.aclose()
        await agent.aclose()
