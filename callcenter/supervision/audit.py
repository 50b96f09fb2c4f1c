"""The audit trail of supervisor commands: who did what, on whom, when, and with what result.

One row per command that reached the engine on `callcenter/v1/supervisors/{user}/commands`,
refused ones included (unknown user, a role that may not, a team lead outside its team, a
command that could not be read, an action the engine could not carry out). Rows are only
ever inserted. Table `supervisor_audit`, created by migration 0004.

The model is declared on `cdr.store.schema.Base` here rather than in `cdr/store/schema.py`
because `cdr` may not import `callcenter`; Alembic's autogenerate sees it only when this module is
imported.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Double, Index, Integer, String, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from cdr import Base, Database

log = logging.getLogger(__name__)

OK = "ok"
MAX_RESULT = 600


class SupervisorAuditRow(Base):
    __tablename__ = "supervisor_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[float] = mapped_column(Double)  # epoch seconds, UTC
    user_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(16))  # None: not a configured user
    action: Mapped[str] = mapped_column(String(32))
    agent_id: Mapped[str | None] = mapped_column(String(64))
    call_id: Mapped[str | None] = mapped_column(String(128))
    detail: Mapped[str | None] = mapped_column(String(200))
    request_id: Mapped[str | None] = mapped_column(String(128))
    result: Mapped[str] = mapped_column(String(MAX_RESULT))

    __table_args__ = (Index(None, "at"), Index(None, "user_id", "at"))


_TABLE = SupervisorAuditRow.__table__


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One supervisor command and its outcome. `result` is `ok` or why it was refused/failed.

    `action` is the command's `cmd` (`?` when the payload could not be read); `detail` what
    else it carried (`reason lunch`, `to queue sales`, `priority 7`).
    """

    at: float
    user_id: str
    role: str | None
    action: str
    agent_id: str | None
    call_id: str | None
    detail: str | None
    request_id: str | None
    result: str

    @property
    def ok(self) -> bool:
        return self.result == OK

    def describe(self) -> str:
        target = " ".join(part for part in (
            f"agent {self.agent_id}" if self.agent_id else "",
            f"call {self.call_id}" if self.call_id else "",
            self.detail or "") if part)
        return (f"{self.role or 'unknown user'} {self.user_id}: {self.action}"
                f"{' ' + target if target else ''} -> {self.result}")


async def write_audit(db: Database, entry: AuditEntry) -> None:
    """Insert one entry (committed when this returns)."""
    values = {
        "at": entry.at, "user_id": entry.user_id[:64], "role": entry.role,
        "action": entry.action[:32], "agent_id": entry.agent_id, "call_id": entry.call_id,
        "detail": (entry.detail or "")[:200] or None, "request_id": entry.request_id,
        "result": entry.result[:MAX_RESULT],
    }
    async with db.engine.begin() as conn:
        await conn.execute(insert(SupervisorAuditRow).values(**values))


async def read_audit(db: Database, *, user_id: str | None = None,
                     since: float | None = None) -> list[AuditEntry]:
    """Entries in the order they were written, optionally one user's, from `since` on."""
    c = _TABLE.c
    stmt = select(c.at, c.user_id, c.role, c.action, c.agent_id, c.call_id, c.detail,
                  c.request_id, c.result).order_by(c.id)
    if user_id is not None:
        stmt = stmt.where(c.user_id == user_id)
    if since is not None:
        stmt = stmt.where(c.at >= since)
    async with db.engine.connect() as conn:
        return [AuditEntry(*row) for row in await conn.execute(stmt)]
