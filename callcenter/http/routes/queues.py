"""Queues: a live snapshot of each (the engine's state, never the database)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import TypeAdapter

from callcenter.http.auth import Guarded
from callcenter.http.errors import not_found
from callcenter.http.models import QueueView
from callcenter.http.params import QueueName
from callcenter.http.views import queue_names
from callcenter.supervision.roles import Action, QueueTarget

router = APIRouter(tags=["queues"])


_QUEUES = TypeAdapter(list[QueueView])


@router.get("/queues", response_model=list[QueueView], summary="Every queue now")
async def list_queues(guard: Guarded) -> Response:
    """Waiting calls, longest wait, agents by state, service level today and over the last
    15 minutes, for each queue."""
    await guard.scope(Action.READ_QUEUES)
    service = guard.ctx.service
    views = [guard.ctx.queues.view(q) for q in queue_names(service)
             if guard.sees(Action.READ_QUEUES, QueueTarget(q))]
    # Serialized here: the views are built by us, so FastAPI's second validation of the
    # response (a wallboard asks several times a second) buys nothing.
    return Response(_QUEUES.dump_json(views), media_type="application/json")


@router.get("/queues/{queue}", response_model=QueueView, summary="One queue now")
async def get_queue(queue: QueueName, guard: Guarded) -> QueueView:
    service = guard.ctx.service
    if queue not in queue_names(service):
        raise not_found(f"queue {queue} is not configured")
    await guard.allow(Action.READ_QUEUES, QueueTarget(queue))
    return guard.ctx.queues.view(queue)
