"""`callcenter users set-password|remove-password|list` and `callcenter tokens
create|list|revoke`: the HTTP API's accounts, stored in the database (docs/api.md).

Passwords are read from a prompt (twice, not echoed) or, with `--stdin`, from the first line
of standard input (scripts); never from an argument, so they stay out of shell history and
`ps`. A token is printed once, when created; the database keeps only its digest.
Exit codes: 0 done, 1 database or nothing to do (unknown token), 2 bad input.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from callcenter.cli.app import app

if TYPE_CHECKING:
    from callcenter.engine.config import EngineConfig

users_app = typer.Typer(help="API accounts: passwords of supervision.users and agents.",
                        no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens for integrations (CRMs, wallboards, scripts).",
                         no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")

CONFIG = typer.Option(..., "--config", "-c", help="The engine's YAML (supervision: users).")
DB = typer.Option(None, "--db", help="Database URL (default: the config's, else"
                                     " $CALLCENTER_DB or sqlite:///callcenter.db).")


def _config(path: Path) -> EngineConfig:
    from callcenter.cli.dbopts import fail
    from callcenter.engine.config import ConfigError, load_config

    try:
        return load_config(path)
    except ConfigError as error:
        fail(str(error))


def _url(config: EngineConfig | None, db: str | None) -> str | None:
    return db or (config.database.url if config is not None else None)


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "-"
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _read_password(stdin: bool) -> str:
    if stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    first = typer.prompt("New password", hide_input=True)
    second = typer.prompt("Again", hide_input=True)
    if first != second:
        from callcenter.cli.dbopts import fail

        fail("the two passwords differ; nothing changed")
    return str(first)


@users_app.command("set-password")
def set_password(
    user: str = typer.Argument(..., help="A supervision.users id, or an agent id."),
    config_path: Path = CONFIG,
    db: str | None = DB,
    stdin: bool = typer.Option(False, "--stdin", help="Read the password from stdin."),
) -> None:
    """Set (or replace) a user's password; the user's sessions are logged out."""
    from callcenter.accounts import AccountError, CredentialStore, PasswordHasher, SessionStore
    from callcenter.cli.dbopts import fail, run_on_database
    from callcenter.supervision.roles import Roster
    from cdr import Database

    config = _config(config_path)
    account = Roster(config.supervision).account(user, {a.id for a in config.agents})
    if account is None:
        fail(f"{user!r} is neither a supervision.users id nor an agent without a user in"
             f" {config_path}")
    password = _read_password(stdin)
    try:
        password_hash = PasswordHasher().hash(password)
    except AccountError as error:
        fail(str(error))

    async def store(database: Database) -> int:
        now = time.time()
        await CredentialStore(database).set_hash(account.id, password_hash, now)
        return await SessionStore(database, idle_s=60, max_s=60).revoke_user(account.id, now)

    ended = run_on_database(_url(config, db), store)
    typer.echo(f"password set for {account.role.value} {account.id}"
               + (f"; {ended} session(s) logged out" if ended else ""))


@users_app.command("remove-password")
def remove_password(user: str = typer.Argument(...), config_path: Path = CONFIG,
                    db: str | None = DB) -> None:
    """Forget a user's password: it can no longer log in to the API."""
    from callcenter.accounts import CredentialStore, SessionStore
    from callcenter.cli.dbopts import fail, run_on_database
    from cdr import Database

    config = _config(config_path)

    async def remove(database: Database) -> bool:
        removed = await CredentialStore(database).remove(user)
        await SessionStore(database, idle_s=60, max_s=60).revoke_user(user, time.time())
        return removed

    if not run_on_database(_url(config, db), remove):
        fail(f"{user!r} has no password", code=1)
    typer.echo(f"password of {user} removed")


@users_app.command("list")
def list_users(config_path: Path = CONFIG, db: str | None = DB) -> None:
    """The configured users and agents' desktop users: role, team, agent, password set."""
    from callcenter.accounts import CredentialStore
    from callcenter.cli.dbopts import run_on_database
    from callcenter.supervision.roles import Roster
    from cdr import Database

    config = _config(config_path)

    async def read(database: Database) -> dict[str, float]:
        return await CredentialStore(database).users()

    with_password = run_on_database(_url(config, db), read)
    roster = Roster(config.supervision)
    accounts = [*config.supervision.users]
    for user_id in roster.agent_users(a.id for a in config.agents):
        found = roster.account(user_id, {a.id for a in config.agents})
        if found is not None and found not in accounts:
            accounts.append(found)
    for account in accounts:
        typer.echo(f"{account.id:20} {account.role.value:11} team={account.team or '-'}"
                   f"  agent={account.agent or '-'}  password set"
                   f" {_when(with_password.get(account.id))}")


@tokens_app.command("create")
def create_token(
    name: str = typer.Option(..., "--name", help="What it is for: crm, wallboard..."),
    scopes: str = typer.Option(..., "--scopes",
                               help="Comma-separated: dial, agents:read, queues:read,"
                                    " calls:read, customers:read, reports:read,"
                                    " recordings:read"),
    config_path: Path | None = typer.Option(None, "--config", "-c",
                                            help="The engine's YAML (its database)."),
    db: str | None = DB,
) -> None:
    """Create a token and print it once (store it in the integration; it cannot be shown
    again)."""
    from callcenter.accounts import AccountError, IssuedToken, TokenStore
    from callcenter.accounts.tokens import parse_scopes
    from callcenter.cli.dbopts import fail, run_on_database
    from cdr import Database

    config = _config(config_path) if config_path is not None else None
    try:
        wanted = parse_scopes(scopes)
    except AccountError as error:
        fail(str(error))

    async def create(database: Database) -> IssuedToken | str:
        try:
            return await TokenStore(database).create(name, wanted, time.time())
        except AccountError as error:
            return str(error)

    issued = run_on_database(_url(config, db), create)
    if isinstance(issued, str):
        fail(issued)
    typer.echo(f"token {issued.token.name} ({issued.token.token_id}), scopes"
               f" {', '.join(sorted(s.value for s in issued.token.scopes))}:", err=True)
    typer.echo(issued.secret)
    typer.echo("shown once: keep it in the integration's secret store", err=True)


@tokens_app.command("list")
def list_tokens(config_path: Path | None = typer.Option(None, "--config", "-c"),
                db: str | None = DB) -> None:
    """Every token: id, name, scopes, created, last used, revoked."""
    from callcenter.accounts import ApiToken, TokenStore
    from callcenter.cli.dbopts import run_on_database
    from cdr import Database

    config = _config(config_path) if config_path is not None else None

    async def read(database: Database) -> list[ApiToken]:
        return await TokenStore(database).all()

    for token in run_on_database(_url(config, db), read):
        scopes = ",".join(sorted(s.value for s in token.scopes))
        typer.echo(f"{token.token_id}  {token.name:16} {scopes:40} created"
                   f" {_when(token.created_at)}  last used {_when(token.last_used_at)}"
                   f"  {'revoked ' + _when(token.revoked_at) if token.revoked_at else 'live'}")


@tokens_app.command("revoke")
def revoke_token(name_or_id: str = typer.Argument(..., help="The token's name or id."),
                 config_path: Path | None = typer.Option(None, "--config", "-c"),
                 db: str | None = DB) -> None:
    """Revoke a token: every request with it gets 401 from now on."""
    from callcenter.accounts import ApiToken, TokenStore
    from callcenter.cli.dbopts import fail, run_on_database
    from cdr import Database

    config = _config(config_path) if config_path is not None else None

    async def revoke(database: Database) -> list[ApiToken]:
        return await TokenStore(database).revoke(name_or_id, time.time())

    revoked = run_on_database(_url(config, db), revoke)
    if not revoked:
        fail(f"no live token named {name_or_id!r}", code=1)
    for token in revoked:
        typer.echo(f"revoked {token.name} ({token.token_id})")
