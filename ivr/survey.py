"""The post-call survey: CSAT 1–5 and/or NPS 0–10, keyed in by DTMF.

NPS is read as up to two digits ended by `#` or by the timeout, so `10` is one answer and
`7` followed by `#` (or silence) is another. An invalid or missing answer is asked once
more; a second miss leaves that score out and the survey goes on. A hang-up ends the
survey with what was answered so far.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ivr.dtmf import ask_digits, score_between
from ivr.ports import CallerChannel, CallerHungUp
from ivr.prompts import BUILTIN_TEMPLATE, Builtin, builtin, resolve

CSAT_RANGE = (1, 5)
NPS_RANGE = (0, 10)
ATTEMPTS = 2  # the first ask and one re-prompt


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SurveyPrompts(_Strict):
    """One language's prompts; a field left out uses the built-in prompt, `[]` plays nothing.
    Bare names resolve under `cc/<lang>/`."""

    intro: list[str] | None = None
    csat: list[str] | None = None
    nps: list[str] | None = None
    invalid: list[str] | None = None
    thanks: list[str] | None = None


class SurveySettings(_Strict):
    csat: bool = True
    nps: bool = False
    timeout_s: Annotated[float, Field(gt=0, le=60, allow_inf_nan=False)] = 6.0
    prompts: dict[str, SurveyPrompts] = Field(default_factory=dict)  # by language

    @model_validator(mode="after")
    def _asks_something(self) -> SurveySettings:
        if not (self.csat or self.nps):
            raise ValueError("a survey asks csat, nps or both")
        return self

    def files(self, language: str) -> dict[str, list[str]]:
        """Sound files per part (intro, csat, nps, invalid, thanks) in `language`."""
        chosen = self.prompts.get(language, SurveyPrompts())
        defaults = {
            "intro": Builtin.SURVEY_INTRO,
            "csat": Builtin.SURVEY_CSAT,
            "nps": Builtin.SURVEY_NPS,
            "invalid": Builtin.SURVEY_INVALID,
            "thanks": Builtin.SURVEY_THANKS,
        }
        files: dict[str, list[str]] = {}
        for part, default in defaults.items():
            names: list[str] | None = getattr(chosen, part)
            files[part] = (
                [builtin(default, language)]
                if names is None
                else [resolve(name, language, BUILTIN_TEMPLATE) for name in names]
            )
        return files

    def sound_files(self, languages: Iterable[str]) -> set[str]:
        """Every file this survey may play in any of `languages`."""
        used = {"intro", "invalid", "thanks"} | {p for p in ("csat", "nps") if getattr(self, p)}
        return {
            name
            for language in languages
            for part, names in self.files(language).items()
            if part in used
            for name in names
        }


@dataclass(frozen=True, slots=True)
class SurveyAnswers:
    csat: int | None = None
    nps: int | None = None
    caller_hung_up: bool = False


async def _score(
    channel: CallerChannel,
    ask: list[str],
    invalid: list[str],
    score_range: tuple[int, int],
    timeout_s: float,
) -> int | None:
    low, high = score_range
    for attempt in range(ATTEMPTS):
        prompts = ask if attempt == 0 else [*invalid, *ask]
        typed = await ask_digits(channel, prompts, max_digits=len(str(high)), timeout_s=timeout_s)
        score = score_between(typed, low, high)
        if score is not None:
            return score
    return None


async def run_survey(
    channel: CallerChannel, settings: SurveySettings, language: str
) -> SurveyAnswers:
    """Ask the configured questions; a hang-up returns what was answered so far."""
    files = settings.files(language)
    scores: dict[str, int | None] = {"csat": None, "nps": None}
    try:
        if files["intro"]:
            await channel.play(files["intro"])
        if settings.csat:
            scores["csat"] = await _score(
                channel, files["csat"], files["invalid"], CSAT_RANGE, settings.timeout_s
            )
        if settings.nps:
            scores["nps"] = await _score(
                channel, files["nps"], files["invalid"], NPS_RANGE, settings.timeout_s
            )
        if files["thanks"]:
            await channel.play(files["thanks"])
    except CallerHungUp:
        return SurveyAnswers(scores["csat"], scores["nps"], caller_hung_up=True)
    return SurveyAnswers(scores["csat"], scores["nps"])
