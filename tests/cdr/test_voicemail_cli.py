"""`callcenter voicemail list|heard` on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from cdr_cli import cli
from conftest import DbTarget

from cdr.callers.voicemail import VoicemailMessage, get_voicemail, store_voicemail
from cdr.store.db import Database

T0 = 1_762_128_000.0


def test_voicemail_list_and_heard(url: str) -> None:
    async def store() -> None:
        async with Database(url) as db:
            for n, box in enumerate(["sales", "support", "sales"]):
                await store_voicemail(db, VoicemailMessage(
                    uniqueid=f"1700.{n}", box=box, recorded_at=T0 + n, duration_s=30.4,
                    path=f"/vm/1700.{n}.wav", reason="closed",
                    caller=None if n == 2 else "+4930123456", caller_name="Ada"))

    asyncio.run(store())
    code, out, err = cli(url, "voicemail", "list", "--box", "sales")
    assert code == 0 and "2 messages" in err
    first, second = out.splitlines()
    assert first.startswith("1700.2@sales  2025-11-03T00:00:02Z  sales  withheld (Ada)  30s")
    assert "NEW" in first and second.startswith("1700.0@sales")
    code, out, _ = cli(url, "voicemail", "heard", "1700.2@sales")
    assert code == 0 and "marked 1700.2@sales heard" in out
    code, out, _ = cli(url, "voicemail", "list", "--unheard")
    assert [line.split()[0] for line in out.splitlines()] == ["1700.1@support", "1700.0@sales"]

    async def heard_at() -> float | None:
        async with Database(url) as db:
            stored = await get_voicemail(db, "1700.2@sales")
            assert stored is not None
            return stored.heard_at

    assert asyncio.run(heard_at()) is not None
    code, _, err = cli(url, "voicemail", "heard", "nope@sales")
    assert code == 1 and "no voicemail 'nope@sales'" in err
    assert cli(url, "voicemail", "list", "--limit", "0")[0] == 2


def test_a_database_behind_exits_1(target: DbTarget) -> None:
    code, _, err = cli(target.url, "voicemail", "list")
    assert code == 1 and "callcenter db upgrade" in err
