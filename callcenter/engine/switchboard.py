"""The engine's decisions: AMI events and agent commands in, effects out. No I/O here.

The switchboard owns the `acd.Router` and the Asterisk side of every call (channels, agent
legs, device states) and turns each into the other: a `UserEvent CallcenterEnqueue` becomes
`Router.enqueue`; an `Offer` becomes an Originate to the agent's device and a screen-pop; the
agent leg going Up becomes `Router.answer` and a Redirect of the caller to the agent-ID
announcement; hang-ups become abandons or call ends. `callcenter.engine.service` performs the
effects. See docs/engine.md for the contract with the dialplan.

Four layers, one module each: `callhandling` (state, AMI events, router decisions),
`agent_commands` (what agents ask), `restore` (reconnection and restart), `caller_services`
(the IVR before the queue, callbacks that keep the caller's place, the post-call survey).
"""

from __future__ import annotations

from callcenter.engine.caller_services import CallerServices
from callcenter.engine.callhandling import (
    AGENT_CONTEXT,
    CALLER_CONTEXTS,
    DIRECTED_SKILL,
    CommandRefused,
    parse_skills,
)

__all__ = [
    "AGENT_CONTEXT",
    "CALLER_CONTEXTS",
    "DIRECTED_SKILL",
    "CommandRefused",
    "Switchboard",
    "parse_skills",
]


class Switchboard(CallerServices):
    """Feed `handle(event)` and the command methods; collect `take_effects()`."""
