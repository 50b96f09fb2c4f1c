"""Brokers for the bus tests: the machine's Mosquitto, our own Mosquitto, the embedded one.

Tests that need a broker skip, saying why, when none can be reached or started. No broker
is ever mocked.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest

from callcenter.bus.broker import EmbeddedBroker
from callcenter.bus.testing import MosquittoProcess, can_connect

SYSTEM_HOST = os.environ.get("CALLCENTER_TEST_MQTT_HOST", "127.0.0.1")
SYSTEM_PORT = int(os.environ.get("CALLCENTER_TEST_MQTT_PORT", "1883"))


@pytest.fixture
async def system_mosquitto() -> tuple[str, int]:
    """The broker on 127.0.0.1:1883 (or CALLCENTER_TEST_MQTT_HOST/PORT); skip if unreachable."""
    if not await can_connect(SYSTEM_HOST, SYSTEM_PORT):
        pytest.skip(f"no MQTT broker reachable at {SYSTEM_HOST}:{SYSTEM_PORT}")
    return SYSTEM_HOST, SYSTEM_PORT


@pytest.fixture
async def own_mosquitto() -> AsyncIterator[MosquittoProcess]:
    """A Mosquitto of this test's own on a free port, to stop and restart; skip if none."""
    why = MosquittoProcess.available()
    if why:
        pytest.skip(why)
    async with MosquittoProcess() as broker:
        yield broker


@pytest.fixture(params=["mosquitto", "embedded"])
async def broker(request: pytest.FixtureRequest) -> AsyncIterator[tuple[str, int]]:
    """(host, port) of the machine's Mosquitto, then of the embedded broker."""
    if request.param == "mosquitto":
        if not await can_connect(SYSTEM_HOST, SYSTEM_PORT):
            pytest.skip(f"no MQTT broker reachable at {SYSTEM_HOST}:{SYSTEM_PORT}")
        yield SYSTEM_HOST, SYSTEM_PORT
        return
    async with EmbeddedBroker() as embedded:
        yield embedded.host, embedded.port


@pytest.fixture
def agent_id() -> str:
    """An agent id no other test run uses (the system broker keeps retained messages)."""
    return f"t{uuid.uuid4().hex[:10]}"
