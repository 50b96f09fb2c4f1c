"""AMI throughput: emulator load -> wire bytes -> codec -> typed events -> call tracker.

1. The Asterisk emulator runs queue calls (agents ring 1 s, talk 5-20 s, callers
   queue in `support`) at a high speed factor; every event it sends is captured as
   the exact bytes a client would receive (VarSet/Newexten noise included).
2. The captured stream is fed, in 64 KiB reads as from a socket, through the
   adapter's own path (`FrameDecoder` -> `AmiClient.handle_frame`: noise peek, parse,
   typed event, event queue) and every event is applied to a `CallTracker`, on one
   core, in one asyncio loop. Wall time of step 2 is measured.
3. For comparison, the same frames through panoramisk's `Message.from_line` (parse
   only, no typed events, no tracker).

Usage: python benchmarks/ami_bench.py [--calls N] [--repeat R]
The last line is `RESULT ami_msgs_per_s=<n> msgs/s` (parse + typed event + tracker).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter

import numpy as np

from callcenter.ami.client import AmiClient, AmiConfig
from callcenter.ami.codec import FrameDecoder
from callcenter.ami.events import NOISE_EVENTS, AmiEvent
from callcenter.emulator import Agent, Pbx, Workload
from callcenter.tracker import CallTracker


class Capture:
    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.messages = 0

    def deliver(self, event: str, privilege: str, data: bytes) -> None:
        self.chunks.append(data)
        self.messages += 1


async def generate(calls: int, seed: int) -> tuple[bytes, int, int]:
    rng = np.random.default_rng(seed)
    pbx = Pbx(speed=400.0)
    capture = Capture()
    pbx.listeners.add(capture)
    load = Workload(pbx)
    talks = rng.uniform(5, 20, size=60)
    for i, talk in enumerate(talks):
        load.add_agent(Agent(f"13{i:02d}", ring=1, talk=float(talk)))
    await load.poisson(rate=3.0, count=calls, rng=rng, patience=120)
    deadline = time.monotonic() + 60
    while (pbx.channels or len(load.responses) < calls) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    await pbx.stop()
    return b"".join(capture.chunks), capture.messages, len(load.responses)


async def consume(stream: bytes, keep_noise: bool = False) -> tuple[float, int, int, CallTracker]:
    """Feed the stream through the adapter path and the tracker; (seconds, frames,
    events applied, calls seen)."""
    keep = NOISE_EVENTS if keep_noise else frozenset()
    client = AmiClient(AmiConfig("bench", "unused", event_queue_size=1_000_000, keep_events=keep))
    tracker = CallTracker()
    queue = client._events  # the client's own event queue, drained as the engine would
    decoder = FrameDecoder(expect_banner=False)
    apply = tracker.apply
    applied = 0
    handle = client.handle_frame
    started = time.perf_counter()
    for i in range(0, len(stream), 65536):
        now = time.monotonic()
        for frame in decoder.feed(stream[i : i + 65536]):
            if isinstance(frame, str):
                await handle(frame, now)
        while not queue.empty():
            event = queue.get_nowait()
            if isinstance(event, AmiEvent):
                apply(event)
                applied += 1
    elapsed = time.perf_counter() - started
    return elapsed, client.stats.frames, applied, tracker


def panoramisk_parse(stream: bytes) -> tuple[float, int]:
    from panoramisk.message import Message as PMessage  # type: ignore[import-untyped]

    text = stream.decode("utf-8", "replace")
    started = time.perf_counter()
    n = 0
    for frame in text.split("\r\n\r\n"):
        if frame and PMessage.from_line(frame) is not None:
            n += 1
    return time.perf_counter() - started, n


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    t0 = time.perf_counter()
    stream, messages, answered = await generate(args.calls, args.seed)
    gen = time.perf_counter() - t0
    print(
        f"emulator: {args.calls} calls ({answered} originated), {messages} AMI messages, "
        f"{len(stream) / 1e6:.1f} MB generated in {gen:.1f} s "
        f"({messages / gen:,.0f} events/s emitted)"
    )
    best = None
    for _ in range(args.repeat):
        elapsed, frames, applied, calls = await consume(stream)
        if best is None or elapsed < best[0]:
            best = (elapsed, frames, applied, calls)
    assert best is not None
    elapsed, frames, applied, tracker = best
    outcomes = Counter(c.outcome.value for c in tracker.calls.values())
    print(
        f"adapter+tracker: {frames} messages parsed in {elapsed:.3f} s "
        f"({frames / elapsed:,.0f} msgs/s); {applied} typed events applied to the tracker "
        f"({applied / elapsed:,.0f} events/s); calls tracked: {dict(outcomes)}"
    )
    p_elapsed, p_frames = panoramisk_parse(stream)
    n_elapsed, n_frames, _, _ = await consume(stream, keep_noise=True)
    print(f"same with VarSet/Newexten kept and typed: {n_frames / n_elapsed:,.0f} msgs/s")
    print(
        f"panoramisk Message.from_line (parse only): {p_frames} messages in "
        f"{p_elapsed:.3f} s ({p_frames / p_elapsed:,.0f} msgs/s)"
    )
    print(f"RESULT ami_msgs_per_s={frames / elapsed:.0f} msgs/s")


if __name__ == "__main__":
    asyncio.run(main())
