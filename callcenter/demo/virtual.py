"""`callcenter demo --virtual`: the ACD routing the scripted busy hour on a virtual clock.

No PBX and no network: the same `acd.Router` the live engine uses, driven by the simulator,
with every offer explained (who got the call and why).
"""

from __future__ import annotations

import time

import numpy as np
from rich.console import Console
from rich.table import Table

from acd import AgentState, Offer, Router, Trigger, describe
from cdr import CallTally, call_kpis
from simulations import AgentTally, SimAgent, Simulation, SimulationResult, agent_metrics, busy_hour


def virtual_demo(console: Console, seed: int, hours: float) -> None:
    """Route the scripted busy hour through the ACD on a virtual clock; print what happened."""
    rng = np.random.default_rng(seed)
    router = Router(busy_hour.QUEUES, seed=seed)
    roster = busy_hour.agents()
    started = time.perf_counter()
    simulation = Simulation(
        router,
        roster,
        busy_hour.calls(rng, hours),
        horizon_s=hours * busy_hour.HOUR_S,
        interval_s=busy_hour.HOUR_S,
        rng=rng,
        explain_first=8,
    )
    result = simulation.run()
    elapsed = time.perf_counter() - started
    console.rule("[bold]callcenter demo: a scripted busy hour through the ACD")
    console.print(
        f"{len(busy_hour.QUEUES)} queues, {len(roster)} agents, "
        f"{result.stats.calls_simulated} calls over {hours:g} h of virtual time "
        f"(routed in {elapsed:.2f} s of real time)."
    )
    console.print(_queue_table(result, router))
    console.print(_agent_table(result, roster))
    console.print(
        "[bold]Why these calls went where they went[/bold] (the first offer of each kind):"
    )
    for offer in result.offers_explained:
        console.print("  " + explain(offer))
    console.print(
        "\nSL = calls answered within the queue's target / calls offered (target after the /)."
        " The live engine (AMI, MQTT screen-pops, CDR) plugs into this same router."
    )


def explain(offer: Offer) -> str:
    """One line a supervisor can read: who got the call, and why."""
    why = offer.why
    if why.trigger is Trigger.AGENT_AVAILABLE:
        runner = f", next was {why.runner_up_call}" if why.runner_up_call else ""
        how = (
            f"agent came free and took the best of {why.competing_calls} queue heads"
            f" (priority, queue weight, wait){runner}"
        )
    else:
        runner = f", runner-up {why.runner_up_agent}" if why.runner_up_agent else ""
        how = f"{why.trigger.value}: {why.strategy.value} among {why.qualified_agents} idle{runner}"
    rules = f"; rules fired: {', '.join(why.rules_fired)}" if why.rules_fired else ""
    return (
        f"{offer.call_id} → agent {offer.display_id} ({offer.agent_id}) in {offer.queue}: {how}; "
        f"needs {describe(why.required)}; priority {why.aged_priority}; "
        f"waited {why.waited_s:.1f} s{rules}"
    )


def _queue_table(result: SimulationResult, router: Router) -> Table:
    per_queue: dict[str, CallTally] = {}
    for (_, queue, _), tally in result.stats.calls.items():
        per_queue.setdefault(queue, CallTally()).merge(tally)
    table = Table(title="Queues (calls counted in the queue they arrived at)")
    columns = ("queue", "offered", "answered", "abandoned", "overflow", "RONA", "SL", "ASA s")
    for column in columns:
        table.add_column(column, justify="left" if column == "queue" else "right", no_wrap=True)
    for name in router.queue_names():
        t = per_queue.get(name, CallTally())
        figures = call_kpis(t)  # SL answered within the queue's target / offered
        target = router.queue_settings(name).sl_target_s
        sl, asa = figures.service_level, figures.asa_s
        table.add_row(
            name,
            str(t.offered),
            str(t.answered),
            f"{t.abandoned} ({t.short_abandoned} short)",
            str(t.overflowed + t.expired),
            str(t.ring_no_answer),
            "-" if sl is None else f"{sl:.0%}/{target:g}s",
            "-" if asa is None else f"{asa:.1f}",
        )
    return table


def _agent_table(result: SimulationResult, roster: list[SimAgent]) -> Table:
    per_group: dict[str, AgentTally] = {}
    for (_, group), tally in result.stats.agents.items():
        per_group.setdefault(group, AgentTally()).merge(tally)
    table = Table(
        title="Agent groups (busy = ringing + talking + wrap-up; occupancy = busy / staffed)"
    )
    for column in ("group", "agents", "busy h", "available h", "paused h", "occupancy"):
        table.add_column(column, justify="left" if column == "group" else "right", no_wrap=True)
    sizes: dict[str, int] = {}
    for agent in roster:
        sizes[agent.group] = sizes.get(agent.group, 0) + 1
    for group, tally in sorted(per_group.items()):
        s = tally.seconds
        busy = s[AgentState.RESERVED] + s[AgentState.ON_CALL] + s[AgentState.WRAP_UP]
        occupancy = agent_metrics(tally)["occupancy"]
        table.add_row(
            group,
            str(sizes.get(group, 0)),
            f"{busy / 3600:.1f}",
            f"{s[AgentState.AVAILABLE] / 3600:.1f}",
            f"{s[AgentState.PAUSED] / 3600:.1f}",
            "-" if occupancy is None else f"{occupancy:.0%}",
        )
    return table
