"""What a set of replications measured: KPIs per queue, call type, interval and agent group,
each with a 95 % confidence interval across replications (from two replications on).

The KPI formulas are `cdr.kpis`, the same code the CDR reports use, so "service level"
means the same in a simulated report and a live one.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from acd import AgentState
from cdr import CallTally, kpis
from simulations.scenario import Scenario
from simulations.stats import AgentTally, RunStats, add_wait_bins, wait_bins

# Two-sided 95 % Student t quantiles for 1..30 degrees of freedom.
_T95 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip

CALL_METRICS = (
    "offered", "answered", "abandoned", "short_abandoned", "overflowed", "expired",
    "ring_no_answer", "p_wait", "sl_offered", "sl_answered", "sl_offered_less_short_abandons",
    "asa_s", "mean_wait_s", "p90_wait_s", "max_wait_s", "abandon_rate",
    "abandon_rate_less_short", "aht_s", "average_talk_s", "acw_s",
)  # fmt: skip
AGENT_METRICS = ("staffed_h", "logged_in_h", "occupancy", "utilization")


def t95(dof: int) -> float:
    """Two-sided 95 % Student t quantile; the normal 1.96 with a small-sample term past 30."""
    if dof < 1:
        raise ValueError(f"degrees of freedom must be >= 1, got {dof}")
    if dof <= len(_T95):
        return _T95[dof - 1]
    z = 1.959964
    return z + (z**3 + z) / (4 * dof)  # Cornish-Fisher first term


@dataclass(frozen=True, slots=True)
class Estimate:
    """Mean over replications and the half-width of its 95 % CI (None with one replication)."""

    mean: float | None
    half_width: float | None
    replications: int

    def as_dict(self) -> dict[str, float | int | None]:
        return {"mean": self.mean, "ci95": self.half_width, "n": self.replications}


def estimate(values: Iterable[float | None]) -> Estimate:
    """Mean and 95 % CI half-width of the defined values (undefined ones are left out)."""
    known = [v for v in values if v is not None and math.isfinite(v)]
    if not known:
        return Estimate(None, None, 0)
    mean = statistics.fmean(known)
    if len(known) < 2:
        return Estimate(mean, None, len(known))
    half = t95(len(known) - 1) * statistics.stdev(known) / math.sqrt(len(known))
    return Estimate(mean, half, len(known))


def call_metrics(tally: CallTally, waits: Sequence[int]) -> dict[str, float | None]:
    """Every call KPI of one simulator tally and its wait histogram, computed by `cdr.kpis`."""
    histogram = {index: count for index, count in enumerate(waits) if count}
    figures = kpis.call_kpis(tally, wait_histogram=histogram)
    sl = {
        definition: kpis.service_level(
            tally.answered_within_target,
            tally.offered,
            tally.answered,
            tally.short_abandoned,
            definition,
        )
        for definition in kpis.ServiceLevelDefinition
    }
    return {
        "offered": tally.offered,
        "answered": tally.answered,
        "abandoned": tally.abandoned,
        "short_abandoned": tally.short_abandoned,
        "overflowed": tally.overflowed,
        "expired": tally.expired,
        "ring_no_answer": tally.ring_no_answer,
        "p_wait": kpis.ratio(tally.delayed, tally.offered),
        "sl_offered": sl[kpis.ServiceLevelDefinition.OFFERED],
        "sl_answered": sl[kpis.ServiceLevelDefinition.ANSWERED],
        "sl_offered_less_short_abandons": sl[kpis.ServiceLevelDefinition.EXCLUDE_SHORT_ABANDONS],
        "asa_s": figures.asa_s,
        "mean_wait_s": figures.avg_wait_s,
        "p90_wait_s": figures.p90_wait_s,
        "max_wait_s": figures.max_wait_s,
        "abandon_rate": kpis.abandon_rate(
            tally.abandoned, tally.offered, tally.short_abandoned, exclude_short=False
        ),
        "abandon_rate_less_short": figures.abandon_rate,
        "aht_s": figures.aht_s,
        "average_talk_s": figures.avg_talk_s,
        "acw_s": figures.avg_wrap_up_s,
    }


def agent_metrics(tally: AgentTally) -> dict[str, float | None]:
    """Occupancy and utilization of one agent group (ringing counts as handling)."""
    s = tally.seconds
    handling = s[AgentState.RESERVED] + s[AgentState.ON_CALL] + s[AgentState.WRAP_UP]
    logged_in = handling + s[AgentState.AVAILABLE] + s[AgentState.PAUSED]
    figures = kpis.agent_kpis(
        kpis.AgentTally(
            logged_in_s=logged_in,
            available_s=s[AgentState.AVAILABLE],
            handling_s=handling,
            paused_s=s[AgentState.PAUSED],
        )
    )
    return {
        "staffed_h": (handling + s[AgentState.AVAILABLE]) / 3600.0,
        "logged_in_h": logged_in / 3600.0,
        "occupancy": figures.occupancy,
        "utilization": figures.utilization,
    }


@dataclass(slots=True)
class SimulationReport:
    """KPI estimates by breakdown. Keys: 'all', 'queue:<q>', 'type:<t>', 'interval:<i>:<q>',
    and for agents 'group:<g>', 'interval:<i>:<g>'."""

    scenario: str
    replications: int
    seed: int
    interval_s: float
    sl_targets_s: dict[str, float]
    calls: dict[str, dict[str, Estimate]] = field(default_factory=dict)
    agents: dict[str, dict[str, Estimate]] = field(default_factory=dict)
    max_queue_length: dict[str, Estimate] = field(default_factory=dict)
    calls_simulated: int = 0

    def as_dict(self) -> dict[str, object]:
        def table(rows: dict[str, dict[str, Estimate]]) -> dict[str, object]:
            return {key: {m: e.as_dict() for m, e in row.items()} for key, row in rows.items()}

        return {
            "scenario": self.scenario,
            "replications": self.replications,
            "seed": self.seed,
            "interval_s": self.interval_s,
            "calls_simulated": self.calls_simulated,
            "service_level_definitions": {
                "sl_offered": "answered within the queue's target / offered",
                "sl_answered": "answered within the queue's target / answered",
                "sl_offered_less_short_abandons": (
                    "answered within the queue's target / (offered - short abandons)"
                ),
            },
            "sl_targets_s": self.sl_targets_s,
            "calls": table(self.calls),
            "agents": table(self.agents),
            "max_queue_length": {k: e.as_dict() for k, e in self.max_queue_length.items()},
        }


def build_report(scenario: Scenario, runs: list[RunStats], seed: int) -> SimulationReport:
    """Aggregate replications into KPI estimates with confidence intervals."""
    type_names = [t.name for t in scenario.call_types]
    report = SimulationReport(
        scenario=scenario.name,
        replications=len(runs),
        seed=seed,
        interval_s=scenario.interval_s,
        sl_targets_s={q.name: q.sl_target_s for q in scenario.queues},
        calls_simulated=sum(run.calls_simulated for run in runs),
    )
    call_groups = [_group_calls(run, type_names) for run in runs]
    agent_groups = [_group_agents(run) for run in runs]
    # A breakdown one replication never saw (no calls in that interval) counts there as
    # empty, so that means are over every replication.
    report.calls = _estimates(call_groups, _CallGroup, _CallGroup.metrics)
    report.agents = _estimates(agent_groups, AgentTally, agent_metrics)
    lengths = [_max_lengths(run) for run in runs]
    keys = sorted({key for run_lengths in lengths for key in run_lengths})
    report.max_queue_length = {
        key: estimate(float(run_lengths.get(key, 0)) for run_lengths in lengths) for key in keys
    }
    return report


def _max_lengths(run: RunStats) -> dict[str, int]:
    lengths: dict[str, int] = {}
    for (interval, queue), length in run.max_waiting.items():
        lengths[f"queue:{queue}"] = max(lengths.get(f"queue:{queue}", 0), length)
        lengths[f"interval:{interval}:{queue}"] = length
    return lengths


@dataclass(slots=True)
class _CallGroup:
    """The calls of one breakdown: their tally and wait histogram, merged over the run."""

    tally: CallTally = field(default_factory=CallTally)
    waits: list[int] = field(default_factory=wait_bins)

    def metrics(self) -> dict[str, float | None]:
        return call_metrics(self.tally, self.waits)


def _group_calls(run: RunStats, type_names: list[str]) -> dict[str, _CallGroup]:
    groups: dict[str, _CallGroup] = {}
    for key, tally in run.calls.items():
        interval, queue, call_type = key
        waits = run.waits[key]
        for name in (
            "all",
            f"queue:{queue}",
            f"type:{type_names[call_type]}",
            f"interval:{interval}:{queue}",
        ):
            group = groups.setdefault(name, _CallGroup())
            group.tally.merge(tally)
            add_wait_bins(group.waits, waits)
    return groups


def _group_agents(run: RunStats) -> dict[str, AgentTally]:
    groups: dict[str, AgentTally] = {}
    for (interval, group), tally in run.agents.items():
        for key in ("all", f"group:{group}", f"interval:{interval}:{group}"):
            groups.setdefault(key, AgentTally()).merge(tally)
    return groups


T = TypeVar("T")


def _estimates(
    runs: list[dict[str, T]],
    empty: Callable[[], T],
    metrics: Callable[[T], dict[str, float | None]],
) -> dict[str, dict[str, Estimate]]:
    keys = sorted({key for groups in runs for key in groups})
    result: dict[str, dict[str, Estimate]] = {}
    for key in keys:
        per_run = [metrics(groups.get(key) or empty()) for groups in runs]
        result[key] = {name: estimate(values[name] for values in per_run) for name in per_run[0]}
    return result
