"""`WS /api/v1/events`: the engine's live events for one client, as far as its role reads.

Authenticated like every request (the session cookie, or `Authorization: Bearer`); a socket
opened with a cookie must come from the API's own origin (no cross-site WebSocket
hijacking). On connect the client gets what MQTT keeps retained (the states it may read and
every queue's figures), then each event as it happens: `{"topic": ..., "payload": ...}`.
A client that does not read fast enough is closed with 1013 and the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from callcenter.engine import payloads
from callcenter.http.auth import SESSION_COOKIE, Caller, client_address
from callcenter.http.context import ApiContext
from callcenter.http.hub import SLOW_CONSUMER, STATE, Subscriber
from callcenter.supervision.roles import Action, Integration, QueueTarget, authorize

router = APIRouter(tags=["events"])
log = logging.getLogger(__name__)
POLICY = 1008  # RFC 6455 7.4.1: policy violation (not authenticated, wrong origin)


def _same_origin(ws: WebSocket, ctx: ApiContext) -> bool:
    origin = ws.headers.get("origin")
    if origin is None:
        return True  # not a browser
    allowed = {ws.headers.get("host", "")}
    if ctx.settings.public_url:
        allowed.add(urlsplit(ctx.settings.public_url).netloc)
    return urlsplit(origin).netloc in allowed


async def _caller(ws: WebSocket, ctx: ApiContext) -> Caller | str:
    address = ws.client.host if ws.client else "unknown"
    header = ws.headers.get("authorization")
    if header is not None:
        scheme, _, value = header.partition(" ")
        token = await ctx.token(value.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            return "the token is unknown or revoked"
        return Caller(Integration(token.name, token.scopes), None, token, address)
    session_id = ws.cookies.get(SESSION_COOKIE)
    if not session_id:
        return "not logged in"
    if not _same_origin(ws, ctx):
        return "a session socket must come from the API's own origin"
    session = await ctx.session(session_id)
    user = ctx.account(session.user_id) if session is not None else None
    if session is None or user is None:
        return "the session expired or was logged out"
    return Caller(user, session, None, address)


def _message(topic: str, payload: bytes) -> str:
    return f'{{"topic":{json.dumps(topic)},"payload":{payload.decode()}}}'


async def _retained(ws: WebSocket, ctx: ApiContext, caller: Caller,
                    subscriber: Subscriber) -> None:
    """What a new MQTT subscriber gets as retained messages: states, queue figures."""
    service = ctx.service
    sb = service.switchboard
    who = caller.principal
    grants = ctx.hub.grants(subscriber)
    if STATE in grants.kinds:
        states = list(sb.agents.values())
    else:  # only the agents granted by name (an agent: itself): no walk over every agent
        states = [sb.agents[key] for kind, key in sorted(grants.keys)
                  if kind == STATE and key in sb.agents]
    for agent in states:
        await ws.send_text(_message(ctx.hub.topics.agent_state(agent.id),
                                    payloads.agent_status(agent).to_json()))
    now = service.now()
    for queue in list(sb.router.queue_names()):
        if authorize(who, Action.READ_QUEUES, QueueTarget(queue)) is None:
            stats = payloads.queue_stats(sb.router.queue_snapshot(queue),
                                         sb.stats.figures(queue, now), now)
            await ws.send_text(_message(ctx.hub.topics.queue_stats(queue), stats.to_json()))


async def _pump(ws: WebSocket, subscriber: Subscriber) -> None:
    while True:
        message = await subscriber.queue.get()
        await ws.send_text(message)
        subscriber.sent += 1


async def _drain_input(ws: WebSocket) -> None:
    """The client says nothing we act on; this notices when it goes."""
    while True:
        await ws.receive_text()


async def _overflow(subscriber: Subscriber) -> None:
    await subscriber.closed.wait()


@router.websocket("/events")
async def events(ws: WebSocket) -> None:
    ctx = ws.app.state.ctx
    assert isinstance(ctx, ApiContext)
    caller = await _caller(ws, ctx)
    if isinstance(caller, str):
        log.info("events socket refused from %s: %s", client_address(ws), caller)
        await ws.close(code=POLICY, reason=caller)
        return
    await ws.accept()
    subscriber = ctx.hub.subscribe(caller.principal)
    tasks: list[asyncio.Task[None]] = []
    try:
        await _retained(ws, ctx, caller, subscriber)
        tasks = [asyncio.create_task(_pump(ws, subscriber), name="ws-pump"),
                 asyncio.create_task(_drain_input(ws), name="ws-input"),
                 asyncio.create_task(_overflow(subscriber), name="ws-overflow")]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        if subscriber.closed.is_set():
            log.warning("events socket of %s closed: %s", caller.principal.id,
                        subscriber.reason)
            await ws.close(code=SLOW_CONSUMER, reason=subscriber.reason[:120])
    except (WebSocketDisconnect, RuntimeError):
        pass  # the client went away (RuntimeError: sending on a closed socket)
    finally:
        ctx.hub.unsubscribe(subscriber)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect,
                                     RuntimeError):
                await task
