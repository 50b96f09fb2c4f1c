"""An Asterisk 22 stand-in: AMI over TCP, Local channels, bridges, app_queue, the fixture
dialplan, and scripted callers/agents, emitting the events of the real transcripts."""

from __future__ import annotations

from callcenter.emulator.parties import Agent, Caller, Workload
from callcenter.emulator.pbx import OriginateRequest, Pbx
from callcenter.emulator.server import Emulator

__all__ = ["Agent", "Caller", "Emulator", "OriginateRequest", "Pbx", "Workload"]
