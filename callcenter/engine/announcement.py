"""When and how the caller hears the agent's ID ("agent 1007 is serving you").

By default (`on-answer`) after the agent picks up: cc-connect plays it, then bridges, and the
agent waits meanwhile (an `announcement` segment of the call). A queue with
`services.<queue>.announce_agent: while-ringing` plays it in cc-announce as the agent's phone
starts to ring, so an agent who answers is bridged at once.
"""

from __future__ import annotations

from callcenter.engine.live import LiveCall
from callcenter.engine.state import EngineState
from dialplans.contract import Var


def announces_while_ringing(state: EngineState, call: LiveCall) -> bool:
    """Whether the caller hears the agent's ID as the agent's phone starts to ring."""
    return (state.config.announce.enabled and not call.callback_to
            and state.config.services_of(call.queue).announce_agent == "while-ringing")


def announcement_prompts(state: EngineState, call: LiveCall) -> dict[str, str]:
    """The channel variables cc-connect and cc-announce play the agent's ID with."""
    prompts = state.config.announce.for_language(call.language)
    return {Var.ANNOUNCE_PREFIX: prompts.prefix, Var.ANNOUNCE_SUFFIX: prompts.suffix}
