"""The engine's YAML: the documented example loads; mistakes name the file, key and value."""

from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.engine.config import ConfigError, dialplan_params, load_config, load_flows
from callcenter.engine.runner import bus_config_of

EXAMPLE = Path(__file__).parents[3] / "docs" / "examples" / "callcenter.yaml"


def test_the_documented_example_loads_and_gives_the_dialplan_routes() -> None:
    config = load_config(EXAMPLE)
    assert [q.name for q in config.queues] == ["billing", "support", "general"]
    assert list(load_flows(config)) == ["main"]  # ivr/examples/main.yaml, relative to the file
    routes = dialplan_params(config).routes
    assert [(r.did, r.queue, r.priority, r.tier) for r in routes][-1] == (
        "4009", "billing", 5, "vip")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("queues: []\n", "queues: List should have at least 1 item"),
        ("queues: [{name: q}]\ntime_zone: Mars/Base\n", "time_zone: Value error, expected an"
         " IANA time zone such as 'Asia/Shanghai', got 'Mars/Base'"),
        ("queues: [{name: q}]\nroutes: [{did: '1', queue: nope}]\n",
         "routes.0.queue: unknown queue 'nope'"),
        ("queues: [{name: q, wrap_up_s: -5}]\n", "queues.0.wrap_up_s"),
        ("queues: [{name: q}]\nagents: [{id: a, skills: {s: 11}}]\n", "agents.0.skills.s"),
        ("queues: [{name: q}]\nagents: [{id: a, skills: {}, device: 'pjsip 1'}]\n",
         "expected a device like 'PJSIP/1007', got 'pjsip 1'"),
        ("queues: [{name: q}]\ncrm_url_template: 'http://x/{nope}'\n", "{nope}"),
        ("queues: [{name: q}\n", "not valid YAML"),
        ("queues: [{name: q}]\nroutes: [{did: '1', queue: q, flow: main}]\n",
         "routes.0.flow: unknown flow 'main' (ivr.flows: none)"),
        ("queues: [{name: q}]\nservices: {nope: {callback: true}}\n",
         "services: unknown queues nope"),
        ("- just a list\n", "expected a mapping of settings, got list"),
        ("queues: [{name: q}]\nmqtt: {topic_prefix: 'acme/+'}\n",
         "mqtt.topic_prefix: Value error, topic prefix 'acme/+': expected"),
    ],
)
def test_mistakes_name_the_file_key_and_value(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "cc.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(path) in str(error.value)
    assert expected in str(error.value)


def test_the_secret_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(EXAMPLE)
    monkeypatch.delenv("CALLCENTER_AMI_SECRET", raising=False)
    with pytest.raises(ConfigError, match="CALLCENTER_AMI_SECRET, which is not set"):
        config.ami.secret()
    monkeypatch.setenv("CALLCENTER_AMI_SECRET", "s3cret")
    assert config.ami.secret() == "s3cret"
    assert "s3cret" not in repr(config)


@pytest.mark.parametrize(
    ("flow", "expected"),
    [
        ("name: f\nqueue: q\nstart: a\nnodes:\n  a: {type: enqueue, queue: elsewhere}\n",
         "nodes.a.queue: unknown queue 'elsewhere' (queues: q)"),
        ("name: f\nqueue: q\nstart: a\nnodes:\n  a: {type: play, prompts: [x], next: b}\n",
         "nodes.a.next: no node 'b'"),
    ],
)
def test_a_flow_that_does_not_fit_the_config_is_refused_naming_it(
    tmp_path: Path, flow: str, expected: str
) -> None:
    (tmp_path / "f.yaml").write_text(flow)
    path = tmp_path / "cc.yaml"
    path.write_text("queues: [{name: q}]\nivr: {flows: {main: f.yaml}}\n")
    with pytest.raises(ConfigError) as error:
        load_flows(load_config(path))
    assert "ivr.flows.main" in str(error.value) and "f.yaml" in str(error.value)
    assert expected in str(error.value), str(error.value)


def test_the_bus_takes_the_centers_prefix_and_a_client_id_of_its_own(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CALLCENTER_MQTT_CLIENT_ID", raising=False)
    config = load_config(EXAMPLE)
    first, second = bus_config_of(config), bus_config_of(config)
    assert first.topic_prefix == "callcenter" and first.topics.base == "callcenter/v1"
    assert first.client_id != second.client_id  # two engines never kick each other off
    assert first.client_id.startswith("callcenter-engine-")
    paris = config.model_copy(update={"mqtt": config.mqtt.model_copy(
        update={"topic_prefix": "acme/paris", "client_id": "paris-engine"})})
    assert bus_config_of(paris).topics.agent_commands("1") == "acme/paris/v1/agents/1/commands"
    assert bus_config_of(paris).client_id == "paris-engine"  # configured: kept
