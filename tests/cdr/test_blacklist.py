"""The blacklist on SQLite and PostgreSQL: one normalised number per entry, expiry, removal,
the history of every change, and a CSV import that loads the good rows around a bad one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cdr.callers.blacklist import (
    BlacklistAction,
    BlacklistChange,
    BlacklistEntry,
    BlacklistError,
    BlacklistImportError,
    ImportProblem,
    add_to_blacklist,
    blacklist_history,
    find_block,
    import_blacklist,
    list_blacklist,
    normalize_number,
    parse_duration,
    parse_expires,
    remove_from_blacklist,
)
from cdr.store.db import Database
from cdr.store.schema import BlacklistChangeRow, BlacklistRow

T0 = 1_762_128_000.0  # 2025-11-03 00:00 UTC
DAY = 86400.0


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [("+49 30-123 456", "+4930123456"), ("(030) 123.456", "030123456"),
     ("4930123456", "4930123456")],
)
def test_numbers_are_normalised(raw: str, normalized: str) -> None:
    assert normalize_number(raw) == normalized


@pytest.mark.parametrize("raw", ["", "anonymous", "12", "+49 30 x", "++4930123", "49+30123"])
def test_what_is_not_a_number_is_refused(raw: str) -> None:
    with pytest.raises(BlacklistError, match="number: expected a phone number"):
        normalize_number(raw)


async def test_a_number_is_blocked_in_any_spelling_until_it_expires(db: Database) -> None:
    entry = await add_to_blacklist(db, "+49 30 123-456", "abusive", T0, T0 + DAY, by="1007")
    assert entry == BlacklistEntry("+4930123456", "abusive", T0, T0 + DAY)
    assert await find_block(db, "+4930123456", T0 + 10) == entry
    assert await find_block(db, "+49-30-123456", T0 + DAY - 1) == entry
    assert await find_block(db, "4930123456", T0 + 10) is None  # no "+": another number
    assert await find_block(db, "+4930123456", T0 + DAY) is None  # expired at expires_at
    assert await find_block(db, "anonymous", T0) is None
    assert await find_block(db, "", T0) is None


async def test_adding_again_renews_and_both_changes_are_in_the_history(db: Database) -> None:
    await add_to_blacklist(db, "+4930123456", "abusive", T0, T0 + DAY, by="1007")
    await add_to_blacklist(db, "+49 30 123456", "fraud", T0 + 50, by="sup1")
    assert await list_blacklist(db, T0 + 2 * DAY) == [
        BlacklistEntry("+4930123456", "fraud", T0 + 50, None)]
    assert await blacklist_history(db, "+49 30 123 456") == [
        BlacklistChange(T0, "+4930123456", BlacklistAction.ADD, "1007", "abusive", T0 + DAY),
        BlacklistChange(T0 + 50, "+4930123456", BlacklistAction.ADD, "sup1", "fraud", None),
    ]


async def test_the_engine_call_without_by_still_works(db: Database) -> None:
    await add_to_blacklist(db, "+4930123456", "abusive", T0, T0 + 60)
    (change,) = await blacklist_history(db)
    assert change.by == "unknown"


async def test_remove_writes_history_only_when_something_was_removed(db: Database) -> None:
    await add_to_blacklist(db, "+4930123456", "abusive", T0, T0 + 60, by="1007")
    # An expired entry can still be removed (it is still a row).
    assert await remove_from_blacklist(db, "+49 30 123456", by="sup1", now=T0 + 120,
                                       reason="apologised") is True
    assert await remove_from_blacklist(db, "+4930123456", by="sup1", now=T0 + 130) is False
    assert await list_blacklist(db, T0, include_expired=True) == []
    history = await blacklist_history(db)
    assert [(c.action, c.by, c.reason) for c in history] == [
        (BlacklistAction.ADD, "1007", "abusive"), (BlacklistAction.REMOVE, "sup1", "apologised")]


async def test_list_hides_expired_entries_unless_asked(db: Database) -> None:
    await add_to_blacklist(db, "+4930000002", "spam", T0, T0 + 60, by="cli")
    await add_to_blacklist(db, "+4930000001", "fraud", T0, by="cli")
    assert [e.number for e in await list_blacklist(db, T0 + 30)] == ["+4930000001",
                                                                     "+4930000002"]
    assert [e.number for e in await list_blacklist(db, T0 + 60)] == ["+4930000001"]
    everything = await list_blacklist(db, T0 + 60, include_expired=True)
    assert [e.active(T0 + 60) for e in everything] == [True, False]


@pytest.mark.parametrize(
    ("reason", "expires", "by", "wrong"),
    [("", None, "cli", "reason"), ("x" * 201, None, "cli", "reason"),
     ("spam", T0, "cli", "expires"), ("spam", T0 - 5, "cli", "expires"),
     ("spam", None, " ", "by")],
)
async def test_bad_entries_are_refused_and_nothing_is_written(
    db: Database, reason: str, expires: float | None, by: str, wrong: str
) -> None:
    with pytest.raises(BlacklistError, match=f"^{wrong}: expected"):
        await add_to_blacklist(db, "+4930123456", reason, T0, expires, by=by)
    assert await _count(db) == (0, 0)


async def test_import_loads_the_good_rows_and_names_the_bad_ones(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "nuisance.csv"
    path.write_text(
        "Number,Reason,Expires\n"
        "+49 30 111,robocall,2025-11-10\n"
        "+4930222,abusive,\n"
        "not-a-number,spam,\n"
        "+4930333,,\n"
        "+4930444,spam,next week\n"
        "\n"
        "+4930555,spam,7d\n"
        "+4930111,again,\n"
        "+4930666,spam,2025-11-01\n",
        encoding="utf-8")
    result = await import_blacklist(db, path, by="sup1", now=T0)
    name = str(path)
    assert [e.number for e in result.loaded] == ["+4930111", "+4930222", "+4930555"]
    assert [(p.line, p.field) for p in result.problems] == [
        (4, "number"), (5, "reason"), (6, "expires"), (9, "number"), (10, "expires")]
    assert all(p.path == name for p in result.problems)
    assert str(result.problems[0]).startswith(f"{name}:4: number: expected a phone number")
    assert "repeats line 2" in result.problems[3].message
    assert "after now" in result.problems[4].message
    blocked = await list_blacklist(db, T0)
    assert {e.number: e.expires_at for e in blocked} == {
        "+4930111": datetime(2025, 11, 11, tzinfo=UTC).timestamp(),  # through the 10th
        "+4930222": None,
        "+4930555": T0 + 7 * DAY,
    }
    history = await blacklist_history(db)
    assert {(c.number, c.by, c.action) for c in history} == {
        (n, "sup1", BlacklistAction.ADD) for n in ("+4930111", "+4930222", "+4930555")}


@pytest.mark.parametrize(
    ("content", "message"),
    [("", ":1: header: the file is empty"),
     ("phone,why\n+4930111,spam\n", ":1: header: expected columns number,reason,expires"),
     ("number\n+4930111\n", "missing reason")],
)
async def test_an_unusable_file_loads_nothing(
    db: Database, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BlacklistImportError, match=message) as caught:
        await import_blacklist(db, path, by="sup1", now=T0)
    assert str(caught.value).startswith(str(path))
    assert await _count(db) == (0, 0)


async def test_a_missing_or_binary_file_is_named(db: Database, tmp_path: Path) -> None:
    with pytest.raises(BlacklistImportError, match="no such file"):
        await import_blacklist(db, tmp_path / "gone.csv", by="cli", now=T0)
    binary = tmp_path / "latin1.csv"
    binary.write_bytes("number,reason\n+4930111,M\xfcll\n".encode("latin-1"))
    with pytest.raises(BlacklistImportError, match="cannot read it as UTF-8 CSV"):
        await import_blacklist(db, binary, by="cli", now=T0)


def test_durations_and_expiry_dates() -> None:
    assert parse_duration("7d") == 7 * DAY
    assert parse_duration("12h") == 12 * 3600.0
    assert parse_duration("2W") == 14 * DAY
    assert parse_expires("2025-11-03T12:00") == T0 + 12 * 3600.0
    assert parse_expires("2025-11-03T13:00+01:00") == T0 + 12 * 3600.0
    assert parse_expires("2025-11-03") == T0 + DAY
    for bad in ("7", "0d", "-1d", "soon"):
        with pytest.raises(BlacklistError, match="duration"):
            parse_duration(bad)
    with pytest.raises(BlacklistError, match="ISO date"):
        parse_expires("31/12/2025")


def test_problems_read_like_compiler_messages() -> None:
    problem = ImportProblem("f.csv", 3, "expires", "expected a date")
    assert str(problem) == "f.csv:3: expires: expected a date"


async def _count(db: Database) -> tuple[int, int]:
    async with db.engine.connect() as conn:
        entries = (await conn.execute(select(func.count()).select_from(BlacklistRow))).scalar()
        changes = (await conn.execute(
            select(func.count()).select_from(BlacklistChangeRow))).scalar()
    return int(entries or 0), int(changes or 0)
