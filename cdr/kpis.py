"""The KPI formulas: plain functions over counts and sums. No database, no I/O.

One implementation, used by the SQL reports (`cdr.reports.aggregate` computes the counts and
sums in the database with GROUP BY), by live statistics and by the simulator. Every ratio
returns `None` when its denominator is zero: "no calls" is not "0 %". See docs/kpis.md for
which calls count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from types import MappingProxyType

DEFAULT_TARGET_S = 20.0  # the classic 80/20 service-level target
DEFAULT_SHORT_ABANDON_S = 5.0
DEFAULT_FCR_WINDOW_S = 24 * 3600.0
WAIT_BIN_S = 1.0  # resolution of wait histograms (p90 wait)
CSAT_SATISFIED_MIN = 4  # on a 1..5 scale, 4 and 5 are "satisfied"
NPS_PROMOTER_MIN = 9  # 9..10
NPS_DETRACTOR_MAX = 6  # 0..6


class ServiceLevelDefinition(StrEnum):
    """The three common service-level definitions; a report names the one it shows."""

    OFFERED = "offered"  # answered within T / offered
    ANSWERED = "answered"  # answered within T / answered
    EXCLUDE_SHORT_ABANDONS = "excl-short"  # answered within T / (offered - short abandons)


def answered_in_target(wait_s: float, target_s: float) -> bool:
    """An answered call counts towards the service level when it waited at most T
    (`calls.wait_s <= :target_s` in SQL)."""
    return wait_s <= target_s


def short_abandon(wait_s: float, threshold_s: float) -> bool:
    """An abandoned call is a short abandon when it waited less than the threshold
    (`calls.wait_s < :short_abandon_s` in SQL)."""
    return wait_s < threshold_s


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, or None when the denominator is zero (or negative)."""
    if denominator <= 0:
        return None
    return numerator / denominator


def service_level(
    answered_within_target: int,
    offered: int,
    answered: int,
    short_abandoned: int,
    definition: ServiceLevelDefinition = ServiceLevelDefinition.OFFERED,
) -> float | None:
    """Share of calls answered within the target wait, as a fraction 0..1 (None: no calls)."""
    if definition is ServiceLevelDefinition.OFFERED:
        return ratio(answered_within_target, offered)
    if definition is ServiceLevelDefinition.ANSWERED:
        return ratio(answered_within_target, answered)
    return ratio(answered_within_target, offered - short_abandoned)


def abandon_rate(
    abandoned: int, offered: int, short_abandoned: int = 0, *, exclude_short: bool = True
) -> float | None:
    """Abandoned / offered as a fraction; short abandons leave numerator and denominator."""
    if exclude_short:
        return ratio(abandoned - short_abandoned, offered - short_abandoned)
    return ratio(abandoned, offered)


def asa(wait_answered_s: float, answered: int) -> float | None:
    """Average speed of answer: mean queue wait of answered calls, seconds."""
    return ratio(wait_answered_s, answered)


def aht(
    announce_s: float, talk_s: float, hold_s: float, wrap_up_s: float, handled: int
) -> float | None:
    """Average handle time = (announcement + talk + hold + wrap-up) / handled calls, seconds:
    the agent's time for a call, from its answer to the end of its wrap-up."""
    return ratio(announce_s + talk_s + hold_s + wrap_up_s, handled)


def occupancy(handling_s: float, available_s: float) -> float | None:
    """Handling time / (handling + available idle time), fraction 0..1.

    Handling time is announcement + talk + hold + wrap-up (and ringing, which the agent cannot
    use otherwise).
    """
    return ratio(handling_s, handling_s + available_s)


def utilization(handling_s: float, logged_in_s: float) -> float | None:
    """Handling time / logged-in time (pauses included in the denominator), fraction 0..1."""
    return ratio(handling_s, logged_in_s)


def calls_per_hour(handled: int, logged_in_s: float) -> float | None:
    """Calls handled per logged-in hour."""
    return ratio(handled * 3600.0, logged_in_s)


def csat_mean(csat_sum: float, responses: int) -> float | None:
    """Mean CSAT score on its 1..5 scale."""
    return ratio(csat_sum, responses)


def csat_satisfied(satisfied: int, responses: int) -> float | None:
    """Share of CSAT responses of 4 or 5, fraction 0..1."""
    return ratio(satisfied, responses)


def nps(promoters: int, detractors: int, responses: int) -> float | None:
    """Net promoter score: % promoters (9-10) minus % detractors (0-6), in points -100..100."""
    if responses <= 0:
        return None
    return 100.0 * (promoters - detractors) / responses


def fcr(resolved_first_time: int, eligible: int) -> float | None:
    """First-call resolution: answered calls with no repeat call from the same customer
    within the window / answered calls from identified customers, fraction 0..1."""
    return ratio(resolved_first_time, eligible)


def transfer_rate(transferred: int, answered: int) -> float | None:
    """Transferred / answered, fraction 0..1."""
    return ratio(transferred, answered)


def wait_bin(wait_s: float) -> int:
    """The histogram bin of a wait (bins are WAIT_BIN_S wide, bin 0 is [0, 1 s))."""
    return int(wait_s // WAIT_BIN_S) if wait_s > 0 else 0


def quantile_from_histogram(
    histogram: Mapping[int, int], q: float, max_s: float | None = None
) -> float | None:
    """The q-quantile (nearest rank) of waits binned by `wait_bin`, seconds.

    Returns the upper edge of the bin holding the rank, capped at `max_s` (the longest wait) so
    that all-zero waits give 0. None for an empty histogram. Resolution: WAIT_BIN_S.
    """
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"quantile: expected 0 <= q <= 1, got {q}")
    total = sum(histogram.values())
    if total == 0:
        return None
    rank = max(1, -(-int(q * total * 1_000_000) // 1_000_000))  # ceil without float noise
    seen = 0
    for index in sorted(histogram):
        seen += histogram[index]
        if seen >= rank:
            upper = (index + 1) * WAIT_BIN_S
            return min(upper, max_s) if max_s is not None else upper
    raise AssertionError("unreachable: rank <= total")


# The simulator's own counts: call records hold the same facts (outcome, ring-no-answers) but
# the roll-ups and reports do not count them, so they have no column in the database.
_SIMULATOR_ONLY = MappingProxyType({"recorded": False})


@dataclass(slots=True)
class CallTally:
    """Counts and sums over a set of calls: what SQL, the CDR writer's roll-ups, the live
    statistics and the simulator accumulate per group. The one call tally of the project.

    `RECORDED_FIELDS` (every field but the simulator's own counts, in this order) are the
    columns of the roll-up tables and of `cdr.store.rollup.call_tally_columns`. A producer counts a
    call with `add_answered` / `add_abandoned` (the KPI edges are applied there, with the
    queue's own target), sums its times, and groups add up with `merge`.
    """

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandoned: int = 0  # abandoned before the short-abandon threshold
    answered_within_target: int = 0  # answered after a wait <= the queue's target
    handled: int = 0  # answered calls with an agent (talk time)
    transferred: int = 0
    wait_answered_s: float = 0.0
    wait_all_s: float = 0.0  # waits of answered and abandoned calls
    waited: int = 0  # answered + abandoned calls with a queue wait
    max_wait_s: float = 0.0
    talk_s: float = 0.0
    hold_s: float = 0.0
    wrap_up_s: float = 0.0
    csat_responses: int = 0
    csat_sum: int = 0
    csat_satisfied: int = 0
    nps_responses: int = 0
    nps_promoters: int = 0
    nps_detractors: int = 0
    fcr_eligible: int = 0  # answered calls of identified customers
    fcr_repeated: int = 0  # ... of them with a later call of the customer within the window
    announce_s: float = 0.0  # the agent's time while the caller heard its ID (handled calls)
    announcement_hangups: int = 0  # answered, but the caller left during the announcement
    delayed: int = field(default=0, metadata=_SIMULATOR_ONLY)  # not offered on arrival
    overflowed: int = field(default=0, metadata=_SIMULATOR_ONLY)  # voicemail, callback, queue
    expired: int = field(default=0, metadata=_SIMULATOR_ONLY)  # reached the maximum wait
    ring_no_answer: int = field(default=0, metadata=_SIMULATOR_ONLY)

    def add_answered(self, wait_s: float, target_s: float) -> None:
        """An agent answered a call (it is answered and handled) after `wait_s` in the queue;
        `target_s` is the queue's service-level target. Offered is counted by the caller."""
        self.answered += 1
        self.handled += 1
        self.wait_answered_s += wait_s
        self.wait_all_s += wait_s
        self.waited += 1
        if wait_s > self.max_wait_s:
            self.max_wait_s = wait_s
        if answered_in_target(wait_s, target_s):
            self.answered_within_target += 1

    def add_abandoned(self, wait_s: float, short_abandon_s: float) -> None:
        """The caller hung up after `wait_s` in the queue (or while an agent's phone rang);
        `short_abandon_s` is the short-abandon threshold. Offered is counted by the caller."""
        self.abandoned += 1
        self.wait_all_s += wait_s
        self.waited += 1
        if wait_s > self.max_wait_s:
            self.max_wait_s = wait_s
        if short_abandon(wait_s, short_abandon_s):
            self.short_abandoned += 1

    def merge(self, other: CallTally) -> None:
        """Add the tally of a disjoint group: counts and sums add, the longest wait is the
        larger one."""
        for name in _SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.max_wait_s > self.max_wait_s:
            self.max_wait_s = other.max_wait_s


_SUMMED = tuple(f.name for f in fields(CallTally) if f.name != "max_wait_s")
RECORDED_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(CallTally) if f.metadata.get("recorded", True)
)
"""The fields call records count, in `CallTally` order: the columns of the roll-up tables
(`cdr.store.schema`), of `cdr.store.tally.call_tally` and of
`cdr.store.rollup.call_tally_columns`."""


def merge_call_tallies(tallies: list[CallTally]) -> CallTally:
    """The tally of the union of disjoint groups: counts and sums add, the longest wait is the
    maximum."""
    total = CallTally()
    for t in tallies:
        total.merge(t)
    return total


def merge_histograms(histograms: list[Mapping[int, int]]) -> dict[int, int]:
    """Bin-wise sum of wait histograms."""
    total: dict[int, int] = {}
    for histogram in histograms:
        for index, count in histogram.items():
            total[index] = total.get(index, 0) + count
    return total


@dataclass(slots=True)
class AgentTally:
    """Seconds an agent (or group) spent in each activity, and calls handled."""

    logged_in_s: float = 0.0
    available_s: float = 0.0
    handling_s: float = 0.0  # ringing + on call + wrap-up
    paused_s: float = 0.0
    handled: int = 0


@dataclass(frozen=True, slots=True)
class CallKpis:
    """The call KPIs of one group. Fractions are 0..1, times seconds, NPS points."""

    offered: int
    answered: int
    abandoned: int
    short_abandoned: int
    service_level: float | None
    service_level_definition: ServiceLevelDefinition
    target_s: float
    abandon_rate: float | None
    asa_s: float | None
    avg_wait_s: float | None
    p90_wait_s: float | None
    max_wait_s: float | None
    aht_s: float | None
    avg_talk_s: float | None
    avg_wrap_up_s: float | None
    transfer_rate: float | None
    fcr: float | None
    csat_mean: float | None
    csat_satisfied: float | None
    nps: float | None
    announcement_hangups: int  # answered calls whose caller left while hearing the agent's ID
    avg_announcement_s: float | None  # the agent's time in the announcement per handled call


@dataclass(frozen=True, slots=True)
class AgentKpis:
    """The agent KPIs of one agent or group."""

    logged_in_s: float
    paused_s: float
    occupancy: float | None
    utilization: float | None
    calls_per_hour: float | None


def call_kpis(
    tally: CallTally,
    *,
    target_s: float = DEFAULT_TARGET_S,
    definition: ServiceLevelDefinition = ServiceLevelDefinition.OFFERED,
    wait_histogram: Mapping[int, int] | None = None,
) -> CallKpis:
    """Every call KPI of one group from its tally (and wait histogram, for p90)."""
    t = tally
    return CallKpis(
        offered=t.offered,
        answered=t.answered,
        abandoned=t.abandoned,
        short_abandoned=t.short_abandoned,
        service_level=service_level(
            t.answered_within_target, t.offered, t.answered, t.short_abandoned, definition
        ),
        service_level_definition=definition,
        target_s=target_s,
        abandon_rate=abandon_rate(t.abandoned, t.offered, t.short_abandoned),
        asa_s=asa(t.wait_answered_s, t.answered),
        avg_wait_s=ratio(t.wait_all_s, t.waited),
        p90_wait_s=(
            quantile_from_histogram(wait_histogram, 0.9, t.max_wait_s) if wait_histogram else None
        ),
        max_wait_s=t.max_wait_s if t.waited else None,
        aht_s=aht(t.announce_s, t.talk_s, t.hold_s, t.wrap_up_s, t.handled),
        avg_talk_s=ratio(t.talk_s, t.handled),
        avg_wrap_up_s=ratio(t.wrap_up_s, t.handled),
        transfer_rate=transfer_rate(t.transferred, t.answered),
        fcr=fcr(t.fcr_eligible - t.fcr_repeated, t.fcr_eligible),
        csat_mean=csat_mean(t.csat_sum, t.csat_responses),
        csat_satisfied=csat_satisfied(t.csat_satisfied, t.csat_responses),
        nps=nps(t.nps_promoters, t.nps_detractors, t.nps_responses),
        announcement_hangups=t.announcement_hangups,
        avg_announcement_s=ratio(t.announce_s, t.handled),
    )


def merge_agent_tallies(tallies: list[AgentTally]) -> AgentTally:
    """The agent tally of several agents or periods together."""
    total = AgentTally()
    for t in tallies:
        total.logged_in_s += t.logged_in_s
        total.available_s += t.available_s
        total.handling_s += t.handling_s
        total.paused_s += t.paused_s
        total.handled += t.handled
    return total


def agent_kpis(tally: AgentTally) -> AgentKpis:
    """Occupancy, utilization and calls per hour of one agent or group."""
    return AgentKpis(
        logged_in_s=tally.logged_in_s,
        paused_s=tally.paused_s,
        occupancy=occupancy(tally.handling_s, tally.available_s),
        utilization=utilization(tally.handling_s, tally.logged_in_s),
        calls_per_hour=calls_per_hour(tally.handled, tally.logged_in_s),
    )
