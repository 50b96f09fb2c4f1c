"""The HTTP API under load: 50 calls/s to 2,000 agents, 500 agent WebSockets, 200 queue reads/s.

    .venv/bin/python benchmarks/api_bench.py [--rate 50] [--phase 60] [--agents 2000]
                                             [--sockets 500] [--reads 200]

Four processes, as in production they would be on one machine: the emulator (its own
process, as in `engine_bench.py`: 2,000 softphones, Poisson arrivals, full event volume);
the engine with its API (this process: AMI, the switchboard, SQLite CDRs, MQTT to the local
Mosquitto, uvicorn on the engine's loop); a desktop process holding `--sockets` agent
WebSockets and an MQTT subscription to every screen-pop; a reader process sending
`GET /api/v1/queues` at `--reads` per second (open loop: each request leaves on schedule,
however long the last one took) with an integration token.

Phase 1 runs `--phase` seconds without API clients, phase 2 as long with them. Printed: the
offer -> screen-pop latency (from the agent leg's offer in the engine to the message read in
the desktop process) over the WebSocket and over MQTT, for the same pops; the queue snapshot
request's latency; the engine's decision latency p99 (as engine_bench measures it) in each
phase; each process's CPU. Bars: WebSocket pop p99 <= MQTT pop p99 + 50 ms, snapshot p99
<= 25 ms, decision p99 <= 50 ms under API load. Last line `RESULT api_pop_p99_ms=<n> ms`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import numpy as np

from acd import QueueSnapshot
from callcenter.accounts import SessionStore, TokenStore
from callcenter.accounts.tokens import parse_scopes
from callcenter.ami import AmiConfig
from callcenter.bus.client import BusConfig, MqttBus, probe
from callcenter.engine.config import EngineConfig
from callcenter.engine.desktops import MqttDesktops
from callcenter.engine.fanout import FanOutDesktops
from callcenter.engine.heap import settle_heap
from callcenter.engine.live import LiveAgent
from callcenter.engine.screenpop import ScreenPop
from callcenter.engine.service import EngineService
from callcenter.engine.stats import QueueFigures
from callcenter.engine.supervision import SpyReport
from callcenter.http.server import HttpApi
from cdr import Database, VoicemailMessage, upgrade

FIRST_EXT = 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def config(agents: int) -> EngineConfig:
    return EngineConfig.model_validate({
        "queues": [{"name": "support", "skills": {"support": 1}, "wrap_up_s": 5,
                    "ring_timeout_s": 15}],
        "agents": [{"id": str(FIRST_EXT + i), "skills": {"support": 1},
                    "device": f"PJSIP/{FIRST_EXT + i}"} for i in range(agents)],
        "routes": [{"did": "4000", "queue": "support"}],
        "http": {"port": 0, "websocket_buffer": 1000},
    })


def cpu_of(pid: int) -> float:
    """utime + stime of a process, seconds (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if len(values) else float("nan")


class OfferClock:
    """A `DesktopListener` that notes when each popped offer was made (the leg's offer)."""

    def __init__(self, service: EngineService) -> None:
        self.service = service
        self.offered: dict[str, float] = {}

    def screen_pop(self, pop: ScreenPop) -> None:
        leg = self.service.switchboard.legs.get(pop.pop_id)
        if leg is not None:
            self.offered[pop.pop_id] = leg.offered_at

    def agent_state(self, agent: LiveAgent, now: float) -> None:
        pass

    def queue_stats(self, snapshot: QueueSnapshot, figures: QueueFigures, now: float) -> None:
        pass

    def reply(self, agent_id: str, request_id: str | None, error: str | None) -> None:
        pass

    def reply_admin(self, request_id: str | None, error: str | None) -> None:
        pass

    def reply_supervisor(self, user: str, request_id: str | None, error: str | None) -> None:
        pass

    def supervisor_event(self, report: SpyReport, now: float) -> None:
        pass

    def voicemail_left(self, record: VoicemailMessage) -> None:
        pass


# ----------------------------------------------------------------------- the engine process


async def engine_main(args: argparse.Namespace) -> None:
    port = free_port()
    emulator = subprocess.Popen(
        [sys.executable, "-u", "-m", "callcenter", "emulator", "--port", str(port),
         "--phones", str(args.agents), "--first-ext", str(FIRST_EXT), "--ring", "2",
         "--agent-talk", "0", "--did", "4000", "--queue", "support", "--rate", str(args.rate),
         "--duration", str(2 * args.phase + 60), "--patience", "60", "--talk", "30",
         "--seed", "1", "--start-after-login", "3"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "CALLCENTER_AMI_SECRET": "bench"},
    )
    assert emulator.stdout is not None
    print(emulator.stdout.readline().strip())
    cfg = config(args.agents)
    workdir = Path(tempfile.mkdtemp(prefix="api-bench-"))
    try:
        async with AsyncExitStack() as stack:
            db = await stack.enter_async_context(Database(f"sqlite+aiosqlite:///{workdir}/b.db"))
            await upgrade(db)
            bus_config = BusConfig(client_id=f"api-bench-{os.getpid()}")
            problem = await probe(bus_config)
            if problem is not None:
                raise SystemExit(f"api_bench needs the MQTT broker at {bus_config.address}"
                                 f" (the MQTT pop is the yardstick): {problem}")
            bus = await stack.enter_async_context(MqttBus(bus_config))
            api = HttpApi(cfg, db)
            stack.callback(api.close)
            service = EngineService(cfg, AmiConfig(username="cc", secret="bench", port=port),
                                    db=db)
            clock = OfferClock(service)
            service.desktops = FanOutDesktops(MqttDesktops(bus), [*api.listeners(), clock])
            settle_heap()  # as `callcenter serve` does before the engine connects
            engine = asyncio.create_task(service.run())
            await asyncio.wait_for(service.ready.wait(), 10)
            for agent in cfg.agents:
                service.switchboard.login(agent.id, None, service.now())
            service.perform_pending()
            server = await stack.enter_async_context(api.serving(service))
            print(f"API at {server.api_url}; MQTT to {bus_config.address}")
            await measure(args, service, clock, server.url, db, emulator, workdir)
            engine.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await engine
    finally:
        emulator.terminate()
        emulator.wait(10)


async def _spawn(role: str, *extra: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-u", __file__, "--role", role, *extra,
        stdout=asyncio.subprocess.PIPE, env={**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH", "")])})


async def measure(args: argparse.Namespace, service: EngineService, clock: OfferClock,
                  url: str, db: Database, emulator: subprocess.Popen[str],
                  workdir: Path) -> None:
    assert emulator.stdout is not None
    loop = asyncio.get_running_loop()
    print((await loop.run_in_executor(None, emulator.stdout.readline)).strip())
    await asyncio.sleep(5)  # the first calls reach their agents
    now = time.time()
    sessions = SessionStore(db, idle_s=3600, max_s=7200)
    agents = [a.id for a in service.config.agents[: args.sockets]]
    cookies = {agent: (await sessions.create(agent, now, "bench")).session_id
               for agent in agents}
    token = (await TokenStore(db).create("bench-reader", parse_scopes("queues:read"),
                                         now)).secret
    (workdir / "sessions.json").write_text(json.dumps(cookies))
    (workdir / "token").write_text(token)

    lags: list[float] = []

    async def loop_lag() -> None:
        """How late the event loop runs a 10 ms timer: what every handler waits for."""
        while True:
            started = time.perf_counter()
            await asyncio.sleep(0.01)
            lags.append((time.perf_counter() - started - 0.01) * 1000)

    lag_task = asyncio.create_task(loop_lag())
    gc_times: list[tuple[int, float]] = []
    gc_start = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_start[0] = time.perf_counter()
        else:
            gc_times.append((info["generation"], (time.perf_counter() - gc_start[0]) * 1000))

    gc.callbacks.append(on_gc)

    def phase_marks() -> tuple[float, float, int, int, int]:
        return (time.process_time(), cpu_of(emulator.pid), len(service.latencies_ms),
                service.switchboard.enqueued_total, len(lags))

    # phase 1: no API clients
    start1 = phase_marks()
    wall1 = time.monotonic()
    await asyncio.sleep(args.phase)
    end1 = phase_marks()
    objects1 = len(gc.get_objects())
    span1 = time.monotonic() - wall1

    # phase 2: the desktops and the reader connect, then the measured window
    desks = await _spawn("desks", "--url", url, "--sessions", str(workdir / "sessions.json"),
                         "--duration", str(args.phase + 5), "--out", str(workdir / "desks.json"))
    assert desks.stdout is not None
    print(f"desks: {(await desks.stdout.readline()).decode().strip()}")
    await asyncio.sleep(5)  # the sockets' first (retained) messages are out
    reader = await _spawn("reader", "--url", url, "--token-file", str(workdir / "token"),
                          "--reads", str(args.reads), "--duration", str(args.phase),
                          "--out", str(workdir / "reader.json"))
    assert reader.stdout is not None
    print(f"reader: {(await reader.stdout.readline()).decode().strip()}")
    start2 = phase_marks()
    wall2 = time.monotonic()
    first_pop = len(clock.offered)
    await asyncio.gather(desks.wait(), reader.wait())
    end2 = phase_marks()
    span2 = time.monotonic() - wall2
    print(f"objects tracked by the GC: {objects1} after phase 1, {len(gc.get_objects())}"
          " after phase 2")
    lag_task.cancel()
    gen2 = [ms for g, ms in gc_times if g == 2]
    print(f"GC: {len(gc_times)} collections, {len(gen2)} of generation 2, max"
          f" {max((ms for _, ms in gc_times), default=0):.0f} ms, total"
          f" {sum(ms for _, ms in gc_times):.0f} ms")
    for name, (a, b) in (("phase 1", (start1, end1)), ("phase 2", (start2, end2))):
        window = lags[a[4]:b[4]]
        print(f"event loop lag {name}: p50 {pct(window, 50):.1f} ms, p99 {pct(window, 99):.1f}"
              f" ms, max {max(window, default=0):.0f} ms")
    report(args, service, clock, workdir, (start1, end1, span1), (start2, end2, span2),
           first_pop)


def _phase_line(name: str, service: EngineService, marks: Any) -> float:
    start, end, span = marks
    latencies = list(service.latencies_ms)[start[2]:end[2]]
    calls = end[3] - start[3]
    p99 = pct(latencies, 99)
    print(f"{name}: {calls} calls in {span:.0f} s = {calls / span:.1f} calls/s; decision latency"
          f" over {len(latencies)} actions p50 {pct(latencies, 50):.2f} ms, p99 {p99:.2f} ms;"
          f" CPU engine+API {(end[0] - start[0]) / span:.0%}, emulator"
          f" {(end[1] - start[1]) / span:.0%} of a core")
    return p99


def report(args: argparse.Namespace, service: EngineService, clock: OfferClock, workdir: Path,
           phase1: Any, phase2: Any, first_pop: int) -> None:
    desks = json.loads((workdir / "desks.json").read_text())
    reader = json.loads((workdir / "reader.json").read_text())
    offered = clock.offered
    ws = {p: t for p, t in desks["ws"].items() if p in offered}
    mqtt = {p: t for p, t in desks["mqtt"].items() if p in offered}
    both = [p for p in ws if p in mqtt]
    ws_ms = [(ws[p] - offered[p]) * 1000 for p in both]
    mqtt_ms = [(mqtt[p] - offered[p]) * 1000 for p in both]
    mqtt_all = [(t - offered[p]) * 1000 for p, t in mqtt.items()]
    decision1 = _phase_line("phase 1 (no API clients)", service, phase1)
    decision2 = _phase_line(f"phase 2 ({args.sockets} WebSockets, {args.reads:g} reads/s)",
                            service, phase2)
    span2 = phase2[2]
    print(f"CPU phase 2: desktops process {desks['cpu_s'] / span2:.0%}, reader process"
          f" {reader['cpu_s'] / span2:.0%} of a core; peak RSS engine"
          f" {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print(f"WebSockets: {desks['connected']} connected, {desks['messages']} messages read,"
          f" {desks['closed']} closed by the server; pops offered in phase 2:"
          f" {len(offered) - first_pop}")
    print(f"offer -> screen-pop over {len(both)} pops read on both: WebSocket p50"
          f" {pct(ws_ms, 50):.1f} ms, p99 {pct(ws_ms, 99):.1f} ms; MQTT p50"
          f" {pct(mqtt_ms, 50):.1f} ms, p99 {pct(mqtt_ms, 99):.1f} ms (all {len(mqtt_all)} MQTT"
          f" pops: p99 {pct(mqtt_all, 99):.1f} ms)")
    snap = reader["latencies_ms"]
    print(f"GET /api/v1/queues: {len(snap)} answered of {reader['sent']} sent"
          f" ({reader['errors']} errors, {reader['sent'] / span2:.0f}/s): p50"
          f" {pct(snap, 50):.2f} ms, p99 {pct(snap, 99):.2f} ms (from when it was due; on the"
          f" wire alone p50 {pct(reader['service_ms'], 50):.2f} ms, p99"
          f" {pct(reader['service_ms'], 99):.2f} ms)")
    ws_p99, mqtt_p99, snap_p99 = pct(ws_ms, 99), pct(mqtt_ms, 99), pct(snap, 99)
    bars = [("WebSocket pop p99 <= MQTT pop p99 + 50 ms", ws_p99 <= mqtt_p99 + 50,
             f"{ws_p99:.1f} vs {mqtt_p99 + 50:.1f}"),
            ("queue snapshot p99 <= 25 ms", snap_p99 <= 25, f"{snap_p99:.2f}"),
            ("decision p99 <= 50 ms under API load", decision2 <= 50, f"{decision2:.2f}")]
    for text, ok, figure in bars:
        print(f"bar: {text}: {'met' if ok else 'MISSED'} ({figure} ms)")
    print(f"decision p99 without / with API load: {decision1:.2f} / {decision2:.2f} ms")
    print(f"RESULT api_pop_p99_ms={ws_p99:.1f} ms")


# ----------------------------------------------------------------------- the desktops process


async def desks_main(args: argparse.Namespace) -> None:
    from aiomqtt import Client
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    cookies: dict[str, str] = json.loads(Path(args.sessions).read_text())
    ws_pops: dict[str, float] = {}
    mqtt_pops: dict[str, float] = {}
    counts = {"messages": 0, "closed": 0, "connected": 0}
    uri = args.url.replace("http://", "ws://") + "/api/v1/events"
    stop = asyncio.Event()

    async def desk(agent: str, cookie: str) -> None:
        async with connect(uri, additional_headers={"Cookie": f"cc_session={cookie}"},
                           max_queue=None, open_timeout=60) as ws:
            counts["connected"] += 1
            try:
                async for message in ws:
                    counts["messages"] += 1
                    if '/screenpop"' in message[:80]:
                        pop = json.loads(message)["payload"]["pop_id"]
                        ws_pops.setdefault(pop, time.time())
            except ConnectionClosed:
                counts["closed"] += 1

    async def mqtt() -> None:
        async with Client("127.0.0.1", 1883, identifier=f"api-bench-desks-{os.getpid()}") as c:
            await c.subscribe("callcenter/v1/agents/+/screenpop", qos=1)
            async for message in c.messages:
                payload = message.payload
                if isinstance(payload, bytes | bytearray):
                    mqtt_pops.setdefault(json.loads(payload)["pop_id"], time.time())

    tasks = [asyncio.create_task(mqtt())]
    tasks += [asyncio.create_task(desk(a, c)) for a, c in cookies.items()]
    while counts["connected"] < len(cookies):
        await asyncio.sleep(0.1)
    cpu0 = time.process_time()
    print(f"{counts['connected']} agent WebSockets and the MQTT pop subscription up", flush=True)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), args.duration)
    cpu = time.process_time() - cpu0
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    Path(args.out).write_text(json.dumps({"ws": ws_pops, "mqtt": mqtt_pops, "cpu_s": cpu,
                                          **counts}))


# ----------------------------------------------------------------------- the reader process


async def reader_main(args: argparse.Namespace) -> None:
    """Open loop over a few keep-alive HTTP/1.1 connections (plain asyncio streams: a full
    HTTP client library costs more CPU per request than the server it measures)."""
    token = Path(args.token_file).read_text().strip()
    host, port = args.url.removeprefix("http://").split(":")
    request = (f"GET /api/v1/queues HTTP/1.1\r\nHost: {host}:{port}\r\n"
               f"Authorization: Bearer {token}\r\n\r\n").encode()
    latencies: list[float] = []
    service: list[float] = []  # from the request's bytes out to the whole answer in
    counts = {"sent": 0, "errors": 0}
    due: asyncio.Queue[float] = asyncio.Queue()

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while True:
                scheduled = await due.get()
                sent = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:"))
                await reader.readexactly(length)
                if not head.startswith(b"HTTP/1.1 200"):
                    counts["errors"] += 1
                    continue
                # From when it was due to leave: waiting for a free connection counts too.
                latencies.append((time.perf_counter() - scheduled) * 1000)
                service.append((time.perf_counter() - sent) * 1000)
        finally:
            writer.close()

    workers = [asyncio.create_task(connection()) for _ in range(16)]
    await asyncio.sleep(0.5)
    print(f"reading /api/v1/queues at {args.reads:g}/s over {len(workers)} connections",
          flush=True)
    cpu0 = time.process_time()
    start = time.perf_counter()
    interval = 1.0 / args.reads
    while time.perf_counter() - start < args.duration:
        at = start + counts["sent"] * interval
        delay = at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        due.put_nowait(at)
        counts["sent"] += 1
    deadline = time.perf_counter() + 10
    while not due.empty() and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    cpu = time.process_time() - cpu0
    for worker in workers:
        worker.cancel()
    await asyncio.gather(*workers, return_exceptions=True)
    Path(args.out).write_text(json.dumps({"latencies_ms": latencies, "service_ms": service,
                                          "cpu_s": cpu, **counts}))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--phase", type=float, default=60.0, help="seconds per phase")
    parser.add_argument("--agents", type=int, default=2000)
    parser.add_argument("--sockets", type=int, default=500)
    parser.add_argument("--reads", type=float, default=200.0)
    parser.add_argument("--role", choices=["engine", "desks", "reader"], default="engine")
    parser.add_argument("--url", default="")
    parser.add_argument("--sessions", default="")
    parser.add_argument("--token-file", default="")
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--out", default="")
    arguments = parser.parse_args()
    main = {"engine": engine_main, "desks": desks_main, "reader": reader_main}[arguments.role]
    asyncio.run(main(arguments))
