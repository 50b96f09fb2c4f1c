"""The shared routing config model: valid files become router settings; bad ones name the key."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from acd import ExpandSkills, OverflowRule, OverflowTarget, RaisePriority, Router, Strategy
from acd.config import AgentModel, QueueModel


def test_queue_model_to_settings() -> None:
    model = QueueModel.model_validate(
        {
            "name": "support",
            "skills": {"english": 3, "billing": 5},
            "strategy": "most-skilled",
            "wrap_up_s": 30,
            "rules": [
                {"after_s": 30, "action": "expand-skills", "lower_levels_by": 2},
                {"after_s": 60, "action": "raise-priority", "by": 2},
                {"after_s": 120, "action": "overflow", "target": "voicemail"},
            ],
        }
    )
    settings = model.to_settings()
    assert settings.strategy is Strategy.MOST_SKILLED
    assert [(n.skill, n.min_level) for n in settings.required] == [("billing", 5), ("english", 3)]
    assert settings.rules == (
        ExpandSkills(30.0, 2, ()),
        RaisePriority(60.0, 2),
        OverflowRule(120.0, OverflowTarget.VOICEMAIL, None),
    )
    router = Router([settings])
    agent = AgentModel.model_validate({"id": "a1", "display_id": "1007", "skills": {"english": 5}})
    router.add_agent(agent.id, agent.skills, display_id=agent.display_id)
    assert router.agent_info("a1").display_id == "1007"


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"name": "q", "skills": {"en": 11}}, "skills.en"),
        ({"name": "q", "wrap_up_s": -5}, "wrap_up_s"),
        ({"name": "q", "strategy": "fastest"}, "strategy"),
        ({"name": "q", "rules": [{"after_s": 5, "action": "teleport"}]}, "rules.0"),
        (
            {"name": "q", "rules": [{"after_s": 5, "action": "overflow", "target": "queue"}]},
            "rules.0",
        ),
        ({"name": "q", "bogus": 1}, "bogus"),
    ],
)
def test_bad_queue_config_names_the_key(data: dict[str, object], where: str) -> None:
    with pytest.raises(ValidationError) as err:
        QueueModel.model_validate(data)
    assert where in str(err.value)
