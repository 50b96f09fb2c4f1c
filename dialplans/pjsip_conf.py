"""pjsip.conf for the agents' softphones: an endpoint, an aor and an auth per `PJSIP/<name>`.

The site keeps its transports and its trunk endpoint in its own pjsip.conf and `#include`s
this file. An agent's calls out of its phone go to the engine's transfer context.
"""

from __future__ import annotations

from dialplans.inputs import SipAgent


def render_pjsip(agents: tuple[SipAgent, ...], context: str, header: str) -> str:
    """The sections for each agent, in the order given."""
    out = [header.rstrip("\n")]
    for agent in agents:
        name = agent.endpoint
        out += [
            "",
            f"; agent {agent.agent_id}" if agent.agent_id else f"; device PJSIP/{name}",
            f"[{name}]",
            "type = endpoint",
            f"context = {context}",
            "disallow = all",
            "allow = ulaw,alaw",
            f"auth = {name}",
            f"aors = {name}",
            "direct_media = no  ; the engine plays prompts, records and spies: media via Asterisk",
            "",
            f"[{name}]",
            "type = auth",
            "auth_type = userpass",
            f"username = {name}",
            f"password = {agent.secret}",
            "",
            f"[{name}]",
            "type = aor",
            "max_contacts = 1",
            "remove_existing = yes",
        ]
    return "\n".join(out) + "\n"
