"""The FastAPI application: routers under `/api/v1`, OpenAPI at `/api/openapi.json`."""

from __future__ import annotations

from fastapi import FastAPI

from callcenter import __version__
from callcenter.http import errors
from callcenter.http.context import ApiContext
from callcenter.http.routes import (
    admin,
    agents,
    calls,
    customers,
    dial,
    events,
    health,
    queues,
    recordings,
    reports,
    session,
)

PREFIX = "/api/v1"
OPENAPI_URL = "/api/openapi.json"
MAX_BODY = 256 * 1024  # bytes; the largest body is an admin command with a whole queue


def create_app(ctx: ApiContext) -> FastAPI:
    """The API over one running engine (`ctx`)."""
    app = FastAPI(
        title="callcenter API", version=__version__, openapi_url=OPENAPI_URL,
        docs_url="/api/docs", redoc_url=None, max_body_size=MAX_BODY,
        description="The engine's HTTP API: accounts, agents, queues, calls, customers,"
                    " click-to-dial, supervisor controls, reports, recordings. Live events:"
                    " WebSocket /api/v1/events (docs/api.md).",
    )
    app.state.ctx = ctx
    errors.install(app)
    for module in (session, agents, queues, calls, dial, customers, reports, recordings, admin,
                   health):
        app.include_router(module.router, prefix=PREFIX, responses=errors.RESPONSES)
    app.include_router(events.router, prefix=PREFIX)
    return app
