"""A WebSocket client of `/api/v1/events` that collects what it receives."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed


@dataclass
class Events:
    socket: ClientConnection
    messages: list[dict[str, Any]] = field(default_factory=list)
    close_code: int | None = None
    close_reason: str = ""

    def topics(self, suffix: str) -> list[dict[str, Any]]:
        return [m["payload"] for m in self.messages if m["topic"].endswith(suffix)]


async def _collect(events: Events) -> None:
    try:
        async for message in events.socket:
            events.messages.append(json.loads(message))
    except ConnectionClosed:
        pass
    events.close_code = events.socket.close_code
    events.close_reason = events.socket.close_reason or ""


@asynccontextmanager
async def events_socket(base_url: str, *, cookie: str | None = None, token: str | None = None,
                        origin: str | None = None, read: bool = True) -> AsyncIterator[Events]:
    headers: dict[str, str] = {}
    if cookie is not None:
        headers["Cookie"] = f"cc_session={cookie}"
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    uri = base_url.replace("http://", "ws://") + "/api/v1/events"
    async with connect(uri, additional_headers=headers, origin=origin,  # type: ignore[arg-type]
                       max_queue=None if read else 1) as socket:
        events = Events(socket)
        task = asyncio.create_task(_collect(events)) if read else None
        try:
            yield events
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
