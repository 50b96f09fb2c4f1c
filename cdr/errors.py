"""Errors the CDR layer raises on purpose. Each says what was expected, what came, and where."""

from __future__ import annotations


class CdrError(Exception):
    """Base of every CDR, KPI and report error."""


class DatabaseBehindError(CdrError):
    """The database schema is older (or newer) than the code; the message says what to run."""

    def __init__(self, url: str, current: str | None, head: str) -> None:
        have = current or "empty (no tables)"
        super().__init__(
            f"database {url} is at revision {have}, this version needs {head}; "
            f"run `callcenter db upgrade --db {url}`"
        )
        self.current = current
        self.head = head


class ReportInputError(CdrError):
    """A report or export was asked for something that cannot be answered (bad dates, filters)."""


class WriterBufferFullError(CdrError):
    """The writer's bounded buffer is full: the database has been unreachable for too long."""


class WriterStoppedError(CdrError):
    """The writer's background task died (a bug, not a database outage): nothing more is
    written; the message says why."""


class CustomerImportError(CdrError):
    """A customer file had bad rows; nothing was imported. `errors` lists (row number, reason)."""

    def __init__(self, path: str, errors: list[tuple[int, str]]) -> None:
        lines = "\n".join(f"  row {row}: {reason}" for row, reason in errors[:50])
        more = f"\n  ... and {len(errors) - 50} more" if len(errors) > 50 else ""
        super().__init__(
            f"{path}: {len(errors)} bad row(s), nothing imported "
            f"(use --skip-bad-rows to import the good ones):\n{lines}{more}"
        )
        self.path = path
        self.errors = errors
