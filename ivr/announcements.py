"""While waiting: "you are number 3 in line, about 2 minutes", and the callback offer.

The wording is a list of steps (play a file / say a number) built by a pure function, so
each language's order and grammar is testable without a channel. The announced wait is
rounded up to whole minutes, "less than a minute" below 60 s, and capped ("more than 30
minutes") because a long estimate is also the least reliable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

from ivr.ports import CallerChannel
from ivr.prompts import Builtin, builtin

MAX_ANNOUNCED_WAIT_MIN = 30
CALLBACK_KEY = "1"
CALLBACK_WAIT_S = 4.0  # after "press 1 to be called back"
# Languages whose "minute" has a singular form; others (zh) use one word for any count.
_SINGULAR_MINUTE = frozenset({"en"})


@dataclass(frozen=True, slots=True)
class PlayFile:
    name: str


@dataclass(frozen=True, slots=True)
class SayNumber:
    number: int


PromptStep = PlayFile | SayNumber


class HoldChoice(Enum):
    STAY = "stay"
    CALLBACK = "callback"


def announced_minutes(expected_wait_s: float) -> int:
    """Whole minutes to announce: 0 below a minute, else rounded up (cap not applied)."""
    if expected_wait_s < 60:
        return 0
    return math.ceil(expected_wait_s / 60)


def position_prompts(
    position: int, expected_wait_s: float | None, language: str
) -> list[PromptStep]:
    """The announcement for a caller at `position` (1 = next) with an expected wait
    (None or negative/NaN: not announced), in `language`'s files under `cc/<lang>/`."""

    def file(prompt: Builtin) -> PlayFile:
        return PlayFile(builtin(prompt, language))

    steps: list[PromptStep]
    if position <= 1:
        steps = [file(Builtin.QUEUE_YOU_ARE_NEXT)]
    else:
        steps = [file(Builtin.QUEUE_YOU_ARE_NUMBER), SayNumber(position),
                 file(Builtin.QUEUE_IN_LINE)]
    if expected_wait_s is None or not expected_wait_s >= 0:
        return steps
    minutes = announced_minutes(expected_wait_s)
    if minutes == 0:
        return [*steps, file(Builtin.QUEUE_WAIT_LESS_THAN_A_MINUTE)]
    lead = Builtin.QUEUE_WAIT_ABOUT
    if minutes > MAX_ANNOUNCED_WAIT_MIN:
        lead, minutes = Builtin.QUEUE_WAIT_MORE_THAN, MAX_ANNOUNCED_WAIT_MIN
    unit = Builtin.MINUTE if minutes == 1 and language in _SINGULAR_MINUTE else Builtin.MINUTES
    return [*steps, file(lead), SayNumber(minutes), file(unit)]


async def play_steps(channel: CallerChannel, steps: list[PromptStep], *,
                     interrupt_digits: str = "") -> str:
    """Play `steps` in order; the digit that interrupted them, or ""."""
    for step in steps:
        if isinstance(step, PlayFile):
            key = await channel.play([step.name], interrupt_digits=interrupt_digits)
        else:
            key = await channel.say_number(step.number, interrupt_digits=interrupt_digits)
        if key:
            return key
    return ""


async def announce_position(
    channel: CallerChannel,
    *,
    position: int,
    expected_wait_s: float | None,
    language: str,
    offer_callback: bool,
) -> HoldChoice:
    """Announce the place in line; with `offer_callback`, `1` (during or just after the
    offer) asks to be called back keeping the place. Raises CallerHungUp if the caller left."""
    keys = CALLBACK_KEY if offer_callback else ""
    steps = position_prompts(position, expected_wait_s, language)
    if offer_callback:
        steps.append(PlayFile(builtin(Builtin.QUEUE_PRESS_1_CALLBACK, language)))
    key = await play_steps(channel, steps, interrupt_digits=keys)
    if offer_callback and not key:
        key = await channel.wait_digit(CALLBACK_WAIT_S)
    return HoldChoice.CALLBACK if offer_callback and key == CALLBACK_KEY else HoldChoice.STAY
