"""`GET /api/v1/health`: whether the engine answers (no authentication; no personal data)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from callcenter import __version__
from callcenter.http.context import context
from callcenter.http.models import Health
from callcenter.http.views import logged_in

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="Is the engine up")
async def health(request: Request) -> Health:
    ctx = context(request)
    service = ctx.service
    return Health(version=__version__, agents_logged_in=logged_in(service),
                  calls=len(service.switchboard.calls), websockets=ctx.hub.subscribers)
