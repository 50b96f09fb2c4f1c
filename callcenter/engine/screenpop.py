"""What the agent's screen shows while the phone rings: the caller, their record and history.

The customer lookup starts when the call is queued (`CustomerLookup` effect), so that at the
offer the record is usually ready; the pop waits for it at most `LOOKUP_WAIT_S` and goes
without it otherwise (it says so: `customer` is None and `lookup` says "pending").
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError

from callcenter.engine.live import LiveCall
from cdr import Contact, Customer, Database, contact_history, find_customer_by_phone

log = logging.getLogger(__name__)
LOOKUP_WAIT_S = 0.3
HISTORY_LENGTH = 5


@dataclass(frozen=True, slots=True)
class CustomerView:
    customer: Customer | None
    history: tuple[Contact, ...]
    lookup: str  # "found", "unknown", "pending", "failed", "no-database"


@dataclass(frozen=True, slots=True)
class ScreenPop:
    pop_id: str  # one per offer (the agent leg's id): desktops show each once
    call_id: str
    agent_id: str
    caller: str
    caller_name: str
    customer: CustomerView
    queue: str
    waited_s: float
    priority: int
    tier: str | None
    agent_id_announced: str | None  # what the caller heard; None with announcements off
    ivr_path: tuple[str, ...]
    ivr_inputs: dict[str, str] = field(default_factory=dict)
    crm_url: str = ""
    language: str = ""
    built_at: float = 0.0  # epoch seconds: the payload's `at`, the same on every channel


def ivr_parts(path: str) -> tuple[tuple[str, ...], dict[str, str]]:
    """`CC_IVR_PATH` = `node=value/node=value/node` → (nodes in order, inputs by node)."""
    nodes: list[str] = []
    inputs: dict[str, str] = {}
    for part in filter(None, path.split("/")):
        node, sep, value = part.partition("=")
        nodes.append(node)
        if sep:
            inputs[node] = value
    return tuple(nodes), inputs


class CustomerDirectory:
    """Looks callers up once per call and keeps the answer until the call's pop is built."""

    def __init__(self, db: Database | None) -> None:
        self._db = db
        self._lookups: dict[str, asyncio.Task[CustomerView]] = {}

    def start(self, call_id: str, caller: str) -> None:
        if call_id not in self._lookups:
            self._lookups[call_id] = asyncio.create_task(
                self._lookup(caller), name=f"customer-lookup-{call_id}"
            )

    def forget(self, call_id: str) -> None:
        task = self._lookups.pop(call_id, None)
        if task is not None and not task.done():
            task.cancel()

    async def view(self, call_id: str) -> CustomerView:
        task = self._lookups.get(call_id)
        if task is None:
            return CustomerView(None, (), "unknown" if self._db else "no-database")
        try:
            return await asyncio.wait_for(asyncio.shield(task), LOOKUP_WAIT_S)
        except TimeoutError:
            return CustomerView(None, (), "pending")

    async def _lookup(self, caller: str) -> CustomerView:
        if self._db is None:
            return CustomerView(None, (), "no-database")
        try:
            customer = await find_customer_by_phone(self._db, caller)
            if customer is None:
                return CustomerView(None, (), "unknown")
            history = await contact_history(self._db, customer.customer_id, HISTORY_LENGTH)
        except SQLAlchemyError as error:
            log.error("customer lookup for %s failed: %s", caller, type(error).__name__)
            return CustomerView(None, (), "failed")
        return CustomerView(customer, tuple(history), "found")


def build_pop(call: LiveCall, pop_id: str, agent_id: str, announced: str | None,
              view: CustomerView, now: float, crm_url_template: str) -> ScreenPop:
    nodes, inputs = ivr_parts(call.ivr_path)
    customer_id = view.customer.customer_id if view.customer else ""
    crm_url = ""  # a link to a customer record needs a customer (docs/mqtt.md: null then)
    if customer_id or "{customer_id}" not in crm_url_template:
        crm_url = crm_url_template.format(customer_id=customer_id, call_id=call.call_id,
                                          caller=call.caller, agent=agent_id, queue=call.queue)
    tier = call.tier or (view.customer.tier if view.customer else None)
    return ScreenPop(
        pop_id=pop_id, call_id=call.call_id, agent_id=agent_id, caller=call.caller,
        caller_name=call.caller_name, customer=view, queue=call.queue,
        waited_s=round(max(0.0, now - call.enqueued_at), 3), priority=call.priority, tier=tier,
        agent_id_announced=announced, ivr_path=nodes, ivr_inputs=inputs, crm_url=crm_url,
        language=call.language, built_at=now,
    )
