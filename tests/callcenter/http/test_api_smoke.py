"""First light: the API answers over HTTP beside the engine."""

from __future__ import annotations

from pathlib import Path

from api_engine import api_engine


async def test_health_and_login(tmp_path: Path) -> None:
    async with api_engine(tmp_path) as live, live.client() as client:
        response = await client.get("/api/v1/health")
        assert response.status_code == 200
        assert response.json()["agents_logged_in"] == 3
        sam, _ = await live.session("sam")
        agents = (await sam.get("/api/v1/agents")).json()
        assert [a["agent"] for a in agents] == ["1001", "1002", "1003"]
        queues = (await sam.get("/api/v1/queues")).json()
        assert {q["queue"] for q in queues} == {"support", "sales"}
        await sam.aclose()
