"""`callcenter blacklist add|remove|list|history|import`: the nuisance-caller list.

Every change is recorded with who made it (`--by`: a supervisor id, an agent id; `cli` when
not given on `add`). Numbers are normalised as the engine looks them up (cdr.callers.blacklist).

Exit codes: 0 done; 1 nothing done - the number was not on the list, or the database is
behind or unreachable; 2 bad input (a number, reason, expiry or file that cannot be used;
nothing written); 3 an import loaded its good rows but rejected others (listed on stderr).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from callcenter.cli.app import app
from callcenter.cli.dbopts import DB_OPTION, fail, run_on_database

if TYPE_CHECKING:
    from cdr import BlacklistEntry

PARTIAL_IMPORT = 3

blacklist_app = typer.Typer(help="Nuisance callers: block, unblock, list, import.",
                            no_args_is_help=True)
app.add_typer(blacklist_app, name="blacklist")



def when(epoch: float | None) -> str:
    """An epoch time as ISO UTC, `never` for None."""
    if epoch is None:
        return "never"
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _expiry(expires: str | None, duration: str | None, now: float) -> float | None:
    if expires is not None and duration is not None:
        fail("--expires and --for both given: expected one of them (or neither: for good)")
    from cdr import BlacklistError, parse_duration, parse_expires

    try:
        if expires is not None:
            return parse_expires(expires)
        if duration is not None:
            return now + parse_duration(duration)
    except BlacklistError as error:
        fail(f"{'--expires' if expires is not None else '--for'}: {error}")
    return None


def _line(entry: BlacklistEntry, now: float) -> str:
    state = "" if entry.active(now) else "  (expired)"
    return (f"{entry.number}  until {when(entry.expires_at)}  added {when(entry.added_at)}  "
            f"{entry.reason}{state}")


@blacklist_app.command("add")
def add(
    number: str = typer.Argument(..., help="The caller's number, e.g. +4930123456."),
    reason: str = typer.Option(..., "--reason", help="Why the number is blocked."),
    expires: str | None = typer.Option(
        None, "--expires", help="Blocked until this ISO date/time (a bare date: through it)."),
    duration: str | None = typer.Option(None, "--for", help="Blocked for 12h, 7d, 2w..."),
    by: str = typer.Option("cli", "--by", help="Who blocks it (supervisor or agent id)."),
    db: str | None = DB_OPTION,
) -> None:
    """Block a number (again: the new reason and expiry replace the old ones)."""
    from cdr import add_to_blacklist

    now = time.time()
    expires_at = _expiry(expires, duration, now)
    entry = run_on_database(db, lambda database: add_to_blacklist(database, number, reason, now,
                                                       expires_at, by=by))
    typer.echo(f"blocked {entry.number} until {when(entry.expires_at)}: {entry.reason}")


@blacklist_app.command("remove")
def remove(
    number: str = typer.Argument(..., help="The number to unblock."),
    by: str = typer.Option(..., "--by", help="Who unblocks it (supervisor id)."),
    reason: str | None = typer.Option(None, "--reason", help="Why, for the history."),
    db: str | None = DB_OPTION,
) -> None:
    """Unblock a number; exit 1 if it was not on the list."""
    from cdr import remove_from_blacklist

    now = time.time()
    removed = run_on_database(db, lambda database: remove_from_blacklist(database, number, by=by,
                                                              now=now, reason=reason))
    if not removed:
        fail(f"{number} is not on the blacklist: nothing removed", code=1)
    typer.echo(f"unblocked {number}")


@blacklist_app.command("list")
def list_entries(
    include_expired: bool = typer.Option(False, "--all", help="Expired entries too."),
    db: str | None = DB_OPTION,
) -> None:
    """One line per blocked number: number, until, added, reason."""
    from cdr import list_blacklist

    now = time.time()
    entries = run_on_database(db, lambda database: list_blacklist(database, now, include_expired))
    for entry in entries:
        typer.echo(_line(entry, now))
    typer.echo(f"{len(entries)} numbers", err=True)


@blacklist_app.command("history")
def history(
    number: str | None = typer.Argument(None, help="Only this number's changes."),
    db: str | None = DB_OPTION,
) -> None:
    """Every change in order: when, who, add/remove, number, until, reason."""
    from cdr import blacklist_history

    changes = run_on_database(db, lambda database: blacklist_history(database, number))
    for change in changes:
        until = f"  until {when(change.expires_at)}" if change.action == "add" else ""
        typer.echo(f"{when(change.at)}  {change.by}  {change.action}  {change.number}{until}"
                   f"  {change.reason or '-'}")
    typer.echo(f"{len(changes)} changes", err=True)


@blacklist_app.command("import")
def import_file(
    file: Path = typer.Argument(..., help="A CSV with a header: number,reason[,expires]."),
    by: str = typer.Option(..., "--by", help="Who imports (supervisor id)."),
    db: str | None = DB_OPTION,
) -> None:
    """Block every good row of a CSV (expires: ISO date/time, a duration such as 30d, or
    empty for good); bad rows are listed and exit 3, the good ones are loaded anyway."""
    from cdr import import_blacklist

    now = time.time()
    result = run_on_database(db, lambda database: import_blacklist(database, file, by=by, now=now))
    for problem in result.problems:
        typer.echo(f"rejected {problem}", err=True)
    typer.echo(f"blocked {len(result.loaded)} numbers, rejected {len(result.problems)} rows")
    if result.problems:
        raise typer.Exit(PARTIAL_IMPORT)
