"""Errors the router raises. Each names the thing and the value; the router's state is unchanged."""

from __future__ import annotations


class AcdError(Exception):
    """Base of every routing error."""


class UnknownAgentError(AcdError, KeyError):
    def __init__(self, agent_id: str) -> None:
        super().__init__(f"unknown agent {agent_id!r}")
        self.agent_id = agent_id

    def __str__(self) -> str:
        return str(self.args[0])


class UnknownQueueError(AcdError, KeyError):
    def __init__(self, queue: str, where: str | None = None) -> None:
        prefix = f"{where}: " if where else ""
        super().__init__(f"{prefix}unknown queue {queue!r}")
        self.queue = queue

    def __str__(self) -> str:
        return str(self.args[0])


class UnknownCallError(AcdError, KeyError):
    def __init__(self, call_id: str) -> None:
        super().__init__(f"unknown call {call_id!r} (never queued, or already ended)")
        self.call_id = call_id

    def __str__(self) -> str:
        return str(self.args[0])


class DuplicateIdError(AcdError):
    """An agent, queue or call id that is already in use."""


class InvalidValueError(AcdError, ValueError):
    """A level, priority, duration or setting outside its allowed range."""


class InvalidTimeError(AcdError, ValueError):
    """A negative or non-finite time, or time going backwards."""


class UnknownSkillError(AcdError):
    """A call requires skills that no configured agent has."""


class CallStateError(AcdError):
    """An operation that the call's current state does not allow (answer a waiting call, ...)."""


class IllegalTransitionError(AcdError):
    """An agent event that its current state does not allow."""

    def __init__(self, agent_id: str, state: str, event: str) -> None:
        super().__init__(f"agent {agent_id!r}: event {event!r} is not allowed in state {state!r}")
        self.agent_id = agent_id
        self.state = state
        self.event = event
