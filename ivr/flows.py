"""A flow: its settings, nodes, tiers and calendars, validated as a whole when loaded."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from acd import Level
from ivr.errors import IvrConfigError, describe_validation_error
from ivr.graph import check_graph
from ivr.hours import Calendar, CalendarModel, ZoneName
from ivr.nodes import (
    BranchNode,
    CallbackNode,
    CollectNode,
    EnqueueNode,
    LookupNode,
    Node,
    NodeId,
    SetNode,
    SurveyNode,
    VoicemailNode,
)
from ivr.prompts import builtin, resolve

log = logging.getLogger(__name__)

Boost = Annotated[int, Field(ge=0, le=9)]
# Variables every call starts with, besides those `collect` and `set` nodes write.
PRESET_VARIABLES = frozenset({"caller_id", "caller_name", "dnid"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TierModel(_Strict):
    """What a customer tier changes at `enqueue`: a priority boost (capped at 9), extra
    skills (added to every alternative, or replacing them with `replace_skills`), and
    optionally a dedicated queue."""

    priority_boost: Boost = 0
    skills: dict[str, Level] = Field(default_factory=dict)
    replace_skills: bool = False
    queue: str | None = None


class Flow(_Strict):
    name: Annotated[str, Field(min_length=1)]
    language: str = "en"  # the call's language until a `set` node changes it
    languages: list[str] = Field(default_factory=list)  # all it speaks; [] = [language]
    time_zone: ZoneName = "UTC"  # for branch time conditions and calendars without their own
    prompt_template: str = "{name}"  # e.g. "cc/{lang}/{name}"; see ivr/prompts.py
    queue: str | None = None  # default queue of enqueue/callback and mailbox of voicemail
    start: NodeId
    max_steps: Annotated[int, Field(ge=10, le=10_000)] = 200
    tiers: dict[str, TierModel] = Field(default_factory=dict)
    calendars: dict[str, CalendarModel] = Field(default_factory=dict)
    nodes: Annotated[dict[NodeId, Node], Field(min_length=1)]

    _compiled: dict[str, Calendar] = PrivateAttr(default_factory=dict)
    _warnings: tuple[str, ...] = PrivateAttr(default=())

    @model_validator(mode="after")
    def _whole_flow(self) -> Flow:
        problems: list[str] = []
        if "{name}" not in self.prompt_template:
            problems.append(f"prompt_template: must contain {{name}}, got {self.prompt_template!r}")
        if self.languages and self.language not in self.languages:
            problems.append(f"language: {self.language!r} is not in languages {self.languages}")
        report = check_graph(self.start, self.nodes)
        problems += report.errors
        if not report.errors:
            problems += self._node_settings()
        if problems:
            raise ValueError("\n".join(problems))
        self._compiled = {
            name: model.compile(self.time_zone) for name, model in self.calendars.items()
        }
        self._warnings = tuple(report.warnings)
        return self

    def _node_settings(self) -> list[str]:
        """Names a node uses that the flow must define: calendars, variables, queue, language."""
        problems: list[str] = []
        written = PRESET_VARIABLES | {"customer_id", "customer_name", "tier", "blocked_reason"}
        for node in self.nodes.values():
            if isinstance(node, CollectNode):
                written |= {node.store}
            elif isinstance(node, SetNode):
                written |= set(node.variables)
        speaks = self.spoken_languages()
        for node_id, node in self.nodes.items():
            where = f"nodes.{node_id}"
            if isinstance(node, BranchNode):
                for i, case in enumerate(node.when):
                    problems.extend(
                        f"{where}.when.{i}.{key}: no calendar {name!r}"
                        f" (calendars: {', '.join(self.calendars) or 'none'})"
                        for key, name in case.calendars()
                        if name not in self.calendars
                    )
            elif isinstance(node, LookupNode) and node.variable is not None:
                if node.variable not in written:
                    problems.append(
                        f"{where}.variable: no collect or set node writes {node.variable!r}"
                    )
            elif (
                isinstance(node, SetNode)
                and node.language is not None
                and node.language not in speaks
            ):
                problems.append(f"{where}.language: {node.language!r} is not in languages {speaks}")
        if self.queue is None:
            problems.extend(
                f"nodes.{node_id}: no queue here, no flow `queue`, and a path from start"
                " reaches it without a set node giving one"
                for node_id in self._queueless()
            )
        return problems

    def _queueless(self) -> list[str]:
        """Nodes needing the call's queue that a walk can reach before any `set queue`."""
        seen = {self.start}
        todo = [self.start]
        while todo:
            node = self.nodes[todo.pop()]
            if isinstance(node, SetNode) and node.queue is not None:
                continue
            for edge in node.edges():
                if edge.target not in seen:
                    seen.add(edge.target)
                    todo.append(edge.target)
        return [
            node_id
            for node_id, node in self.nodes.items()
            if node_id in seen
            and (
                (isinstance(node, (EnqueueNode, CallbackNode)) and node.queue is None)
                or (isinstance(node, VoicemailNode) and node.box is None)
            )
        ]

    def queue_references(self) -> dict[str, str]:
        """Every queue the flow names, with the key path naming it (for checking the flow
        against the engine's queues, which `ivr/` does not know)."""
        found: dict[str, str] = {}
        if self.queue is not None:
            found.setdefault(self.queue, "queue")
        for tier, model in self.tiers.items():
            if model.queue is not None:
                found.setdefault(model.queue, f"tiers.{tier}.queue")
        for node_id, node in self.nodes.items():
            queue = getattr(node, "queue", None)
            if isinstance(queue, str):
                found.setdefault(queue, f"nodes.{node_id}.queue")
            for index, case in enumerate(getattr(node, "when", ())):
                for key in ("queue_waiting_at_least", "ewt_over_s", "agents_available_below"):
                    condition = getattr(case, key)
                    if condition is not None and condition.queue is not None:
                        found.setdefault(condition.queue,
                                         f"nodes.{node_id}.when.{index}.{key}.queue")
        return found

    def spoken_languages(self) -> list[str]:
        return self.languages or [self.language]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def compiled_calendars(self) -> dict[str, Calendar]:
        return self._compiled

    @property
    def warnings(self) -> tuple[str, ...]:
        """Harmless findings (unreachable nodes), each with its key path."""
        return self._warnings

    def sound(self, name: str, language: str) -> str:
        """The sound file of one of this flow's prompt names in `language`."""
        return resolve(name, language, self.prompt_template)

    def prompts(self, languages: Iterable[str] | None = None) -> set[str]:
        """Every sound file this flow may play (its own and the built-ins its nodes use)."""
        files: set[str] = set()
        for language in languages if languages is not None else self.spoken_languages():
            for node in self.nodes.values():
                files.update(self.sound(name, language) for name in node.prompt_names())
                files.update(builtin(prompt, language) for prompt in node.builtins())
                if isinstance(node, SurveyNode):
                    files |= node.settings.sound_files([language])
        return files


def parse_flow(text: str, source: str = "<flow>") -> Flow:
    """A flow from YAML text; IvrConfigError names `source`, the line or key, and the value."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        problem = getattr(error, "problem", error)
        raise IvrConfigError(f"{where}: not valid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise IvrConfigError(f"{source}: expected a mapping (a flow), got {type(data).__name__}")
    try:
        flow = Flow.model_validate(data)
    except ValidationError as error:
        raise IvrConfigError(describe_validation_error(source, error)) from None
    for warning in flow.warnings:
        log.warning("%s: %s", source, warning)
    return flow


def load_flow(path: str | Path) -> Flow:
    """Read and validate a flow file (blocking file read: call it at start-up or in a thread)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise IvrConfigError(f"{path}: cannot read: {error.strerror}") from None
    return parse_flow(text, str(path))
