"""Erlang B, Erlang C (M/M/n) and Erlang A (M/M/n+M): closed-form queueing figures.

Every figure is built from sums of positive terms, so nothing cancels and nothing
overflows: no factorials, no powers of the load. Two sums carry the work:

- ``G = 1/B - 1``, the states with an idle agent relative to the state with all ``n``
  agents busy, by the forward recursion ``G(k) = (k/R) * (1 + G(k-1))``, the
  reciprocal form of the Erlang B recursion ``B(k) = R*B(k-1) / (k + R*B(k-1))``;
- for Erlang A, the queue states relative to the same state,
  ``P_j = prod_{i=1..j} y/(a+i)`` with ``a = n*mu/theta`` and ``y = lambda/theta``,
  whose sum is Mandelbaum-Zeltyn's ``A(a, y) = a * e^y * y^-a * gamma(a, y)``.

Large values are carried as a float mantissa and a power of two, so a system of
10,000 agents at a load of 0.9999 (or far overloaded, for Erlang A) stays finite, and
probabilities below the smallest float underflow to zero instead of failing.

Sources: R. B. Cooper, *Introduction to Queueing Theory* (2nd ed., 1981), §2.3 and §2.5
(Erlang B and C); O. Garnett, A. Mandelbaum, M. Reiman, "Designing a call center with
impatient customers", MSOM 4(3), 2002, §3 (Erlang A); A. Mandelbaum, S. Zeltyn, "The
Palm/Erlang-A queue, with applications to call centers", technical report, Technion,
2007, §3-§4 (Erlang A in terms of the incomplete gamma function).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "ErlangAResult",
    "ErlangCResult",
    "ErlangError",
    "erlang_a",
    "erlang_b",
    "erlang_c",
]

# Rescale a running sum when it passes 2**_RESCALE_AT, by 2**-_RESCALE_BY.
_RESCALE_AT = 2.0**600
_RESCALE_BY = 600
# A series stops when the bound on its remaining tail is below this share of its sum.
_TAIL = 1e-18
# Queue states an Erlang A series may visit (a few seconds of work) before giving up.
_MAX_QUEUE_STATES = 10_000_000


class ErlangError(ValueError):
    """An input no queueing model accepts; the message names the parameter and value."""


@dataclass(frozen=True, slots=True)
class ErlangCResult:
    """Erlang C (M/M/n, callers never hang up) figures for one interval.

    p_wait: probability an arrival waits (all agents busy).
    service_level: share of ALL offered calls answered within the target.
    asa_s: mean wait over all arrivals, seconds (those answered at once count 0).
    occupancy: mean share of agents busy, offered load / agents.
    mean_wait_s: mean wait over all arrivals, seconds; equal to asa_s, as nobody abandons
        (named as in ErlangAResult so that either result can be read the same way).
    mean_queue_length: mean number of callers waiting, lambda x mean wait (Little's law).
    """

    p_wait: float
    service_level: float
    asa_s: float
    occupancy: float
    mean_wait_s: float
    mean_queue_length: float


@dataclass(frozen=True, slots=True)
class ErlangAResult:
    """Erlang A (M/M/n+M, exponential patience) figures for one interval.

    p_wait: probability an arrival waits (all agents busy).
    p_abandon: probability an arrival hangs up before an agent answers.
    service_level: answered within the target over ALL offered calls.
    service_level_answered: answered within the target over answered calls.
    asa_s: mean wait of ANSWERED calls, seconds (those answered at once count 0).
    mean_wait_s: mean wait over all arrivals, answered and abandoned, seconds.
    mean_queue_length: mean number of callers waiting.
    occupancy: mean share of agents busy, answered load / agents.
    """

    p_wait: float
    p_abandon: float
    service_level: float
    service_level_answered: float
    asa_s: float
    mean_wait_s: float
    mean_queue_length: float
    occupancy: float


def erlang_b(offered_erlangs: float, agents: int) -> float:
    """Probability a call is blocked in M/M/n/n (Erlang B, the Erlang loss formula).

    offered_erlangs: arrival rate x mean handle time (>= 0); agents: n >= 0.
    Zero agents block everything; zero load blocks nothing. Values below the smallest
    float (about 5e-324) come back as 0.0.
    """
    load = _non_negative("offered_erlangs", offered_erlangs)
    n = _agents(agents, minimum=0)
    if n == 0:
        return 1.0
    if load == 0.0:
        return 0.0
    g, exponent = _idle_ratio(load, n)
    return _one_over_one_plus(g, exponent)


def erlang_c(
    arrival_rate_per_s: float, aht_s: float, agents: int, target_s: float
) -> ErlangCResult:
    """Erlang C (M/M/n, infinitely patient callers): P(wait), service level, ASA, occupancy.

    arrival_rate_per_s: calls per second (>= 0); aht_s: mean handle time, seconds (> 0);
    agents: n >= 1; target_s: service-level threshold, seconds (>= 0).
    Raises ErlangError when the load (arrival rate x AHT) is not below the agents: the
    queue grows without bound.
    """
    rate = _non_negative("arrival_rate_per_s", arrival_rate_per_s)
    aht = _positive("aht_s", aht_s)
    n = _agents(agents, minimum=1)
    target = _non_negative("target_s", target_s)
    load = rate * aht
    if not math.isfinite(load):
        raise ErlangError(f"offered load: expected a finite number, got {load!r}")
    if load >= n:
        raise ErlangError(
            f"agents: {n} cannot carry an offered load of {load:.6g} Erlangs "
            f"(arrival_rate_per_s={rate!r} x aht_s={aht!r}): unstable queue, "
            "Erlang C needs load < agents"
        )
    if load == 0.0:
        return ErlangCResult(
            p_wait=0.0,
            service_level=1.0,
            asa_s=0.0,
            occupancy=0.0,
            mean_wait_s=0.0,
            mean_queue_length=0.0,
        )
    g, exponent = _idle_ratio(load, n)
    spare = n - load
    # C = n*B / (n - R*(1 - B)) = n / (n + (n - R)*G) with G = 1/B - 1 (Cooper 1981,
    # eq. 2.5.6 rewritten); 1 - C = (n - R)*G / (n + (n - R)*G): both without cancellation.
    p_wait = _one_over_one_plus(g * spare / n, exponent)
    p_no_wait = _x_over_one_plus(g * spare / n, exponent)
    decay = spare * target / aht  # (n*mu - lambda) * T
    # SL = 1 - C*exp(-(n*mu - lambda)*T) = (1 - C) + C*(1 - exp(-(n*mu - lambda)*T)).
    service_level = p_no_wait - p_wait * math.expm1(-decay)
    # ASA over all arrivals = C / (n*mu - lambda) (Cooper 1981, eq. 2.5.12).
    asa_s = p_wait * aht / spare
    return ErlangCResult(
        p_wait=p_wait,
        service_level=min(1.0, service_level),
        asa_s=asa_s,
        occupancy=load / n,
        mean_wait_s=asa_s,
        # L_q = C * R / (n - R) (Cooper 1981, eq. 2.5.11), i.e. lambda * ASA.
        mean_queue_length=p_wait * load / spare,
    )


def erlang_a(
    arrival_rate_per_s: float,
    aht_s: float,
    patience_s: float,
    agents: int,
    target_s: float,
) -> ErlangAResult:
    """Erlang A (M/M/n+M, exponential patience): waits, abandons and service level.

    arrival_rate_per_s: calls per second (>= 0); aht_s: mean handle time, seconds (> 0);
    patience_s: mean time a caller waits before hanging up, seconds (> 0; ``math.inf``
    gives Erlang C with no abandons); agents: n >= 1; target_s: seconds (>= 0).
    Any load is stable, also above the agents: impatient callers drain the queue. Time
    grows with the number of queue states that matter, about 40/(1 - load/agents) or
    sqrt(40 * agents * patience / AHT) terms, whichever is smaller (plus the excess of
    arrivals over service x patience when overloaded).
    """
    rate = _non_negative("arrival_rate_per_s", arrival_rate_per_s)
    aht = _positive("aht_s", aht_s)
    if isinstance(patience_s, bool) or not isinstance(patience_s, int | float):
        raise ErlangError(f"patience_s: expected seconds > 0, got {patience_s!r}")
    if math.isnan(patience_s) or patience_s <= 0.0:
        raise ErlangError(f"patience_s: expected seconds > 0, got {patience_s!r}")
    n = _agents(agents, minimum=1)
    target = _non_negative("target_s", target_s)
    if math.isinf(patience_s):
        c = erlang_c(rate, aht, n, target)
        return ErlangAResult(
            p_wait=c.p_wait,
            p_abandon=0.0,
            service_level=c.service_level,
            service_level_answered=c.service_level,
            asa_s=c.asa_s,
            mean_wait_s=c.asa_s,
            mean_queue_length=c.asa_s * rate,
            occupancy=c.occupancy,
        )
    patience = float(patience_s)
    load = rate * aht
    if not math.isfinite(load):
        raise ErlangError(f"offered load: expected a finite number, got {load!r}")
    if load == 0.0:
        return ErlangAResult(
            p_wait=0.0,
            p_abandon=0.0,
            service_level=1.0,
            service_level_answered=1.0,
            asa_s=0.0,
            mean_wait_s=0.0,
            mean_queue_length=0.0,
            occupancy=0.0,
        )
    theta = 1.0 / patience
    a = n * patience / aht  # n*mu/theta
    y = rate * patience  # lambda/theta
    g, g_exp = _idle_ratio(load, n)
    queue = _queue_series(a, y)

    # Everything below is a mass of the stationary distribution relative to pi_n, the
    # state with all n agents busy and nobody waiting; dividing by G + S normalises
    # (pi_n = B / (1 + (S - 1)*B) = 1 / (G + S), Garnett-Mandelbaum-Reiman 2002, eq. 3.1,
    # with S = A(a, y) as in Mandelbaum-Zeltyn 2007, eq. 3.2).
    top = max(g_exp, queue.exponent)

    def share(mantissa: float, exponent: int) -> float:
        return math.ldexp(mantissa, exponent - top)

    total = share(g, g_exp) + share(queue.total, queue.exponent)
    # P(W > 0) = S*B / (1 + (S - 1)*B) (GMR 2002, eq. 3.3; Mandelbaum-Zeltyn 2007, eq. 3.5).
    p_wait = share(queue.total, queue.exponent) / total
    p_no_wait = share(g, g_exp) / total
    # A caller who finds j waiting is answered with probability a/(a + j + 1) (the
    # exponential race of patience against the stages n*mu + i*theta, i = 0..j); summed:
    # P(answered after a wait) = pi_n * (a/y) * sum_{j>=1} P_j.
    p_answered_late = (a / y) * share(queue.tail, queue.exponent) / total
    # Abandons = theta * E[Q] / lambda, E[Q] = pi_n * sum_j j*P_j (Mandelbaum-Zeltyn
    # 2007, eq. 3.8 evaluated as a positive series instead of 1/(rho*A) + 1 - 1/rho).
    mean_queue_length = share(queue.weighted, queue.exponent) / total
    p_abandon = mean_queue_length / y
    p_answered = p_no_wait + p_answered_late
    # Little's law over all arrivals (GMR 2002, §3).
    mean_wait_s = mean_queue_length / rate
    # E[W; answered | j waiting] = a/(a+j+1) * (1/theta) * sum_{i=1..j+1} 1/(a+i) (the
    # derivative of the stages' Laplace transform at theta); summed over j.
    wait_answered = (a / (y * theta)) * share(queue.harmonic, queue.exponent) / total
    asa_s = wait_answered / p_answered
    # Answered after waiting longer than T: pi_n * a/(a+1) * q^(a+1) * e^(y(1-q)) *
    # A(a+1, y*q) with q = exp(-theta*T), from P(W > t) = pi_n * n*mu * int_t^inf
    # e^(-(n*mu+theta)w + y(1 - e^(-theta w))) dw (Mandelbaum-Zeltyn 2007, eq. 4.3).
    # log of e^(y(1-q)) * q^(a+1) with q = exp(-theta*T)
    gain = -y * math.expm1(-theta * target) - (a + 1.0) * theta * target
    z = y * math.exp(-theta * target)
    if z > a + 1.0:
        # Overloaded even at the target: answered-within-T is the small difference of
        # two masses near the whole, so take it directly, relative to pi_n:
        # a * e^y * y^-(a+1) * (Gamma(a+1, z) - Gamma(a+1, y)) = a * (e^gain * K(z) - K(y))
        # with Gamma(s, u) = u^s e^-u K(s, u) (continued fraction, DLMF 8.9.2); gain > 0
        # here, so the difference keeps its digits.
        k_z = _upper_gamma_fraction(a + 1.0, z)
        k_y = _upper_gamma_fraction(a + 1.0, y)
        log_within = math.log(a) + gain + math.log(k_z) - top * math.log(2.0)
        keep = max(0.0, -math.expm1(math.log(k_y / k_z) - gain))
        within = math.exp(log_within) * keep / total if log_within > -745.0 else 0.0
    else:
        late = _queue_series(a + 1.0, z, moments=False)
        log_late = math.log(a / (a + 1.0)) + gain + (late.exponent - top) * math.log(2.0)
        p_answered_after_target = late.total * math.exp(log_late) / total
        within = max(0.0, p_answered_late - p_answered_after_target)
    service_level = min(1.0, p_no_wait + within)
    return ErlangAResult(
        p_wait=p_wait,
        p_abandon=p_abandon,
        service_level=service_level,
        service_level_answered=min(1.0, service_level / p_answered),
        asa_s=asa_s,
        mean_wait_s=mean_wait_s,
        mean_queue_length=mean_queue_length,
        # Served work over capacity: rho * P(answered) (GMR 2002, §3).
        occupancy=load / n * p_answered,
    )


@dataclass(frozen=True, slots=True)
class _QueueSums:
    """Sums over queue states j of P_j = prod_{i=1..j} y/(a+i), all times 2**exponent."""

    total: float  # sum_{j>=0} P_j = A(a, y)
    tail: float  # sum_{j>=1} P_j
    weighted: float  # sum_{j>=1} j * P_j
    harmonic: float  # sum_{j>=1} P_j * sum_{i=1..j} 1/(a+i)
    exponent: int


def _queue_series(a: float, y: float, moments: bool = True) -> _QueueSums:
    """Sums of P_j = prod_{i=1..j} y/(a+i) until the remaining tail is negligible.

    Terms rise while y > a + j and fall after; past the peak the tail is bounded by a
    geometric series of ratio r = y/(a+j+1) < 1, which decides when to stop.
    """
    term = 1.0
    tail = weighted = harmonic = 0.0
    h = 0.0
    exponent = 0
    one = 1.0  # the j = 0 term, rescaled along with the others
    j = 0
    while True:
        j += 1
        if j > _MAX_QUEUE_STATES:
            raise ErlangError(
                f"patience_s: too long for this load, the Erlang A series needs more than "
                f"{_MAX_QUEUE_STATES:,} queue states (arrivals x patience = {y:.6g}, "
                f"agents x patience / AHT = {a:.6g}); use Erlang C (no patience) instead"
            )
        denominator = a + j
        term *= y / denominator
        tail += term
        if moments:
            h += 1.0 / denominator
            weighted += j * term
            harmonic += term * h
        if tail > _RESCALE_AT:
            term = math.ldexp(term, -_RESCALE_BY)
            tail = math.ldexp(tail, -_RESCALE_BY)
            weighted = math.ldexp(weighted, -_RESCALE_BY)
            harmonic = math.ldexp(harmonic, -_RESCALE_BY)
            one = math.ldexp(one, -_RESCALE_BY)
            exponent += _RESCALE_BY
        ratio = y / (denominator + 1.0)
        if ratio >= 1.0:
            continue  # still rising
        if term == 0.0:
            break
        rest = ratio / (1.0 - ratio)  # sum_{k>=1} r^k
        rest2 = ratio / (1.0 - ratio) ** 2  # sum_{k>=1} k r^k
        if term * rest > _TAIL * tail:
            continue
        # Past j, P_{j+k} <= P_j r^k and the harmonic factor grows by < k/(a+j+1).
        if moments and (
            term * (j * rest + rest2) > _TAIL * weighted
            or term * (h * rest + rest2 / (denominator + 1.0)) > _TAIL * harmonic
        ):
            continue
        break
    return _QueueSums(
        total=one + tail, tail=tail, weighted=weighted, harmonic=harmonic, exponent=exponent
    )


def _upper_gamma_fraction(s: float, u: float) -> float:
    """K(s, u) = Gamma(s, u) * u^-s * e^u for u > s - 1 > 0, by modified Lentz.

    The continued fraction Gamma(s, u) = u^s e^-u / (u + 1 - s - 1(1 - s)/(u + 3 - s -
    2(2 - s)/(u + 5 - s - ...))) (DLMF 8.9.2; Numerical Recipes, 3rd ed., §6.2) converges
    for u > s - 1; all denominators stay positive there.
    """
    tiny = 1e-300
    b = u + 1.0 - s
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    i = 0
    while True:
        i += 1
        if i > _MAX_QUEUE_STATES:
            raise ErlangError(
                f"patience_s: the incomplete gamma fraction did not converge "
                f"(shape {s:.6g}, argument {u:.6g})"
            )
        an = -i * (i - s)
        b += 2.0
        d = an * d + b
        if abs(d) < tiny:
            d = tiny
        c = b + an / c
        if abs(c) < tiny:
            c = tiny
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) <= 1e-16:
            return h


def _idle_ratio(load: float, agents: int) -> tuple[float, int]:
    """G = 1/B(n, R) - 1 = sum_{k<n} pi_k / pi_n, as mantissa and power of two.

    G(0) = 0, G(k) = (k/R) * (1 + G(k-1)): the Erlang B recursion B(k) = R*B(k-1) /
    (k + R*B(k-1)) (Cooper 1981, eq. 2.3.9) in reciprocal form. Every step adds and
    multiplies positive numbers, so the relative error stays near k machine epsilons.
    """
    g = 0.0
    exponent = 0
    one = 1.0
    for k in range(1, agents + 1):
        g = (k / load) * (one + g)
        if g > _RESCALE_AT:
            g = math.ldexp(g, -_RESCALE_BY)
            one = math.ldexp(one, -_RESCALE_BY)
            exponent += _RESCALE_BY
    return g, exponent


def _one_over_one_plus(x: float, exponent: int) -> float:
    """1 / (1 + x*2**exponent) for x*2**exponent >= 0, without overflow."""
    return math.ldexp(1.0 / (math.ldexp(1.0, -exponent) + x), -exponent)


def _x_over_one_plus(x: float, exponent: int) -> float:
    """x*2**exponent / (1 + x*2**exponent) for a non-negative value, without overflow."""
    return x / (math.ldexp(1.0, -exponent) + x)


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ErlangError(f"{name}: expected a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ErlangError(f"{name}: expected a finite number, got {value!r}")
    return number


def _non_negative(name: str, value: object) -> float:
    number = _number(name, value)
    if number < 0.0:
        raise ErlangError(f"{name}: expected a number >= 0, got {value!r}")
    return number


def _positive(name: str, value: object) -> float:
    number = _number(name, value)
    if number <= 0.0:
        raise ErlangError(f"{name}: expected a number > 0, got {value!r}")
    return number


def _agents(value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ErlangError(f"agents: expected a whole number >= {minimum}, got {value!r}")
    if value < minimum:
        raise ErlangError(f"agents: expected a whole number >= {minimum}, got {value!r}")
    return value
