"""`callcenter blacklist` on SQLite and PostgreSQL: what a supervisor types, what is stored,
and exit codes that mean something."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from cdr_cli import cli
from conftest import DbTarget
from sqlalchemy import update

from cdr.callers.blacklist import BlacklistAction, blacklist_history, find_block, list_blacklist
from cdr.store.db import Database
from cdr.store.schema import BlacklistRow

T0 = 1_762_128_000.0


def entries(url: str, include_expired: bool = False) -> dict[str, float | None]:
    async def read() -> dict[str, float | None]:
        async with Database(url) as db:
            return {e.number: e.expires_at
                    for e in await list_blacklist(db, time.time(), include_expired)}

    return asyncio.run(read())


def test_add_list_remove_with_history(url: str) -> None:
    code, out, _ = cli(url, "blacklist", "add", "+49 30 123-456", "--reason", "abusive",
                       "--for", "7d", "--by", "sup1")
    assert code == 0 and "blocked +4930123456 until" in out
    expires = entries(url)["+4930123456"]
    assert expires is not None and abs(expires - (time.time() + 7 * 86400)) < 60
    assert cli(url, "blacklist", "add", "+4930999", "--reason", "fraud")[0] == 0
    code, out, err = cli(url, "blacklist", "list")
    assert code == 0 and "2 numbers" in err
    assert out.splitlines()[1].startswith("+4930999  until never")
    code, out, _ = cli(url, "blacklist", "remove", "+4930123456", "--by", "sup2",
                       "--reason", "apologised")
    assert code == 0 and "unblocked" in out
    code, _, err = cli(url, "blacklist", "remove", "+4930123456", "--by", "sup2")
    assert code == 1 and "not on the blacklist" in err

    async def history() -> list[tuple[str, BlacklistAction, str]]:
        async with Database(url) as db:
            return [(c.number, c.action, c.by) for c in await blacklist_history(db)]

    assert asyncio.run(history()) == [
        ("+4930123456", BlacklistAction.ADD, "sup1"), ("+4930999", BlacklistAction.ADD, "cli"),
        ("+4930123456", BlacklistAction.REMOVE, "sup2")]
    code, out, _ = cli(url, "blacklist", "history", "+49 30 123456")
    assert code == 0 and len(out.splitlines()) == 2
    assert "sup2  remove  +4930123456  apologised" in out


def test_expired_entries_only_with_all(url: str) -> None:
    assert cli(url, "blacklist", "add", "+4930111", "--reason", "x",
               "--expires", "2099-01-01")[0] == 0

    async def expire() -> None:
        async with Database(url) as db, db.engine.begin() as conn:
            await conn.execute(update(BlacklistRow).values(expires_at=T0))

    asyncio.run(expire())
    assert cli(url, "blacklist", "list")[1] == ""
    code, out, _ = cli(url, "blacklist", "list", "--all")
    assert code == 0 and out.strip().endswith("(expired)")


@pytest.mark.parametrize(
    ("args", "message"),
    [(["+4930111", "--reason", "x", "--for", "7d", "--expires", "2099-01-01"],
      "--expires and --for both given"),
     (["+4930111", "--reason", "x", "--for", "soon"], "--for: expected a duration"),
     (["+4930111", "--reason", "x", "--expires", "31/12/2099"], "--expires: expected an ISO"),
     (["+4930111", "--reason", "x", "--expires", "2001-01-01"], "expires: expected a time"),
     (["anonymous", "--reason", "x"], "number: expected a phone number"),
     (["+4930111", "--reason", " "], "reason: expected 1-200 characters")],
)
def test_bad_arguments_exit_2_and_write_nothing(url: str, args: list[str],
                                                message: str) -> None:
    code, _, err = cli(url, "blacklist", "add", *args)
    assert code == 2 and message in err
    assert entries(url, include_expired=True) == {}


def test_import_loads_good_rows_reports_bad_ones_and_exits_3(url: str, tmp_path: Path) -> None:
    path = tmp_path / "numbers.csv"
    path.write_text("number,reason,expires\n+4930111,spam,\nnope,spam,\n+4930222,fraud,30d\n",
                    encoding="utf-8")
    code, out, err = cli(url, "blacklist", "import", str(path), "--by", "sup1")
    assert code == 3
    assert "blocked 2 numbers, rejected 1 rows" in out
    assert f"rejected {path}:3: number: expected a phone number" in err
    assert set(entries(url)) == {"+4930111", "+4930222"}
    code, _, err = cli(url, "blacklist", "import", str(tmp_path / "gone.csv"), "--by", "sup1")
    assert code == 2 and "gone.csv: no such file" in err


def test_a_database_behind_exits_1(target: DbTarget) -> None:
    code, _, err = cli(target.url, "blacklist", "list")
    assert code == 1 and "callcenter db upgrade" in err


def test_the_engine_sees_what_the_cli_blocked(url: str) -> None:
    assert cli(url, "blacklist", "add", "030 123 456", "--reason", "x", "--by", "sup1")[0] == 0

    async def lookup() -> str | None:
        async with Database(url) as db:
            entry = await find_block(db, "030123456", time.time())
            return None if entry is None else entry.reason

    assert asyncio.run(lookup()) == "x"
