"""Customers: search by phone, account or name; one record with its contact history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from callcenter.engine.payloads import utc
from callcenter.http.auth import Guarded
from callcenter.http.errors import ApiError, not_found
from callcenter.http.models import ContactView, CustomerDetail, CustomerView
from callcenter.supervision.roles import Action, QueueTarget
from cdr.callers.customers import contact_history, find_customer_by_id, search_customers

router = APIRouter(tags=["customers"])
HISTORY = 20
Text64 = Annotated[str | None, Query(min_length=1, max_length=64)]


@router.get("/customers", response_model=list[CustomerView], summary="Find customers")
async def find(guard: Guarded, phone: Text64 = None,
               account: Annotated[str | None, Query(min_length=1, max_length=64,
                                                    description="the customer id")] = None,
               name: Annotated[str | None, Query(min_length=2, max_length=100,
                                                 description="part of the name")] = None,
               limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[CustomerView]:
    """Customers matching every given criterion (at least one)."""
    await guard.allow(Action.READ_CUSTOMERS, QueueTarget(""))
    if phone is None and account is None and name is None:
        raise ApiError(422, "invalid", "give phone, account or name (query)")
    found = await search_customers(guard.ctx.db, phone=phone, customer_id=account, name=name,
                                   limit=limit)
    return [CustomerView(customer_id=c.customer_id, name=c.name, phone=c.phone,
                         email=c.email, tier=c.tier, notes=c.notes) for c in found]


@router.get("/customers/{customer_id}", response_model=CustomerDetail,
            summary="A customer's record and history")
async def get_customer(customer_id: Annotated[str, Path(min_length=1, max_length=64)],
                       guard: Guarded) -> CustomerDetail:
    await guard.allow(Action.READ_CUSTOMERS, QueueTarget(""))
    customer = await find_customer_by_id(guard.ctx.db, customer_id)
    if customer is None:
        raise not_found(f"no customer {customer_id[:64]}")
    history = await contact_history(guard.ctx.db, customer.customer_id, HISTORY)
    return CustomerDetail(
        customer_id=customer.customer_id, name=customer.name, phone=customer.phone,
        email=customer.email, tier=customer.tier, notes=customer.notes,
        history=[ContactView(call_id=h.call_id, arrived_at=utc(h.arrived_at), queue=h.queue,
                             outcome=h.outcome, agent=h.agent_id, disposition=h.disposition)
                 for h in history])
