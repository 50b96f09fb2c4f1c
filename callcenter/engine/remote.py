"""A client of the engine over MQTT: sends agent, admin and supervisor commands and waits for
the replies, and keeps what the engine publishes (screen-pops, queue stats, agent states,
supervisor events).

The demo's desktops and wallboard and the `callcenter agents|queues|supervise` commands use
it; everything it knows came over MQTT, as a real desktop's would.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from callcenter.bus.client import MqttBus


@dataclass
class DeskView:
    """What the MQTT side has seen."""

    stats: dict[str, dict[str, Any]] = field(default_factory=dict)
    states: dict[str, dict[str, Any]] = field(default_factory=dict)
    pops: list[dict[str, Any]] = field(default_factory=list)
    pops_seen: set[str] = field(default_factory=set)
    replies_ok: int = 0
    replies_failed: list[str] = field(default_factory=list)
    supervisor_events: list[dict[str, Any]] = field(default_factory=list)
    malformed: int = 0


class Remote:
    """`async with Remote(bus) as remote:` — watching from the first message on, every topic
    under the bus's prefix (`bus.topics`).

    `ping_topic`: where it checks that its subscription is live (default: the center's
    `remote/ping`); a client whose broker ACL forbids that one uses its own
    (`Topics.supervisor_ping(user)`).
    """

    def __init__(self, bus: MqttBus, *, ping_topic: str | None = None) -> None:
        self.bus = bus
        self.topics = bus.topics
        self.ping_topic = ping_topic or bus.topics.remote_ping
        self.view = DeskView()
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._ping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Remote:
        self._task = asyncio.create_task(self._watch(), name="engine-remote")
        # The subscription is live once our own ping comes back through the broker.
        for _ in range(50):
            self.bus.publish(self.ping_topic, b"{}", qos=0)
            try:
                await asyncio.wait_for(self._ping.wait(), 0.2)
                break
            except TimeoutError:
                continue
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()

    async def command(self, agent: str, cmd: str, *, timeout: float = 10.0,
                      **fields: Any) -> dict[str, Any]:
        """Send an agent command and wait for the engine's reply (TimeoutError if none)."""
        return await self._request(self.topics.agent_commands(agent), cmd, timeout, fields)

    async def admin(self, cmd: str, *, timeout: float = 10.0, **fields: Any) -> dict[str, Any]:
        """Send an admin command (`…/admin/commands`) and wait for the reply."""
        return await self._request(self.topics.admin_commands, cmd, timeout, fields)

    async def supervisor(self, user: str, cmd: str, *, timeout: float = 10.0,
                         **fields: Any) -> dict[str, Any]:
        """Send a supervisor command as `user` (`…/supervisors/{user}/commands`) and wait for
        the reply."""
        return await self._request(self.topics.supervisor_commands(user), cmd, timeout,
                                   fields)

    async def _request(self, topic: str, cmd: str, timeout: float,
                       fields: dict[str, Any]) -> dict[str, Any]:
        request_id = f"{self.bus.config.client_id}-{next(self._ids)}"
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        payload = {"v": 1, "id": request_id, "cmd": cmd, **fields}
        self.bus.publish(topic, json.dumps(payload).encode(), qos=1)
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self._waiting.pop(request_id, None)

    async def _watch(self) -> None:
        view = self.view
        async for topic, payload in self.bus.messages(self.topics.everything):
            if topic == self.ping_topic:
                self._ping.set()
                continue
            parts = topic.split("/")
            if not payload or parts[-1] == "commands":
                continue
            try:
                data = json.loads(payload)
            except ValueError:
                view.malformed += 1
                continue
            kind = parts[-1]
            if kind == "stats":
                view.stats[parts[-2]] = data
            elif kind == "state":
                view.states[parts[-2]] = data
            elif kind == "events" and parts[-2] == "supervisors":
                view.supervisor_events.append(data)
            elif kind == "screenpop":
                if data.get("pop_id") not in view.pops_seen:  # QoS 1 may deliver twice
                    view.pops_seen.add(data.get("pop_id"))
                    view.pops.append(data)
            elif kind == "replies":
                future = self._waiting.get(data.get("id") or "")
                if future is None or future.done():
                    continue  # someone else's command (the broker may be shared)
                if data.get("ok"):
                    view.replies_ok += 1
                else:
                    view.replies_failed.append(f"{parts[-2]}: {data.get('error')}")
                future.set_result(data)
