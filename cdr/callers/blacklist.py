"""Nuisance callers: numbers refused with a reason until an expiry (or for good).

Numbers are normalised the same way on add, lookup and removal, and the same way customer
phones are (cdr.callers.customers): spaces, dashes, dots and parentheses are dropped and a leading
`+` is kept, so `+49 30-123 456` and `+4930123456` are one entry. The `+` is kept because
`+4930...` (international) and `4930...` may be different numbers on a trunk that sends
national numbers without a prefix; a number is then `+` and 3-20 digits, or 3-20 digits.

Every change writes a row to `blacklist_changes` (who, what, when, why, until when) in the
same transaction as the change itself, so the list and its history never disagree. The
history has its own table rather than `supervisor_audit` because agents and the CLI change
the list too, the history needs the number and expiry as columns to be read per number, and
`supervisor_audit`'s model lives in `callcenter`, which `cdr` may not import.
"""

from __future__ import annotations

import asyncio
import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from cdr.errors import CdrError
from cdr.store.db import Database
from cdr.store.schema import BlacklistChangeRow, BlacklistRow

_TABLE = BlacklistRow.__table__
_CHANGES = BlacklistChangeRow.__table__
_NUMBER = re.compile(r"^\+?[0-9]{3,20}$")
_SEPARATORS = re.compile(r"[\s\-.()]")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])$", re.IGNORECASE)
_UNIT_S = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
MAX_REASON = 200
MAX_BY = 64
IMPORT_COLUMNS = ("number", "reason", "expires")


class BlacklistError(CdrError, ValueError):
    """A number, reason, expiry or author that cannot go on the list; the message says which."""


class BlacklistAction(StrEnum):
    ADD = "add"  # added, or added again with a new reason/expiry
    REMOVE = "remove"


@dataclass(frozen=True, slots=True)
class BlacklistEntry:
    """A blocked number: why, since when, until when (None: for good). Epoch seconds."""

    number: str
    reason: str
    added_at: float
    expires_at: float | None = None

    def active(self, now: float) -> bool:
        """Whether the entry still blocks at `now` (it stops at `expires_at` exactly)."""
        return self.expires_at is None or now < self.expires_at


@dataclass(frozen=True, slots=True)
class BlacklistChange:
    """One row of the history: `by` added or removed `number` at `at`."""

    at: float
    number: str
    action: BlacklistAction
    by: str
    reason: str | None
    expires_at: float | None


def normalize_number(raw: str) -> str:
    """`raw` without spaces, dashes, dots or parentheses, a leading `+` kept. Raises
    BlacklistError unless the result is `+`? and 3-20 digits."""
    number = _SEPARATORS.sub("", raw)
    if not _NUMBER.match(number):
        raise BlacklistError(f"number: expected a phone number like +4930123456 "
                             f"(3-20 digits), got {raw!r}")
    return number


def check_entry(reason: str, now: float, expires_at: float | None) -> str:
    """The reason stripped; raises BlacklistError for an empty or long reason or an expiry
    that is not after `now`."""
    text = reason.strip()
    if not text or len(text) > MAX_REASON:
        raise BlacklistError(f"reason: expected 1-{MAX_REASON} characters, got {reason!r}")
    if expires_at is not None and not expires_at > now:
        raise BlacklistError(f"expires: expected a time after now ({now:.0f}), "
                             f"got {expires_at:.0f}")
    return text


def _check_by(by: str) -> str:
    text = by.strip()
    if not text or len(text) > MAX_BY:
        raise BlacklistError(f"by: expected who made the change (1-{MAX_BY} characters), "
                             f"got {by!r}")
    return text


async def write_entries(
    conn: AsyncConnection, entries: Sequence[BlacklistEntry], by: str
) -> None:
    """Upsert `entries` (already normalised and checked) and their history rows on `conn`,
    inside the caller's transaction."""
    if not entries:
        return
    module = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = module.insert(_TABLE)
    stmt = stmt.on_conflict_do_update(
        index_elements=[_TABLE.c.number],
        set_={"reason": stmt.excluded.reason, "added_at": stmt.excluded.added_at,
              "expires_at": stmt.excluded.expires_at},
    )
    await conn.execute(stmt, [
        {"number": e.number, "reason": e.reason, "added_at": e.added_at,
         "expires_at": e.expires_at} for e in entries])
    await conn.execute(insert(BlacklistChangeRow), [
        {"at": e.added_at, "number": e.number, "action": BlacklistAction.ADD.value, "by": by,
         "reason": e.reason, "expires_at": e.expires_at} for e in entries])


async def add_to_blacklist(
    db: Database,
    number: str,
    reason: str,
    now: float,
    expires_at: float | None = None,
    *,
    by: str = "unknown",
) -> BlacklistEntry:
    """Block `number` (again: the newest reason and expiry win) and record who did it.

    `by` is the agent id, supervisor id or "cli". Raises BlacklistError for a number that is
    not a phone number, an empty reason, or an expiry not after `now`."""
    entry = BlacklistEntry(normalize_number(number), check_entry(reason, now, expires_at), now,
                           expires_at)
    author = _check_by(by)
    async with db.engine.begin() as conn:
        await write_entries(conn, [entry], author)
    return entry


async def remove_from_blacklist(
    db: Database, number: str, *, by: str, now: float, reason: str | None = None
) -> bool:
    """Unblock `number` (an expired entry too) and record who did it; False, and nothing
    recorded, when the number was not on the list."""
    normalized = normalize_number(number)
    author = _check_by(by)
    async with db.engine.begin() as conn:
        gone = await conn.execute(delete(BlacklistRow).where(_TABLE.c.number == normalized))
        if gone.rowcount == 0:
            return False
        await conn.execute(insert(BlacklistChangeRow).values(
            at=now, number=normalized, action=BlacklistAction.REMOVE.value, by=author,
            reason=(reason or "").strip()[:MAX_REASON] or None, expires_at=None))
    return True


async def find_block(db: Database, number: str, now: float) -> BlacklistEntry | None:
    """The entry blocking `number` at `now`, or None (expired entries do not count; neither
    does a withheld or non-numeric caller ID, which cannot be on the list)."""
    try:
        normalized = normalize_number(number)
    except BlacklistError:
        return None
    c = _TABLE.c
    stmt = select(c.number, c.reason, c.added_at, c.expires_at).where(
        c.number == normalized, or_(c.expires_at.is_(None), c.expires_at > now))
    async with db.engine.connect() as conn:
        row = (await conn.execute(stmt)).first()
    return None if row is None else BlacklistEntry(*row)


async def list_blacklist(
    db: Database, now: float, include_expired: bool = False
) -> list[BlacklistEntry]:
    """The entries in number order; those expired at `now` only with `include_expired`."""
    c = _TABLE.c
    stmt = select(c.number, c.reason, c.added_at, c.expires_at).order_by(c.number)
    if not include_expired:
        stmt = stmt.where(or_(c.expires_at.is_(None), c.expires_at > now))
    async with db.engine.connect() as conn:
        return [BlacklistEntry(*row) for row in await conn.execute(stmt)]


async def blacklist_history(db: Database, number: str | None = None) -> list[BlacklistChange]:
    """Every change in the order it was made, optionally of one number only."""
    c = _CHANGES.c
    stmt = select(c.at, c.number, c.action, c.by, c.reason, c.expires_at).order_by(c.id)
    if number is not None:
        stmt = stmt.where(c.number == normalize_number(number))
    async with db.engine.connect() as conn:
        rows = await conn.execute(stmt)
        return [BlacklistChange(at, num, BlacklistAction(action), by, reason, expires)
                for at, num, action, by, reason, expires in rows]


def parse_duration(text: str) -> float:
    """Seconds in `30m`, `12h`, `7d`, `2w`, `90s`. Raises BlacklistError for anything else or
    for a length that is not > 0."""
    match = _DURATION.match(text.strip())
    seconds = float(match.group(1)) * _UNIT_S[match.group(2).lower()] if match else 0.0
    if not seconds > 0.0:
        raise BlacklistError(f"expected a duration like 12h, 7d or 2w, got {text!r}")
    return seconds


def parse_expires(text: str) -> float:
    """Epoch seconds of an ISO 8601 date or date-time; naive means UTC, and a bare date
    (`2026-12-31`) means the end of that day, so the number is blocked through it.
    Raises BlacklistError for anything else."""
    value = text.strip()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BlacklistError(f"expected an ISO date or date-time like 2026-12-31 or "
                             f"2026-12-31T18:00+01:00, got {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if len(value) == 10:  # YYYY-MM-DD
        moment += timedelta(days=1)
    return moment.timestamp()


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """A row that was not loaded: where (file, line, field) and why."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


@dataclass(frozen=True, slots=True)
class BlacklistImport:
    """What an import did: entries loaded, and the rows left out with why."""

    loaded: tuple[BlacklistEntry, ...]
    problems: tuple[ImportProblem, ...]


class BlacklistImportError(BlacklistError):
    """The file as a whole cannot be read (missing, not UTF-8 CSV, no usable header);
    nothing was loaded."""


def _parse_row(
    path: str, line: int, cells: dict[str, str], now: float
) -> BlacklistEntry | ImportProblem:
    expires_text = cells.get("expires", "")
    try:
        number = normalize_number(cells["number"])
    except BlacklistError as error:
        return ImportProblem(path, line, "number", str(error).removeprefix("number: "))
    expires_at: float | None = None
    if expires_text:
        try:
            expires_at = (now + parse_duration(expires_text) if _DURATION.match(expires_text)
                          else parse_expires(expires_text))
        except BlacklistError as error:
            return ImportProblem(path, line, "expires", str(error))
    try:
        reason = check_entry(cells["reason"], now, expires_at)
    except BlacklistError as error:
        field, _, message = str(error).partition(": ")
        return ImportProblem(path, line, field, message)
    return BlacklistEntry(number, reason, now, expires_at)


def parse_import_file(
    path: Path, now: float
) -> tuple[list[tuple[int, BlacklistEntry]], list[ImportProblem]]:
    """Read a `number,reason,expires` CSV with a header (`expires` optional: an ISO date or
    date-time, a duration such as 30d from `now`, or empty for good). Returns the good rows
    with their line numbers and the problems; a number on two lines keeps the first.
    Raises BlacklistImportError when the file itself is unusable. Blocking I/O."""
    name = str(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            rows = [(reader.line_num, cells) for cells in reader]
    except FileNotFoundError:
        raise BlacklistImportError(f"{name}: no such file") from None
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise BlacklistImportError(f"{name}: cannot read it as UTF-8 CSV: {error}") from None
    if not rows:
        raise BlacklistImportError(f"{name}:1: header: the file is empty; expected a "
                                   f"header {','.join(IMPORT_COLUMNS)}")
    header = [cell.strip().lower() for cell in rows[0][1]]
    missing = [column for column in ("number", "reason") if column not in header]
    if missing:
        raise BlacklistImportError(
            f"{name}:1: header: expected columns {','.join(IMPORT_COLUMNS)} (expires "
            f"optional), missing {', '.join(missing)}; got {','.join(header) or 'nothing'}")
    index = {column: header.index(column) for column in IMPORT_COLUMNS if column in header}
    good: list[tuple[int, BlacklistEntry]] = []
    problems: list[ImportProblem] = []
    first_line: dict[str, int] = {}
    for line, cells in rows[1:]:
        if not any(cell.strip() for cell in cells):
            continue
        values = {column: cells[i].strip() if i < len(cells) else ""
                  for column, i in index.items()}
        parsed = _parse_row(name, line, values, now)
        if isinstance(parsed, ImportProblem):
            problems.append(parsed)
        elif parsed.number in first_line:
            problems.append(ImportProblem(name, line, "number",
                                          f"{parsed.number} repeats line "
                                          f"{first_line[parsed.number]}; kept that one"))
        else:
            first_line[parsed.number] = line
            good.append((line, parsed))
    return good, problems


async def import_blacklist(db: Database, path: Path, *, by: str, now: float) -> BlacklistImport:
    """Load the good rows of a `number,reason,expires` CSV (one transaction, with a history
    row each, author `by`) and report the bad ones; a bad row does not stop the good ones.
    Raises BlacklistImportError, loading nothing, when the file itself is unusable."""
    author = _check_by(by)
    good, problems = await asyncio.to_thread(parse_import_file, path, now)
    entries = [entry for _, entry in good]
    async with db.engine.begin() as conn:
        await write_entries(conn, entries, author)
    return BlacklistImport(tuple(entries), tuple(problems))
