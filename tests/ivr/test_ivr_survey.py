"""The post-call survey: scores, one re-prompt, clean endings."""

from __future__ import annotations

import pytest

from ivr.survey import SurveyAnswers, SurveyPrompts, SurveySettings, run_survey
from ivr.testing import Barge, Hangup, ScriptedChannel, ScriptEntry

BOTH = SurveySettings(csat=True, nps=True)


async def survey(script: list[ScriptEntry], settings: SurveySettings = BOTH,
                 language: str = "en") -> tuple[SurveyAnswers, ScriptedChannel]:
    channel = ScriptedChannel(script)
    return await run_survey(channel, settings, language), channel


@pytest.mark.parametrize(("typed", "nps"), [("10", 10), ("0", 0), ("7#", 7), ("07", 7)])
async def test_valid_answers(typed: str, nps: int) -> None:
    answers, channel = await survey(["5", typed])
    assert answers == SurveyAnswers(csat=5, nps=nps)
    assert channel.heard == ["cc/en/survey-intro", "cc/en/survey-csat", "cc/en/survey-nps",
                             "cc/en/survey-thanks"]


async def test_invalid_once_is_asked_again() -> None:
    answers, channel = await survey(["6", "3", "11", "9"])
    assert answers == SurveyAnswers(csat=3, nps=9)
    assert channel.heard.count("cc/en/survey-invalid") == 2


async def test_invalid_twice_leaves_the_score_out() -> None:
    answers, channel = await survey(["*", "", "x9", "1"])
    assert answers == SurveyAnswers(csat=None, nps=1)
    assert channel.heard[-1] == "cc/en/survey-thanks"


async def test_hang_up_keeps_what_was_answered() -> None:
    answers, _ = await survey(["4", Hangup()])
    assert answers == SurveyAnswers(csat=4, nps=None, caller_hung_up=True)


async def test_barge_in_during_the_question() -> None:
    settings = SurveySettings(csat=False, nps=True, prompts={
        "zh": SurveyPrompts(intro=[], nps=["nps-part1", "nps-part2"], thanks=["custom/bye"])
    })
    answers, channel = await survey([Barge("1"), "0"], settings, "zh")
    assert answers == SurveyAnswers(nps=10)
    assert channel.heard == ["cc/zh/nps-part1", "custom/bye"]
    assert settings.sound_files(["zh"]) == {"cc/zh/nps-part1", "cc/zh/nps-part2",
                                            "cc/zh/survey-invalid", "custom/bye"}


def test_a_survey_asks_something() -> None:
    with pytest.raises(ValueError, match="csat, nps or both"):
        SurveySettings(csat=False, nps=False)
