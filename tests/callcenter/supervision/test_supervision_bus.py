"""Supervisor commands on the bus: topics, strict parsing, and a round trip through a broker."""

from __future__ import annotations

import asyncio
import json

from callcenter.bus import topics
from callcenter.bus.broker import EmbeddedBroker
from callcenter.bus.client import BusConfig, MqttBus
from callcenter.bus.schemas import (
    CommandError,
    ForcePauseCommand,
    MoveCallCommand,
    SpyMode,
    SupervisorEvent,
    parse_supervisor_command,
)


def test_topics() -> None:
    t = topics.DEFAULT
    assert t.supervisor_commands("sam") == "callcenter/v1/supervisors/sam/commands"
    assert t.supervisor_replies("sam") == "callcenter/v1/supervisors/sam/replies"
    assert t.user_of_supervisor_command_topic("callcenter/v1/supervisors/sam/commands") == "sam"
    assert t.user_of_supervisor_command_topic("callcenter/v1/agents/sam/commands") is None
    assert t.user_of_supervisor_command_topic("callcenter/v1/supervisors/events") is None
    assert topics.matches(t.supervisor_commands_filter, t.supervisor_commands("x"))
    assert not topics.matches(t.supervisor_commands_filter, t.supervisor_events)


def test_parsing_is_strict_and_names_the_problem() -> None:
    ok = parse_supervisor_command("sam", b'{"v":1,"id":"a","cmd":"pause","agent":"1001",'
                                         b'"reason":"coaching"}')
    assert ok == ForcePauseCommand(id="a", agent="1001", reason="coaching")
    cases = {
        b'{"v":1,"id":"a","cmd":"pause","agent":"1001"}': "pause: field 'reason': Field required",
        b'{"v":1,"id":"a","cmd":"set_priority","call_id":"c","priority":10}':
            "set_priority: field 'priority': Input should be less than or equal to 9",
        b'{"v":1,"id":"a","cmd":"listen","agent":"1001","device":"PJSIP/9"}':
            "listen: field 'device': Extra inputs are not permitted",
        b'{"v":1,"id":"a","cmd":"add_agent"}': "cmd 'add_agent' is not one of listen,",
        b'{"v":2,"id":"a","cmd":"listen","agent":"1001"}': "schema version 2",
    }
    for payload, message in cases.items():
        result = parse_supervisor_command("sam", payload)
        assert isinstance(result, CommandError)
        assert result.request_id == "a"
        assert message in result.message, result.message
    assert isinstance(parse_supervisor_command("a\x00b", b"{}"), CommandError)


async def test_commands_replies_and_events_through_a_broker() -> None:
    async with EmbeddedBroker() as broker:
        prefix = topics.unique_prefix("test-sup")
        config = BusConfig(host=broker.host, port=broker.port, topic_prefix=prefix)
        async with MqttBus(config) as engine, MqttBus(
            BusConfig(host=broker.host, port=broker.port, topic_prefix=prefix)
        ) as desk:
            seen: list[tuple[str, object]] = []

            async def read() -> None:
                async for user, command in engine.supervisor_commands():
                    seen.append((user, command))
                    engine.reply_supervisor(user, getattr(command, "id", None),
                                            None if not isinstance(command, CommandError)
                                            else command.message)
                    return

            replies: list[dict[str, object]] = []

            async def listen() -> None:
                async for _, payload in desk.messages(f"{desk.topics.base}/supervisors/#"):
                    data = json.loads(payload)
                    if "ok" in data or "event" in data:
                        replies.append(data)
                    if len(replies) == 2:
                        return

            async with asyncio.timeout(5), asyncio.TaskGroup() as group:
                group.create_task(read())
                group.create_task(listen())
                await asyncio.sleep(0.2)
                desk.publish(desk.topics.supervisor_commands("sam"),
                             b'{"v":1,"id":"m1","cmd":"move_call","call_id":"c1",'
                             b'"queue":"sales"}')
                await asyncio.sleep(0.2)
                engine.publish_supervisor_event(SupervisorEvent(
                    event="spy-started", user="sam", agent="1001", mode=SpyMode.LISTEN))
            assert seen == [("sam", MoveCallCommand(id="m1", call_id="c1", queue="sales"))]
            assert replies[0]["ok"] is True and replies[0]["user"] == "sam"
            assert replies[1]["event"] == "spy-started"
