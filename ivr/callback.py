"""Getting a number to call back: the caller ID said back for confirmation, or typed in."""

from __future__ import annotations

from ivr.dtmf import DTMF_KEYS, ask_digits, ask_key, digits_between
from ivr.nodes import CallbackNode
from ivr.ports import CallerChannel
from ivr.prompts import Builtin, builtin

CONFIRM_KEY = "1"
OTHER_NUMBER_KEY = "2"


async def confirm_number(
    channel: CallerChannel, node: CallbackNode, language: str
) -> str | None:
    """The number the caller confirmed (`1`), starting from the caller ID; `2` or a wrong
    number asks for another. None when the attempts (1 + retries) run out."""
    invalid = [builtin(Builtin.INVALID, language)]
    number = digits_between(channel.info.caller_id, node.min_digits, node.max_digits) or ""
    for _ in range(node.retries + 1):
        if not number:
            typed = await ask_digits(
                channel,
                [builtin(Builtin.CALLBACK_ENTER_NUMBER, language)],
                max_digits=node.max_digits,
                timeout_s=node.timeout_s,
            )
            number = digits_between(typed, node.min_digits, node.max_digits) or ""
            if not number:
                await channel.play(invalid)
                continue
        key = await channel.play(
            [builtin(Builtin.CALLBACK_WILL_CALL, language)], interrupt_digits=DTMF_KEYS
        )
        key = key or await channel.say_digits(number, interrupt_digits=DTMF_KEYS)
        key = key or await ask_key(
            channel, [builtin(Builtin.CALLBACK_CONFIRM, language)], timeout_s=node.timeout_s
        )
        if key == CONFIRM_KEY:
            await channel.play([builtin(Builtin.CALLBACK_REGISTERED, language)])
            return number
        if key != OTHER_NUMBER_KEY:
            await channel.play(invalid)
        number = ""
    return None
