"""QA: the per-agent sample is reproducible; the weighted form scores 0-100."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from recording.qa import QaSettings, ScoreError, sample_per_agent, weighted_score

CALLS = [(f"c{i}", f"a{i % 3}") for i in range(30)]


def test_sample_per_agent_is_reproducible_and_independent_of_input_order() -> None:
    first = sample_per_agent(CALLS, 2, seed=5)
    assert first == sample_per_agent(list(reversed(CALLS)), 2, seed=5)
    assert sorted(first) == ["a0", "a1", "a2"] and all(len(v) == 2 for v in first.values())
    assert all(int(c[1:]) % 3 == int(a[1:]) for a, ids in first.items() for c in ids)
    assert sample_per_agent(CALLS, 2, seed=6) != first


def test_weighted_score() -> None:
    qa = QaSettings.model_validate({"criteria": [
        {"name": "greeting", "weight": 1}, {"name": "resolution", "weight": 3}]})
    assert weighted_score(qa, {"greeting": 5, "resolution": 5}) == 100.0
    assert weighted_score(qa, {"greeting": 5, "resolution": 0}) == 25.0
    with pytest.raises(ScoreError, match="resolution: expected 0-5 points, got 6"):
        weighted_score(qa, {"greeting": 5, "resolution": 6})
    with pytest.raises(ScoreError, match="criteria not scored: resolution"):
        weighted_score(qa, {"greeting": 5})
    with pytest.raises(ScoreError, match="unknown criteria tone"):
        weighted_score(qa, {"greeting": 5, "resolution": 1, "tone": 3})


def test_bad_forms_are_named() -> None:
    with pytest.raises(ValidationError, match="repeated: a"):
        QaSettings.model_validate({"criteria": [{"name": "a", "weight": 1},
                                                {"name": "a", "weight": 2}]})
    with pytest.raises(ValidationError, match="greater than 0"):
        QaSettings.model_validate({"criteria": [{"name": "a", "weight": 0}]})
