"""ACD routing throughput: events per second through the router at steady state.

2,000 agents, 50 skills (each agent 2-6, random levels), 20 queues, about 5,000 calls
waiting, and a realistic mix of events: enqueue (with the offers it triggers), answer,
end of call, wrap-up end, abandon, pause/unpause and RONA (rejected offers and ring
timeouts). Then the same at 20,000 agents / 50,000 waiting. Only CPU time spent inside the
router is counted; the driver's own bookkeeping is not.

    python benchmarks/acd_bench.py [--events N] [--seed S]
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import sys
import time
from dataclasses import dataclass, field

from acd import (
    AgentState,
    AgentStateChanged,
    CallAbandoned,
    CallQueued,
    CallRequest,
    Decision,
    ExpandSkills,
    Expired,
    Offer,
    Overflow,
    QueueSettings,
    RaisePriority,
    RingNoAnswer,
    Router,
    Strategy,
    requirement,
)

SKILLS = [f"s{i:02d}" for i in range(50)]
# CPU time of this process, not wall time: on a shared machine wall time also counts the
# moments this process waits for a core. Reading it costs a system call (~0.3 us), which
# is counted against the router, so the figure errs low.
_clock = time.process_time
QUEUES = 20
PRIORITY_WEIGHTS = [40, 20, 10, 8, 6, 5, 4, 3, 2, 2]


class Bag:
    """A set with O(1) random choice and removal (the driver's bookkeeping)."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.where: dict[str, int] = {}

    def add(self, item: str) -> None:
        if item not in self.where:
            self.where[item] = len(self.items)
            self.items.append(item)

    def discard(self, item: str) -> None:
        index = self.where.pop(item, None)
        if index is None:
            return
        last = self.items.pop()
        if index < len(self.items):
            self.items[index] = last
            self.where[last] = index

    def choice(self, rng: random.Random) -> str:
        return self.items[int(rng.random() * len(self.items))]

    def __len__(self) -> int:
        return len(self.items)


@dataclass
class Driver:
    router: Router
    rng: random.Random
    queue_names: list[str]
    queue_weights: list[float]
    waiting: Bag = field(default_factory=Bag)
    ringing: dict[str, str] = field(default_factory=dict)  # call -> agent
    ringing_bag: Bag = field(default_factory=Bag)
    talking: Bag = field(default_factory=Bag)
    wrap_up: Bag = field(default_factory=Bag)
    available: Bag = field(default_factory=Bag)
    paused: Bag = field(default_factory=Bag)
    agent_call: dict[str, str] = field(default_factory=dict)
    now: float = 0.0
    next_call: int = 0
    events: int = 0
    router_s: float = 0.0

    def apply(self, decisions: list[Decision]) -> None:
        for d in decisions:
            if isinstance(d, AgentStateChanged):
                for bag, state in (
                    (self.available, AgentState.AVAILABLE),
                    (self.paused, AgentState.PAUSED),
                    (self.wrap_up, AgentState.WRAP_UP),
                ):
                    if d.old is state:
                        bag.discard(d.agent_id)
                    if d.new is state:
                        bag.add(d.agent_id)
            elif isinstance(d, Offer):
                self.waiting.discard(d.call_id)
                self.ringing[d.call_id] = d.agent_id
                self.ringing_bag.add(d.call_id)
            elif isinstance(d, RingNoAnswer):
                self.ringing.pop(d.call_id, None)
                self.ringing_bag.discard(d.call_id)
                self.waiting.add(d.call_id)
            elif isinstance(d, CallQueued):
                self.waiting.add(d.call_id)
            elif isinstance(d, (CallAbandoned, Expired, Overflow)):
                self.waiting.discard(d.call_id)
                if self.ringing.pop(d.call_id, None) is not None:
                    self.ringing_bag.discard(d.call_id)
                if isinstance(d, Overflow) and d.to_queue is not None:
                    self.waiting.add(d.call_id)

    def call(self, method: object, *args: object) -> None:
        start = _clock()
        decisions = method(*args)  # type: ignore[operator]
        self.router_s += _clock() - start
        self.events += 1
        self.apply(decisions)

    def step(self, target_waiting: int) -> None:
        rng = self.rng
        self.now += 0.001
        r = rng.random()
        router = self.router
        if r < 0.30:
            if len(self.waiting) < target_waiting * 1.02:
                self.next_call += 1
                queue = rng.choices(self.queue_names, self.queue_weights)[0]
                priority = rng.choices(range(10), PRIORITY_WEIGHTS)[0]
                request = CallRequest(f"c{self.next_call}", queue, priority, caller=None)
                self.call(router.enqueue, request, self.now)
        elif r < 0.50:
            if self.ringing_bag:
                call_id = self.ringing_bag.choice(rng)
                if rng.random() < 0.03:
                    self.call(router.reject, call_id, self.now)
                else:
                    self.ringing_bag.discard(call_id)
                    self.ringing.pop(call_id)
                    self.talking.add(call_id)
                    self.call(router.answer, call_id, self.now)
        elif r < 0.70:
            if self.talking:
                call_id = self.talking.choice(rng)
                self.talking.discard(call_id)
                self.call(router.end_call, call_id, self.now)
        elif r < 0.85:
            if self.wrap_up:
                self.call(router.end_wrap_up, self.wrap_up.choice(rng), self.now)
        elif r < 0.93:
            if len(self.waiting) > target_waiting * 0.98:
                self.call(router.abandon, self.waiting.choice(rng), self.now)
        elif r < 0.97:
            if self.paused and (rng.random() < 0.6 or not self.available):
                self.call(router.unpause, self.paused.choice(rng), self.now)
            elif self.available:
                self.call(router.pause, self.available.choice(rng), "break", self.now)
        else:
            self.call(router.advance, self.now)


def build(agents: int, seed: int) -> tuple[Router, list[str], list[float]]:
    """Queues need a product skill (s00-s19) and maybe a language (s20-s49); agents have
    1-2 products and 1-4 languages (2-6 skills). Each queue's share of the arrivals is
    proportional to the agents who can serve it, so that every queue is loaded."""
    rng = random.Random(seed)
    products, languages = SKILLS[:QUEUES], SKILLS[QUEUES:]
    strategies = list(Strategy)
    queues = []
    for q in range(QUEUES):
        needs = {products[q]: rng.randint(1, 4)}
        if rng.random() < 0.5:
            needs[rng.choice(languages)] = rng.randint(1, 3)
        queues.append(
            QueueSettings(
                name=f"q{q}",
                required=requirement(needs),
                weight=rng.randint(0, 3),
                wrap_up_s=30.0,
                ring_timeout_s=15.0,
                strategy=strategies[q % len(strategies)],
                aging_step=1 if q % 2 else 0,
                rules=(ExpandSkills(30.0, lower_levels_by=2), RaisePriority(60.0, 1)),
            )
        )
    router = Router(queues, seed=seed)
    servers = [0] * QUEUES
    for a in range(agents):
        chosen = rng.sample(products, rng.randint(1, 2)) + rng.sample(languages, rng.randint(1, 4))
        skills = {s: rng.randint(1, 10) for s in chosen}
        router.add_agent(f"a{a}", skills, display_id=str(1000 + a))
        for q, settings in enumerate(queues):
            if all(skills.get(n.skill, 0) >= n.min_level for n in settings.required):
                servers[q] += 1
    names = [q.name for q in queues]
    return router, names, [float(max(1, n)) for n in servers]


def run(agents: int, waiting: int, events: int, seed: int) -> tuple[float, int]:
    router, names, weights = build(agents, seed)
    driver = Driver(router, random.Random(seed + 1), names, weights)
    for a in range(agents):
        driver.apply(router.login(f"a{a}", 0.0))
    # Fill the line to the steady-state size first (not timed).
    while len(driver.waiting) < waiting:
        driver.step(waiting)
    driver.events = 0
    driver.router_s = 0.0
    gc.collect()
    while driver.events < events:
        driver.step(waiting)
    return driver.events / driver.router_s, len(driver.waiting)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    small_rate, small_waiting = run(2_000, 5_000, args.events, args.seed)
    print(f"2,000 agents / ~5,000 waiting: {small_rate:,.0f} events/s ({small_waiting:,} waiting)")
    large_rate, large_waiting = run(20_000, 50_000, args.events, args.seed)
    print(
        f"20,000 agents / ~50,000 waiting: {large_rate:,.0f} events/s ({large_waiting:,} waiting)"
    )
    ratio = large_rate / small_rate
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"ratio large/small: {ratio:.2f} (bar >= 0.5)")
    print(f"peak RSS (whole process, includes the large run): {peak_mib:,.0f} MiB (bar < 1024)")
    ok = small_rate >= 50_000 and ratio >= 0.5 and peak_mib < 1024
    print("bars met" if ok else "BARS MISSED", file=sys.stderr)
    print(f"RESULT acd_events_per_s={small_rate:.0f} events/s")


if __name__ == "__main__":
    main()
