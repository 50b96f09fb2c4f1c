"""`callcenter users ...` and `callcenter tokens ...` against a real SQLite database."""

from __future__ import annotations

import asyncio
from pathlib import Path

from typer.testing import CliRunner

from callcenter.accounts import CredentialStore, PasswordHasher, TokenStore
from callcenter.cli import app
from cdr.store.db import Database
from cdr.store.migrate import upgrade

CONFIG = """
queues: [{name: support, skills: {support: 1}}]
agents: [{id: "1001", skills: {support: 1}}, {id: "1002", skills: {support: 1}}]
supervision:
  users:
    - {id: sam, role: supervisor}
    - {id: desk-1001, role: agent, agent: "1001"}
"""


def _setup(tmp_path: Path) -> tuple[Path, str]:
    config = tmp_path / "cc.yaml"
    config.write_text(CONFIG)
    url = f"sqlite:///{tmp_path / 'cc.db'}"

    async def migrate() -> None:
        async with Database(url) as db:
            await upgrade(db)

    asyncio.run(migrate())
    return config, url


def _hash_of(url: str, user: str) -> str | None:
    async def read() -> str | None:
        async with Database(url) as db:
            return await CredentialStore(db).hash_of(user)

    return asyncio.run(read())


def test_set_password_from_stdin_and_prompt(tmp_path: Path) -> None:
    config, url = _setup(tmp_path)
    runner = CliRunner()
    result = runner.invoke(app, ["users", "set-password", "sam", "-c", str(config), "--db",
                                 url, "--stdin"], input="a-long-password\n")
    assert result.exit_code == 0, result.output
    assert "a-long-password" not in result.output
    stored = _hash_of(url, "sam")
    assert stored is not None and stored.startswith("$argon2id$")
    assert asyncio.run(PasswordHasher().verify(stored, "a-long-password"))
    # an agent without a user entry logs in under its own id
    result = runner.invoke(app, ["users", "set-password", "1002", "-c", str(config), "--db",
                                 url], input="agent-two-pass\nagent-two-pass\n")
    assert result.exit_code == 0, result.output
    mismatch = runner.invoke(app, ["users", "set-password", "sam", "-c", str(config), "--db",
                                   url], input="first-password\nsecond-password\n")
    assert mismatch.exit_code == 2 and "differ" in mismatch.output
    short = runner.invoke(app, ["users", "set-password", "sam", "-c", str(config), "--db",
                                url, "--stdin"], input="short\n")
    assert short.exit_code == 2 and "at least 10" in short.output
    unknown = runner.invoke(app, ["users", "set-password", "1001", "-c", str(config), "--db",
                                  url, "--stdin"], input="whatever-long\n")
    assert unknown.exit_code == 2  # 1001's account is desk-1001
    listing = runner.invoke(app, ["users", "list", "-c", str(config), "--db", url])
    assert listing.exit_code == 0
    lines = {line.split()[0]: line for line in listing.output.splitlines()}
    assert set(lines) == {"sam", "desk-1001", "1002"}
    assert lines["desk-1001"].endswith("-") and not lines["sam"].endswith(" -")


def test_tokens_create_list_revoke(tmp_path: Path) -> None:
    _config, url = _setup(tmp_path)
    runner = CliRunner()
    created = runner.invoke(app, ["tokens", "create", "--name", "crm", "--scopes",
                                  "dial,customers:read,calls:read", "--db", url])
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[-1]
    assert secret.startswith("cc_")

    async def check(presented: str) -> bool:
        async with Database(url) as db:
            return await TokenStore(db).authenticate(presented, 0.0) is not None

    assert asyncio.run(check(secret))
    listing = runner.invoke(app, ["tokens", "list", "--db", url])
    assert "crm" in listing.output and secret not in listing.output and "live" in listing.output
    bad = runner.invoke(app, ["tokens", "create", "--name", "x", "--scopes", "root", "--db",
                              url])
    assert bad.exit_code == 2 and "unknown 'root'" in bad.output
    assert runner.invoke(app, ["tokens", "revoke", "crm", "--db", url]).exit_code == 0
    assert not asyncio.run(check(secret))
    assert runner.invoke(app, ["tokens", "revoke", "crm", "--db", url]).exit_code == 1
