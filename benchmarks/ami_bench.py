"""AMI throughput on the engine's own path: wire bytes -> codec -> typed events -> switchboard.

1. Live run (not timed): the Asterisk emulator (the engine dialplan generated from the
   configuration, one PJSIP softphone per agent, trunk callers at a Poisson rate) and the
   engine (`EngineService`, no database, no MQTT) in this process, for N calls. A listener on
   the emulator's PBX keeps every event it sends, as the exact bytes, with the engine clock at
   that moment (the engine sets no event mask, so its AMI session gets all of them, VarSet and
   Newexten included). The engine's call records are kept.
2. Replay (timed): the captured bytes, in 64 KiB reads as from a socket, through the engine's
   path: `FrameDecoder` -> `AmiClient.handle_frame` (noise peek and drop, parse, typed event,
   event queue) -> `events()` -> `Switchboard.handle` + `take_effects`, into a fresh
   `Switchboard` of the same configuration with the same agents logged in at the same time;
   its timers run (`advance`) when due by the captured clock. The replay must reproduce the
   live run: as many call records with the same outcomes, and no call left open, or the
   script stops with an error.
3. For comparison, the same frames through panoramisk's `Message.from_line` (parse only, no
   typed events, no engine).

Usage: python benchmarks/ami_bench.py [--calls N] [--agents A] [--speed S] [--repeat R]
The last line is `RESULT ami_msgs_per_s=<n> msgs/s` (bytes to switchboard, step 2).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from callcenter.ami.client import AmiClient, AmiConfig
from callcenter.ami.codec import FrameDecoder
from callcenter.ami.events import NOISE_EVENTS
from callcenter.emulator import Emulator, InboundCaller, Softphone
from callcenter.engine.config import EngineConfig, dialplan_params
from callcenter.engine.effects import Effect, StoreRecord
from callcenter.engine.service import EngineService
from callcenter.engine.switchboard import Switchboard
from cdr import CallRecord
from dialplans.engine_contexts import engine_contexts

READ = 65536
DID = "4000"
FIRST_EXT = 1000
DRAIN_S = 120.0  # wall seconds to wait for the last call records
SETTLE_S = 2.0  # then for the emulator's last channels to go
NEVER = 1e9  # agents never hang up first: the caller ends each call


def engine_config(agents: int, wrap_up_s: float) -> EngineConfig:
    return EngineConfig.model_validate({
        "queues": [{"name": "support", "skills": {"support": 1}, "wrap_up_s": wrap_up_s,
                    "ring_timeout_s": 15}],
        "agents": [{"id": str(FIRST_EXT + i), "skills": {"support": 1},
                    "device": f"PJSIP/{FIRST_EXT + i}"} for i in range(agents)],
        "routes": [{"did": DID, "queue": "support"}],
    })


@dataclass(eq=False)  # a listener in the PBX's set: hashed by identity
class Capture:
    """PBX listener: every event's bytes and the engine clock when it was sent."""

    clock: Callable[[], float]
    chunks: list[bytes] = field(default_factory=list)
    times: list[float] = field(default_factory=list)

    def deliver(self, event: str, privilege: str, data: bytes) -> None:
        self.chunks.append(data)
        self.times.append(self.clock())


class Tally(logging.Handler):
    """Counts the engine's warnings in the live run by their first words instead of printing
    each one (a caller who hangs up as the agent answers makes its Setvars and Redirect
    fail, for instance)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.counts[record.getMessage().split(":")[0]] += 1


@dataclass
class LiveRun:
    stream: bytes
    times: list[float]  # one per frame of `stream`
    login_at: float
    ended_at: float
    records: list[CallRecord]
    placed: int
    warnings: Counter[str]
    left: list[str]  # channels still up in the emulator when the capture stopped


async def live_run(cfg: EngineConfig, calls: int, speed: float, rate: float,
                   seed: int) -> LiveRun:
    """The engine against the emulator for `calls` calls; the stream it was sent, captured."""
    rng = np.random.default_rng(seed)
    patience = rng.exponential(60.0, size=calls)
    talk = rng.exponential(30.0, size=calls)

    def caller(i: int) -> InboundCaller:
        return InboundCaller(f"55{i:05d}", DID, float(patience[i]), float(talk[i]))

    tally = Tally()
    engine_log = logging.getLogger("callcenter")
    engine_log.addHandler(tally)
    engine_log.propagate = False
    try:
        return await _live_run(cfg, calls, speed, rate, rng, caller, tally)
    finally:
        engine_log.removeHandler(tally)
        engine_log.propagate = True


async def _live_run(cfg: EngineConfig, calls: int, speed: float, rate: float,
                    rng: np.random.Generator, caller: Callable[[int], InboundCaller],
                    tally: Tally) -> LiveRun:
    async with Emulator(speed=speed, contexts=engine_contexts(dialplan_params(cfg))) as emu:
        for agent in cfg.agents:
            assert agent.device is not None
            emu.phones.add(Softphone(agent.device, ring_s=float(rng.uniform(1.0, 3.0)),
                                     talk_s=NEVER))
        records: list[CallRecord] = []
        service = EngineService(cfg, AmiConfig(username="cc", secret="ccsecret", port=emu.port),
                                on_record=records.append)
        engine = asyncio.create_task(service.run(), name="bench-engine")
        try:
            await asyncio.wait_for(service.ready.wait(), 10)
            login_at = service.now()
            for agent in cfg.agents:
                service.switchboard.login(agent.id, None, login_at)
            service.perform_pending()
            capture = Capture(service.now)
            emu.pbx.listeners.add(capture)
            placed = await emu.trunk.poisson(rate, rng, count=calls, caller=caller)
            deadline = time.monotonic() + DRAIN_S
            while len(records) < placed and time.monotonic() < deadline:
                if engine.done():
                    engine.result()
                await asyncio.sleep(0.05)
            deadline = time.monotonic() + SETTLE_S
            while emu.pbx.channels and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            ended_at = service.now()
            left = [f"{c.name} in {c.context},{c.exten} ({c.app or 'no app'}, "
                    f"{'bridged' if c.bridge is not None else 'not bridged'})"
                    for c in emu.pbx.channels.values()]
            emu.pbx.listeners.discard(capture)
        finally:
            engine.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await engine
    return LiveRun(b"".join(capture.chunks), capture.times, login_at, ended_at, records, placed,
                   tally.counts, left)


@dataclass
class Replay:
    seconds: float
    frames: int
    events: int
    records: list[CallRecord]
    open_calls: int


async def replay(run: LiveRun, cfg: EngineConfig, keep_noise: bool = False) -> Replay:
    """The captured stream through the engine's parse and decision path; timed."""
    keep = NOISE_EVENTS if keep_noise else frozenset()
    client = AmiClient(AmiConfig("bench", "unused", keep_events=keep))
    switchboard = Switchboard(cfg)
    for agent in cfg.agents:
        switchboard.login(agent.id, None, run.login_at)
    switchboard.take_effects()
    decoder = FrameDecoder(expect_banner=False)
    events = client.events()
    handle_frame, backlog = client.handle_frame, client.backlog
    handle, take = switchboard.handle, switchboard.take_effects
    advance, next_deadline = switchboard.advance, switchboard.next_deadline
    stream, times = run.stream, run.times
    kept: list[Effect] = []
    handled = 0
    k = 0
    started = time.perf_counter()
    for i in range(0, len(stream), READ):
        for frame in decoder.feed(stream[i : i + READ]):
            if isinstance(frame, str):
                await handle_frame(frame, times[k])
            k += 1
        for _ in range(backlog()):
            event = await anext(events)
            due = next_deadline()
            while due is not None and due <= event.received_at:
                advance(due)
                kept += take()
                due = next_deadline()
            handle(event)
            kept += take()
            handled += 1
    due = next_deadline()
    while due is not None and due <= run.ended_at:
        advance(due)
        kept += take()
        due = next_deadline()
    elapsed = time.perf_counter() - started
    assert k == len(times), f"{k} frames decoded, {len(times)} captured"
    records = [e.item for e in kept if isinstance(e, StoreRecord)
               and isinstance(e.item, CallRecord)]
    return Replay(elapsed, client.stats.frames, handled, records, len(switchboard.calls))


def check(run: LiveRun, result: Replay) -> str:
    """What the replay reproduced; exits with an error if it did not reproduce the live run."""
    live = Counter(r.outcome.value for r in run.records)
    got = Counter(r.outcome.value for r in result.records)
    problems = []
    if len(run.records) != run.placed:
        problems.append(f"the live run wrote {len(run.records)} call records for "
                        f"{run.placed} calls")
    if len(result.records) != len(run.records) or got != live:
        problems.append(f"replay wrote {len(result.records)} call records {dict(got)}, "
                        f"the live run {len(run.records)} {dict(live)}")
    if result.open_calls:
        problems.append(f"{result.open_calls} calls still open after the replay")
    if problems:
        sys.exit("ami_bench: the replay does not reproduce the live run: " + "; ".join(problems))
    live_keys = {(r.call_id, r.outcome, r.agent_id) for r in run.records}
    same = sum(1 for r in result.records if (r.call_id, r.outcome, r.agent_id) in live_keys)
    return (f"{len(result.records)} call records {dict(sorted(got.items()))}, as live; "
            f"{same} of them with the live run's agent too; no call left open")


def panoramisk_parse(stream: bytes) -> tuple[float, int]:
    from panoramisk.message import Message as PMessage

    text = stream.decode("utf-8", "replace")
    started = time.perf_counter()
    n = 0
    for frame in text.split("\r\n\r\n"):
        if frame and PMessage.from_line(frame) is not None:
            n += 1
    return time.perf_counter() - started, n


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--calls", type=int, default=600)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--speed", type=float, default=40.0,
                        help="emulator speed factor (PBX seconds per real second)")
    parser.add_argument("--rate", type=float, default=1.0, help="calls per PBX second")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    # A 5 s wrap-up in PBX time, as the engine's timers run in real seconds.
    cfg = engine_config(args.agents, wrap_up_s=5.0 / args.speed)
    t0 = time.perf_counter()
    run = await live_run(cfg, args.calls, args.speed, args.rate, args.seed)
    live = Counter(r.outcome.value for r in run.records)
    print(f"live run: engine + emulator (x{args.speed:g}), {args.agents} agents, {run.placed} "
          f"calls, {len(run.records)} call records {dict(sorted(live.items()))}; "
          f"{len(run.times)} AMI messages ({len(run.stream) / 1e6:.1f} MB) captured in "
          f"{time.perf_counter() - t0:.1f} s")
    if run.warnings:
        print("  engine warnings in the live run: " + ", ".join(
            f"{n} x {text!r}" for text, n in run.warnings.most_common()))
    if run.left:
        print(f"  {len(run.left)} channels still up in the emulator {SETTLE_S:g} s after the "
              f"last call record: " + "; ".join(run.left[:5]))
    best: Replay | None = None
    for _ in range(args.repeat):
        result = await replay(run, cfg)
        if best is None or result.seconds < best.seconds:
            best = result
    assert best is not None
    print(f"replay: {check(run, best)}")
    rate = best.frames / best.seconds
    print(f"engine path (codec + typed events + switchboard): {best.frames} messages in "
          f"{best.seconds:.3f} s = {rate:,.0f} msgs/s; {best.events} typed events handled "
          f"({best.events / best.seconds:,.0f} events/s)")
    noisy = await replay(run, cfg, keep_noise=True)
    check(run, noisy)
    print(f"same with VarSet/Newexten kept and typed: {noisy.frames / noisy.seconds:,.0f} msgs/s")
    p_seconds, p_frames = min(panoramisk_parse(run.stream) for _ in range(args.repeat))
    print(f"side by side, best of {args.repeat}, msgs/s: engine path {rate:,.0f} | panoramisk "
          f"Message.from_line, parse only (every frame, noise too) {p_frames / p_seconds:,.0f}"
          f" ({p_frames} messages in {p_seconds:.3f} s)")
    print(f"RESULT ami_msgs_per_s={rate:.0f} msgs/s")


if __name__ == "__main__":
    asyncio.run(main())
