"""Helper process for the crash test: commit some calls, say so, then keep writing until killed.

    python crash_writer.py URL N
"""

from __future__ import annotations

import asyncio
import sys

import numpy as np

from cdr.store.db import Database
from cdr.store.writer import CdrWriter
from cdr.testing import synthetic_calls


async def main(url: str, n: int) -> None:
    async with Database(url) as db, CdrWriter(db, flush_interval_s=0.05) as writer:
        calls = synthetic_calls(n + 100_000, np.random.default_rng(3), start=1.76e9, span_s=86400)
        for _, record in zip(range(n), calls, strict=False):
            writer.submit(record)
        await writer.flush()
        print("committed", flush=True)
        for record in calls:  # more calls, still in flight when the kill comes
            await writer.write(record)
            await asyncio.sleep(0)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
