"""KPI formulas over counts and sums: one definition for live stats, reports and the simulator.

Every function here is pure and imports nothing but the standard library, so the simulator
can use it on its streaming tallies and the reports on the rows SQL aggregated.

Conventions (see `docs/kpis.md` for each KPI's formula and which calls count):

- Durations are seconds (`float`); rates and shares are fractions in [0, 1]; NPS is a score
  in [-100, 100]; calls per hour is calls per logged-in hour.
- A KPI whose denominator is zero is undefined and returned as `None`, never 0: "no calls
  offered" must not read as "0 % service level".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

CSAT_SATISFIED_MIN = 4  # CSAT 1-5: 4 and 5 count as satisfied
NPS_PROMOTER_MIN = 9  # NPS 0-10: 9 and 10 are promoters
NPS_DETRACTOR_MAX = 6  # 0 to 6 are detractors


class SlDefinition(StrEnum):
    """The three common service-level definitions; a report names the one it shows."""

    OFFERED = "offered"  # answered within T / offered
    ANSWERED = "answered"  # answered within T / answered
    OFFERED_LESS_SHORT_ABANDONS = "offered-less-short-abandons"  # / (offered - short abandons)

    @property
    def label(self) -> str:
        """How a report heading names the definition."""
        return _SL_LABELS[self]


_SL_LABELS = {
    SlDefinition.OFFERED: "answered within T / offered",
    SlDefinition.ANSWERED: "answered within T / answered",
    SlDefinition.OFFERED_LESS_SHORT_ABANDONS: "answered within T / (offered - short abandons)",
}


def ratio(numerator: float, denominator: float) -> float | None:
    """`numerator / denominator`, or None when the denominator is zero (undefined)."""
    if denominator == 0:
        return None
    return numerator / denominator


def service_level(
    answered_in_target: int,
    offered: int,
    answered: int,
    short_abandoned: int,
    definition: SlDefinition = SlDefinition.OFFERED,
) -> float | None:
    """Share of calls answered within the target time T, by `definition`; None if no calls count.

    `answered_in_target` are the calls answered with a wait <= T; `short_abandoned` the calls
    abandoned within the short-abandon threshold (only the third definition uses them).
    """
    if definition is SlDefinition.OFFERED:
        return ratio(answered_in_target, offered)
    if definition is SlDefinition.ANSWERED:
        return ratio(answered_in_target, answered)
    return ratio(answered_in_target, offered - short_abandoned)


def asa(wait_answered_s: float, answered: int) -> float | None:
    """Average speed of answer, seconds: total wait of answered calls / answered calls."""
    return ratio(wait_answered_s, answered)


def average_wait(wait_s: float, calls: int) -> float | None:
    """Average wait, seconds, over `calls` (answered and abandoned calls that queued)."""
    return ratio(wait_s, calls)


def wait_quantile(waits: Sequence[float], q: float = 0.9) -> float | None:
    """The q-quantile of a list of waits, seconds, by nearest rank; None for no waits.

    Nearest rank: the smallest wait w such that at least q of all waits are <= w.
    """
    _check_quantile(q)
    if not waits:
        return None
    ordered = sorted(waits)
    rank = max(1, math.ceil(q * len(ordered)))
    return float(ordered[rank - 1])


def wait_quantile_from_histogram(
    counts: Sequence[int], bin_s: float, q: float = 0.9
) -> float | None:
    """The q-quantile of waits kept as a histogram, seconds; None for an empty histogram.

    Bin i holds waits in [i * bin_s, (i + 1) * bin_s); the answer is the upper edge of the
    first bin where the running count reaches q of the total (the nearest-rank bin).
    """
    _check_quantile(q)
    total = sum(counts)
    if total == 0:
        return None
    rank = max(1, math.ceil(q * total))
    seen = 0
    for index, count in enumerate(counts):
        seen += count
        if seen >= rank:
            return (index + 1) * bin_s
    raise AssertionError("unreachable: the running count reaches the total")


def aht(talk_s: float, hold_s: float, wrap_up_s: float, handled: int) -> float | None:
    """Average handle time, seconds: (talk + hold + wrap-up) / handled calls."""
    return ratio(talk_s + hold_s + wrap_up_s, handled)


def average_talk(talk_s: float, handled: int) -> float | None:
    """Average talk time, seconds, per handled call (hold not included)."""
    return ratio(talk_s, handled)


def acw(wrap_up_s: float, handled: int) -> float | None:
    """Average after-call work (wrap-up), seconds, per handled call."""
    return ratio(wrap_up_s, handled)


def abandon_rate(
    abandoned: int, offered: int, short_abandoned: int = 0, *, exclude_short: bool = False
) -> float | None:
    """Abandoned / offered; with `exclude_short`, short abandons leave both sides.

    `abandoned` includes the short abandons; `exclude_short` gives
    (abandoned - short) / (offered - short).
    """
    if exclude_short:
        return ratio(abandoned - short_abandoned, offered - short_abandoned)
    return ratio(abandoned, offered)


def transfer_rate(transferred: int, answered: int) -> float | None:
    """Share of answered calls that the agent transferred."""
    return ratio(transferred, answered)


def first_call_resolution(resolved_first_contact: int, contacts: int) -> float | None:
    """Share of customer contacts with no repeat call from the same customer within the window.

    The window (e.g. 24 h) is applied where the counts are made; calls without a known
    customer do not count on either side.
    """
    return ratio(resolved_first_contact, contacts)


def occupancy(handle_s: float, available_s: float) -> float | None:
    """Share of staffed time spent handling calls: handle / (handle + available idle).

    Handle is talk + hold + wrap-up (and ringing, if the caller counts it); pauses are not
    staffed time.
    """
    return ratio(handle_s, handle_s + available_s)


def utilization(handle_s: float, logged_in_s: float) -> float | None:
    """Share of logged-in time spent handling calls: handle / logged in (pauses included)."""
    return ratio(handle_s, logged_in_s)


def calls_per_hour(handled: int, logged_in_s: float) -> float | None:
    """Calls an agent handled per logged-in hour."""
    return ratio(handled * 3600.0, logged_in_s)


def csat_mean(score_sum: float, responses: int) -> float | None:
    """Mean CSAT score (1-5) over the survey responses."""
    return ratio(score_sum, responses)


def csat_satisfied(satisfied: int, responses: int) -> float | None:
    """Share of CSAT responses scoring 4 or 5."""
    return ratio(satisfied, responses)


def nps(promoters: int, detractors: int, responses: int) -> float | None:
    """Net promoter score in [-100, 100]: % promoters (9-10) minus % detractors (0-6)."""
    if responses == 0:
        return None
    return 100.0 * (promoters - detractors) / responses


@dataclass(frozen=True, slots=True)
class SurveyTotals:
    """Survey counts, as counted from a list of scores by `SurveyTotals.of`."""

    csat_responses: int = 0
    csat_sum: float = 0.0
    csat_satisfied: int = 0
    nps_responses: int = 0
    promoters: int = 0
    detractors: int = 0

    @classmethod
    def of(cls, csat_scores: Sequence[int], nps_scores: Sequence[int]) -> SurveyTotals:
        """Count CSAT (1-5) and NPS (0-10) scores; a score out of range is a ValueError."""
        for score in csat_scores:
            if not 1 <= score <= 5:
                raise ValueError(f"CSAT score: expected 1..5, got {score}")
        for score in nps_scores:
            if not 0 <= score <= 10:
                raise ValueError(f"NPS score: expected 0..10, got {score}")
        return cls(
            csat_responses=len(csat_scores),
            csat_sum=float(sum(csat_scores)),
            csat_satisfied=sum(1 for s in csat_scores if s >= CSAT_SATISFIED_MIN),
            nps_responses=len(nps_scores),
            promoters=sum(1 for s in nps_scores if s >= NPS_PROMOTER_MIN),
            detractors=sum(1 for s in nps_scores if s <= NPS_DETRACTOR_MAX),
        )


@dataclass(frozen=True, slots=True)
class CallTotals:
    """Counts and sums over a set of calls (an interval, a queue, an agent...).

    `offered` counts every call that reached a queue; `answered` those an agent answered
    (= handled); `abandoned` includes `short_abandoned`. `queued_wait_s` is the wait of
    answered and abandoned calls together, `waited` their number.
    """

    offered: int = 0
    answered: int = 0
    answered_in_target: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    transferred: int = 0
    wait_answered_s: float = 0.0
    queued_wait_s: float = 0.0
    waited: int = 0
    max_wait_s: float | None = None
    talk_s: float = 0.0
    hold_s: float = 0.0
    wrap_up_s: float = 0.0
    contacts: int = 0  # calls from a known customer, for FCR
    resolved_first_contact: int = 0
    survey: SurveyTotals = SurveyTotals()


@dataclass(frozen=True, slots=True)
class CallKpis:
    """The call KPIs of one `CallTotals`; None where undefined. Units as in `docs/kpis.md`."""

    offered: int
    answered: int
    abandoned: int
    service_level: float | None
    service_level_definition: SlDefinition
    asa_s: float | None
    average_wait_s: float | None
    longest_wait_s: float | None
    aht_s: float | None
    average_talk_s: float | None
    acw_s: float | None
    abandon_rate: float | None
    abandon_rate_less_short: float | None
    transfer_rate: float | None
    fcr: float | None
    csat_mean: float | None
    csat_satisfied: float | None
    nps: float | None


def call_kpis(
    totals: CallTotals, definition: SlDefinition = SlDefinition.OFFERED
) -> CallKpis:
    """Every call KPI of `totals`, with the service level by `definition`."""
    t = totals
    return CallKpis(
        offered=t.offered,
        answered=t.answered,
        abandoned=t.abandoned,
        service_level=service_level(
            t.answered_in_target, t.offered, t.answered, t.short_abandoned, definition
        ),
        service_level_definition=definition,
        asa_s=asa(t.wait_answered_s, t.answered),
        average_wait_s=average_wait(t.queued_wait_s, t.waited),
        longest_wait_s=t.max_wait_s,
        aht_s=aht(t.talk_s, t.hold_s, t.wrap_up_s, t.answered),
        average_talk_s=average_talk(t.talk_s, t.answered),
        acw_s=acw(t.wrap_up_s, t.answered),
        abandon_rate=abandon_rate(t.abandoned, t.offered),
        abandon_rate_less_short=abandon_rate(
            t.abandoned, t.offered, t.short_abandoned, exclude_short=True
        ),
        transfer_rate=transfer_rate(t.transferred, t.answered),
        fcr=first_call_resolution(t.resolved_first_contact, t.contacts),
        csat_mean=csat_mean(t.survey.csat_sum, t.survey.csat_responses),
        csat_satisfied=csat_satisfied(t.survey.csat_satisfied, t.survey.csat_responses),
        nps=nps(t.survey.promoters, t.survey.detractors, t.survey.nps_responses),
    )


@dataclass(frozen=True, slots=True)
class AgentTotals:
    """Seconds one agent (or a group) spent per state, and the calls handled.

    `logged_in_s` is all time between login and logout; `available_s` the idle, ready part;
    `paused_s` by reason; `handle_s` talk + hold + wrap-up (+ ringing if counted).
    """

    logged_in_s: float = 0.0
    available_s: float = 0.0
    handle_s: float = 0.0
    handled: int = 0
    paused_s: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class AgentKpis:
    """An agent's KPIs; None where undefined."""

    logged_in_s: float
    paused_s: float
    paused_by_reason_s: tuple[tuple[str, float], ...]
    handled: int
    occupancy: float | None
    utilization: float | None
    calls_per_hour: float | None


def agent_kpis(totals: AgentTotals) -> AgentKpis:
    """Occupancy, utilization, calls per hour and pause time by reason of `totals`."""
    t = totals
    return AgentKpis(
        logged_in_s=t.logged_in_s,
        paused_s=sum(seconds for _, seconds in t.paused_s),
        paused_by_reason_s=tuple(sorted(t.paused_s)),
        handled=t.handled,
        occupancy=occupancy(t.handle_s, t.available_s),
        utilization=utilization(t.handle_s, t.logged_in_s),
        calls_per_hour=calls_per_hour(t.handled, t.logged_in_s),
    )


def _check_quantile(q: float) -> None:
    if not 0.0 < q <= 1.0:
        raise ValueError(f"quantile: expected 0 < q <= 1, got {q}")
