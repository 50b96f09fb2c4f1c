"""The embedded MQTT 3.1.1 broker, spoken to by paho (through aiomqtt) and by raw bytes."""

from __future__ import annotations

import asyncio
import struct

import aiomqtt
import pytest

from callcenter.bus import BusConfig, MqttBus
from callcenter.bus.broker import EmbeddedBroker, pick_broker
from callcenter.bus.testing import can_connect, free_port


def client(broker: EmbeddedBroker, name: str, **kwargs: object) -> aiomqtt.Client:
    return aiomqtt.Client(
        broker.host, broker.port, identifier=name, protocol=aiomqtt.ProtocolVersion.V311,
        **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip


async def receive(sub: aiomqtt.Client, count: int) -> list[aiomqtt.Message]:
    got: list[aiomqtt.Message] = []
    async with asyncio.timeout(5):
        async for message in sub.messages:
            got.append(message)
            if len(got) == count:
                return got
    return got


async def test_wildcards_qos_and_one_copy_per_client() -> None:
    async with (
        EmbeddedBroker() as broker,
        client(broker, "pub") as pub,
        client(broker, "sub") as sub,
    ):
        await sub.subscribe("a/+/c", qos=1)
        await sub.subscribe("a/#", qos=0)  # overlaps: one copy, at the higher QoS
        await sub.subscribe("x/y", qos=2)  # granted QoS 1
        await pub.publish("a/b/c", b"1", qos=1)
        await pub.publish("a/z", b"2", qos=0)
        await pub.publish("b/b/c", b"never", qos=1)
        await pub.publish("x/y", b"3", qos=1)
        got = await receive(sub, 3)
        assert [(m.topic.value, m.payload, m.qos, m.retain) for m in got] == [
            ("a/b/c", b"1", 1, False),
            ("a/z", b"2", 0, False),
            ("x/y", b"3", 1, False),
        ]
        await sub.unsubscribe("a/#")
        await pub.publish("a/z", b"gone", qos=1)
        await pub.publish("a/q/c", b"4", qos=1)
        assert [m.payload for m in await receive(sub, 1)] == [b"4"]


async def test_retained_messages_and_their_deletion() -> None:
    async with EmbeddedBroker() as broker, client(broker, "pub") as pub:
        await pub.publish("s/1", b"old", qos=1, retain=True)
        await pub.publish("s/1", b"new", qos=1, retain=True)
        await pub.publish("s/2", b"two", qos=0, retain=True)
        await pub.publish("s/3", b"three", qos=1, retain=True)
        await pub.publish("s/3", b"", qos=1, retain=True)  # deletes
        async with client(broker, "late") as late:
            await late.subscribe("s/+", qos=1)
            got = await receive(late, 2)
            assert sorted((m.topic.value, m.payload, m.retain, m.qos) for m in got) == [
                ("s/1", b"new", True, 1),
                ("s/2", b"two", True, 0),
            ]


async def test_last_will_on_abnormal_disconnect_only() -> None:
    async with EmbeddedBroker() as broker, client(broker, "watcher") as watcher:
        await watcher.subscribe("presence/#", qos=1)
        will = aiomqtt.Will("presence/desk", b"offline", qos=1, retain=False)
        async with client(broker, "polite", will=will):
            pass  # DISCONNECT: no will
        _, writer = await raw_connect(broker, "rude", will=("presence/rude", b"offline"))
        writer.transport.abort()  # the connection breaks: the will is published
        got = await receive(watcher, 1)
        assert [(m.topic.value, m.payload) for m in got] == [("presence/rude", b"offline")]


async def test_ping_and_client_takeover() -> None:
    async with EmbeddedBroker() as broker:
        reader, writer = await raw_connect(broker, "same")
        writer.write(bytes((0xC0, 0)))  # PINGREQ
        assert await reader.readexactly(2) == bytes((0xD0, 0))
        _, writer2 = await raw_connect(broker, "same")  # takes the client id over
        assert await reader.read(10) == b""  # the first connection was closed
        writer2.close()


async def test_protocol_violations_close_the_connection() -> None:
    async with EmbeddedBroker() as broker:
        reader, writer = await asyncio.open_connection(broker.host, broker.port)
        writer.write(bytes((0xC0, 0)))  # PINGREQ before CONNECT
        assert await asyncio.wait_for(reader.read(10), 5) == b""
        reader, writer = await raw_connect(broker, "qos2")
        writer.write(bytes((0x34, 5)) + struct.pack("!H", 1) + b"t" + struct.pack("!H", 1))
        assert await asyncio.wait_for(reader.read(10), 5) == b""
        reader, writer = await asyncio.open_connection(broker.host, broker.port)
        body = _string("MQTT") + bytes((5, 0x02)) + struct.pack("!H", 30) + _string("v5")
        writer.write(bytes((0x10, len(body))) + body)  # protocol level 5: refused
        assert await asyncio.wait_for(reader.read(10), 5) == bytes((0x20, 2, 0, 1))


async def test_close_ends_every_connection() -> None:
    broker = EmbeddedBroker()
    async with broker, MqttBus(BusConfig(port=broker.port, client_id="c")) as bus:
        await bus.wait_connected(5)
        await broker.close()
        async with asyncio.timeout(5):
            while bus.connected:
                await asyncio.sleep(0.01)
    assert not broker.running


async def test_pick_broker_prefers_the_configured_one() -> None:
    async with EmbeddedBroker() as running:
        config, embedded, description = await pick_broker(BusConfig(port=running.port))
        assert embedded is None
        assert config.port == running.port
        assert description == f"MQTT broker at 127.0.0.1:{running.port} (configured)"


async def test_pick_broker_falls_back_to_an_embedded_one() -> None:
    port = free_port()
    config, embedded, description = await pick_broker(BusConfig(port=port, client_id="demo"))
    assert embedded is not None
    async with embedded:
        assert config.port == embedded.port != port
        assert config.client_id == "demo"
        assert description.startswith(f"embedded MQTT broker on 127.0.0.1:{embedded.port}")
        assert f"none reachable at 127.0.0.1:{port}" in description
        async with MqttBus(config) as bus:
            await bus.wait_connected(5)
    assert not await can_connect("127.0.0.1", config.port)


def test_port_before_start() -> None:
    from callcenter.bus.errors import BusError

    with pytest.raises(BusError, match="not started"):
        _ = EmbeddedBroker().port


def _string(text: str) -> bytes:
    return struct.pack("!H", len(text)) + text.encode()


async def raw_connect(
    broker: EmbeddedBroker, client_id: str, will: tuple[str, bytes] | None = None
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection(broker.host, broker.port)
    flags = 0x02 | (0x04 | 0x08 if will else 0)  # clean session, will at QoS 1
    payload = _string(client_id)
    if will:
        payload += _string(will[0]) + struct.pack("!H", len(will[1])) + will[1]
    body = _string("MQTT") + bytes((4, flags)) + struct.pack("!H", 30) + payload
    writer.write(bytes((0x10, len(body))) + body)
    assert await asyncio.wait_for(reader.readexactly(4), 5) == bytes((0x20, 2, 0, 0))
    return reader, writer
