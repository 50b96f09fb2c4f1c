"""Customer records: import validation without the CLI, and contact history from the calls."""

from __future__ import annotations

from pathlib import Path

import pytest
from cdr_helpers import hand_checked_calls

from cdr.callers.customers import contact_history, count_customers, import_customers
from cdr.errors import CustomerImportError
from cdr.store.db import Database
from cdr.store.writer import CdrWriter


async def test_contact_history_is_newest_first(db: Database) -> None:
    async with CdrWriter(db) as writer:
        for call in hand_checked_calls():
            writer.submit(call)
    history = await contact_history(db, "K1")
    assert [(c.call_id, c.outcome) for c in history] == [("c4", "abandoned"), ("c1", "answered")]
    assert await contact_history(db, "nobody") == []


async def test_a_missing_required_column_rejects_the_file(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("id,phone\n1,+4930123456\n")
    with pytest.raises(CustomerImportError, match="missing a 'name' column"):
        await import_customers(db, path)
    assert await count_customers(db) == 0


async def test_importing_twice_updates_instead_of_duplicating(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("id,name,tier\n1,Ada,vip\n2,Alan,\n")
    assert (await import_customers(db, path)).imported == 2
    path.write_text("id,name,tier\n1,Ada L.,normal\n")
    await import_customers(db, path)
    assert await count_customers(db) == 2
