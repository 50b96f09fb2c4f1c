"""Customer import from CSV or XLSX: columns mapped by header, every bad row reported with its
row number and reason, all-or-nothing unless bad rows are to be skipped.

Rows are validated with pydantic at this edge; the import is one transaction (an upsert keyed
by customer id, so importing the same file twice changes nothing).
"""

from __future__ import annotations

import asyncio
import csv
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.dialects import postgresql, sqlite

from cdr.errors import CustomerImportError
from cdr.store.db import Database
from cdr.store.schema import CallRow, CustomerRow

CUSTOMERS = CustomerRow.__table__


class Tier(StrEnum):
    VIP = "vip"
    NORMAL = "normal"
    BLACKLISTED = "blacklisted"


# Header spellings people use, normalized (lower case, spaces and dashes as "_").
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "customer_id": ("customer_id", "id", "account", "account_number", "account_no", "customer"),
    "name": ("name", "full_name", "customer_name"),
    "phone": ("phone", "phone_number", "number", "telephone", "caller_id", "msisdn"),
    "email": ("email", "e_mail", "mail"),
    "tier": ("tier", "segment", "level"),
    "notes": ("notes", "note", "comment", "comments"),
}
REQUIRED = ("customer_id", "name")
_PHONE = re.compile(r"^\+?[0-9]{3,20}$")


class CustomerIn(BaseModel):
    """One customer row as imported."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    customer_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    phone: str | None = None
    email: str | None = Field(default=None, max_length=200)
    tier: Tier = Tier.NORMAL
    notes: str | None = Field(default=None, max_length=2000)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if not value:
            return None
        digits = re.sub(r"[\s\-().]", "", value)
        if not _PHONE.match(digits):
            raise ValueError(f"expected a phone number like +4930123456, got {value!r}")
        return digits

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", value):
            raise ValueError(f"expected an e-mail address, got {value!r}")
        return value

    @field_validator("tier", mode="before")
    @classmethod
    def _tier(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return Tier.NORMAL
        return value.strip().lower() if isinstance(value, str) else value


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did: rows written, and the bad rows skipped (row number, reason)."""

    imported: int
    skipped: list[tuple[int, str]]


def _normalize(header: Any) -> str:
    return re.sub(r"[\s\-]+", "_", str(header or "").strip().lower())


def map_headers(headers: list[Any], path: str) -> dict[int, str]:
    """Column index -> field name. Raises CustomerImportError if a required column is missing
    or a column appears twice."""
    lookup = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}
    mapping: dict[int, str] = {}
    problems: list[tuple[int, str]] = []
    for index, header in enumerate(headers):
        name = lookup.get(_normalize(header))
        if name is None:
            continue  # extra columns are allowed and ignored
        if name in mapping.values():
            problems.append((1, f"column {header!r} maps to {name!r} a second time"))
        mapping[index] = name
    for name in REQUIRED:
        if name not in mapping.values():
            problems.append(
                (
                    1,
                    f"missing a {name!r} column (accepted headers: "
                    f"{', '.join(HEADER_ALIASES[name])})",
                )
            )
    if problems:
        raise CustomerImportError(path, problems)
    return mapping


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets turn account numbers into floats
    text = str(value).strip()
    return text or None


def read_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) of a .csv or .xlsx file, header first as row 1. Blocking I/O."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for number, cells in enumerate(csv.reader(handle), start=1):
                yield number, list(cells)
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = workbook.active
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, list(values)
        finally:
            workbook.close()
    else:
        raise CustomerImportError(
            str(path), [(0, f"expected a .csv or .xlsx file, got {suffix!r}")]
        )


def parse_file(path: Path) -> tuple[list[tuple[int, CustomerIn]], list[tuple[int, str]]]:
    """Validate every row: (good rows, bad rows with reasons). Blocking I/O."""
    rows = read_rows(path)
    try:
        _, headers = next(rows)
    except StopIteration:
        raise CustomerImportError(str(path), [(1, "the file is empty")]) from None
    mapping = map_headers(headers, str(path))
    good: list[tuple[int, CustomerIn]] = []
    bad: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for number, cells in rows:
        values = {name: _cell(cells[i]) if i < len(cells) else None for i, name in mapping.items()}
        if all(v is None for v in values.values()):
            continue  # blank line
        try:
            customer = CustomerIn.model_validate({k: v for k, v in values.items() if v is not None})
        except ValidationError as exc:
            reasons = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'row'}: {err['msg']}"
                for err in exc.errors()
            )
            bad.append((number, reasons))
            continue
        first = seen.get(customer.customer_id)
        if first is not None:
            bad.append((number, f"customer_id {customer.customer_id!r} repeats row {first}"))
            continue
        seen[customer.customer_id] = number
        good.append((number, customer))
    return good, bad


async def import_customers(
    db: Database, path: Path, *, skip_bad_rows: bool = False
) -> ImportResult:
    """Import a customer file. All-or-nothing: any bad row raises CustomerImportError listing
    every bad row, and nothing is written - unless `skip_bad_rows`, which imports the rest."""
    good, bad = await asyncio.to_thread(parse_file, path)
    if bad and not skip_bad_rows:
        raise CustomerImportError(str(path), bad)
    now = time.time()
    rows = [
        {
            "customer_id": c.customer_id,
            "name": c.name,
            "phone": c.phone,
            "email": c.email,
            "tier": c.tier.value,
            "notes": c.notes,
            "updated_at": now,
        }
        for _, c in good
    ]
    module: Any = postgresql if db.dialect == "postgresql" else sqlite
    stmt = module.insert(CUSTOMERS)
    stmt = stmt.on_conflict_do_update(
        index_elements=[CUSTOMERS.c.customer_id],
        set_={
            name: stmt.excluded[name]
            for name in ("name", "phone", "email", "tier", "notes", "updated_at")
        },
    )
    async with db.engine.begin() as conn:
        for start in range(0, len(rows), 1000):
            await conn.execute(stmt, rows[start : start + 1000])
    return ImportResult(imported=len(rows), skipped=bad)


async def count_customers(db: Database) -> int:
    """How many customers the database holds."""
    async with db.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(CUSTOMERS))).scalar_one())


@dataclass(frozen=True, slots=True)
class Contact:
    """One past call of a customer, for the screen-pop's contact history."""

    call_id: str
    arrived_at: float
    queue: str | None
    outcome: str
    agent_id: str | None
    disposition: str | None


async def contact_history(db: Database, customer_id: str, limit: int = 10) -> list[Contact]:
    """The customer's most recent calls, newest first (uses the customer/arrival index)."""
    calls = CallRow.__table__.c
    stmt = (
        select(calls.call_id, calls.arrived_at, calls.queue, calls.outcome, calls.agent_id,
               calls.disposition)
        .where(calls.customer_id == customer_id)
        .order_by(calls.arrived_at.desc())
        .limit(limit)
    )  # fmt: skip
    async with db.engine.connect() as conn:
        return [Contact(*row) for row in await conn.execute(stmt)]


@dataclass(frozen=True, slots=True)
class Customer:
    """A customer record as the screen-pop shows it."""

    customer_id: str
    name: str
    phone: str | None
    email: str | None
    tier: str
    notes: str | None


async def find_customer_by_phone(db: Database, phone: str) -> Customer | None:
    """The customer whose phone number is `phone` (the most recently updated if several)."""
    return await _find_customer(db, CustomerRow.__table__.c.phone == phone)


async def find_customer_by_id(db: Database, customer_id: str) -> Customer | None:
    """The customer with this id (the account number a caller types in the IVR)."""
    return await _find_customer(db, CustomerRow.__table__.c.customer_id == customer_id)


async def _find_customer(db: Database, condition: ColumnElement[bool]) -> Customer | None:
    rows = CustomerRow.__table__.c
    stmt = (
        select(rows.customer_id, rows.name, rows.phone, rows.email, rows.tier, rows.notes)
        .where(condition)
        .order_by(rows.updated_at.desc())
        .limit(1)
    )
    async with db.engine.connect() as conn:
        row = (await conn.execute(stmt)).first()
    return Customer(*row) if row is not None else None


async def search_customers(db: Database, *, phone: str | None = None,
                           customer_id: str | None = None, name: str | None = None,
                           limit: int = 20) -> list[Customer]:
    """Customers matching every given criterion: the phone number exactly, the account
    (customer id) exactly, the name containing `name` (any case). Most recently updated first.
    """
    rows = CustomerRow.__table__.c
    stmt = select(rows.customer_id, rows.name, rows.phone, rows.email, rows.tier, rows.notes)
    if phone is not None:
        stmt = stmt.where(rows.phone == phone)
    if customer_id is not None:
        stmt = stmt.where(rows.customer_id == customer_id)
    if name is not None:
        pattern = "%" + name.lower().replace("\\", "\\\\").replace("%", "\\%").replace(
            "_", "\\_") + "%"
        stmt = stmt.where(func.lower(rows.name).like(pattern, escape="\\"))
    stmt = stmt.order_by(rows.updated_at.desc(), rows.customer_id).limit(limit)
    async with db.engine.connect() as conn:
        return [Customer(*row) for row in await conn.execute(stmt)]
