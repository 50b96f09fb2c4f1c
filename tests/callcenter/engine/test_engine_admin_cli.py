"""`callcenter agents|queues …` change a running engine over MQTT (real Mosquitto)."""

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

PREFIX = unique_prefix("test-admin")
"""This run's engine: a second copy of the suite on the same broker has its own, so neither
answers the other's commands."""


async def cli(*args: str) -> tuple[int, str]:
    result = await asyncio.to_thread(CliRunner().invoke, app, list(args),
                                     env={"CALLCENTER_MQTT_TOPIC_PREFIX": PREFIX})
    return result.exit_code, result.output


async def test_agents_and_queues_change_without_a_restart(tmp_path: Path) -> None:
    config = BusConfig(topic_prefix=PREFIX)
    problem = await probe(config)
    if problem is not None:
        pytest.skip(f"no MQTT broker at {config.address}: {problem}")
    engine_config = e2e_config(agents=1)
    async with MqttBus(config) as bus, live_engine(
        engine_config, desktops=MqttDesktops(bus), login=False
    ) as live:
        sb = live.service.switchboard
        await asyncio.sleep(0.5)  # the engine's subscriptions reach the broker
        assert await cli("agents", "login", "1001") == (0, "done\n")
        assert sb.agents["1001"].state is AgentState.AVAILABLE
        code, output = await cli("agents", "login", "1001")
        assert code == 1 and "already logged in" in output
        assert (await cli("agents", "pause", "1001", "--reason", "lunch"))[0] == 0
        assert (sb.agents["1001"].state, sb.agents["1001"].reason) == (
            AgentState.PAUSED, "lunch")
        assert (await cli("agents", "skills", "1001", "support=7", "sales=2"))[0] == 0
        assert sb.router.agent_info("1001").skills[-1] == ("support", 7)
        assert (await cli("agents", "add", "2001", "support=3", "--device",
                          "PJSIP/2001"))[0] == 0
        assert "2001" in sb.agents
        assert (await cli("agents", "remove", "2001"))[0] == 0
        assert "2001" not in sb.agents
        code, output = await cli("agents", "skills", "1001", "support=11")
        assert code == 2 and "level from 1 to 10" in output
        data = engine_config.model_dump(mode="json")
        data["queues"][0]["wrap_up_s"] = 42.0
        path = tmp_path / "cc.yaml"
        path.write_text(yaml.safe_dump(data))
        assert (await cli("queues", "update", "--config", str(path), "support"))[0] == 0
        assert sb.router.queue_settings("support").wrap_up_s == 42.0


async def test_no_engine_no_broker_says_so() -> None:
    code, output = await cli("agents", "ready", "1001", "--mqtt-port", "1", "--timeout", "0.5")
    assert code == 3 and "no reply from the engine over MQTT at 127.0.0.1:1" in output
