"""Errors of the IVR package, and how a pydantic failure is told to a person."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError


class IvrError(Exception):
    """Base of every IVR error."""


class IvrConfigError(IvrError, ValueError):
    """A flow (or IVR setting) that cannot be used; the message names file, key and value."""


def describe_validation_error(source: Path | str, error: ValidationError) -> str:
    """Every problem pydantic found, one line each: source, key path, message, value given.

    Whole-flow checks (references, cycles) raise one message per problem already prefixed
    with their key path, so an empty location prints the message alone."""
    lines = [f"{source}: {error.error_count()} problem(s):"]
    for problem in error.errors():
        key = ".".join(str(part) for part in problem["loc"])
        message = str(problem["msg"]).removeprefix("Value error, ")
        if not key:
            lines.extend(f"  {line}" for line in message.splitlines())
            continue
        got = problem.get("input")
        shown = "" if isinstance(got, (dict, list)) or repr(got) in message else f" (got {got!r})"
        lines.append(f"  {key}: {message}{shown}")
    return "\n".join(lines)
