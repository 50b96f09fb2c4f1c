"""The generated Mosquitto password and ACL files, enforced by a real Mosquitto on a free port:
agent A can neither read B's screen-pops nor send B's commands; the engine's user can."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from callcenter.bus.client import BusConfig, MqttBus, connect_once, probe, unique_client_id
from callcenter.bus.errors import BusConnectionError, BusRefusedError
from callcenter.bus.testing import MosquittoProcess
from callcenter.bus.topics import DEFAULT, Topics
from callcenter.supervision.acl import (
    AclError,
    broker_users,
    hash_password,
    passwords,
    write_broker_files,
)
from callcenter.supervision.roles import SupervisionSettings

SETTINGS = SupervisionSettings.model_validate({
    "teams": {"north": ["1001"]},
    "users": [{"id": "sam", "role": "supervisor", "device": "PJSIP/800"},
              {"id": "ann", "role": "team-lead", "team": "north"}],
})
AGENTS = ["1001", "1002"]
CENTER = Topics("acme/paris")  # a center of its own: the ACL follows its prefix
SECRETS = {"callcenter-engine": "e-pw", "1001": "a-pw", "1002": "b-pw", "sam": "s-pw",
           "ann": "l-pw"}


def test_pbkdf2_hash_is_mosquittos_format() -> None:
    salt = bytes(range(12))
    text = hash_password("secret", salt=salt)
    _, kind, iterations, salt64, hash64 = text.split("$")
    assert (kind, iterations, base64.b64decode(salt64)) == ("7", "101", salt)
    assert base64.b64decode(hash64) == hashlib.pbkdf2_hmac("sha512", b"secret", salt, 101, 64)


def test_acl_lines_per_role() -> None:
    users = {u.name: u for u in broker_users(SETTINGS, AGENTS, DEFAULT)}
    assert set(users) == {"callcenter-engine", "1001", "1002", "sam", "ann"}
    assert users["callcenter-engine"].lines == ("topic readwrite callcenter/v1/#",)
    assert "topic write callcenter/v1/agents/1001/commands" in users["1001"].lines
    assert not any("1002" in line for line in users["1001"].lines)
    assert "topic read callcenter/v1/agents/+/state" in users["sam"].lines
    assert "topic read callcenter/v1/agents/1001/state" in users["ann"].lines
    assert not any("+/state" in line or "admin" in line for line in users["ann"].lines)
    paris = {u.name: u for u in broker_users(SETTINGS, AGENTS, CENTER)}
    assert paris["callcenter-engine"].lines == ("topic readwrite acme/paris/v1/#",)
    assert all(line.split()[-1].startswith("acme/paris/v1/")
               for user in paris.values() for line in user.lines)


def test_passwords_from_env_and_file_never_the_yaml(tmp_path: Path) -> None:
    users = broker_users(SETTINGS, AGENTS, DEFAULT)
    secrets_file = tmp_path / "secrets"
    secrets_file.write_text("# comment\n1001:file-pw\n1002:b\nsam:s\nann:l\n")
    env = {"CALLCENTER_MQTT_PASSWORD_CALLCENTER_ENGINE": "e",
           "CALLCENTER_MQTT_PASSWORD_1001": "env-pw"}
    found = passwords(users, secrets_file, env)
    assert found["1001"] == "env-pw" and found["sam"] == "s" and found["callcenter-engine"] == "e"
    with pytest.raises(AclError, match=r"no password for callcenter-engine .*set "
                                       "CALLCENTER_MQTT_PASSWORD_CALLCENTER_ENGINE"):
        passwords(users, secrets_file, {})


class Listener:
    """What one client receives on a topic filter."""

    def __init__(self, bus: MqttBus, topic_filter: str) -> None:
        self.got: list[str] = []
        self._task = asyncio.create_task(self._run(bus, topic_filter), name="acl-listen")

    async def _run(self, bus: MqttBus, topic_filter: str) -> None:
        async for topic, _ in bus.messages(topic_filter):
            self.got.append(topic)

    def stop(self) -> None:
        self._task.cancel()


@asynccontextmanager
async def broker(tmp_path: Path, *, use_binary: bool) -> AsyncIterator[MosquittoProcess]:
    why = MosquittoProcess.available()
    if why:
        pytest.skip(why)
    users = broker_users(SETTINGS, AGENTS, CENTER)
    passwd, acl, _ = write_broker_files(users, SECRETS, tmp_path / "broker", "test",
                                        use_binary=use_binary)
    # Mosquitto started as root drops to user `mosquitto`, which cannot read files private to
    # root (the generated ones are 0600): in deployment they are chowned to the broker's user.
    stay = ["user root"] if os.geteuid() == 0 else []
    async with MosquittoProcess(allow_anonymous=False, extra_config=[
            *stay, f"password_file {passwd}", f"acl_file {acl}"]) as process:
        yield process


def config(process: MosquittoProcess, user: str | None, password: str | None = None
           ) -> BusConfig:
    return BusConfig(port=process.port, client_id=unique_client_id(f"acl-{user}"),
                     username=user, topic_prefix=CENTER.prefix,
                     password=password if password is not None else SECRETS.get(user or ""))


@pytest.mark.parametrize("use_binary", [True, False], ids=["mosquitto_passwd", "python"])
async def test_only_the_right_users_get_in(tmp_path: Path, use_binary: bool) -> None:
    async with broker(tmp_path, use_binary=use_binary) as process:
        assert await probe(config(process, "1001")) is None
        assert await probe(config(process, "callcenter-engine")) is None
        assert await probe(config(process, "1001", "wrong")) is not None
        assert await probe(config(process, None)) is not None  # anonymous
        # A refusal is final (`callcenter serve` stops rather than waits for it)...
        with pytest.raises(BusRefusedError, match=r"refused the connection .* as user '1001'"):
            await connect_once(config(process, "1001", "wrong"))
        with pytest.raises(BusRefusedError, match=r"\(no user name\)"):
            await connect_once(config(process, None))
        await process.stop()
        # ... a broker that is not there is not.
        with pytest.raises(BusConnectionError) as gone:
            await connect_once(config(process, "1001"), timeout=1.0)
        assert not isinstance(gone.value, BusRefusedError)


async def test_agent_a_cannot_read_b_or_command_as_b_the_engine_can(tmp_path: Path) -> None:
    async with broker(tmp_path, use_binary=True) as process, \
            MqttBus(config(process, "callcenter-engine")) as engine, \
            MqttBus(config(process, "1001")) as agent_a, \
            MqttBus(config(process, "1002")) as agent_b, \
            MqttBus(config(process, "sam")) as supervisor:
        topics = CENTER
        a_pops = Listener(agent_a, f"{topics.base}/agents/+/screenpop")
        a_all = Listener(agent_a, topics.everything)
        b_pops = Listener(agent_b, topics.agent_screenpop("1002"))
        engine_commands = Listener(engine, topics.agent_commands_filter)
        engine_supervisors = Listener(engine, topics.supervisor_commands_filter)
        engine_all = Listener(engine, topics.everything)
        engine_other_center = Listener(engine, DEFAULT.everything)
        await asyncio.sleep(0.5)  # subscriptions in place
        engine.publish(topics.agent_screenpop("1002"), b'{"for":"B"}')
        engine.publish(topics.agent_screenpop("1001"), b'{"for":"A"}')
        agent_a.publish(topics.agent_commands("1002"), b'{"as":"B"}')  # denied: dropped
        agent_a.publish(topics.agent_commands("1001"), b'{"as":"A"}')
        agent_a.publish(topics.supervisor_commands("sam"), b'{"as":"sam"}')  # denied
        supervisor.publish(topics.supervisor_commands("sam"), b'{"as":"sam"}')
        supervisor.publish(topics.admin_commands, b'{"admin":1}')  # denied: not an admin
        engine.publish(DEFAULT.agent_screenpop("1001"), b'{}')  # another center's: denied
        await asyncio.sleep(1.0)
        for listener in (a_pops, a_all, b_pops, engine_commands, engine_supervisors,
                         engine_all, engine_other_center):
            listener.stop()
        assert a_pops.got == [topics.agent_screenpop("1001")]
        assert topics.agent_screenpop("1002") not in a_all.got
        assert b_pops.got == [topics.agent_screenpop("1002")]
        assert engine_commands.got == [topics.agent_commands("1001")]
        assert engine_supervisors.got == [topics.supervisor_commands("sam")]
        assert topics.admin_commands not in engine_all.got
        assert engine_other_center.got == []
        assert topics.agent_screenpop("1002") in engine_all.got  # the engine reads it all
