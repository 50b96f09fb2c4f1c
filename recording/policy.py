"""Whether a call is recorded: rules per queue, agent and call type, decided at the bridge.

Pure: no I/O, no clock, no global random state. A random sample is decided from a hash of
(seed, call id), so the same call gets the same answer in the engine, in a replay after a
restart and in a test, without anybody keeping a random number generator's state.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

OPTOUT_VARIABLE = "CC_RECORDING_OPTOUT"
"""Channel variable the dialplan or IVR sets to 1 for a caller who declined recording."""


class RecordingMode(StrEnum):
    ALL = "all"  # every matching call, from the bridge
    NONE = "none"  # never, not even on the agent's demand
    SAMPLE = "sample"  # `percent` of calls, chosen by hash of (seed, call id); others on demand
    DEMAND = "demand"  # only when the agent asks (`record_start`)


class CallType(StrEnum):
    INBOUND = "inbound"  # a caller from a queue
    OUTBOUND = "outbound"  # an agent's click-to-dial call


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RecordingRule(_Strict):
    """`mode` for calls matching every given filter (an omitted filter matches anything)."""

    mode: RecordingMode
    queues: list[str] | None = None
    agents: list[str] | None = None
    call_types: list[CallType] | None = None
    percent: Annotated[float, Field(ge=0, le=100)] | None = None  # mode sample only

    @model_validator(mode="after")
    def _percent_with_sample(self) -> RecordingRule:
        if self.mode is RecordingMode.SAMPLE and self.percent is None:
            raise ValueError("mode 'sample' needs percent (0-100)")
        if self.mode is not RecordingMode.SAMPLE and self.percent is not None:
            raise ValueError(f"percent is only for mode 'sample', not {self.mode.value!r}")
        return self

    def matches(self, queue: str | None, agent_id: str | None, call_type: CallType) -> bool:
        return (
            (self.queues is None or queue in self.queues)
            and (self.agents is None or agent_id in self.agents)
            and (self.call_types is None or call_type in self.call_types)
        )

    def describe(self) -> str:
        parts = []
        if self.queues is not None:
            parts.append("queue " + "|".join(self.queues))
        if self.agents is not None:
            parts.append("agent " + "|".join(self.agents))
        if self.call_types is not None:
            parts.append("type " + "|".join(t.value for t in self.call_types))
        return ", ".join(parts) or "any call"


class RecordingPolicy(_Strict):
    """The first rule that matches decides; no rule matching means not recorded."""

    rules: list[RecordingRule] = Field(default_factory=list)
    seed: int = 0  # of the random sample; change it to draw a different sample


class Reason(StrEnum):
    RULE_ALL = "rule-all"
    RULE_NONE = "rule-none"
    IN_SAMPLE = "in-sample"
    NOT_IN_SAMPLE = "not-in-sample"
    ON_DEMAND_ONLY = "on-demand-only"
    AGENT_DEMAND = "agent-demand"
    OPTED_OUT = "opted-out"
    NO_RULE = "no-rule"


@dataclass(frozen=True, slots=True)
class RecordingDecision:
    """Record or not, and why. `demand_allowed`: whether the agent may start it on demand."""

    record: bool
    reason: Reason
    explanation: str
    rule_index: int | None = None
    demand_allowed: bool = False


def sample_point(seed: int, call_id: str) -> float:
    """A number in [0, 100) fixed by (seed, call id): a call is in a p % sample if below p."""
    digest = hashlib.sha256(f"{seed}:{call_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 * 100.0


def decide(
    policy: RecordingPolicy,
    call_id: str,
    *,
    queue: str | None,
    agent_id: str | None,
    call_type: CallType = CallType.INBOUND,
    opted_out: bool = False,
    on_demand: bool = False,
) -> RecordingDecision:
    """Decide for one call at the bridge (`on_demand=False`) or on the agent's `record_start`.

    The caller's opt-out wins over every rule and over the agent's demand."""
    if opted_out:
        return RecordingDecision(False, Reason.OPTED_OUT,
                                 f"the caller opted out of recording ({OPTOUT_VARIABLE}=1)")
    for index, rule in enumerate(policy.rules):
        if not rule.matches(queue, agent_id, call_type):
            continue
        where = f"rule {index} ({rule.describe()})"
        mode = rule.mode
        if mode is RecordingMode.NONE:
            return RecordingDecision(False, Reason.RULE_NONE, f"{where}: record none", index)
        if on_demand:
            return RecordingDecision(True, Reason.AGENT_DEMAND,
                                     f"{where}: started on the agent's demand", index, True)
        if mode is RecordingMode.ALL:
            return RecordingDecision(True, Reason.RULE_ALL, f"{where}: record all", index, True)
        if mode is RecordingMode.DEMAND:
            return RecordingDecision(False, Reason.ON_DEMAND_ONLY,
                                     f"{where}: only on the agent's demand", index, True)
        assert rule.percent is not None  # the model's validator
        point = sample_point(policy.seed, call_id)
        if point < rule.percent:
            return RecordingDecision(True, Reason.IN_SAMPLE,
                                     f"{where}: in the {rule.percent:g} % sample"
                                     f" (point {point:.2f})", index, True)
        return RecordingDecision(False, Reason.NOT_IN_SAMPLE,
                                 f"{where}: not in the {rule.percent:g} % sample"
                                 f" (point {point:.2f})", index, True)
    return RecordingDecision(False, Reason.NO_RULE, "no recording rule matches this call")
