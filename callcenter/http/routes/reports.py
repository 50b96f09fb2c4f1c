"""Reports: `cdr.reports.report`'s results (what `callcenter report` prints) as JSON or CSV."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from callcenter.http.auth import Guarded
from callcenter.http.errors import ApiError
from callcenter.http.models import ReportDocument
from callcenter.http.params import Names, Since, Until, agents_in_scope, period
from callcenter.supervision.roles import Action
from cdr import (
    GroupBy,
    KpiSettings,
    ReportFilter,
    ReportInputError,
    ServiceLevelDefinition,
    build_report,
    to_csv,
    to_json,
)

router = APIRouter(tags=["reports"])


@router.get("/reports", response_model=ReportDocument, summary="KPI report (JSON or CSV)",
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                             "description": "The report as JSON, or CSV with format=csv"}})
async def report(
    guard: Guarded, start: Since = None, end: Until = None, by: GroupBy = GroupBy.DAY,
    queue: Names = [],  # noqa: B006 - FastAPI copies defaults per request
    agent: Names = [],  # noqa: B006
    call_type: Names = [],  # noqa: B006
    target: Annotated[float, Query(ge=0, le=3600)] = 20.0,
    short_abandon: Annotated[float, Query(ge=0, le=3600)] = 5.0,
    sl_definition: ServiceLevelDefinition = ServiceLevelDefinition.OFFERED,
    interval_min: Annotated[int, Query(ge=1, le=1440)] = 15,
    format: Literal["json", "csv"] = "json",
) -> Response:
    """As `callcenter report`: KPIs by interval, day, queue, agent... An agent's report
    covers its own calls, a team lead's its team's."""
    agents: list[str] | None = list(agent) or None
    if agents is None:
        agents = await agents_in_scope(guard, Action.READ_REPORTS, None)
    else:
        for name in agents:
            await guard.allow(Action.READ_REPORTS, guard.agent_target(name))
    frm, to = period(start, end)
    try:
        flt = ReportFilter(frm, to, tuple(queue), tuple(agents or ()), tuple(call_type))
        settings = KpiSettings(target_s=target, short_abandon_s=short_abandon,
                               definition=sl_definition, interval_s=interval_min * 60.0)
        if agents == []:
            raise ReportInputError("no agents in this caller's scope")
        result = await build_report(guard.ctx.db, flt, by, settings)
    except ReportInputError as error:
        raise ApiError(422, "invalid", str(error)) from None
    if format == "csv":
        return Response(to_csv(result), media_type="text/csv")
    document = ReportDocument.model_validate(json.loads(to_json(result)))
    return Response(document.model_dump_json(by_alias=True), media_type="application/json")
