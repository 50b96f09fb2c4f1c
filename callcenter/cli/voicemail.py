"""`callcenter voicemail list|heard`: the messages callers left, and marking one as heard.

Exit codes: 0 done; 1 no such message, or the database is behind or unreachable; 2 bad input.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import typer

from callcenter.cli.app import app
from callcenter.cli.blacklist import when
from callcenter.cli.dbopts import DB_OPTION, fail, run_on_database
from cdr import DEFAULT_LIMIT

if TYPE_CHECKING:
    from cdr import StoredVoicemail

voicemail_app = typer.Typer(help="Voicemail messages: list them, mark them heard.",
                            no_args_is_help=True)
app.add_typer(voicemail_app, name="voicemail")



def _line(item: StoredVoicemail) -> str:
    m = item.message
    caller = m.caller or "withheld"
    if m.caller_name:
        caller = f"{caller} ({m.caller_name})"
    heard = f"heard {when(item.heard_at)}" if item.heard_at is not None else "NEW"
    return (f"{item.voicemail_id}  {when(m.recorded_at)}  {m.box}  {caller}  "
            f"{m.duration_s:.0f}s  {m.reason}  {heard}  {m.path}")


@voicemail_app.command("list")
def list_messages(
    box: str | None = typer.Option(None, "--box", help="Only this box."),
    unheard: bool = typer.Option(False, "--unheard", help="Only messages nobody heard yet."),
    limit: int = typer.Option(DEFAULT_LIMIT, "--limit", min=1, help="At most this many."),
    db: str | None = DB_OPTION,
) -> None:
    """Newest first: id, recorded, box, caller, duration, reason, heard, file."""
    from cdr import list_voicemails

    items = run_on_database(db, lambda database: list_voicemails(database, box=box,
                                                      unheard_only=unheard, limit=limit))
    for item in items:
        typer.echo(_line(item))
    typer.echo(f"{len(items)} messages", err=True)


@voicemail_app.command("heard")
def heard(
    voicemail_id: str = typer.Argument(..., help="The message id, as `list` prints it."),
    db: str | None = DB_OPTION,
) -> None:
    """Mark a message as heard (marking again keeps the first time); exit 1 if unknown."""
    from cdr import mark_heard

    now = time.time()
    if not run_on_database(db, lambda database: mark_heard(database, voicemail_id, now)):
        fail(f"no voicemail {voicemail_id!r} (ids as `callcenter voicemail list` prints them)",
             code=1)
    typer.echo(f"marked {voicemail_id} heard")
