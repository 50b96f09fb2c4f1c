"""A table of handlers by the exact type of what they handle (AMI events, router decisions).

Registering is type-checked pair by pair (`on(Offer, handle_offer)` requires a handler of
`Offer`); the lookup is one dict access by `type(item)`, which is what the hot path wants.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar

Item = TypeVar("Item")
Kind = TypeVar("Kind")
Args = ParamSpec("Args")


class DispatchTable(Generic[Item, Args]):
    """Handlers of `Item`s, each called as `handler(item, *args)`."""

    def __init__(self) -> None:
        self._handlers: dict[type[Any], Callable[Concatenate[Any, Args], None]] = {}

    def on(self, kind: type[Kind], handler: Callable[Concatenate[Kind, Args], None]) -> None:
        self._handlers[kind] = handler

    def handler_for(self, item: Item) -> Callable[Concatenate[Item, Args], None] | None:
        """The handler registered for `type(item)` exactly; None for anything else."""
        return self._handlers.get(type(item))

    def kinds(self) -> frozenset[type[Any]]:
        return frozenset(self._handlers)
