"""The engine's heap after start-up: what the garbage collector need not look at again.

By the time the engine runs, most of its objects live as long as the process: the config,
the router with every agent and queue, the live models, the libraries. CPython's collector
still walks them at every full collection, and with a busy event loop (2,000 agents, an HTTP
API with hundreds of WebSockets) that walk was hundreds of milliseconds during which no event
was handled (benchmarks/api_bench.py: 7.5 s of collections in two minutes, pauses up to
0.55 s). `settle_heap` moves what exists into the permanent generation (`gc.freeze`) and lets
the young generation grow before it is collected, so collections are rarer and small (the same
bench: 0.5 s of collections, pauses under 40 ms).
"""

from __future__ import annotations

import gc

# Allocations between young collections (CPython's default: 700). 10,000 measured best in
# api_bench: 50,000 made each collection of the middle generation long (pauses to 170 ms).
YOUNG_THRESHOLD = 10_000


def settle_heap(young: int = YOUNG_THRESHOLD) -> None:
    """Call once, when the engine is built and before it connects: freeze what exists, collect
    less often. (The full collection here takes a while; during calls it would hold up events.)

    Reference cycles made later are still collected; only the start-up heap is left alone."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(young, middle, old)
