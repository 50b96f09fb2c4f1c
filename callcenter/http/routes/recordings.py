"""Recordings: list (the CLI's filters), metadata, and the audio, streamed with Range.

Every audio request is audited (who played which recording, which bytes). Agents may list
and play their own recordings only where `http.recordings_for_agents` is true.
"""

from __future__ import annotations

import os
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import FileResponse

from callcenter.http.auth import Guard, Guarded, audit_refusal
from callcenter.http.errors import forbidden, not_found
from callcenter.http.models import RecordingView
from callcenter.http.params import Names, Since, Until, agents_in_scope, period
from callcenter.http.records import MAX_LIMIT, find_recording, list_recordings, recording_view
from callcenter.supervision.audit import AuditEntry
from callcenter.supervision.roles import Action, AgentTarget, CallTarget, Role, Target
from cdr import Outcome
from recording.metadata import RecordingMetadata

router = APIRouter(tags=["recordings"])
RecordingId = Annotated[str, Path(min_length=1, max_length=64)]
MEDIA = {"wav": "audio/wav", "wav16": "audio/wav", "gsm": "audio/gsm",
         "raw": "application/octet-stream"}


async def _agents_may(guard: Guard) -> None:
    if guard.who.role is Role.AGENT and not guard.ctx.settings.recordings_for_agents:
        reason = (f"agent {guard.who.id} may not read recordings here"
                  " (http.recordings_for_agents is off)")
        await audit_refusal(guard.ctx, guard.caller, Action.READ_RECORDINGS.value, None,
                            reason, guard.request)
        raise forbidden(reason)


def _target(guard: Guard, meta: RecordingMetadata) -> Target:
    if meta.agent_id:
        return guard.agent_target(meta.agent_id)
    return CallTarget(meta.call_id, meta.queue or "")


@router.get("/recordings", response_model=list[RecordingView], summary="Recordings")
async def find(guard: Guarded, start: Since = None, end: Until = None,
               agent: Names = [],  # noqa: B006
               queue: Names = [],  # noqa: B006
               outcome: Annotated[list[Outcome], Query(max_length=10)] = [],  # noqa: B006
               csat_below: Annotated[int | None, Query(ge=1, le=6)] = None,
               limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100) -> list[RecordingView]:
    """As `callcenter recordings list`: recorded from/to, agents, queues, outcomes, CSAT."""
    await _agents_may(guard)
    agents: list[str] | None = list(agent) or None
    if agents is None:
        agents = await agents_in_scope(guard, Action.READ_RECORDINGS, None)
    else:
        for name in agents:
            await guard.allow(Action.READ_RECORDINGS, guard.agent_target(name))
    if agents == []:
        return []
    frm, to = period(start, end)
    return await list_recordings(guard.ctx.db, frm, to, agents or [], list(queue),
                                 [o.value for o in outcome], csat_below, limit)


async def _meta(guard: Guard, recording_id: str) -> RecordingMetadata:
    await _agents_may(guard)
    meta = await find_recording(guard.ctx.db, recording_id)
    if meta is None:
        raise not_found(f"no recording {recording_id}")
    await guard.allow(Action.READ_RECORDINGS, _target(guard, meta))
    return meta


@router.get("/recordings/{recording_id}", response_model=RecordingView,
            summary="One recording's metadata")
async def get_recording(recording_id: RecordingId, guard: Guarded) -> RecordingView:
    return recording_view(await _meta(guard, recording_id))


def _inside(path: str, roots: list[str]) -> bool:
    real = os.path.realpath(path)
    return any(real.startswith(os.path.realpath(root) + os.sep) for root in roots if root)


@router.get("/recordings/{recording_id}/audio", summary="Play a recording (Range supported)",
            response_class=FileResponse,
            responses={200: {"content": {"audio/wav": {}}, "description": "The audio file"},
                       206: {"content": {"audio/wav": {}}, "description": "Part of it"},
                       416: {"description": "The Range is beyond the file"}})
async def audio(recording_id: RecordingId, guard: Guarded, request: Request) -> FileResponse:
    meta = await _meta(guard, recording_id)
    settings = guard.ctx.config.recording
    if meta.purged_at is not None:
        raise not_found(f"recording {recording_id} was purged")
    roots = [settings.read_directory or "", settings.directory]
    if not _inside(meta.path, roots) or not os.path.isfile(meta.path):
        raise not_found(f"the file of recording {recording_id} is missing")
    who = guard.who
    target = _target(guard, meta)
    await guard.ctx.service.audit(AuditEntry(
        guard.ctx.clock(), who.id, who.role.value, "play_recording",
        target.agent if isinstance(target, AgentTarget) else None, meta.call_id,
        f"recording {recording_id} bytes {request.headers.get('range', 'all')}"[:200], None,
        "ok"))
    return FileResponse(meta.path, media_type=MEDIA.get(meta.format, "audio/wav"),
                        filename=os.path.basename(meta.path))
