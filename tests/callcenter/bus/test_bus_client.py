"""MqttBus against real brokers: the machine's Mosquitto, the embedded broker, and a
Mosquitto of the test's own that is stopped and restarted."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest

from acd.agents import AgentState
from callcenter.bus import (
    AgentStatus,
    BusClosedError,
    BusConfig,
    BusTopicError,
    CommandError,
    MqttBus,
    QueueStats,
    Reply,
    ScreenPop,
)
from callcenter.bus.client import unique_client_id
from callcenter.bus.schemas import (
    AdminReply,
    Caller,
    PauseCommand,
    SetAgentSkillsCommand,
)
from callcenter.bus.testing import MosquittoProcess, free_port
from callcenter.bus.topics import DEFAULT, Topics, unique_prefix

AT = datetime(2025, 3, 10, 9, 15, tzinfo=UTC)
RUN = Topics(unique_prefix("test-bus"))
"""This run's topics: another copy of the suite on the same broker has its own."""


def config(host: str, port: int, name: str, topics: Topics = RUN,
           **overrides: object) -> BusConfig:
    return BusConfig(host=host, port=port, client_id=unique_client_id(name),  # type: ignore[arg-type]
                     topic_prefix=topics.prefix, **overrides)


@asynccontextmanager
async def connected(cfg: BusConfig) -> AsyncIterator[MqttBus]:
    async with MqttBus(cfg) as bus:
        await bus.wait_connected(10)
        yield bus


def pop(agent: str, n: int) -> ScreenPop:
    return ScreenPop(
        pop_id=f"call{n}-1",
        call_id=f"call{n}",
        agent=agent,
        caller=Caller(number="+33123456789"),
        queue="support",
        waited_s=float(n),
        at=AT,
    )


async def collect(
    bus: MqttBus, topic_filter: str, count: int, into: list[tuple[str, bytes]]
) -> None:
    async for message in bus.messages(topic_filter):
        into.append(message)
        if len(into) >= count:
            return


# Clean sessions: a subscriber that is away misses what is published meanwhile. So in the
# outage tests the desktop polls for the broker every 0.1 s and the engine comes back only
# 1.2-1.8 s after losing it: the desktop has resubscribed when the engine resends its outbox.
FAST_RECONNECT: dict[str, object] = {"reconnect_initial": 0.05, "reconnect_max": 0.1}
SLOW_RECONNECT: dict[str, object] = {"reconnect_initial": 1.5, "reconnect_max": 1.5}


async def wait_disconnected(bus: MqttBus) -> None:
    async with asyncio.timeout(10):
        while bus.connected:
            await asyncio.sleep(0.01)


async def desk_resubscribed(desk: MqttBus) -> None:
    await desk.wait_connected(10)
    await asyncio.sleep(0.2)  # SUBACK on loopback takes a millisecond


async def started(task: asyncio.Task[None]) -> None:
    """Let a freshly created subscriber task subscribe on the broker."""
    await asyncio.sleep(0.3)
    assert not task.done(), task


async def test_publish_subscribe(broker: tuple[str, int], agent_id: str) -> None:
    host, port = broker
    # The default prefix, on the wire (the agent id is this run's own).
    async with (
        connected(config(host, port, f"{agent_id}-engine", DEFAULT)) as engine,
        connected(config(host, port, f"{agent_id}-desk", DEFAULT)) as desk,
    ):
        got: list[tuple[str, bytes]] = []
        reader = asyncio.create_task(collect(desk, DEFAULT.agent_screenpop(agent_id), 3, got))
        await started(reader)
        for n in range(3):
            engine.publish_screenpop(pop(agent_id, n))
        await asyncio.wait_for(reader, 10)
        assert [ScreenPop.model_validate_json(p).pop_id for _, p in got] == [
            "call0-1",
            "call1-1",
            "call2-1",
        ]
        assert {t for t, _ in got} == {f"callcenter/v1/agents/{agent_id}/screenpop"}
        assert await engine.flush(5)
        assert engine.stats.sent == engine.stats.published == 3


async def test_retained_state_reaches_a_late_subscriber(
    broker: tuple[str, int], agent_id: str
) -> None:
    host, port = broker
    status = AgentStatus(
        agent=agent_id, state=AgentState.PAUSED, reason="lunch", since=AT, device="PJSIP/1007"
    )
    stats = QueueStats(
        queue=agent_id, waiting=2, longest_wait_s=31.0, agents={AgentState.AVAILABLE: 1},
        offered=10, answered=8, abandoned=2, service_level=0.7, asa_s=12.0,
        abandon_rate=0.2, at=AT,
    )  # fmt: skip
    async with connected(config(host, port, f"{agent_id}-engine")) as engine:
        engine.publish_state(status.model_copy(update={"state": AgentState.AVAILABLE}))
        engine.publish_state(status)  # the latest wins
        engine.publish_stats(stats)
        assert await engine.flush(5)
        try:
            async with connected(config(host, port, f"{agent_id}-wallboard")) as wallboard:
                got: list[tuple[str, bytes]] = []
                await asyncio.wait_for(
                    collect(wallboard, f"{RUN.base}/+/{agent_id}/+", 2, got), 10
                )
                by_topic = dict(got)
                assert AgentStatus.model_validate_json(by_topic[RUN.agent_state(agent_id)]) == (
                    status
                )
                assert QueueStats.model_validate_json(by_topic[RUN.queue_stats(agent_id)]) == (
                    stats
                )
        finally:  # the machine's Mosquitto keeps retained messages: leave none behind
            engine.clear_state(agent_id)
            engine.publish(RUN.queue_stats(agent_id), b"", qos=1, retain=True)
            assert await engine.flush(5)


async def test_command_reply_round_trip(broker: tuple[str, int], agent_id: str) -> None:
    host, port = broker
    async with (
        connected(config(host, port, f"{agent_id}-engine")) as engine,
        connected(config(host, port, f"{agent_id}-desk")) as desk,
    ):

        async def serve() -> None:  # what the engine does, in three lines
            async for agent, command in engine.agent_commands():
                if isinstance(command, CommandError):
                    engine.reply(agent, command.request_id, error=command.message)
                else:
                    assert isinstance(command, PauseCommand)
                    engine.reply(agent, command.id)

        replies: list[tuple[str, bytes]] = []
        server = asyncio.create_task(serve())
        reader = asyncio.create_task(collect(desk, RUN.agent_replies(agent_id), 3, replies))
        await started(server)
        await started(reader)
        commands = RUN.agent_commands(agent_id)
        desk.publish(commands, PauseCommand(id="req-1", reason="lunch"))
        desk.publish(commands, json.dumps({"v": 1, "id": "req-2", "cmd": "pause"}).encode())
        desk.publish(commands, b"not json")
        await asyncio.wait_for(reader, 10)
        server.cancel()
        parsed = [Reply.model_validate_json(p) for _, p in replies]
        assert [(r.id, r.agent, r.ok, r.error) for r in parsed] == [
            ("req-1", agent_id, True, None),
            ("req-2", agent_id, False, "pause: field 'reason': Field required"),
            (None, agent_id, False, "payload is not JSON: Expecting value at line 1 column 1"),
        ]


async def test_admin_command_reply(broker: tuple[str, int], agent_id: str) -> None:
    host, port = broker
    async with (
        connected(config(host, port, f"{agent_id}-engine")) as engine,
        connected(config(host, port, f"{agent_id}-admin")) as admin,
    ):
        seen: list[object] = []

        async def serve() -> None:
            async for command in engine.admin_commands():
                seen.append(command)
                if isinstance(command, CommandError):
                    engine.reply_admin(command.request_id, error=command.message)
                else:
                    engine.reply_admin(command.id)

        server = asyncio.create_task(serve())
        replies: list[tuple[str, bytes]] = []
        reader = asyncio.create_task(collect(admin, RUN.admin_replies, 2, replies))
        await started(server)
        await started(reader)
        rid = f"{agent_id}-a1"
        admin.publish(
            RUN.admin_commands,
            SetAgentSkillsCommand(id=rid, agent=agent_id, skills={"billing": 7}),
        )
        admin.publish(RUN.admin_commands, b'{"v":1,"id":"%s-a2","cmd":"nuke"}' % rid.encode())
        await asyncio.wait_for(reader, 10)
        server.cancel()
        parsed = [AdminReply.model_validate_json(p) for _, p in replies]
        assert parsed[0].id == rid and parsed[0].ok
        assert parsed[1].id == f"{rid}-a2" and not parsed[1].ok
        assert parsed[1].error is not None and parsed[1].error.startswith("cmd 'nuke' is not one")
        assert isinstance(seen[0], SetAgentSkillsCommand)


async def test_broker_restart_loses_no_screenpop(own_mosquitto: MosquittoProcess) -> None:
    """Pops published before, during and after a broker outage all reach the desktop.

    QoS 1 is at-least-once: a pop in flight when the broker died is sent again, so the desktop
    keeps the pop_ids it has shown and drops repeats. Here, every pop_id must arrive, and
    after that dedup each exactly once.
    """
    broker = own_mosquitto
    agent = "1007"
    engine_cfg = config(broker.host, broker.port, "engine", **SLOW_RECONNECT)
    desk_cfg = config(broker.host, broker.port, "desk", **FAST_RECONNECT)
    async with connected(engine_cfg) as engine, connected(desk_cfg) as desk:
        got: list[tuple[str, bytes]] = []
        reader = asyncio.create_task(collect(desk, RUN.agent_screenpop(agent), 10**9, got))
        await started(reader)
        for n in range(50):
            engine.publish_screenpop(pop(agent, n))
        await broker.stop()  # some of the 50 may still be in flight
        await wait_disconnected(engine)
        for n in range(50, 150):  # published while there is no broker at all
            engine.publish_screenpop(pop(agent, n))
        await asyncio.sleep(0.5)
        assert engine.stats.outbox > 0
        await broker.start()
        await desk_resubscribed(desk)
        assert await engine.flush(20)
        for n in range(150, 160):  # and after
            engine.publish_screenpop(pop(agent, n))
        assert await engine.flush(10)
        async with asyncio.timeout(10):
            while len({ScreenPop.model_validate_json(p).pop_id for _, p in got}) < 160:
                await asyncio.sleep(0.05)
        reader.cancel()
    pop_ids = [ScreenPop.model_validate_json(p).pop_id for _, p in got]
    assert sorted(set(pop_ids)) == sorted(f"call{n}-1" for n in range(160))
    duplicates = len(pop_ids) - len(set(pop_ids))
    assert duplicates <= engine.stats.resent  # a repeat only comes from a resend
    assert engine.stats.dropped == 0
    assert engine.stats.connects == 2 and engine.stats.connection_losses == 1


async def test_outbox_overflow_is_loud_and_spares_screenpops(
    own_mosquitto: MosquittoProcess, caplog: pytest.LogCaptureFixture
) -> None:
    broker = own_mosquitto
    engine_cfg = config(broker.host, broker.port, "engine", outbox_limit=5, **SLOW_RECONNECT)
    desk_cfg = config(broker.host, broker.port, "desk", **FAST_RECONNECT)
    stats = QueueStats(
        queue="support", waiting=0, longest_wait_s=0, agents={}, offered=0, answered=0,
        abandoned=0, service_level=None, asa_s=None, abandon_rate=None, at=AT,
    )  # fmt: skip
    async with connected(engine_cfg) as engine, connected(desk_cfg) as desk:
        got: list[tuple[str, bytes]] = []
        reader = asyncio.create_task(collect(desk, RUN.agent_screenpop("1007"), 5, got))
        await started(reader)
        await broker.stop()
        await wait_disconnected(engine)
        caplog.clear()
        for queue in ("q1", "q2", "q3"):
            engine.publish_stats(stats.model_copy(update={"queue": queue}))
        for n in range(4):
            engine.publish_screenpop(pop("1007", n))
        # 7 messages for 5 places: the two oldest stats went, no screen-pop
        assert engine.stats.dropped == 2
        dropped = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert [r.getMessage().split(" to ")[-1].split(";")[0] for r in dropped] == [
            RUN.queue_stats("q1"),
            RUN.queue_stats("q2"),
        ]
        assert "outbox full" in dropped[0].getMessage()
        for n in range(4, 6):
            engine.publish_screenpop(pop("1007", n))
        assert engine.stats.dropped == 4  # q3 stats, then the oldest screen-pop
        assert RUN.agent_screenpop("1007") in caplog.records[-1].getMessage()
        await broker.start()
        await desk_resubscribed(desk)
        await asyncio.wait_for(reader, 10)
    assert [ScreenPop.model_validate_json(p).pop_id for _, p in got] == [
        f"call{n}-1" for n in range(1, 6)
    ]


async def test_unreachable_broker_and_shutdown(caplog: pytest.LogCaptureFixture) -> None:
    port = free_port()
    cfg = config("127.0.0.1", port, "engine", reconnect_initial=0.05, reconnect_max=0.1)
    async with MqttBus(cfg) as bus:
        bus.publish_screenpop(pop("1007", 1))
        await asyncio.sleep(0.3)
        assert not bus.connected
        assert bus.stats.last_error is not None
        assert f"MQTT broker 127.0.0.1:{port}" in bus.stats.last_error
        with pytest.raises(TimeoutError):
            await bus.wait_connected(0.1)
        assert not await bus.flush(0.1)
        with pytest.raises(BusTopicError):
            bus.publish(RUN.agent_state_filter, b"")
    assert bus.stats.unsent_at_close == 1
    assert any(
        "closed with 1 message(s) not sent" in r.getMessage() and r.levelno == logging.ERROR
        for r in caplog.records
    )
    with pytest.raises(BusClosedError):
        bus.publish_screenpop(pop("1007", 2))


async def test_cancelling_the_owner_closes_the_bus(broker: tuple[str, int]) -> None:
    host, port = broker
    entered = asyncio.Event()
    buses: list[MqttBus] = []

    async def owner() -> None:
        async with connected(config(host, port, "owner")) as bus:
            buses.append(bus)
            entered.set()
            async for _ in bus.agent_commands():
                pass

    task = asyncio.create_task(owner())
    await asyncio.wait_for(entered.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 10)
    assert not buses[0].connected
    current = asyncio.current_task()
    leftovers = [t for t in asyncio.all_tasks() if t is not current and "mqtt" in t.get_name()]
    assert leftovers == []


async def test_messages_iterator_ends_when_the_bus_closes(broker: tuple[str, int]) -> None:
    host, port = broker
    async with connected(config(host, port, "closing")) as bus:
        stream = bus.messages(f"{RUN.base}/nothing/#")
        waiting = asyncio.create_task(anext(stream, None))
        await started(waiting)  # type: ignore[arg-type]
    assert await asyncio.wait_for(waiting, 5) is None


async def test_two_engines_on_one_broker_keep_their_connections_and_topics(
    broker: tuple[str, int], agent_id: str
) -> None:
    """Default client ids are unique per process and bus: two buses never kick each other
    off (a broker drops the older of two clients with one id), and two centers' prefixes keep
    each one's commands to itself."""
    host, port = broker
    paris, lyon = Topics(unique_prefix("test-paris")), Topics(unique_prefix("test-lyon"))
    first = BusConfig(host=host, port=port, topic_prefix=paris.prefix)
    second = BusConfig(host=host, port=port, topic_prefix=lyon.prefix)
    assert first.client_id != second.client_id
    async with connected(first) as one, connected(second) as other:
        got: dict[str, list[str]] = {"paris": [], "lyon": []}

        async def serve(bus: MqttBus, name: str) -> None:
            async for agent, _ in bus.agent_commands():
                got[name].append(agent)

        readers = [asyncio.create_task(serve(one, "paris")),
                   asyncio.create_task(serve(other, "lyon"))]
        for reader in readers:
            await started(reader)
        other.publish(paris.agent_commands(agent_id), PauseCommand(id="p", reason="x"))
        other.publish(lyon.agent_commands(f"{agent_id}-2"), PauseCommand(id="l", reason="x"))
        async with asyncio.timeout(10):
            while not (got["paris"] and got["lyon"]):
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        for reader in readers:
            reader.cancel()
        assert got == {"paris": [agent_id], "lyon": [f"{agent_id}-2"]}
        assert one.stats.connects == other.stats.connects == 1
        assert one.stats.connection_losses == other.stats.connection_losses == 0


async def test_an_error_in_the_block_comes_out_as_itself(broker: tuple[str, int]) -> None:
    """Not wrapped in an ExceptionGroup by the bus's task group: a caller's `except
    TimeoutError` (or the CLI's error handling) sees what its own code raised."""
    host, port = broker
    with pytest.raises(TimeoutError):
        async with connected(config(host, port, "raising")):
            raise TimeoutError
