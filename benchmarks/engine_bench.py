"""The live engine under load: the emulator (own process) sends 50 calls/s to 2,000 agents.

    .venv/bin/python benchmarks/engine_bench.py [--rate 50] [--duration 120] [--agents 2000]

The emulator runs `callcenter emulator` with the engine dialplan, 2,000 softphones and a
Poisson inbound load (its full event volume, VarSet and Newexten included). The engine runs
here, as `callcenter serve` would: AMI, the switchboard, CDRs to a SQLite file, and MQTT to
the local broker when one answers (screen-pops, agent states, queue stats).

Prints the rate sustained, the engine's CPU time per call, the latency from the AMI event that
makes a routing decision possible to the action sent for it (Originate after the caller's
UserEvent or an agent coming free; Redirect after the agent answers), and the event backlog.
Bar: p99 < 50 ms at 50 calls/s, no backlog growth. Last line `RESULT engine_p99_ms=<n> ms`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path

import numpy as np

from callcenter.ami import AmiConfig
from callcenter.bus.client import BusConfig, MqttBus, probe
from callcenter.engine.config import EngineConfig
from callcenter.engine.desktops import MqttDesktops
from callcenter.engine.service import EngineService
from cdr import Database, upgrade


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def config(agents: int, first_ext: int) -> EngineConfig:
    return EngineConfig.model_validate({
        "queues": [{"name": "support", "skills": {"support": 1}, "wrap_up_s": 5,
                    "ring_timeout_s": 15}],
        "agents": [{"id": str(first_ext + i), "skills": {"support": 1},
                    "device": f"PJSIP/{first_ext + i}"} for i in range(agents)],
        "routes": [{"did": "4000", "queue": "support"}],
    })


async def main(args: argparse.Namespace) -> None:
    port = free_port()
    emulator = subprocess.Popen(
        [sys.executable, "-u", "-m", "callcenter", "emulator", "--port", str(port),
         "--phones", str(args.agents), "--first-ext", "1000", "--ring", "2",
         "--agent-talk", "0", "--did", "4000", "--queue", "support", "--rate", str(args.rate),
         "--duration", str(args.duration), "--patience", "60", "--talk", str(args.talk),
         "--seed", "1", "--start-after-login", "3"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "CALLCENTER_AMI_SECRET": "bench"},
    )
    assert emulator.stdout is not None
    print(emulator.stdout.readline().strip())
    cfg = config(args.agents, 1000)
    workdir = Path(tempfile.mkdtemp(prefix="engine-bench-"))
    try:
        async with AsyncExitStack() as stack:
            db = await stack.enter_async_context(Database(f"sqlite+aiosqlite:///{workdir}/b.db"))
            await upgrade(db)
            bus_config = BusConfig(client_id="engine-bench")
            problem = await probe(bus_config)
            desktops = None
            if problem is None:
                desktops = MqttDesktops(await stack.enter_async_context(MqttBus(bus_config)))
                print(f"MQTT: publishing to {bus_config.address}")
            else:
                print(f"MQTT: none ({problem}); desktops left out")
            service = EngineService(cfg, AmiConfig(username="cc", secret="bench", port=port),
                                    db=db, desktops=desktops)
            engine = asyncio.create_task(service.run())
            await asyncio.wait_for(service.ready.wait(), 10)
            for agent in cfg.agents:
                service.switchboard.login(agent.id, None, service.now())
            service.perform_pending()
            await measure(service, emulator, args)
            engine.cancel()
    finally:
        emulator.terminate()
        emulator.wait(10)


async def measure(service: EngineService, emulator: subprocess.Popen[str],
                  args: argparse.Namespace) -> None:
    assert emulator.stdout is not None
    loop = asyncio.get_running_loop()
    started_line = await loop.run_in_executor(None, emulator.stdout.readline)
    print(started_line.strip())
    sb = service.switchboard
    seen_before = sb.enqueued_total
    cpu0, wall0 = time.process_time(), time.monotonic()
    backlog: list[int] = []
    while time.monotonic() - wall0 < args.duration:
        await asyncio.sleep(1.0)
        backlog.append(service.ami_backlog())
    cpu1, wall1 = time.process_time(), time.monotonic()
    calls = sb.enqueued_total - seen_before
    latencies = np.array(service.latencies_ms)
    rate = calls / (wall1 - wall0)
    cpu_ms = (cpu1 - cpu0) / max(calls, 1) * 1000.0
    p50, p99 = np.percentile(latencies, [50, 99]) if latencies.size else (float("nan"),) * 2
    first, last = np.mean(backlog[:10]), np.mean(backlog[-10:])
    print(f"calls queued by the engine: {calls} in {wall1 - wall0:.0f} s = {rate:.1f} calls/s"
          f" (offered {args.rate:g}/s); call records written: {service.records_written}")
    print(f"engine CPU: {cpu_ms:.2f} ms per call ({(cpu1 - cpu0) / (wall1 - wall0):.0%} of a"
          f" core); peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print(f"decision latency over {latencies.size} actions: p50 {p50:.2f} ms, p99 {p99:.2f} ms,"
          f" max {latencies.max() if latencies.size else float('nan'):.2f} ms")
    print(f"AMI event backlog: mean {first:.1f} in the first 10 s, {last:.1f} in the last 10 s,"
          f" max {max(backlog)}")
    print(f"RESULT engine_p99_ms={p99:.2f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--duration", type=float, default=120.0)
    parser.add_argument("--agents", type=int, default=2000)
    parser.add_argument("--talk", type=float, default=30.0)
    asyncio.run(main(parser.parse_args()))
