"""`callcenter supervise …` against a running engine (real Mosquitto), and `callcenter mqtt acl`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml
from live_engine import e2e_config, live_engine
from typer.testing import CliRunner

from acd import AgentState
from callcenter.bus.client import BusConfig, MqttBus, probe
from callcenter.bus.topics import unique_prefix
from callcenter.cli import app
from callcenter.engine.desktops import MqttDesktops
from callcenter.supervision.audit import read_audit

SUPERVISION = {"teams": {"north": ["1001"]},
               "users": [{"id": "sam", "role": "supervisor", "device": "PJSIP/800"},
                         {"id": "ann", "role": "team-lead", "team": "north"}]}


async def cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = await asyncio.to_thread(CliRunner().invoke, app, list(args), env=env)
    return result.exit_code, result.output


async def test_supervise_commands_reply_and_are_audited(tmp_path: Path) -> None:
    prefix = unique_prefix("test-supervise")  # this run's engine, not another's on the broker
    config = BusConfig(topic_prefix=prefix)
    env = {"CALLCENTER_MQTT_TOPIC_PREFIX": prefix}
    problem = await probe(config)
    if problem is not None:
        pytest.skip(f"no MQTT broker at {config.address}: {problem}")
    engine_config = e2e_config(agents=2, supervision=SUPERVISION)
    async with MqttBus(config) as bus, live_engine(
        engine_config, desktops=MqttDesktops(bus), db_path=tmp_path / "cc.db"
    ) as live:
        sb = live.service.switchboard
        await asyncio.sleep(0.5)  # the engine's subscriptions reach the broker
        assert await cli("supervise", "pause", "1001", "--reason", "coaching",
                         "--as", "ann", env=env) == (0, "done\n")
        assert sb.agents["1001"].state is AgentState.PAUSED
        code, output = await cli("supervise", "logout", "1002", "--as", "ann", env=env)
        assert code == 1 and "may act only on team north" in output
        assert sb.agents["1002"].state is AgentState.AVAILABLE
        code, output = await cli("supervise", "listen", "1002", "--as", "sam",
                                 "--topic-prefix", prefix)
        assert code == 1 and "agent 1002 is not on a call" in output
        code, output = await cli("supervise", "priority", "nope", "7", "--as", "sam", env=env)
        assert code == 1 and "call nope is not known" in output
        assert (await cli("supervise", "priority", "c", "12", "--as", "sam", env=env))[0] == 2
        assert live.service.db is not None
        audit = await read_audit(live.service.db)
        assert [(a.user_id, a.action, a.ok) for a in audit] == [
            ("ann", "pause", True), ("ann", "logout", False), ("sam", "listen", False),
            ("sam", "set_priority", False)]


async def test_supervise_without_a_broker_says_so() -> None:
    code, output = await cli("supervise", "ready", "1001", "--as", "sam", "--mqtt-port", "1",
                             "--timeout", "0.5")
    assert code == 3 and "no reply from the engine over MQTT at 127.0.0.1:1" in output


async def test_mqtt_acl_writes_private_files(tmp_path: Path) -> None:
    data = e2e_config(agents=2, supervision=SUPERVISION).model_dump(mode="json")
    path = tmp_path / "cc.yaml"
    path.write_text(yaml.safe_dump(data))
    secrets = tmp_path / "secrets"
    secrets.write_text("1001:a\n1002:b\nsam:s\nann:l\n")
    out = tmp_path / "broker"
    code, output = await cli("mqtt", "acl", "--config", str(path), "--out", str(out),
                             "--secrets", str(secrets))
    assert code == 2 and "CALLCENTER_MQTT_PASSWORD_CALLCENTER_ENGINE" in output
    code, output = await cli("mqtt", "acl", "--config", str(path), "--out", str(out),
                             "--secrets", str(secrets),
                             env={"CALLCENTER_MQTT_PASSWORD_CALLCENTER_ENGINE": "e"})
    assert code == 0 and "5 users" in output
    passwd = (out / "passwd").read_text().splitlines()
    assert sorted(line.split(":")[0] for line in passwd) == [
        "1001", "1002", "ann", "callcenter-engine", "sam"]
    assert all(line.split(":", 1)[1].startswith("$7$") for line in passwd)
    assert "s" not in {line.split(":", 1)[1] for line in passwd}
    assert "user 1002\ntopic read callcenter/v1/agents/1002/state" in (out / "acl").read_text()
    for name in ("passwd", "acl", "mosquitto.conf"):
        assert (out / name).stat().st_mode & 0o077 == 0
