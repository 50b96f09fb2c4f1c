"""`callcenter serve` waits for its peers and stops cleanly; `serve --check` says what is wrong.

The engine runs as a child process (signals, exit codes, what it logs), the Asterisk emulator
in the test; MQTT is the machine's Mosquitto where a test needs a broker (skipped, saying so,
without one), PostgreSQL the machine's for the database that is not there yet.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from callcenter.bus.client import BusConfig, probe
from callcenter.bus.testing import free_port
from callcenter.bus.topics import unique_prefix
from callcenter.cli import app
from callcenter.cli.dialplan_input import render_input
from callcenter.emulator import Emulator
from callcenter.engine.config import EngineConfig, dialplan_params
from cdr.store.db import Database
from cdr.store.migrate import upgrade
from dialplans.engine_contexts import engine_contexts
from dialplans.model import Context, Dialplan, Extension, Priority
from dialplans.prompts import parse_prompts
from dialplans.render import PROMPTS, render

SECRET_ENV = "TEST_SERVE_AMI_SECRET"


def config_data(ami_port: int, *, mqtt_port: int = 1883, db: str = "sqlite:///cc.db",
                dids: tuple[str, ...] = ("4000", "4001")) -> dict[str, Any]:
    return {
        "ami": {"port": ami_port, "username": "cc", "secret_env": SECRET_ENV},
        "mqtt": {"port": mqtt_port, "topic_prefix": unique_prefix("test-serve")},
        "database": {"url": db},
        "queues": [{"name": "support", "skills": {"support": 1}}],
        "agents": [{"id": "1001", "skills": {"support": 1}, "device": "PJSIP/1001"}],
        "routes": [{"did": did, "queue": "support"} for did in dids],
    }


def write_config(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "cc.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


class Serve:
    """`callcenter serve` in a child process, its output in a file."""

    def __init__(self, config: Path, log: Path, *args: str, secret: str = "ccsecret") -> None:
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "callcenter", "serve", "--config", str(config), *args],
            stdout=log.open("ab"), stderr=subprocess.STDOUT,
            env={**os.environ, SECRET_ENV: secret})

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    async def wait_for_output(self, text: str, count: int = 1, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while self.output().count(text) < count:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited ({self.process.returncode}) before "
                                     f"printing {text!r}:\n{self.output()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no {text!r} within {timeout} s:\n"
                                     + self.output()[-3000:])
            await asyncio.sleep(0.05)

    async def exit_code(self, timeout: float = 20) -> int:
        deadline = time.monotonic() + timeout
        while self.process.poll() is None:
            if time.monotonic() > deadline:
                self.process.kill()
                raise AssertionError("serve did not exit:\n" + self.output()[-3000:])
            await asyncio.sleep(0.05)
        return self.process.returncode

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@contextmanager
def serving(config: Path, log: Path, *args: str, secret: str = "ccsecret") -> Iterator[Serve]:
    serve = Serve(config, log, *args, secret=secret)
    try:
        yield serve
    finally:
        serve.stop()


@contextmanager
def reserved_port() -> Iterator[int]:
    """A port bound (not listening: connections are refused) until the block ends."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


async def mqtt_or_skip() -> None:
    problem = await probe(BusConfig())
    if problem is not None:
        pytest.skip(f"no MQTT broker at 127.0.0.1:1883: {problem}")


async def test_serve_waits_for_asterisk_then_runs_and_stops_on_sigterm(tmp_path: Path) -> None:
    await mqtt_or_skip()
    reserved = socket.socket()  # bound, not listening: the engine's connects are refused
    reserved.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    reserved.bind(("127.0.0.1", 0))
    port = reserved.getsockname()[1]
    config = write_config(tmp_path, config_data(port, db=f"sqlite:///{tmp_path}/cc.db"))
    contexts = engine_contexts(dialplan_params(EngineConfig.model_validate(config_data(port))))
    with serving(config, tmp_path / "serve.log", "--migrate") as serve:
        try:
            await serve.wait_for_output("waiting for Asterisk", count=2)
        finally:
            reserved.close()
        async with Emulator(port=port, contexts=contexts) as emu:  # Asterisk is up now
            await serve.wait_for_output("engine running")
            assert any(s.logged_in for s in emu.sessions)
            serve.process.send_signal(signal.SIGTERM)
            assert await serve.exit_code() == 0
    out = serve.output()
    assert "Traceback" not in out
    waits = [line for line in out.splitlines() if "waiting for Asterisk" in line]
    assert all(f"AMI connect to 127.0.0.1:{port} failed" in line and "; attempt " in line
               and ", next in " in line for line in waits), waits


async def test_ctrl_c_while_waiting_exits_cleanly(tmp_path: Path) -> None:
    with reserved_port() as port, reserved_port() as mqtt_port:
        config = write_config(tmp_path, config_data(port, mqtt_port=mqtt_port,
                                                    db=f"sqlite:///{tmp_path}/cc.db"))
        with serving(config, tmp_path / "serve.log", "--migrate") as serve:
            await serve.wait_for_output(f"waiting for the MQTT broker 127.0.0.1:{mqtt_port}")
            serve.process.send_signal(signal.SIGINT)
            assert await serve.exit_code() == 0
    out = serve.output()
    assert "Traceback" not in out and "stopped before the engine started" in out
    assert "; attempt 1, next in " in out


async def test_serve_waits_for_the_database(tmp_path: Path) -> None:
    with reserved_port() as db_port, reserved_port() as port:
        url = f"postgresql://postgres@127.0.0.1:{db_port}/test"
        config = write_config(tmp_path, config_data(port, db=url))
        with serving(config, tmp_path / "serve.log") as serve:
            await serve.wait_for_output("waiting for the database", count=2)
            serve.process.send_signal(signal.SIGINT)
            assert await serve.exit_code() == 0
    waits = [line for line in serve.output().splitlines() if "waiting for the database" in line]
    assert f"the database postgresql+asyncpg://postgres@127.0.0.1:{db_port}/test: " in waits[0]
    assert "; attempt 2, next in " in waits[1], waits
    assert "Traceback" not in serve.output()


async def test_a_wrong_ami_password_is_not_waited_for(tmp_path: Path) -> None:
    await mqtt_or_skip()
    async with Emulator(auth_delay_speed=20.0) as emu:
        config = write_config(tmp_path, config_data(emu.port, db=f"sqlite:///{tmp_path}/c.db"))
        with serving(config, tmp_path / "serve.log", "--migrate", secret="wrong") as serve:
            assert await serve.exit_code() == 2
    out = serve.output()
    assert "error: AMI login as 'cc' at 127.0.0.1" in out and "refused" in out, out[-2000:]
    assert "Traceback" not in out and "waiting for" not in out
    assert "wrong" not in out  # the secret is never printed


async def test_a_database_that_says_no_is_not_waited_for(tmp_path: Path) -> None:
    with reserved_port() as port:
        url = "postgresql://postgres@127.0.0.1:5432/no_such_database_here"
        config = write_config(tmp_path, config_data(port, db=url))
        with serving(config, tmp_path / "serve.log") as serve:
            code = await serve.exit_code()
    out = serve.output()
    if "Connect call failed" in out or "waiting for the database" in out:
        pytest.skip("no PostgreSQL at 127.0.0.1:5432")
    assert code == 2, out[-2000:]
    assert 'database "no_such_database_here" does not exist' in out
    assert "Traceback" not in out


async def test_a_schema_behind_the_code_stops_it_with_the_revisions(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / "old.db").close()  # a database nobody migrated
    with reserved_port() as port:
        config = write_config(tmp_path, config_data(port, db=f"sqlite:///{tmp_path}/old.db"))
        with serving(config, tmp_path / "serve.log") as serve:  # no --migrate
            assert await serve.exit_code() == 2
    out = serve.output()
    assert "error: " in out and "callcenter db upgrade" in out, out[-2000:]
    assert "Traceback" not in out and "waiting for Asterisk" not in out


# --- serve --check ------------------------------------------------------------------------

async def check(config: Path, *args: str, secret: str = "ccsecret") -> tuple[int, str]:
    result = await asyncio.to_thread(CliRunner().invoke, app,
                                     ["serve", "--config", str(config), "--check", *args],
                                     env={SECRET_ENV: secret})
    return result.exit_code, result.output


def checklist(output: str) -> dict[str, str]:
    """`✓ name: detail` lines → {name: "✓ detail"}."""
    found = {}
    for line in output.splitlines():
        if line[:2] in ("✓ ", "✗ "):
            name, _, detail = line[2:].partition(": ")
            found[name] = f"{line[0]} {detail}"
    return found


def install_prompts(config: EngineConfig, sounds: Path) -> list[str]:
    inp, _ = render_input(config, "test", placeholder_secrets=True)
    text = next(f.text for f in render(inp) if f.name == PROMPTS)
    names = [prompt.name for _, prompt in parse_prompts(text)]
    for name in names:
        (sounds / f"{name}.wav").parent.mkdir(parents=True, exist_ok=True)
        (sounds / f"{name}.wav").write_bytes(b"RIFF")
    return names


async def test_check_passes_on_a_ready_site(tmp_path: Path) -> None:
    await mqtt_or_skip()
    db_url = f"sqlite:///{tmp_path}/cc.db"
    async with Database(db_url) as db:
        await upgrade(db)
    rendered = engine_contexts(dialplan_params(EngineConfig.model_validate(config_data(1))))
    site = Context("from-internal", (Extension("_1XXX", (Priority("Dial", "PJSIP/${EXTEN}"),)),))
    plan = Dialplan((*rendered.contexts, site))  # what `dialplan render` writes, and the site's
    async with Emulator(contexts=plan) as emu:
        data = config_data(emu.port, db=db_url)
        config = EngineConfig.model_validate(data)
        names = install_prompts(config, tmp_path / "sounds")
        code, output = await check(write_config(tmp_path, data), "--sounds",
                                   str(tmp_path / "sounds"))
    assert code == 0, output
    items = checklist(output)
    assert items[f"AMI 127.0.0.1:{emu.port}"].startswith("✓ logged in as 'cc'")
    for context in ("cc-inbound", "cc-enqueue", "cc-hold", "cc-agent", "cc-connect",
                    "cc-overflow", "cc-outbound"):
        assert items[f"dialplan [{context}]"].startswith("✓ loaded as rendered"), output
    assert items["dialplan [cc-inbound]"] == "✓ loaded as rendered (2 extensions)"
    assert items["dialplan [from-internal] (transfer_context)"].startswith("✓ defined by the site")
    assert items["MQTT broker 127.0.0.1:1883"].startswith("✓ connected")
    assert items["database schema"].startswith("✓ current")
    assert items[f"prompts in {tmp_path / 'sounds'}"] == f"✓ all {len(names)} found"
    assert output.rstrip().endswith(f"{len(items)} of {len(items)} checks passed")


async def test_check_names_each_problem(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path}/empty.db"
    sqlite3.connect(tmp_path / "empty.db").close()  # a database never migrated
    (tmp_path / "sounds").mkdir()
    async with Emulator() as emu:  # the fixture dialplan only: no engine contexts loaded
        data = config_data(emu.port, mqtt_port=free_port(), db=db_url)
        path = write_config(tmp_path, data)
        code, output = await check(path, "--sounds", str(tmp_path / "sounds"))
        wrong_code, wrong = await check(path, secret="not-the-secret")
    # A dialplan rendered from another config (one route fewer) is what Asterisk has loaded.
    stale_plan = engine_contexts(dialplan_params(EngineConfig.model_validate(
        config_data(1, dids=("4000",)))))
    async with Emulator(contexts=stale_plan) as stale_emu:
        stale_path = write_config(tmp_path, config_data(
            stale_emu.port, db=f"sqlite:///{tmp_path}/not-there.db"))
        stale_code, stale = await check(stale_path)
    assert code == 1
    items = checklist(output)
    assert items["dialplan [cc-inbound]"].startswith("✗ not loaded: #include the rendered"
                                                     " extensions.conf")
    assert items[f"MQTT broker 127.0.0.1:{data['mqtt']['port']}"].startswith("✗ ")
    assert items["dialplan [from-internal] (transfer_context)"].startswith("✗ not loaded: the"
                                                                          " site's dialplan")
    assert items["database schema"].startswith(
        "✗ at revision none (empty database), this engine needs")
    assert "callcenter db upgrade" in items["database schema"]
    prompts = items[f"prompts in {tmp_path / 'sounds'}"]
    assert prompts.startswith("✗ ") and "missing: cc/" in prompts
    assert output.rstrip().endswith(
        f"{sum(v.startswith('✓') for v in items.values())} of {len(items)} checks passed")
    assert wrong_code == 1
    wrong_items = checklist(wrong)
    assert "refused: Authentication failed" in wrong_items[f"AMI 127.0.0.1:{emu.port}"]
    assert wrong_items["dialplan"] == "✗ not checked: no AMI session"
    assert "not-the-secret" not in wrong
    assert stale_code == 1
    assert checklist(stale)["dialplan [cc-inbound]"] == (
        "✗ differs from what `callcenter dialplan render` writes for this config: no extension"
        " 4001; render again and `dialplan reload`")
    assert checklist(stale)["dialplan [cc-hold]"].startswith("✓ loaded as rendered")
    database = checklist(stale)[f"database sqlite+aiosqlite:///{tmp_path}/not-there.db"]
    assert database.startswith("✗ the file does not exist yet")
    assert not (tmp_path / "not-there.db").exists()  # --check creates nothing
