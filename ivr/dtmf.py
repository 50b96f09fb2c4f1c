"""Asking the caller for keys, and checking what came back.

Whatever the PBX returns is treated as untrusted text: `*`, `#`, letters or too many
digits are invalid input for the caller to retry, never an exception.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ivr.ports import CallerChannel

DTMF_KEYS = "0123456789*#"
TERMINATOR = "#"  # GET DATA ends input on it; it never reaches us as part of the digits
_DIGITS = re.compile(r"[0-9]+")


async def ask_key(channel: CallerChannel, prompts: Sequence[str], *, timeout_s: float) -> str:
    """One key: pressed during the prompts, or within `timeout_s` after them ("" = none)."""
    key = await channel.play(prompts, interrupt_digits=DTMF_KEYS) if prompts else ""
    return key or await channel.wait_digit(timeout_s)


async def ask_digits(
    channel: CallerChannel, prompts: Sequence[str], *, max_digits: int, timeout_s: float
) -> str:
    """Up to `max_digits` keys after `prompts` (the first may barge in on an earlier prompt)."""
    if len(prompts) > 1:
        first = await channel.play(prompts[:-1], interrupt_digits=DTMF_KEYS)
        if first == TERMINATOR:
            return ""
        if first:
            if max_digits == 1:
                return first
            rest = await channel.read_digits("", max_digits=max_digits - 1, timeout_s=timeout_s)
            return first + rest
    last = prompts[-1] if prompts else ""
    return await channel.read_digits(last, max_digits=max_digits, timeout_s=timeout_s)


def digits_between(text: str, min_digits: int, max_digits: int) -> str | None:
    """`text` without a trailing `#` if it is min..max ASCII digits, else None."""
    text = text.removesuffix(TERMINATOR)
    if _DIGITS.fullmatch(text) and min_digits <= len(text) <= max_digits:
        return text
    return None


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check used by card and many account numbers; ASCII digits only."""
    if not _DIGITS.fullmatch(digits) or len(digits) < 2:
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def score_between(text: str, low: int, high: int) -> int | None:
    """A score typed as digits (`10`, `7#`), if it lies in low..high; else None."""
    digits = digits_between(text, 1, len(str(high)))
    if digits is None:
        return None
    value = int(digits)
    return value if low <= value <= high else None
