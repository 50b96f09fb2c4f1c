"""Calls: waiting (list, move, priority), live, and the records of ended calls."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from callcenter.bus.schemas import CallId, MoveCallCommand, SetPriorityCommand
from callcenter.engine.live import LiveCall
from callcenter.http.auth import Guard, Guarded
from callcenter.http.errors import not_found
from callcenter.http.models import (
    CallRecordView,
    CallView,
    CommandResult,
    LiveCallView,
    MoveBody,
    PriorityBody,
    WaitingCall,
)
from callcenter.http.params import NameQuery, Since, Until, agents_in_scope, period
from callcenter.http.records import MAX_LIMIT, RecordFilter, find_record, search_records
from callcenter.http.routes.commands import supervisor_command
from callcenter.http.views import call_agent, live_call, waiting_call
from callcenter.supervision.roles import Action, AgentTarget, CallTarget

router = APIRouter(tags=["calls"])
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


def _target(guard: Guard, call: LiveCall) -> AgentTarget | CallTarget:
    agent = call_agent(call)
    return guard.agent_target(agent) if agent else CallTarget(call.call_id, call.queue)


@router.get("/waiting", response_model=list[WaitingCall], summary="Calls waiting in queues")
async def list_waiting(guard: Guarded, queue: NameQuery = None,
                       limit: Limit = 100) -> list[WaitingCall]:
    """In each queue's order (`position`), oldest queue first."""
    await guard.scope(Action.READ_CALLS)
    service = guard.ctx.service
    out: list[WaitingCall] = []
    for call in list(service.switchboard.calls.values()):
        if queue is not None and call.queue != queue:
            continue
        if not guard.sees(Action.READ_CALLS, CallTarget(call.call_id, call.queue)):
            continue
        view = waiting_call(service, call)
        if view is not None:
            out.append(view)
    out.sort(key=lambda w: (w.queue, w.position))
    return out[:limit]


def _waiting(guard: Guard, call_id: str) -> LiveCall:
    call = guard.ctx.service.switchboard.calls.get(call_id)
    if call is None:
        raise not_found(f"call {call_id} is not live")
    return call


@router.post("/waiting/{call_id}/move", response_model=CommandResult,
             summary="Move a waiting call to another queue (supervisor)")
async def move(call_id: CallId, body: MoveBody, guard: Guarded) -> CommandResult:
    call = _waiting(guard, call_id)
    return await supervisor_command(
        guard, MoveCallCommand(id=guard.ctx.request_id(), call_id=call_id, queue=body.queue),
        Action.MOVE_CALL, CallTarget(call_id, call.queue))


@router.post("/waiting/{call_id}/priority", response_model=CommandResult,
             summary="Change a waiting call's priority (supervisor)")
async def priority(call_id: CallId, body: PriorityBody, guard: Guarded) -> CommandResult:
    call = _waiting(guard, call_id)
    return await supervisor_command(
        guard, SetPriorityCommand(id=guard.ctx.request_id(), call_id=call_id,
                                  priority=body.priority),
        Action.SET_PRIORITY, CallTarget(call_id, call.queue))


@router.get("/calls", response_model=list[LiveCallView], summary="Live calls")
async def list_calls(guard: Guarded, limit: Limit = 100) -> list[LiveCallView]:
    """The calls the engine has now (waiting, ringing, talking, in wrap-up), oldest first."""
    await guard.scope(Action.READ_CALLS)
    service = guard.ctx.service
    calls = sorted(service.switchboard.calls.values(), key=lambda c: c.arrived_at)
    return [live_call(service, c) for c in calls
            if guard.sees(Action.READ_CALLS, _target(guard, c))][:limit]


@router.get("/calls/{call_id}", response_model=CallView, summary="One call, live or recorded")
async def get_call(call_id: CallId, guard: Guarded) -> CallView:
    """The live call while the engine has it; its record (segments, recording, survey) once
    it has ended."""
    service = guard.ctx.service
    call = service.switchboard.calls.get(call_id)
    record = await find_record(guard.ctx.db, call_id)
    if call is None and record is None:
        raise not_found(f"no call {call_id}, live or recorded")
    if call is not None:
        await guard.allow(Action.READ_CALLS, _target(guard, call))
    if record is not None:
        await guard.allow(Action.READ_CALLS, _record_target(guard, record))
    return CallView(call_id=call_id, live=None if call is None else live_call(service, call),
                    record=record)


def _record_target(guard: Guard, record: CallRecordView) -> AgentTarget | CallTarget:
    if record.agent:
        return guard.agent_target(record.agent)
    return CallTarget(record.call_id, record.queue or "")


@router.get("/records", response_model=list[CallRecordView],
            summary="Records of ended calls (caller history)")
async def list_records(guard: Guarded, caller: Annotated[str | None, Query(
                           max_length=64, description="the caller's number, exactly")] = None,
                       customer_id: Annotated[str | None, Query(max_length=64)] = None,
                       agent: NameQuery = None, queue: NameQuery = None,
                       start: Since = None, end: Until = None,
                       limit: Limit = 100) -> list[CallRecordView]:
    """Newest first. An agent sees its own calls, a team lead its team's."""
    agents = await agents_in_scope(guard, Action.READ_CALLS, agent)
    frm, to = period(start, end)
    return await search_records(guard.ctx.db, RecordFilter(
        frm, to, caller=caller, customer_id=customer_id, agents=agents, queue=queue,
        limit=limit))


@router.get("/records/{call_id}", response_model=CallRecordView, summary="One call record")
async def get_record(call_id: CallId, guard: Guarded) -> CallRecordView:
    record = await find_record(guard.ctx.db, call_id)
    if record is None:
        raise not_found(f"no record of call {call_id}")
    await guard.allow(Action.READ_CALLS, _record_target(guard, record))
    return record


