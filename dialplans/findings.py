"""What `callcenter dialplan check` reports: one finding per problem, at a file and line."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"  # Asterisk or the engine will misbehave
    WARNING = "warning"  # the site must act (a placeholder secret, its own trunk), or unchecked


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem at `file:line` (line 0: the file as a whole, or a file that is missing)."""

    severity: Severity
    file: Path
    line: int
    message: str

    def __str__(self) -> str:
        """`file:line: severity: message`, the form editors jump to."""
        return f"{self.file}:{self.line}: {self.severity}: {self.message}"
