"""Read an Asterisk `queue_log` as a trace, so a site running plain app_queue can replay its
real traffic through this router before switching.

Lines are `epoch|callid|queue|agent|event|data1|data2|...`. Used here: ENTERQUEUE (the
arrival), CONNECT (data1 = hold time), COMPLETECALLER / COMPLETEAGENT (data2 = talk time),
TRANSFER (data4 = talk time), ABANDON and EXITWITHTIMEOUT (data3 = wait). Other events
(RINGNOANSWER, PAUSE, ADDMEMBER, ...) are skipped. Calls still open at the end of the file
are left out and counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from simulations.scenario import ScenarioError


@dataclass(slots=True)
class LoggedCall:
    """One call as the log tells it. Times in seconds from the first arrival in the file."""

    arrival_s: float
    queue: str
    handle_s: float  # talk time; 0 for calls that were never answered
    waited_s: float  # hold time until answered, or until the caller gave up
    answered: bool


@dataclass(slots=True)
class _Open:
    arrival: float
    queue: str
    hold_s: float | None = None


def read_queue_log(path: Path) -> tuple[list[LoggedCall], int]:
    """The calls of a queue_log in arrival order, and how many were still open at its end."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as error:
        raise ScenarioError(f"{path}: cannot read: {error.strerror}") from None
    open_calls: dict[str, _Open] = {}
    done: list[LoggedCall] = []
    first: float | None = None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        fields = line.split("|")
        if len(fields) < 5:
            raise ScenarioError(
                f"{path}:{number}: expected epoch|callid|queue|agent|event|..., got {line!r}"
            )
        stamp, call_id, queue, _agent, event = fields[:5]
        data = fields[5:]
        try:
            when = float(stamp)
        except ValueError:
            raise ScenarioError(f"{path}:{number}: timestamp {stamp!r} is not a number") from None
        if event == "ENTERQUEUE":
            if first is None:
                first = when
            open_calls[call_id] = _Open(when, queue)
            continue
        call = open_calls.get(call_id)
        if call is None:
            continue  # a call that entered before the log starts, or a non-call event
        try:
            if event == "CONNECT":
                call.hold_s = _number(data, 0)
            elif event in ("COMPLETECALLER", "COMPLETEAGENT", "TRANSFER"):
                talk = _number(data, 3 if event == "TRANSFER" else 1)
                hold = (
                    call.hold_s
                    if call.hold_s is not None
                    else _number(data, 2 if event == "TRANSFER" else 0)
                )
                done.append(LoggedCall(call.arrival, call.queue, talk, hold, True))
                del open_calls[call_id]
            elif event in ("ABANDON", "EXITWITHTIMEOUT"):
                done.append(LoggedCall(call.arrival, call.queue, 0.0, _number(data, 2), False))
                del open_calls[call_id]
        except (IndexError, ValueError):
            raise ScenarioError(
                f"{path}:{number}: {event} line has bad or missing data: {line!r}"
            ) from None
    origin = first or 0.0
    done.sort(key=lambda c: c.arrival_s)
    for logged in done:
        logged.arrival_s -= origin
    return done, len(open_calls)


def _number(data: list[str], index: int) -> float:
    value = float(data[index])
    if value < 0:
        raise ValueError(f"negative time {value}")
    return value
