"""Errors of the FastAGI server: one small hierarchy under `CallcenterError`.

A caller hanging up and a silent PBX are not errors of ours: they raise the IVR's
`ivr.ports.CallerHungUp` and `ivr.ports.ChannelTimeout`, which flows handle.
"""

from __future__ import annotations

from callcenter.errors import CallcenterError


class AgiError(CallcenterError):
    """Base of every error raised by the FastAGI server."""


class AgiProtocolError(AgiError):
    """The PBX sent something that is not FastAGI: a malformed reply or environment."""

    def __init__(self, what: str, line: str) -> None:
        super().__init__(f"FastAGI {what}: unexpected line {line!r}")
        self.what = what
        self.line = line


class AgiCommandError(AgiError):
    """The PBX refused a command (510 unknown, 520 bad syntax) or could not carry it out
    (RECORD FILE could not write its file); the message names the command."""

    def __init__(self, command: str, message: str) -> None:
        super().__init__(f"FastAGI command {command!r} failed: {message}")
        self.command = command
        self.message = message
