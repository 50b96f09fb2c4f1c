"""Voicemail metadata on SQLite and PostgreSQL: stored once, listed by box and state, marked
heard and notified; migration 0005 builds the tables the models describe."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from conftest import DbTarget
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from cdr.callers.voicemail import (
    StoredVoicemail,
    VoicemailMessage,
    VoicemailReason,
    get_voicemail,
    list_voicemails,
    mark_heard,
    mark_notified,
    store_voicemail,
    voicemail_id,
)
from cdr.store.db import Database
from cdr.store.migrate import downgrade, head_revision, upgrade
from cdr.store.schema import Base

T0 = 1_762_128_000.0
OURS = {"voicemails", "blacklist_changes"}


def message(uniqueid: str = "1700.1", box: str = "sales", at: float = T0,
            **extra: object) -> VoicemailMessage:
    fields: dict[str, object] = {
        "uniqueid": uniqueid, "box": box, "recorded_at": at, "duration_s": 12.5,
        "path": f"/var/spool/callcenter/voicemail/{uniqueid}@{box}.wav",
        "reason": VoicemailReason.CLOSED, "caller": "+4930123456", "caller_name": "Ada",
        "language": "de",
    }
    fields.update(extra)
    return VoicemailMessage(**fields)  # type: ignore[arg-type]


async def test_storing_the_same_message_twice_writes_it_once(db: Database) -> None:
    first = message("1700.1", call_id="c1")
    assert await store_voicemail(db, first) is True
    assert await store_voicemail(db, first) is False
    # A retry with other details still does not overwrite what was stored first.
    assert await store_voicemail(db, message("1700.1", duration_s=99.0)) is False
    stored = await list_voicemails(db)
    assert stored == [StoredVoicemail(first, None, None)]
    assert stored[0].voicemail_id == "1700.1@sales" == voicemail_id("1700.1", "sales")
    assert stored[0].message.reason == "closed"
    # The same channel may leave a message in another box.
    assert await store_voicemail(db, message("1700.1", box="support")) is True


async def test_list_by_box_and_unheard_newest_first(db: Database) -> None:
    for n, box in enumerate(["sales", "support", "sales", "sales"]):
        await store_voicemail(db, message(f"1700.{n}", box=box, at=T0 + n))
    assert [v.voicemail_id for v in await list_voicemails(db, box="sales")] == [
        "1700.3@sales", "1700.2@sales", "1700.0@sales"]
    assert await mark_heard(db, "1700.2@sales", T0 + 100) is True
    unheard = await list_voicemails(db, box="sales", unheard_only=True)
    assert [v.voicemail_id for v in unheard] == ["1700.3@sales", "1700.0@sales"]
    assert len(await list_voicemails(db, limit=2)) == 2
    with pytest.raises(ValueError, match="limit"):
        await list_voicemails(db, limit=0)


async def test_marks_keep_the_first_time_and_unknown_ids_say_so(db: Database) -> None:
    await store_voicemail(db, message("1700.1", caller=None, caller_name=None))
    vm = "1700.1@sales"
    assert [v.voicemail_id for v in await list_voicemails(db, unnotified_only=True)] == [vm]
    assert await mark_notified(db, vm, T0 + 5) is True
    assert await mark_heard(db, vm, T0 + 60) is True
    assert await mark_heard(db, vm, T0 + 900) is True
    stored = await get_voicemail(db, vm)
    assert stored is not None
    assert (stored.heard_at, stored.notified_at) == (T0 + 60, T0 + 5)
    assert stored.message.caller is None
    assert await list_voicemails(db, unnotified_only=True) == []
    assert await mark_heard(db, "nope@sales", T0) is False
    assert await mark_notified(db, "nope@sales", T0) is False
    assert await get_voicemail(db, "nope@sales") is None


@pytest.mark.parametrize(
    ("changes", "wrong"),
    [({"box": "sales box"}, "box"), ({"box": ""}, "box"), ({"uniqueid": ""}, "uniqueid"),
     ({"duration_s": -1.0}, "duration_s"), ({"reason": ""}, "reason")],
)
def test_a_message_that_cannot_be_stored_is_refused(changes: dict[str, object],
                                                     wrong: str) -> None:
    with pytest.raises(ValueError, match=wrong):
        message(**changes)  # type: ignore[arg-type]


async def test_0005_matches_the_models_and_downgrades(target: DbTarget) -> None:
    assert head_revision() >= "0005"
    async with Database(target.url) as db:
        assert await upgrade(db, "0005") == "0005"

        def diff(connection: Connection) -> list[object]:
            context = MigrationContext.configure(connection)
            return [d for d in compare_metadata(context, Base.metadata) if _about_ours(d)]

        def tables(connection: Connection) -> set[str]:
            return set(inspect(connection).get_table_names())

        async with db.engine.connect() as conn:
            assert await conn.run_sync(diff) == []
        await downgrade(db, "0004")
        async with db.engine.connect() as conn:
            names = await conn.run_sync(tables)
        assert "supervisor_audit" in names and not names & OURS
        assert await upgrade(db, "0005") == "0005"


def _about_ours(difference: object) -> bool:
    text = repr(difference)
    return any(f"'{name}'" in text or f"Table('{name}'" in text for name in OURS)
