"""Sound names: how a flow's prompt names become Asterisk sound files, and the built-ins.

A prompt is an Asterisk sound name without extension. In a flow, a bare name (`welcome`)
goes through the flow's `prompt_template` (`cc/{lang}/{name}` → `cc/en/welcome`); a name
with a `/` is used as written, `{lang}` replaced (`custom/{lang}/promo`, `digits/1`).
The built-in pieces (survey, queue announcements, voicemail, callback, blocked and closed
messages) always live under `cc/<lang>/`; `ivr/README.md` lists what they must say.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

BUILTIN_TEMPLATE = "cc/{lang}/{name}"


class Builtin(StrEnum):
    """Every built-in prompt, by its file name under `cc/<lang>/`."""

    INVALID = "invalid"
    BLOCKED = "blocked"
    CLOSED = "closed"
    CALLBACK_WILL_CALL = "callback-will-call"
    CALLBACK_CONFIRM = "callback-confirm"
    CALLBACK_ENTER_NUMBER = "callback-enter-number"
    CALLBACK_REGISTERED = "callback-registered"
    SURVEY_INTRO = "survey-intro"
    SURVEY_CSAT = "survey-csat"
    SURVEY_NPS = "survey-nps"
    SURVEY_INVALID = "survey-invalid"
    SURVEY_THANKS = "survey-thanks"
    QUEUE_YOU_ARE_NUMBER = "queue-you-are-number"
    QUEUE_IN_LINE = "queue-in-line"
    QUEUE_YOU_ARE_NEXT = "queue-you-are-next"
    QUEUE_WAIT_ABOUT = "queue-wait-about"
    QUEUE_WAIT_LESS_THAN_A_MINUTE = "queue-wait-less-than-a-minute"
    QUEUE_WAIT_MORE_THAN = "queue-wait-more-than"
    MINUTE = "minute"
    MINUTES = "minutes"
    QUEUE_PRESS_1_CALLBACK = "queue-press-1-callback"
    VOICEMAIL_GREETING = "voicemail-greeting"
    VOICEMAIL_THANKS = "voicemail-thanks"


def resolve(name: str, language: str, template: str = "{name}") -> str:
    """The sound file for prompt `name` in `language` (see the module docstring)."""
    if "/" in name:
        return name.replace("{lang}", language)
    return template.replace("{lang}", language).replace("{name}", name)


def builtin(prompt: Builtin, language: str) -> str:
    """The sound file of a built-in prompt in `language`, e.g. `cc/zh/survey-csat`."""
    return resolve(prompt.value, language, BUILTIN_TEMPLATE)


def builtin_prompts(languages: Iterable[str]) -> set[str]:
    """Every built-in sound file in every one of `languages`."""
    return {builtin(prompt, language) for language in languages for prompt in Builtin}
