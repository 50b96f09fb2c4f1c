"""Webhooks: CRMs told of calls offered, answered and ended, in signed JSON.

Each configured receiver (`http.webhooks`) gets a POST per event it asked for, with

    X-Callcenter-Event: call.ended
    X-Callcenter-Delivery: <uuid, the same on every retry>
    X-Callcenter-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(key, "<t>." + body)>

(the key from the environment variable `secret_env`; the timestamp is in the signed text so a
receiver can refuse replays older than a few minutes). A 2xx is success; a timeout, a network
error, a 5xx, 408, 425 or 429 is tried again after `backoff_s`, doubled each time, up to
`max_attempts`; another 4xx is final. A delivery given up on goes to the dead-letter table
`webhook_dead_letters` (and the log), as does one that finds the outbox full.

Events are queued by the engine's listener calls, which never wait: the outbox is bounded
(`http.webhook_queue`), the deliveries are made by two worker tasks, so a slow or failing
receiver never slows the engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import heapq
import hmac
import itertools
import json
import logging
import os
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Literal, Self

import httpx
from pydantic import BaseModel, ConfigDict
from sqlalchemy import insert
from sqlalchemy.exc import SQLAlchemyError

from acd import AgentState, QueueSnapshot
from callcenter.accounts.schema import WebhookDeadLetterRow
from callcenter.engine.live import LiveAgent
from callcenter.engine.screenpop import ScreenPop
from callcenter.engine.stats import QueueFigures
from callcenter.engine.supervision import SpyReport
from callcenter.errors import CallcenterError
from callcenter.http.settings import WebhookEvent, WebhookSettings
from cdr import CallRecord, Database, SegmentKind, VoicemailMessage

log = logging.getLogger(__name__)
WORKERS = 2
RETRIED_4XX = frozenset({408, 425, 429})
SIGNATURE_HEADER = "X-Callcenter-Signature"


class WebhookError(CallcenterError):
    """A webhook receiver is configured without its signing key."""


def sign(key: bytes, timestamp: int, body: bytes) -> str:
    """The signature header's value for `body` sent at `timestamp`."""
    mac = hmac.new(key, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(key: bytes, header: str, body: bytes, now: float, tolerance_s: float = 300) -> bool:
    """What a receiver checks: the signature matches and is at most `tolerance_s` old."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    expected = sign(key, timestamp, body).split(",v1=", 1)[1]
    return abs(now - timestamp) <= tolerance_s and hmac.compare_digest(
        expected, parts.get("v1", ""))


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CallFacts(_Body):
    """What a webhook says about the call (fields not known yet are null)."""

    call_id: str
    queue: str | None = None
    agent: str | None = None
    caller: str | None = None
    customer_id: str | None = None
    waited_s: float | None = None
    priority: int | None = None
    outcome: str | None = None
    disposition: str | None = None
    arrived_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    talk_s: float | None = None
    recording_id: str | None = None
    recording_url: str | None = None
    csat: int | None = None
    nps: int | None = None


class WebhookBody(_Body):
    """The JSON a receiver gets."""

    v: Literal[1] = 1
    event: WebhookEvent
    delivery_id: str
    at: datetime
    call: CallFacts


@dataclass(frozen=True, slots=True)
class Receiver:
    settings: WebhookSettings
    key: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class Delivery:
    receiver: Receiver
    event: WebhookEvent
    delivery_id: str
    body: bytes
    attempts: int = 0


def _seconds(record: CallRecord, kind: SegmentKind) -> float:
    return sum(s.end - s.start for s in record.segments if s.kind is kind)


def _utc(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


class Webhooks:
    """A `DesktopListener` and a call-record listener that queue webhook deliveries.

    `async with Webhooks(...)` runs the workers; leaving it dead-letters what is left."""

    def __init__(self, settings: list[WebhookSettings], db: Database | None, *,
                 queue: int = 10_000, base_url: str = "",
                 environ: dict[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self.receivers: list[Receiver] = []
        for hook in settings:
            key = env.get(hook.secret_env)
            if not key:
                raise WebhookError(f"http.webhooks: {hook.url}: its signing key is not set"
                                   f" (environment variable {hook.secret_env})")
            self.receivers.append(Receiver(hook, key.encode()))
        self.db = db
        self.limit = queue
        self.base_url = base_url
        self.delivered = 0
        self.dead = 0
        self._ready: asyncio.Queue[Delivery] = asyncio.Queue()
        self._later: list[tuple[float, int, Delivery]] = []
        self._seq = itertools.count()
        self._wake = asyncio.Event()
        self._in_flight = 0
        self._dead_letters: asyncio.Queue[tuple[Delivery, str]] = asyncio.Queue()
        self._answered: dict[str, str] = {}  # agent → call announced as answered
        self._tasks: asyncio.TaskGroup | None = None
        self._client: httpx.AsyncClient | None = None
        self._runner: asyncio.Task[None] | None = None

    @property
    def pending(self) -> int:
        return self._ready.qsize() + len(self._later) + self._in_flight

    async def __aenter__(self) -> Self:
        self._client = httpx.AsyncClient(follow_redirects=False)
        self._runner = asyncio.create_task(self._run(), name="webhooks")
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        left = [d for _, _, d in self._later]
        while not self._ready.empty():
            left.append(self._ready.get_nowait())
        for delivery in left:
            self._dead_letters.put_nowait((delivery, "the engine stopped before delivery"))
        await self._write_dead_letters()
        if self._client is not None:
            await self._client.aclose()

    async def _run(self) -> None:
        async with asyncio.TaskGroup() as tasks:
            for n in range(WORKERS):
                tasks.create_task(self._work(), name=f"webhook-worker-{n}")
            tasks.create_task(self._retry(), name="webhook-retries")
            tasks.create_task(self._dead_letter_writer(), name="webhook-dead-letters")

    # ----------------------------------------------------------------- events in

    def _queue(self, event: WebhookEvent, call: CallFacts) -> None:
        for receiver in self.receivers:
            if event not in receiver.settings.events:
                continue
            delivery_id = uuid.uuid4().hex
            body = WebhookBody(event=event, delivery_id=delivery_id,
                               at=datetime.now(UTC), call=call)
            delivery = Delivery(receiver, event, delivery_id, body.model_dump_json().encode())
            if self.pending >= self.limit:
                self._dead_letters.put_nowait((delivery, f"outbox full ({self.limit})"))
                continue
            self._ready.put_nowait(delivery)

    def screen_pop(self, pop: ScreenPop) -> None:
        customer = pop.customer.customer
        self._queue("call.offered", CallFacts(
            call_id=pop.call_id, queue=pop.queue, agent=pop.agent_id, caller=pop.caller or None,
            customer_id=customer.customer_id if customer else None, waited_s=pop.waited_s,
            priority=pop.priority))

    def agent_state(self, agent: LiveAgent, now: float) -> None:
        if agent.state is AgentState.ON_CALL and agent.call_id:
            if self._answered.get(agent.id) == agent.call_id:
                return  # the same call, republished (a device state change)
            self._answered[agent.id] = agent.call_id
            self._queue("call.answered", CallFacts(
                call_id=agent.call_id, agent=agent.id, answered_at=_utc(agent.state_since)))
        elif agent.state is not AgentState.ON_CALL:
            self._answered.pop(agent.id, None)

    def call_ended(self, record: CallRecord) -> None:
        """A call's record was written: `call.ended` with its outcome, disposition, recording."""
        recording = record.call_id if record.recording else None
        survey = record.survey
        self._queue("call.ended", CallFacts(
            call_id=record.call_id, queue=record.queue, agent=record.agent_id,
            caller=record.caller, customer_id=record.customer_id,
            outcome=record.outcome.value, disposition=record.disposition,
            arrived_at=_utc(record.arrived_at), answered_at=_utc(record.answered_at),
            ended_at=_utc(record.ended_at),
            waited_s=round(_seconds(record, SegmentKind.QUEUE), 3),
            talk_s=round(_seconds(record, SegmentKind.TALK), 3),
            recording_id=recording,
            recording_url=f"{self.base_url}/api/v1/recordings/{recording}/audio"
            if recording else None,
            csat=survey.csat if survey else None, nps=survey.nps if survey else None))

    def queue_stats(self, snapshot: QueueSnapshot, figures: QueueFigures, now: float) -> None:
        pass

    def reply(self, agent_id: str, request_id: str | None, error: str | None) -> None:
        pass

    def reply_admin(self, request_id: str | None, error: str | None) -> None:
        pass

    def reply_supervisor(self, user: str, request_id: str | None, error: str | None) -> None:
        pass

    def supervisor_event(self, report: SpyReport, now: float) -> None:
        pass

    def voicemail_left(self, record: VoicemailMessage) -> None:
        pass

    # ----------------------------------------------------------------- deliveries out

    async def _work(self) -> None:
        while True:
            delivery = await self._ready.get()
            self._in_flight += 1
            try:
                await self._attempt(delivery)
            finally:
                self._in_flight -= 1

    async def _attempt(self, delivery: Delivery) -> None:
        assert self._client is not None
        settings = delivery.receiver.settings
        delivery = replace(delivery, attempts=delivery.attempts + 1)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "callcenter-webhooks/1",
            "X-Callcenter-Event": delivery.event,
            "X-Callcenter-Delivery": delivery.delivery_id,
            SIGNATURE_HEADER: sign(delivery.receiver.key, int(time.time()), delivery.body),
        }
        try:
            response = await self._client.post(settings.url, content=delivery.body,
                                               headers=headers, timeout=settings.timeout_s)
        except httpx.HTTPError as error:
            problem, retry = f"{type(error).__name__}: {str(error)[:200]}", True
        else:
            status = response.status_code
            if 200 <= status < 300:
                self.delivered += 1
                return
            problem = f"HTTP {status}"
            retry = status >= 500 or status in RETRIED_4XX
        if retry and delivery.attempts < settings.max_attempts:
            delay = settings.backoff_s * 2 ** (delivery.attempts - 1)
            heapq.heappush(self._later, (time.monotonic() + delay, next(self._seq), delivery))
            self._wake.set()
            log.info("webhook %s %s to %s: %s; attempt %d of %d in %.1f s", delivery.event,
                     delivery.delivery_id, settings.url, problem, delivery.attempts + 1,
                     settings.max_attempts, delay)
            return
        self._dead_letters.put_nowait((delivery, problem))

    async def _retry(self) -> None:
        while True:
            self._wake.clear()
            if not self._later:
                await self._wake.wait()
                continue
            delay = self._later[0][0] - time.monotonic()
            if delay > 0:
                try:
                    await asyncio.wait_for(self._wake.wait(), delay)
                    continue
                except TimeoutError:
                    pass
            while self._later and self._later[0][0] <= time.monotonic():
                self._ready.put_nowait(heapq.heappop(self._later)[2])

    async def _dead_letter_writer(self) -> None:
        while True:
            await self._write_dead_letters(await self._dead_letters.get())

    async def _write_dead_letters(self, first: tuple[Delivery, str] | None = None) -> None:
        batch: list[dict[str, Any]] = []
        items = [] if first is None else [first]
        while not self._dead_letters.empty():
            items.append(self._dead_letters.get_nowait())
        for delivery, problem in items:
            self.dead += 1
            log.warning("webhook %s %s to %s given up after %d attempt(s): %s",
                        delivery.event, delivery.delivery_id, delivery.receiver.settings.url,
                        delivery.attempts, problem)
            batch.append({"at": time.time(), "url": delivery.receiver.settings.url[:500],
                          "event": delivery.event, "delivery_id": delivery.delivery_id,
                          "payload": delivery.body.decode(), "attempts": delivery.attempts,
                          "error": problem[:600]})
        if not batch or self.db is None:
            return
        try:
            async with self.db.engine.begin() as conn:
                await conn.execute(insert(WebhookDeadLetterRow), batch)
        except SQLAlchemyError as error:
            log.error("%d webhook dead letters NOT written (%s)", len(batch),
                      type(error).__name__)


def dead_letter_summary(rows: list[Any]) -> list[dict[str, Any]]:
    """Dead letters as plain dicts (for the CLI and tests), newest last."""
    return [{"at": r.at, "url": r.url, "event": r.event, "delivery_id": r.delivery_id,
             "attempts": r.attempts, "error": r.error, "payload": json.loads(r.payload)}
            for r in rows]
