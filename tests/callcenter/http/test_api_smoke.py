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


async def test_answers_on_a_kept_alive_connection_do_not_wait_for_delayed_acks(
        tmp_path: Path) -> None:
    """Nagle off on the API's sockets: with it on, each small answer waited for the
    client's delayed ACK (40 ms on Linux), so 1 request in 40 ms per connection."""
    import asyncio
    import time

    async with api_engine(tmp_path) as live:
        host, port = live.url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        request = f"GET /api/v1/health HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
        times = []
        for _ in range(30):
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            await reader.readexactly(length)
            times.append(time.perf_counter() - started)
        writer.close()
        assert sorted(times)[15] < 0.02, f"median {sorted(times)[15] * 1000:.1f} ms"
