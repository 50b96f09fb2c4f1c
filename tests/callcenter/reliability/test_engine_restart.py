"""The engine is SIGKILLed with callers waiting and talking, and started again.

No call is lost, none is written twice, waiting callers keep their original enqueue time and
their order, talking calls are adopted. The engine runs as `callcenter serve` in a child
process; the Asterisk emulator runs in the test; the database is a SQLite file both share.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from callcenter.emulator import Emulator, InboundCaller, Softphone
from callcenter.emulator.model import EChannel
from callcenter.engine.config import EngineConfig, dialplan_params
from cdr.store.db import Database
from cdr.store.migrate import upgrade
from dialplans.engine_contexts import engine_contexts

SPEED = 10.0


def engine_config(ami_port: int) -> dict[str, object]:
    return {
        "ami": {"port": ami_port, "username": "cc", "secret_env": "TEST_AMI_SECRET"},
        "mqtt": {"host": "127.0.0.1", "port": 1, "embedded_fallback": True},
        "queues": [{"name": "support", "skills": {"support": 1}, "wrap_up_s": 0,
                    "ring_timeout_s": 5}],
        "agents": [
            {"id": "1001", "skills": {"support": 1}, "device": "PJSIP/1001"},
            {"id": "1002", "skills": {"support": 1}, "device": "PJSIP/1002"},
        ],
        "routes": [{"did": "4000", "queue": "support"}],
    }


def start_engine(config_path: Path, db_path: Path, log_path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TEST_AMI_SECRET": "ccsecret"}
    log = log_path.open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "callcenter", "serve", "--config", str(config_path),
         "--db", f"sqlite+aiosqlite:///{db_path}", "--log-level", "INFO"],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )


async def wait_until(condition: Callable[[], bool], timeout: float, what: str,
                     log_path: Path) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; engine log:\n"
                                 + log_path.read_text()[-3000:])
        await asyncio.sleep(0.05)


def first_until_hung_up(then_s: float) -> Callable[[], float]:
    """A phone's talk time: its first call lasts until the test hangs it up, later ones
    `then_s` PBX seconds."""
    answered = 0

    def talk() -> float:
        nonlocal answered
        answered += 1
        return 1e6 if answered == 1 else then_s

    return talk


def callers(emu: Emulator) -> list[EChannel]:
    return [c for c in emu.pbx.channels.values() if c.name.startswith("PJSIP/trunk-")]


# Asterisk lists channels in hash order of their names (fixture h2). Numbered from 1, the two
# talking callers (PJSIP/trunk-00000001, -3) come before the waiting ones (-5, -6); numbered
# from 12 (a PBX up for a while), the waiting callers (-10, -11) are listed first, as on the
# real PBX where the engine then queued them first and offered them to the busy agents.
@pytest.mark.parametrize("first_channel", [1, 12], ids=["talking-listed-first",
                                                        "waiting-listed-first"])
async def test_sigkill_with_calls_waiting_and_talking_loses_nothing(
        tmp_path: Path, first_channel: int) -> None:
    db_path = tmp_path / "cc.db"
    log_path = tmp_path / "engine.log"
    db = Database(f"sqlite+aiosqlite:///{db_path}")
    await upgrade(db)
    await db.engine.dispose()
    with sqlite3.connect(db_path) as conn:  # both agents were logged in before the first start
        conn.executemany(
            "INSERT INTO agent_presence VALUES (?, ?, ?, 'available', NULL, ?)",
            [("1001", time.time(), "PJSIP/1001", time.time()),
             ("1002", time.time(), "PJSIP/1002", time.time())],
        )
    # The dialplan does not depend on the AMI port: the emulator listens first, on a port of
    # its own, and the config names it (a port found free and given back could be taken by
    # another process in between).
    contexts = engine_contexts(dialplan_params(EngineConfig.model_validate(engine_config(1))))
    async with Emulator(speed=SPEED, contexts=contexts) as emu:
        emu.pbx.count_pjsip_channels_from(first_channel)
        config_path = tmp_path / "cc.yaml"
        config_path.write_text(yaml.safe_dump(engine_config(emu.port)))
        # The first two calls talk until the test ends them, once the restarted engine has
        # adopted them: however long the restart takes on a loaded machine, they are still up
        # (a timer of a few seconds could run out first when two suites share the CPU).
        # The two callers who wait are answered afterwards and talk 6 s of real time.
        for device in ("PJSIP/1001", "PJSIP/1002"):
            emu.phones.add(Softphone(device, ring_s=1.0, talk_s=first_until_hung_up(60.0)))
        engine = start_engine(config_path, db_path, log_path)
        try:
            await wait_until(lambda: any(s.logged_in for s in emu.sessions), 20,
                             "the engine's AMI login", log_path)
            for number in ("5550001", "5550002", "5550003", "5550004"):
                emu.trunk.place(InboundCaller(number=number, did="4000", patience_s=1000,
                                              talk_s=1000))
                await asyncio.sleep(0.15)
            await wait_until(lambda: sum(c.bridge is not None for c in callers(emu)) == 2, 20,
                             "two callers talking", log_path)
            waiting = {c.cid_num: c.variables.get("CC_ENQUEUED_AT") for c in callers(emu)
                       if c.bridge is None}
            assert sorted(waiting) == ["5550003", "5550004"]
            assert all(waiting.values()), waiting
            listed = [c.cid_num for c in emu.pbx.listed() if c in callers(emu)]
            talking_first = listed.index("5550001") < listed.index("5550003")
            assert talking_first is (first_channel == 1), listed

            engine.send_signal(signal.SIGKILL)
            engine.wait(10)
            await asyncio.sleep(0.5)
            engine = start_engine(config_path, db_path, log_path)
            await wait_until(lambda: "resync: adopted" in log_path.read_text(), 60,
                             "the restarted engine's resynchronisation", log_path)
            for device in ("PJSIP/1001", "PJSIP/1002"):
                assert emu.phones.hangup(device), f"{device} is no longer on its first call"

            def rows() -> list[tuple[str, str, float, float | None, str | None]]:
                with sqlite3.connect(db_path) as conn:
                    return conn.execute(
                        "SELECT caller, outcome, enqueued_at, answered_at, agent_id FROM calls"
                    ).fetchall()

            await wait_until(lambda: len(rows()) >= 4 and not callers(emu), 60,
                             "all four calls written", log_path)
        finally:
            if engine.poll() is None:
                engine.send_signal(signal.SIGTERM)
                try:
                    engine.wait(15)
                except subprocess.TimeoutExpired:
                    engine.kill()
    written = rows()
    assert sorted(r[0] for r in written) == ["5550001", "5550002", "5550003", "5550004"]
    assert all(r[1] == "answered" for r in written), written
    by_caller = {r[0]: r for r in written}
    for number, enqueued_at in waiting.items():
        assert by_caller[number][2] == pytest.approx(float(enqueued_at or 0), abs=1e-6)
    # The one who waited longer was answered first.
    assert by_caller["5550003"][3] <= by_caller["5550004"][3]  # type: ignore[operator]
    # The talking ones were adopted by the agents they talked to (not offered afresh).
    assert {by_caller["5550001"][4], by_caller["5550002"][4]} == {"1001", "1002"}
    log = log_path.read_text()
    assert "adopted 2 waiting and 2 talking callers" in log, log[-3000:]
    assert "left alone" not in log
