"""Fixtures for router tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from acd import Router
from acd.testing import check_invariants


@pytest.fixture
def checked() -> Iterator[list[Router]]:
    """Routers appended here have their invariants checked at the end of the test."""
    routers: list[Router] = []
    yield routers
    for router in routers:
        check_invariants(router)
