"""prompts.txt lists the digits SayDigits speaks, in each caller's language's own directory."""

from __future__ import annotations

from dialplans.inputs import Prompt, PromptSet
from dialplans.prompts import engine_prompts

ANNOUNCE = {"zh": ("cc/zh/agent-id-prefix", "cc/zh/agent-id-suffix")}


def names(prompts: list[Prompt], language: str) -> set[str]:
    return {p.name for p in prompts if p.language == language}


def test_the_announced_agent_id_needs_digits_in_every_caller_language() -> None:
    # A route in English with only Chinese announcement prompts: the prefix is Chinese but
    # SayDigits speaks in the channel's language, so English digits are needed too.
    listed = engine_prompts(PromptSet(announce=ANNOUNCE, languages=("en", "zh")))
    for language in ("en", "zh"):
        assert {f"{language}/digits/{d}" for d in range(10)} <= names(listed, language)
    assert "zh/digits/10" not in names(listed, "zh")  # nothing says numbers here
    assert {p.name for p in listed if p.language == ""} == set()


def test_without_the_announcement_or_an_ivr_no_digits_are_needed() -> None:
    listed = engine_prompts(PromptSet(announce={}, languages=("en", "zh")))
    assert not [p for p in listed if "/digits/" in p.name]


def test_the_ivr_says_numbers_so_its_languages_get_what_saynumber_plays() -> None:
    # main/say.c: zh says 12 as digits/10 + digits/2, en as digits/12.
    listed = engine_prompts(PromptSet(announce={}, languages=("zh",)),
                            [Prompt("cc/zh/queue-you-are-number", "zh"),
                             Prompt("cc/en/queue-you-are-number", "en")])
    zh, en = names(listed, "zh"), names(listed, "en")
    assert {"zh/digits/7", "zh/digits/10", "zh/digits/90", "zh/digits/hundred",
            "zh/digits/wan"} <= zh
    assert "zh/digits/12" not in zh
    assert {"en/digits/7", "en/digits/12", "en/digits/90", "en/digits/thousand"} <= en
