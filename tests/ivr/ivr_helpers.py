"""Shared bits for the IVR tests: flows from inline YAML and local times as epochs."""

from __future__ import annotations

import textwrap
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import ivr
from ivr.flows import Flow, parse_flow

EXAMPLES = Path(ivr.__file__).parent / "examples"


def flow(text: str) -> Flow:
    return parse_flow(textwrap.dedent(text), "test.yaml")


def at(local: str, zone: str = "Asia/Shanghai") -> float:
    """'2025-03-03 10:00' in `zone` → epoch seconds."""
    return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone)).timestamp()
