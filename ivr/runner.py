"""The interpreter: walks one caller through a flow and returns how the flow ended.

Only `CallerChannel` and `IvrServices` are touched; the returned outcome is acted on by
the engine. A caller hanging up anywhere gives `HangUp(caller_hung_up=True)`;
`ChannelTimeout` (the PBX stopped answering) is left to the caller of `run_flow`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cache

from acd import MAX_PRIORITY
from ivr.callback import confirm_number
from ivr.conditions import Facts, holds
from ivr.dtmf import ask_digits, ask_key
from ivr.flows import Flow, TierModel
from ivr.nodes import (
    BlacklistCheckNode,
    BranchNode,
    CallbackNode,
    CollectNode,
    EnqueueNode,
    HangupNode,
    LookupNode,
    MenuNode,
    NodeBase,
    PlayNode,
    SetNode,
    SurveyNode,
    TransferNode,
    VoicemailNode,
)
from ivr.outcomes import (
    Blocked,
    CallbackRequest,
    Enqueue,
    HangUp,
    IvrOutcome,
    Transfer,
    Voicemail,
)
from ivr.ports import CallerChannel, CallerHungUp, IvrServices, QueueStatus
from ivr.prompts import Builtin, builtin
from ivr.state import CallState
from ivr.survey import run_survey

log = logging.getLogger(__name__)

Step = str | IvrOutcome  # the next node's id, or the end


async def run_flow(
    flow: Flow, channel: CallerChannel, services: IvrServices, *, now: float | None = None
) -> IvrOutcome:
    """Walk `flow` from its start; `now` (epoch s) fixes the clock for time conditions,
    else `services.now()` is read at each branch. At most `flow.max_steps` nodes are
    visited; past that the call ends `HangUp("step_limit")`."""
    info = channel.info
    state = CallState(
        language=flow.language,
        queue=flow.queue,
        variables={"caller_id": info.caller_id, "caller_name": info.caller_name,
                   "dnid": info.dnid},
    )
    walk = _Walk(flow, channel, services, state, now)
    try:
        return await walk.run()
    except CallerHungUp:
        return HangUp(reason="caller", caller_hung_up=True, path=tuple(state.path))


LANGUAGE_VARIABLE = "CHANNEL(language)"


class _Walk:
    def __init__(self, flow: Flow, channel: CallerChannel, services: IvrServices,
                 state: CallState, now: float | None) -> None:
        self.flow = flow
        self.channel = channel
        self.services = services
        self.state = state
        self.now = now

    async def run(self) -> IvrOutcome:
        # SAY NUMBER/DIGITS speak in the channel's language, not the flow's.
        await self.channel.set_variable(LANGUAGE_VARIABLE, self.state.language)
        node_id = self.flow.start
        for _ in range(self.flow.max_steps):
            self.state.enter(node_id)
            step = await self.step(self.flow.nodes[node_id])
            if not isinstance(step, str):
                return step
            node_id = step
        log.warning("flow %s: caller %s passed %d steps, ending the call", self.flow.name,
                    self.channel.info.uniqueid, self.flow.max_steps)
        return HangUp(reason="step_limit", path=self.path)

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.state.path)

    def sounds(self, names: Sequence[str]) -> list[str]:
        return [self.flow.sound(name, self.state.language) for name in names]

    def builtin(self, prompt: Builtin) -> list[str]:
        return [builtin(prompt, self.state.language)]

    async def say(self, names: Sequence[str]) -> None:
        if names:
            await self.channel.play(self.sounds(names))

    async def step(self, node: NodeBase) -> Step:
        match node:
            case PlayNode():
                await self.say(node.prompts)
                return node.next
            case MenuNode():
                return await self.menu(node)
            case CollectNode():
                return await self.collect(node)
            case LookupNode():
                return await self.lookup(node)
            case BranchNode():
                return self.branch(node)
            case SetNode():
                if node.language is not None and node.language != self.state.language:
                    await self.channel.set_variable(LANGUAGE_VARIABLE, node.language)
                return self.set(node)
            case BlacklistCheckNode():
                return await self.blacklist_check(node)
            case EnqueueNode():
                await self.say(node.prompt)
                return self.enqueue(node)
            case VoicemailNode():
                return await self.voicemail(node)
            case TransferNode():
                await self.say(node.prompt)
                target = node.extension if node.extension is not None else node.number
                return Transfer(target or "", context=node.context or "", path=self.path)
            case CallbackNode():
                return await self.callback(node)
            case SurveyNode():
                return await self.survey(node)
            case HangupNode():
                await self.say(node.prompt)
                return HangUp(reason=node.reason, path=self.path)
        raise TypeError(f"no interpreter for node {node!r}")

    async def menu(self, node: MenuNode) -> Step:
        for _ in range(node.retries + 1):
            key = await ask_key(self.channel, self.sounds(node.prompt), timeout_s=node.timeout_s)
            if key in node.choices:
                self.state.typed(key)
                return node.choices[key]
            fallback = node.invalid if key else node.timeout
            if fallback.prompt is not None:
                await self.say(fallback.prompt)
            elif key:
                await self.channel.play(self.builtin(Builtin.INVALID))
            if fallback.next is not None:
                return fallback.next
        return node.on_exhausted

    async def collect(self, node: CollectNode) -> Step:
        invalid = (
            self.builtin(Builtin.INVALID)
            if node.invalid_prompt is None
            else self.sounds(node.invalid_prompt)
        )
        for _ in range(node.retries + 1):
            # GET DATA stops at max_digits, so a longer entry arrives cut; `accept` still
            # checks the length in case a peer sends more.
            typed = await ask_digits(self.channel, self.sounds(node.prompt),
                                     max_digits=node.max_digits, timeout_s=node.timeout_s)
            value = node.accept(typed)
            if value is not None:
                self.state.variables[node.store] = value
                if node.show_in_path:
                    self.state.typed(value)
                return node.next
            if invalid:
                await self.channel.play(invalid)
        return node.on_invalid

    async def lookup(self, node: LookupNode) -> Step:
        if node.variable is None:
            phone = self.channel.info.caller_id
            customer = await self.services.find_customer(phone=phone) if phone else None
        else:
            account = self.state.variables.get(node.variable, "")
            customer = await self.services.find_customer(account=account) if account else None
        if customer is None:
            return node.not_found
        self.state.customer_id = customer.customer_id
        self.state.tier = customer.tier
        self.state.variables.update(customer_id=customer.customer_id,
                                    customer_name=customer.name, tier=customer.tier)
        return node.found

    def branch(self, node: BranchNode) -> Step:
        facts = Facts(
            tier=self.state.tier,
            language=self.state.language,
            variables=self.state.variables,
            epoch_s=self.now if self.now is not None else self.services.now(),
            zone=self.flow.zone,
            calendars=self.flow.compiled_calendars,
            queue=self.state.queue,
            queue_status=cache(self._queue_status),
        )
        for case in node.when:
            if holds(case, facts):
                return case.next
        return node.otherwise

    def _queue_status(self, queue: str) -> QueueStatus:
        return self.services.queue_status(queue)

    def set(self, node: SetNode) -> Step:
        state = self.state
        state.skills.update(node.skills)
        if node.priority is not None:
            state.priority = node.priority
        if node.language is not None:
            state.language = node.language
        if node.queue is not None:
            state.queue = node.queue
        if node.tier is not None:
            state.tier = node.tier
            state.variables["tier"] = node.tier
        state.variables.update(node.variables)
        return node.next

    async def blacklist_check(self, node: BlacklistCheckNode) -> Step:
        number = self.channel.info.caller_id
        entry = await self.services.blocked(number) if number else None
        if entry is None:
            return node.next
        self.state.variables["blocked_reason"] = entry.reason
        if node.on_blocked is not None:
            await self.say(node.prompt or [])
            return node.on_blocked
        if node.prompt is None:
            await self.channel.play(self.builtin(Builtin.BLOCKED))
        else:
            await self.say(node.prompt)
        return Blocked(entry.reason, path=self.path)

    def enqueue(self, node: EnqueueNode) -> Enqueue:
        state = self.state
        tier = self.flow.tiers.get(state.tier)
        boost = tier.priority_boost if tier is not None else 0
        priority = node.priority if node.priority is not None else state.priority
        alternatives = [{**state.skills, **node.skills}, *node.alternatives]
        return Enqueue(
            queue=(tier.queue if tier is not None and tier.queue else None)
            or node.queue or state.queue or "",
            priority=min(MAX_PRIORITY, priority + boost),
            skills="|".join(
                text for text in (_skills_text(_with_tier(a, tier)) for a in alternatives) if text
            ),
            language=state.language,
            tier=state.tier,
            customer_id=state.customer_id,
            path=self.path,
        )

    async def voicemail(self, node: VoicemailNode) -> Step:
        if node.prompt is not None:
            await self.say(node.prompt)
        elif node.reason == "closed":
            await self.channel.play(self.builtin(Builtin.CLOSED))
        box = node.box or self.state.queue or ""
        return Voicemail(box, language=self.state.language, reason=node.reason, path=self.path)

    async def callback(self, node: CallbackNode) -> Step:
        number = await confirm_number(self.channel, node, self.state.language)
        if number is None:
            return node.on_failed
        return CallbackRequest(queue=node.queue or self.state.queue or "", number=number,
                               language=self.state.language, path=self.path)

    async def survey(self, node: SurveyNode) -> Step:
        answers = await run_survey(self.channel, node.settings, self.state.language)
        if answers.caller_hung_up:
            raise CallerHungUp
        for name, score in (("csat", answers.csat), ("nps", answers.nps)):
            if score is not None:
                self.state.variables[f"survey_{name}"] = str(score)
                await self.channel.set_variable(f"CC_SURVEY_{name.upper()}", str(score))
        return node.next if node.next is not None else HangUp(reason="done", path=self.path)


def _with_tier(skills: dict[str, int], tier: TierModel | None) -> dict[str, int]:
    if tier is None:
        return skills
    return dict(tier.skills) if tier.replace_skills else {**skills, **tier.skills}


def _skills_text(skills: dict[str, int]) -> str:
    """`{"billing": 3, "vip": 1}` → `billing:3&vip:1` (the CC_SKILLS form), names sorted."""
    return "&".join(f"{name}:{skills[name]}" for name in sorted(skills))
