"""The node types of a flow, as written in YAML (`type:` picks one).

Each node knows its outgoing edges (for load-time checks), whether the flow may end on
it, and the prompts it plays (for the sound-file catalogue). What a node *does* lives in
`ivr/runner.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from acd import MAX_PRIORITY, MIN_PRIORITY, Level
from ivr.conditions import BranchCase
from ivr.dtmf import DTMF_KEYS, digits_between, luhn_ok
from ivr.prompts import Builtin
from ivr.survey import SurveySettings

# Node ids travel in `CC_IVR_PATH` as `node=value/node`, so `/` and `=` cannot be in them.
NODE_ID_PATTERN = r"^[A-Za-z0-9_.-]+$"
NodeId = Annotated[str, Field(pattern=NODE_ID_PATTERN)]
VariableName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
Priority = Annotated[int, Field(ge=MIN_PRIORITY, le=MAX_PRIORITY)]
Retries = Annotated[int, Field(ge=0, le=9)]
Timeout = Annotated[float, Field(gt=0, le=60, allow_inf_nan=False)]
DigitCount = Annotated[int, Field(ge=1, le=32)]


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str) else value


def _keys_as_text(value: object) -> object:
    # YAML reads `1: billing` with an int key; a menu key is a DTMF character.
    if isinstance(value, dict):
        return {str(key): target for key, target in value.items()}
    return value


Prompts = Annotated[list[str], BeforeValidator(_as_list)]


@dataclass(frozen=True, slots=True)
class Edge:
    """`key` (as in the YAML, relative to the node) leads to node `target`. `by_input` edges
    are taken only on something the caller typed: a menu choice, a valid collected value."""

    key: str
    target: str
    by_input: bool = False


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NodeBase(_Strict):

    def edges(self) -> list[Edge]:
        return []

    def can_end(self) -> bool:
        """True when the flow can stop at this node (returning an outcome)."""
        return False

    def prompt_names(self) -> list[str]:
        """Prompt names as written in the flow (resolved through the flow's template)."""
        return []

    def builtins(self) -> set[Builtin]:
        return set()


class PlayNode(NodeBase):
    type: Literal["play"]
    prompts: Prompts
    next: NodeId

    def edges(self) -> list[Edge]:
        return [Edge("next", self.next)]

    def prompt_names(self) -> list[str]:
        return list(self.prompts)


class Fallback(_Strict):
    """What a menu does on a wrong key or on silence: play `prompt`, then go to `next`, or
    (no `next`) ask again while retries last."""

    prompt: Prompts | None = None  # None: the built-in "invalid" on a wrong key, nothing on silence
    next: NodeId | None = None


class MenuNode(NodeBase):
    type: Literal["menu"]
    prompt: Prompts
    choices: Annotated[dict[str, NodeId], BeforeValidator(_keys_as_text), Field(min_length=1)]
    retries: Retries = 2  # asks again after a wrong key or silence, then `on_exhausted`
    timeout_s: Timeout = 5.0
    invalid: Fallback = Field(default_factory=Fallback)
    timeout: Fallback = Field(default_factory=Fallback)
    on_exhausted: NodeId

    @model_validator(mode="after")
    def _keys(self) -> MenuNode:
        bad = [key for key in self.choices if len(key) != 1 or key not in DTMF_KEYS]
        if bad:
            raise ValueError(f"choices: expected single keys 0-9, * or #, got {bad}")
        return self

    def edges(self) -> list[Edge]:
        edges = [
            Edge(f"choices.{key}", target, by_input=True) for key, target in self.choices.items()
        ]
        for name, fallback in (("invalid", self.invalid), ("timeout", self.timeout)):
            if fallback.next is not None:
                edges.append(Edge(f"{name}.next", fallback.next))
        edges.append(Edge("on_exhausted", self.on_exhausted))
        return edges

    def prompt_names(self) -> list[str]:
        return [*self.prompt, *(self.invalid.prompt or []), *(self.timeout.prompt or [])]

    def builtins(self) -> set[Builtin]:
        return {Builtin.INVALID} if self.invalid.prompt is None else set()


class CollectNode(NodeBase):
    type: Literal["collect"]
    prompt: Prompts
    store: VariableName
    min_digits: DigitCount = 1
    max_digits: DigitCount = 16
    timeout_s: Timeout = 6.0
    validate_: Literal["none", "luhn", "regex"] = Field("none", alias="validate")
    pattern: str | None = None  # with validate: regex, matched against the whole value
    retries: Retries = 2
    invalid_prompt: Prompts | None = None  # None: the built-in "invalid"
    show_in_path: bool = True  # False for secrets (PINs): the path shows the node only
    next: NodeId
    on_invalid: NodeId

    @model_validator(mode="after")
    def _consistent(self) -> CollectNode:
        if self.min_digits > self.max_digits:
            raise ValueError(f"min_digits {self.min_digits} > max_digits {self.max_digits}")
        if (self.validate_ == "regex") != (self.pattern is not None):
            raise ValueError("pattern goes with validate: regex, and only with it")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as error:
                raise ValueError(f"pattern {self.pattern!r}: {error}") from None
        return self

    def edges(self) -> list[Edge]:
        return [Edge("next", self.next, by_input=True), Edge("on_invalid", self.on_invalid)]

    def accept(self, typed: str) -> str | None:
        """The value if `typed` is min..max digits passing the check, else None."""
        value = digits_between(typed, self.min_digits, self.max_digits)
        if value is None:
            return None
        if self.validate_ == "luhn" and not luhn_ok(value):
            return None
        if self.pattern is not None and re.fullmatch(self.pattern, value) is None:
            return None
        return value

    def prompt_names(self) -> list[str]:
        return [*self.prompt, *(self.invalid_prompt or [])]

    def builtins(self) -> set[Builtin]:
        return {Builtin.INVALID} if self.invalid_prompt is None else set()


class LookupNode(NodeBase):
    """Find the customer by caller ID or by a collected variable (an account number)."""

    type: Literal["lookup"]
    by: Literal["caller_id", "variable"] = "caller_id"
    variable: VariableName | None = None
    found: NodeId
    not_found: NodeId

    @model_validator(mode="after")
    def _variable(self) -> LookupNode:
        if (self.by == "variable") != (self.variable is not None):
            raise ValueError("variable goes with by: variable, and only with it")
        return self

    def edges(self) -> list[Edge]:
        return [Edge("found", self.found), Edge("not_found", self.not_found)]


class BranchNode(NodeBase):
    type: Literal["branch"]
    when: Annotated[list[BranchCase], Field(min_length=1)]
    otherwise: NodeId

    def edges(self) -> list[Edge]:
        edges = [Edge(f"when.{i}.next", case.next) for i, case in enumerate(self.when)]
        return [*edges, Edge("otherwise", self.otherwise)]


class SetNode(NodeBase):
    type: Literal["set"]
    skills: dict[str, Level] = Field(default_factory=dict)  # added to (or replacing) the call's
    priority: Priority | None = None
    language: str | None = None
    queue: str | None = None
    tier: str | None = None
    variables: dict[VariableName, str] = Field(default_factory=dict)
    next: NodeId

    def edges(self) -> list[Edge]:
        return [Edge("next", self.next)]


class BlacklistCheckNode(NodeBase):
    """Blocked callers hear `prompt` and end `Blocked`, or go to `on_blocked` when given."""

    type: Literal["blacklist_check"]
    prompt: Prompts | None = None  # None: the built-in "blocked" when ending, nothing otherwise
    on_blocked: NodeId | None = None
    next: NodeId

    def edges(self) -> list[Edge]:
        edges = [Edge("next", self.next)]
        if self.on_blocked is not None:
            edges.append(Edge("on_blocked", self.on_blocked))
        return edges

    def can_end(self) -> bool:
        return self.on_blocked is None

    def prompt_names(self) -> list[str]:
        return list(self.prompt or [])

    def builtins(self) -> set[Builtin]:
        return {Builtin.BLOCKED} if self.prompt is None and self.on_blocked is None else set()


class EnqueueNode(NodeBase):
    """Hand the caller to the ACD; the tier's boost and skills (flow `tiers:`) apply here."""

    type: Literal["enqueue"]
    queue: str | None = None  # None: the call's queue (a `set` node's, else the flow's)
    priority: Priority | None = None  # None: the call's
    skills: dict[str, Level] = Field(default_factory=dict)  # added to the call's
    alternatives: list[dict[str, Level]] = Field(default_factory=list)  # `|` alternatives
    prompt: Prompts = Field(default_factory=list)

    def can_end(self) -> bool:
        return True

    def prompt_names(self) -> list[str]:
        return list(self.prompt)


class VoicemailNode(NodeBase):
    type: Literal["voicemail"]
    box: str | None = None  # None: the call's queue
    reason: str = "choice"
    prompt: Prompts | None = None  # None: the built-in "closed" for reason closed, else nothing

    def can_end(self) -> bool:
        return True

    def prompt_names(self) -> list[str]:
        return list(self.prompt or [])

    def builtins(self) -> set[Builtin]:
        return {Builtin.CLOSED} if self.prompt is None and self.reason == "closed" else set()


class TransferNode(NodeBase):
    """To `extension` in `context`, or to an external `number` through the trunk."""

    type: Literal["transfer"]
    extension: str | None = None
    context: str | None = None
    number: str | None = None
    prompt: Prompts = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_target(self) -> TransferNode:
        if (self.extension is None) == (self.number is None):
            raise ValueError("give extension (with context) or number, not both")
        if (self.extension is None) != (self.context is None):
            raise ValueError("extension and context go together")
        return self

    def can_end(self) -> bool:
        return True

    def prompt_names(self) -> list[str]:
        return list(self.prompt)


class CallbackNode(NodeBase):
    """Offer to call back: confirm the caller ID (or type a number), end `CallbackRequest`;
    `on_failed` when no number could be confirmed."""

    type: Literal["callback"]
    queue: str | None = None
    min_digits: DigitCount = 6
    max_digits: DigitCount = 15
    retries: Retries = 2
    timeout_s: Timeout = 6.0
    on_failed: NodeId

    @model_validator(mode="after")
    def _digits(self) -> CallbackNode:
        if self.min_digits > self.max_digits:
            raise ValueError(f"min_digits {self.min_digits} > max_digits {self.max_digits}")
        return self

    def edges(self) -> list[Edge]:
        return [Edge("on_failed", self.on_failed)]

    def can_end(self) -> bool:
        return True

    def builtins(self) -> set[Builtin]:
        return {
            Builtin.CALLBACK_WILL_CALL,
            Builtin.CALLBACK_CONFIRM,
            Builtin.CALLBACK_ENTER_NUMBER,
            Builtin.CALLBACK_REGISTERED,
            Builtin.INVALID,
        }


class SurveyNode(NodeBase):
    """Run the survey; scores go to CC_SURVEY_CSAT / CC_SURVEY_NPS and the variables
    `survey_csat` / `survey_nps`. Without `next` the flow ends `HangUp("done")`."""

    type: Literal["survey"]
    settings: SurveySettings = Field(default_factory=SurveySettings)
    next: NodeId | None = None

    def edges(self) -> list[Edge]:
        return [] if self.next is None else [Edge("next", self.next)]

    def can_end(self) -> bool:
        return self.next is None


class HangupNode(NodeBase):
    type: Literal["hangup"]
    prompt: Prompts = Field(default_factory=list)
    reason: str = "done"

    def can_end(self) -> bool:
        return True

    def prompt_names(self) -> list[str]:
        return list(self.prompt)


Node = Annotated[
    PlayNode
    | MenuNode
    | CollectNode
    | LookupNode
    | BranchNode
    | SetNode
    | BlacklistCheckNode
    | EnqueueNode
    | VoicemailNode
    | TransferNode
    | CallbackNode
    | SurveyNode
    | HangupNode,
    Field(discriminator="type"),
]
