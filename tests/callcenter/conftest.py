"""Shared fixtures for the callcenter tests: the Asterisk 22 AMI transcripts."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from callcenter.ami.testing import Record, find_transcript, load_transcript

Transcript = Callable[[str], list[Record]]


@pytest.fixture
def transcript() -> Transcript:
    """Load a transcript by its prefix ("b1"); skip, saying where we looked, if missing."""

    def load(name: str) -> list[Record]:
        path = find_transcript(name)
        if path is None:
            pytest.skip(f"AMI transcript {name} not found (set CALLCENTER_AMI_FIXTURES)")
        return load_transcript(path)

    return load
