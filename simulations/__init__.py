"""simulations: a discrete-event simulator driving acd/ on a virtual clock; Erlang models.

Import from here. A scenario YAML in, replications out, a report with confidence intervals::

    from simulations import build_report, load_scenario, run_replications

    scenario = load_scenario("simulations/examples/two_skill.yaml")
    runs = run_replications(scenario, replications=scenario.replications, seed=7, jobs=2)
    report = build_report(scenario, runs, seed=7)

- `engine` (`Simulation`), `model` (agents, calls, shifts), `distributions` (arrivals and
  times), `scenario` (the YAML model), `runner` (replications on several processes),
  `stats` and `report` (tallies and estimates), `outputs` (files and charts);
- `erlang` (Erlang B, C, A in closed form) and `staffing` (the fewest agents for a goal);
- `queue_log` (an Asterisk queue_log read as a workload), `busy_hour` (the demo's hour).

Names load on first use (module `__getattr__`): `from simulations import erlang_a` loads the
Erlang module only, not numpy or the router.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulations.distributions import (
        Distribution as Distribution,
        PoissonArrivals as PoissonArrivals,
        poisson_times as poisson_times,
    )
    from simulations.engine import (
        Simulation as Simulation,
        SimulationResult as SimulationResult,
    )
    from simulations.erlang import (
        ErlangAResult as ErlangAResult,
        ErlangCResult as ErlangCResult,
        ErlangError as ErlangError,
        erlang_a as erlang_a,
        erlang_b as erlang_b,
        erlang_c as erlang_c,
    )
    from simulations.model import (
        Shift as Shift,
        SimAgent as SimAgent,
        SimCall as SimCall,
    )
    from simulations.outputs import (
        write_outputs as write_outputs,
    )
    from simulations.queue_log import (
        LoggedCall as LoggedCall,
        read_queue_log as read_queue_log,
    )
    from simulations.report import (
        Estimate as Estimate,
        SimulationReport as SimulationReport,
        agent_metrics as agent_metrics,
        build_report as build_report,
        call_metrics as call_metrics,
        estimate as estimate,
        t95 as t95,
    )
    from simulations.runner import (
        default_jobs as default_jobs,
        run_replication as run_replication,
        run_replications as run_replications,
        workload as workload,
    )
    from simulations.scenario import (
        Scenario as Scenario,
        ScenarioError as ScenarioError,
        load_scenario as load_scenario,
        load_yaml_model as load_yaml_model,
    )
    from simulations.staffing import (
        IntervalForecast as IntervalForecast,
        StaffingError as StaffingError,
        StaffingGoal as StaffingGoal,
        StaffingResult as StaffingResult,
        load_forecast as load_forecast,
        required_agents as required_agents,
        scheduled_agents as scheduled_agents,
        staff_forecast as staff_forecast,
        staff_interval as staff_interval,
    )
    from simulations.stats import (
        WAIT_BINS as WAIT_BINS,
        AgentTally as AgentTally,
        RunStats as RunStats,
    )

_HOMES: dict[str, str] = {
    "Simulation": "simulations.engine",
    "SimulationResult": "simulations.engine",
    "Shift": "simulations.model",
    "SimAgent": "simulations.model",
    "SimCall": "simulations.model",
    "Distribution": "simulations.distributions",
    "PoissonArrivals": "simulations.distributions",
    "poisson_times": "simulations.distributions",
    "Scenario": "simulations.scenario",
    "ScenarioError": "simulations.scenario",
    "load_scenario": "simulations.scenario",
    "load_yaml_model": "simulations.scenario",
    "default_jobs": "simulations.runner",
    "run_replication": "simulations.runner",
    "run_replications": "simulations.runner",
    "workload": "simulations.runner",
    "AgentTally": "simulations.stats",
    "RunStats": "simulations.stats",
    "WAIT_BINS": "simulations.stats",
    "Estimate": "simulations.report",
    "SimulationReport": "simulations.report",
    "agent_metrics": "simulations.report",
    "build_report": "simulations.report",
    "call_metrics": "simulations.report",
    "estimate": "simulations.report",
    "t95": "simulations.report",
    "write_outputs": "simulations.outputs",
    "ErlangAResult": "simulations.erlang",
    "ErlangCResult": "simulations.erlang",
    "ErlangError": "simulations.erlang",
    "erlang_a": "simulations.erlang",
    "erlang_b": "simulations.erlang",
    "erlang_c": "simulations.erlang",
    "IntervalForecast": "simulations.staffing",
    "StaffingError": "simulations.staffing",
    "StaffingGoal": "simulations.staffing",
    "StaffingResult": "simulations.staffing",
    "load_forecast": "simulations.staffing",
    "required_agents": "simulations.staffing",
    "scheduled_agents": "simulations.staffing",
    "staff_forecast": "simulations.staffing",
    "staff_interval": "simulations.staffing",
    "LoggedCall": "simulations.queue_log",
    "read_queue_log": "simulations.queue_log",
}


__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    """Import a public name from its module the first time it is asked for."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'simulations' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value
