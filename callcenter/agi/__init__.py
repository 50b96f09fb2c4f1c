"""FastAGI: the engine's server (`FastAgiServer`) and `AgiChannel`, which implements
`ivr.ports.CallerChannel` over one session (see `server.py`, `channel.py`)."""

from __future__ import annotations

from callcenter.agi.channel import AgiChannel
from callcenter.agi.config import AgiConfig
from callcenter.agi.errors import AgiCommandError, AgiError, AgiProtocolError
from callcenter.agi.server import FastAgiServer, Handler, free_port

__all__ = ["AgiChannel", "AgiCommandError", "AgiConfig", "AgiError", "AgiProtocolError",
           "FastAgiServer", "Handler", "free_port"]
