"""Errors of the MQTT bus: one small hierarchy under `CallcenterError`.

aiomqtt's and paho's errors are translated into these in `callcenter/bus/client.py`, the
one module that knows them. Messages never contain the broker password.
"""

from __future__ import annotations

from callcenter.errors import CallcenterError


class BusError(CallcenterError):
    """Base of every error raised by the MQTT bus."""


class BusConnectionError(BusError):
    """The broker could not be reached, refused the connection, or the connection was lost."""


class BusTopicError(BusError):
    """An agent id or queue name cannot be a topic level, or a topic filter is malformed."""


class BusClosedError(BusError):
    """The bus was used outside its `async with` block."""


class BusRefusedError(BusError):
    """The broker answered and refused the connection (credentials, authorisation, client
    id): trying again with the same settings will not help."""
