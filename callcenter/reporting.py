"""Reports with what Erlang A predicts next to what was measured.

Lives in the application because it joins two packages that must not import each other:
`cdr` (measured KPIs) and `simulations` (the Erlang models). The gap between the two tells a
planner whether a bad interval was staffing (Erlang A predicts it too) or routing (it does not).
"""

from __future__ import annotations

import math

from cdr import GroupBy, Report, ReportRow, ServiceLevelDefinition
from simulations import ErlangError, erlang_a

ERLANG_COLUMNS: tuple[str, ...] = ("staffed_agents", "erlang_a_sl", "erlang_a_abandon")
_WIDTH_S = {GroupBy.HOUR: 3600.0}


def patience_estimate_s(row: ReportRow) -> float:
    """Mean caller patience, seconds: time waited by all callers who left the queue over the
    number who abandoned (the maximum-likelihood estimate for exponential patience with
    answered calls as censored observations). Infinite when nobody abandoned."""
    abandoned = row.tally.abandoned
    if abandoned == 0:
        return math.inf
    return max(row.tally.wait_all_s / abandoned, 1e-3)


def predict_row(row: ReportRow, width_s: float, report: Report) -> dict[str, float | None]:
    """Erlang A's service level and abandon rate for one interval's traffic, handle time,
    patience and average staffed agents (logged in minus paused). None where undefined."""
    out: dict[str, float | None] = dict.fromkeys(ERLANG_COLUMNS)
    agent = row.agent_tally
    if agent is None:
        return out
    staffed = (agent.logged_in_s - agent.paused_s) / width_s
    out["staffed_agents"] = staffed
    aht = row.calls.aht_s
    agents = round(staffed)
    if aht is None or agents < 1 or row.calls.offered == 0:
        return out
    try:
        result = erlang_a(
            row.calls.offered / width_s,
            aht,
            patience_estimate_s(row),
            agents,
            report.settings.target_s,
        )
    except ErlangError:
        return out
    if report.settings.definition is ServiceLevelDefinition.ANSWERED:
        out["erlang_a_sl"] = result.service_level_answered
    else:
        out["erlang_a_sl"] = result.service_level
    out["erlang_a_abandon"] = result.p_abandon
    return out


def add_erlang_a(report: Report) -> bool:
    """Add the Erlang A columns to a report by interval or hour (steady state within a day's
    bucket means nothing). Returns whether it did."""
    if report.by is GroupBy.INTERVAL:
        width = report.settings.interval_s
    elif report.by in _WIDTH_S:
        width = _WIDTH_S[report.by]
    else:
        return False
    for row in report.rows:
        row.extra.update(predict_row(row, width, report))
    report.extra_columns = list(ERLANG_COLUMNS)
    return True
