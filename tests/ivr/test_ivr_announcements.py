"""Position and expected-wait announcements, in English and Chinese, and the callback offer."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from ivr.announcements import (
    HoldChoice,
    PlayFile,
    PromptStep,
    SayNumber,
    announce_position,
    position_prompts,
)
from ivr.ports import CallerHungUp
from ivr.testing import Barge, Hangup, ScriptedChannel, ScriptEntry


def words(steps: list[PromptStep]) -> list[str | int]:
    return [s.name.rsplit("/", 1)[-1] if isinstance(s, PlayFile) else s.number for s in steps]


def test_english_position_and_wait() -> None:
    steps = position_prompts(3, 95, "en")
    assert steps[0] == PlayFile("cc/en/queue-you-are-number") and steps[1] == SayNumber(3)
    assert words(steps) == ["queue-you-are-number", 3, "queue-in-line", "queue-wait-about", 2,
                            "minutes"]


def test_chinese_uses_one_word_for_minutes() -> None:
    assert words(position_prompts(4, 45, "zh")) == [
        "queue-you-are-number", 4, "queue-in-line", "queue-wait-less-than-a-minute"]
    assert words(position_prompts(2, 60, "zh"))[-3:] == ["queue-wait-about", 1, "minutes"]
    assert all(isinstance(s, SayNumber) or "/zh/" in s.name for s in position_prompts(2, 60, "zh"))


@pytest.mark.parametrize(
    ("wait", "tail"),
    [
        (None, ["queue-in-line"]),
        (0, ["queue-wait-less-than-a-minute"]),
        (59.9, ["queue-wait-less-than-a-minute"]),
        (60, ["queue-wait-about", 1, "minute"]),
        (61, ["queue-wait-about", 2, "minutes"]),
        (1800, ["queue-wait-about", 30, "minutes"]),
        (1801, ["queue-wait-more-than", 30, "minutes"]),
        (float("nan"), ["queue-in-line"]),
    ],
)
def test_wait_rounding_and_cap(wait: float | None, tail: list[str | int]) -> None:
    assert words(position_prompts(5, wait, "en"))[-len(tail):] == tail


def test_first_in_line_is_next() -> None:
    assert words(position_prompts(1, None, "en")) == ["queue-you-are-next"]


async def test_callback_offer() -> None:
    async def choice(script: Sequence[ScriptEntry]) -> tuple[HoldChoice, ScriptedChannel]:
        channel = ScriptedChannel(script)
        return await announce_position(channel, position=3, expected_wait_s=300,
                                       language="zh", offer_callback=True), channel

    taken, channel = await choice(["1"])
    assert taken is HoldChoice.CALLBACK
    assert channel.heard[-1] == "cc/zh/queue-press-1-callback"
    assert (await choice([Barge("1")]))[0] is HoldChoice.CALLBACK  # during "you are number"
    assert (await choice(["2"]))[0] is HoldChoice.STAY
    assert (await choice([]))[0] is HoldChoice.STAY
    with pytest.raises(CallerHungUp):
        await choice([Hangup()])


async def test_no_offer_ignores_keys() -> None:
    channel = ScriptedChannel([Barge("1"), "1"])
    choice = await announce_position(channel, position=2, expected_wait_s=None, language="en",
                                     offer_callback=False)
    assert choice is HoldChoice.STAY
    assert channel.heard == ["cc/en/queue-you-are-number", "number:2", "cc/en/queue-in-line"]
