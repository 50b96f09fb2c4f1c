"""Scenario files: what to simulate, validated (errors name the file, the key and the value).

Queues use the very model the live engine reads (`acd.config.QueueModel`), so a queue
behaves the same in a scenario as in production.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Annotated, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from acd import MAX_PRIORITY, MIN_PRIORITY, Level, QueueModel
from simulations.distributions import Distribution, Never, PoissonArrivals

M = TypeVar("M", bound=BaseModel)

Seconds = Annotated[float, Field(ge=0, allow_inf_nan=False)]
PositiveSeconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class ScenarioError(ValueError):
    """A scenario file that cannot be run, with every problem found and where it is."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CallTypeModel(_Strict):
    name: Annotated[str, Field(min_length=1)]
    queue: str
    priority: Annotated[int, Field(ge=MIN_PRIORITY, le=MAX_PRIORITY)] = 0
    skills: dict[str, Level] | None = None  # overrides the queue's own requirement
    arrivals: PoissonArrivals | None = None  # None only when a trace supplies the arrivals
    handle_time: Distribution
    patience: Distribution = Never()


class BreakModel(_Strict):
    start_s: Seconds
    duration_s: PositiveSeconds


class ShiftModel(_Strict):
    start_s: Seconds
    end_s: PositiveSeconds
    breaks: list[BreakModel] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> ShiftModel:
        if self.end_s <= self.start_s:
            raise ValueError(f"end_s {self.end_s} is not after start_s {self.start_s}")
        for b in self.breaks:
            if not self.start_s <= b.start_s < self.end_s:
                raise ValueError(f"break at {b.start_s} s is outside the shift")
        return self


class AgentGroupModel(_Strict):
    name: Annotated[str, Field(min_length=1)]
    count: Annotated[int, Field(ge=0)]
    skills: dict[str, Level]
    shifts: list[ShiftModel] | None = None  # None: the whole horizon
    queues: list[str] | None = None
    rona_probability: Annotated[float, Field(ge=0, le=1)] = 0.0
    answer_delay_s: Seconds = 0.0
    first_display_id: int | None = None  # agent IDs announced to callers: first, first+1, ...


class TraceModel(_Strict):
    """Replay recorded traffic instead of drawing arrivals, from one of:

    - `csv`: columns arrival_s, call_type (a call type's name), handle_s, optional patience_s;
    - `queue_log`: an Asterisk queue_log; each log queue maps to a call type through
      `call_types_by_queue` (default: the call type of that name, else the one routed to a
      queue of that name).
    """

    csv: str | None = None
    queue_log: str | None = None
    call_types_by_queue: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_source(self) -> TraceModel:
        if (self.csv is None) == (self.queue_log is None):
            raise ValueError("give exactly one of csv or queue_log")
        return self


class Scenario(_Strict):
    name: Annotated[str, Field(min_length=1)]
    horizon_s: PositiveSeconds
    interval_s: PositiveSeconds = 900.0
    warmup_s: Seconds = 0.0
    short_abandon_s: Seconds = 5.0
    replications: Annotated[int, Field(ge=1)] = 1
    seed: Annotated[int, Field(ge=0)] = 0
    queues: Annotated[list[QueueModel], Field(min_length=1)]
    call_types: Annotated[list[CallTypeModel], Field(min_length=1)]
    agent_groups: Annotated[list[AgentGroupModel], Field(min_length=1)]
    trace: TraceModel | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        queues = [q.name for q in self.queues]
        duplicates = sorted({q for q in queues if queues.count(q) > 1})
        if duplicates:
            raise ValueError(f"queue names must be unique, repeated: {duplicates}")
        for index, call_type in enumerate(self.call_types):
            if call_type.queue not in queues:
                raise ValueError(
                    f"call_types[{index}] ({call_type.name}): unknown queue {call_type.queue!r};"
                    f" queues are {queues}"
                )
            if call_type.arrivals is None and self.trace is None:
                raise ValueError(f"call_types[{index}] ({call_type.name}): needs arrivals")
        for index, group in enumerate(self.agent_groups):
            for queue in group.queues or ():
                if queue not in queues:
                    raise ValueError(
                        f"agent_groups[{index}] ({group.name}): unknown queue {queue!r}"
                    )
        if self.warmup_s >= self.horizon_s:
            raise ValueError(
                f"warmup_s {self.warmup_s} must be shorter than horizon_s {self.horizon_s}"
            )
        return self

    @property
    def intervals(self) -> int:
        return math.ceil(self.horizon_s / self.interval_s)

    def warnings(self) -> list[str]:
        """Problems that still let the run make sense, e.g. calls nobody can ever take."""
        held = {skill for group in self.agent_groups if group.count for skill in group.skills}
        found = []
        for call_type in self.call_types:
            queue = next(q for q in self.queues if q.name == call_type.queue)
            needed = call_type.skills if call_type.skills is not None else queue.skills
            missing = sorted(set(needed) - held)
            if missing:
                found.append(
                    f"call type {call_type.name!r} needs skills no agent has"
                    f" ({', '.join(missing)}): these calls can never be served"
                )
        return found


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file; raise ScenarioError naming file, key and value."""
    return load_yaml_model(Path(path), Scenario, ScenarioError)


def load_yaml_model(path: Path, model: type[M], error_class: type[Exception]) -> M:
    """A YAML file validated as `model`; `error_class` names the file, the key and the value."""
    data = read_yaml_mapping(path, error_class)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise error_class(describe_validation_error(path, error)) from None


def read_yaml_mapping(path: Path, error_class: type[Exception]) -> dict[str, object]:
    """The mapping at the top of a YAML file, or `error_class` naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise error_class(f"{path}: cannot read: {error.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise error_class(f"{where}: not valid YAML: {getattr(error, 'problem', error)}") from None
    if not isinstance(data, dict):
        raise error_class(f"{path}: expected a mapping of settings, got {type(data).__name__}")
    return data


def describe_validation_error(path: Path, error: ValidationError) -> str:
    """Every problem pydantic found, one line each: file, key path, message, the value given."""
    lines = [f"{path}: {error.error_count()} problem(s):"]
    for problem in error.errors():
        key = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        got = problem.get("input")
        shown = "" if isinstance(got, (dict, list)) else f" (got {got!r})"
        lines.append(f"  {key}: {problem['msg']}{shown}")
    return "\n".join(lines)


def read_trace(path: Path, call_types: list[str]) -> list[tuple[float, int, float, float]]:
    """Rows (arrival_s, call type index, handle_s, patience_s) of a trace CSV, checked."""
    rows: list[tuple[float, int, float, float]] = []
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as error:
        raise ScenarioError(f"{path}: cannot read: {error.strerror}") from None
    with handle:
        reader = csv.DictReader(handle)
        needed = {"arrival_s", "call_type", "handle_s"}
        if reader.fieldnames is None or not needed <= set(reader.fieldnames):
            raise ScenarioError(
                f"{path}:1: expected columns {sorted(needed)}, got {reader.fieldnames}"
            )
        previous = -math.inf
        for line, row in enumerate(reader, start=2):
            try:
                arrival = float(row["arrival_s"])
                handle_s = float(row["handle_s"])
                patience = float(row["patience_s"]) if row.get("patience_s") else math.inf
            except ValueError as error:
                raise ScenarioError(f"{path}:{line}: {error}") from None
            if row["call_type"] not in call_types:
                raise ScenarioError(
                    f"{path}:{line}: call_type {row['call_type']!r} is not in the scenario"
                    f" ({', '.join(call_types)})"
                )
            if not (math.isfinite(arrival) and arrival >= 0 and handle_s >= 0 and patience >= 0):
                raise ScenarioError(f"{path}:{line}: times must be >= 0 and finite, got {row}")
            if arrival < previous:
                raise ScenarioError(
                    f"{path}:{line}: arrival_s {arrival} is earlier than the row before"
                    f" ({previous}); sort the trace by arrival time"
                )
            previous = arrival
            rows.append((arrival, call_types.index(row["call_type"]), handle_s, patience))
    return rows
