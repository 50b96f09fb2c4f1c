"""An Asterisk 22 stand-in: AMI over TCP, Local and PJSIP channels, bridges, app_queue,
the fixture dialplan plus any generated contexts (`dialplans`), scripted callers, agents,
softphones and trunk callers, emitting the events of the real transcripts."""

from __future__ import annotations

from callcenter.emulator.parties import Agent, Caller, Workload
from callcenter.emulator.pbx import OriginateRequest, Pbx
from callcenter.emulator.phones import InboundCaller, Phones, Softphone, Trunk
from callcenter.emulator.server import Emulator

__all__ = ["Agent", "Caller", "Emulator", "InboundCaller", "OriginateRequest", "Pbx", "Phones",
           "Softphone", "Trunk", "Workload"]
