"""The demo's contact center: the simulator's busy hour (`simulations.busy_hour`) on a live PBX.

The same 3 queues, 30 agents and call mix as `callcenter demo --virtual` and the simulator's
example, played `speed` times faster: every duration in the engine's config and on the phones
is divided by `speed`, so a 30-minute busy period runs in 45 s at speed 40.

Callers dial one line per queue and go through the IVR flow `ivr/examples/hotline.yaml`
(blacklist, caller-ID lookup: VIPs go ahead, a menu picking the queue); VIP lines 40x0+10
skip the IVR. Waiting callers hear their position; support offers a callback, billing asks
for a CSAT score after the call. PBX-side times (the flow's prompts and timeouts, the
announcement interval) are PBX seconds, which the emulator plays `speed` times faster.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import ivr
from acd import queue_model
from callcenter.emulator import InboundCaller, Softphone
from callcenter.engine.config import EngineConfig
from simulations import SimAgent, busy_hour

VIP_DID_OFFSET = 10  # DID 40x0 + 10: the VIP line of the same queue
NO_ANSWER_AGENTS = ("1005", "1017")  # their phones ring out: RONA
OFFLINE_AGENT = "1029"  # its phone drops off the network for a while
BREAK_AGENTS = ("1003", "1012", "1024")
CUSTOMERS = 60
HOTLINE_FLOW = Path(ivr.__file__).parent / "examples" / "hotline.yaml"
MENU_KEYS = {"billing": "1", "support": "2", "general": "3"}  # hotline.yaml's menu


@dataclass(frozen=True, slots=True)
class ScheduledCall:
    at_s: float  # scenario seconds from the start
    caller: InboundCaller
    vip: bool
    queue: str


def dids() -> dict[str, tuple[str, str]]:
    """DID → (queue, language): one line per queue, Chinese on the general line."""
    return {
        f"40{i:02d}": (queue, "zh" if queue == "general" else "en")
        for i, (queue, *_rest) in enumerate(busy_hour.CALL_TYPES)
    }


def extension(agent: SimAgent) -> str:
    """The agent's id, extension and announced number: its display id in the busy hour."""
    return agent.display_id or agent.id


def caller_number(index: int) -> str:
    return f"+3120555{index % 997:04d}"


def engine_config(speed: float, mqtt_host: str, mqtt_port: int, agi_port: int,
                  topic_prefix: str) -> EngineConfig:
    """The demo center as an engine config, every engine-side time divided by `speed`;
    `topic_prefix` should be the run's own (`topics.unique_prefix`), so that demos sharing
    a broker do not see each other."""
    scale = 1.0 / speed
    routes: list[dict[str, Any]] = []
    for did, (queue, language) in dids().items():
        routes.append({"did": did, "queue": queue, "language": language, "flow": "hotline"})
        routes.append({"did": str(int(did) + VIP_DID_OFFSET), "queue": queue,
                       "language": language, "priority": busy_hour.VIP_PRIORITY, "tier": "vip"})
    agents = [
        {"id": extension(agent), "display_id": extension(agent), "skills": agent.skills,
         "device": f"PJSIP/{extension(agent)}"}
        for agent in busy_hour.agents()
    ]
    return EngineConfig.model_validate({
        "center": "callcenter demo",
        "mqtt": {"host": mqtt_host, "port": mqtt_port, "topic_prefix": topic_prefix,
                 "embedded_fallback": True},
        "queues": [queue_model(q, time_scale=scale).model_dump() for q in busy_hour.QUEUES],
        "agents": agents,
        "routes": routes,
        "ivr": {"agi_port": agi_port, "flows": {"hotline": str(HOTLINE_FLOW)}},
        "services": {
            "billing": {"announce_every_s": 40, "survey_csat": True},
            "support": {"announce_every_s": 40, "callback": True},
            "general": {"announce_every_s": 60},
        },
        "short_abandon_s": 5.0 * scale,
        # The emulator reads an Originate's Timeout as PBX time (it divides it by its speed,
        # as Asterisk's own clock would run): the backstop must be long enough once divided.
        "ring_slack_s": 15.0,
        "whisper": {"enabled": True},
        "crm_url_template": "https://crm.example.com/customers/{customer_id}?call={call_id}",
        # The HTTP API on a free port, with the demo's accounts (passwords: run.py).
        "http": {"port": 0},
        "supervision": supervision([extension(agent) for agent in busy_hour.agents()]),
    })


DEMO_USERS = {"sam": "supervisor", "lee": "team-lead", "ada": "admin"}


def supervision(agents: list[str]) -> dict[str, Any]:
    """Two teams (the first and second half of the agents), a supervisor, a team lead of
    the first team, an admin; each agent logs in to the API under its own id."""
    half = len(agents) // 2
    return {
        "teams": {"north": agents[:half], "south": agents[half:]},
        "users": [{"id": "sam", "role": "supervisor"},
                  {"id": "lee", "role": "team-lead", "team": "north"},
                  {"id": "ada", "role": "admin"}],
    }


def phones(rng: np.random.Generator) -> list[Softphone]:
    """One softphone per agent (times in PBX seconds: the emulator divides by its speed)."""
    result = []
    for agent in busy_hour.agents():
        ext = extension(agent)

        def talk(mean: float = 260.0) -> float:
            return float(rng.exponential(mean))

        result.append(Softphone(f"PJSIP/{ext}", ring_s=agent.answer_delay_s,
                                answers=ext not in NO_ANSWER_AGENTS, talk_s=talk))
    return result


def schedule(rng: np.random.Generator, minutes: float) -> list[ScheduledCall]:
    """Poisson arrivals of the busy hour's call types over `minutes` (scenario time)."""
    calls: list[ScheduledCall] = []
    lines = list(dids())
    for index, call in enumerate(busy_hour.calls(rng, minutes / 60.0)):
        vip = call.priority > 0
        did = lines[call.call_type]
        if vip:
            did = str(int(did) + VIP_DID_OFFSET)
        talk = float(rng.exponential(busy_hour.CALL_TYPES[call.call_type][2]))
        keys = () if vip else (MENU_KEYS[call.queue], *_after_menu(call.queue, rng))
        caller = InboundCaller(number=caller_number(index % CUSTOMERS), did=did,
                               patience_s=call.patience_s, talk_s=talk, keys=keys)
        calls.append(ScheduledCall(call.arrival_s, caller, vip, call.queue))
    return calls


def _after_menu(queue: str, rng: np.random.Generator) -> tuple[str, ...]:
    """What a caller keys after the menu: a CSAT score for billing's survey (announcements
    there ask nothing); support's callback offers are let pass."""
    if queue == "billing":
        return (str(int(rng.choice([3, 4, 5, 5, 2]))),)
    return ()


def customers_csv() -> str:
    """The CRM's customers: every demo caller number, a few of them VIP."""
    lines = ["customer_id,name,phone,tier,notes"]
    for index in range(CUSTOMERS):
        tier = "VIP" if index % 7 == 0 else "normal"
        lines.append(f"C{10000 + index},Customer {index:02d},{caller_number(index)},{tier},"
                     f"{'Gold contract' if tier == 'VIP' else ''}")
    return "\n".join(lines) + "\n"
