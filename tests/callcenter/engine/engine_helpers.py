"""Building blocks for switchboard tests: a config and AMI events as Asterisk sends them."""

from __future__ import annotations

from typing import Any

from callcenter.ami import events as ev
from callcenter.engine.config import EngineConfig
from callcenter.engine.effects import AmiRequest, Effect
from callcenter.engine.switchboard import Switchboard


def config(**overrides: Any) -> EngineConfig:
    data: dict[str, Any] = {
        "queues": [
            {"name": "support", "skills": {"support": 1}, "wrap_up_s": 10,
             "ring_timeout_s": 15, "rona_action": "pause"},
            {"name": "sales", "skills": {"sales": 1}, "wrap_up_s": 0},
        ],
        "agents": [
            {"id": "1001", "display_id": "1001", "skills": {"support": 2, "sales": 1},
             "device": "PJSIP/1001"},
            {"id": "1002", "display_id": "2002", "skills": {"support": 1},
             "device": "PJSIP/1002"},
        ],
    }
    data.update(overrides)
    return EngineConfig.model_validate(data)


def channel(name: str, uid: str, *, state: ev.ChannelState = ev.ChannelState.UP,
            number: str = "5550001", context: str = "cc-enqueue", exten: str = "s") -> ev.Channel:
    return ev.Channel(name, uid, uid, state, number, "Caller", "", "", context, exten, 1)


def enqueue(sb: Switchboard, uid: str, at: float, queue: str = "support",
            **fields: str) -> None:
    chan = channel(f"PJSIP/trunk-{uid}", uid)
    sb.handle(ev.UserEvent(at, "CallcenterEnqueue", chan, {"Queue": queue, **fields}))


def leg_channel(sb: Switchboard, leg: str, at: float) -> None:
    agent = sb.legs[leg].agent_id
    sb.handle(ev.Newchannel(at, channel(f"PJSIP/{agent}-{leg}", leg,
                                        state=ev.ChannelState.DOWN, context="cc-agent")))


def leg_up(sb: Switchboard, leg: str, at: float) -> None:
    agent = sb.legs[leg].agent_id
    sb.handle(ev.Newstate(at, channel(f"PJSIP/{agent}-{leg}", leg, context="cc-agent")))


def hangup(sb: Switchboard, uid: str, name: str, at: float, cause: int = 16) -> None:
    sb.handle(ev.Hangup(at, channel(name, uid), cause, "Normal Clearing"))


def caller_hangup(sb: Switchboard, uid: str, at: float) -> None:
    hangup(sb, uid, f"PJSIP/trunk-{uid}", at)


def leg_hangup(sb: Switchboard, leg: str, at: float) -> None:
    hangup(sb, leg, sb.legs[leg].address, at)


def bridged(sb: Switchboard, uid: str, at: float) -> None:
    bridge = ev.Bridge("b-" + uid, "basic", "simple_bridge", 2)
    sb.handle(ev.BridgeEnter(at, bridge, channel(f"PJSIP/trunk-{uid}", uid), ""))


def actions(effects: list[Effect], name: str | None = None) -> list[AmiRequest]:
    return [e for e in effects if isinstance(e, AmiRequest) and (name is None or e.name == name)]
