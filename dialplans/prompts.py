"""The sound files a site must install: `prompts.txt`, one name per line, by language.

The engine's own prompts come from the config (`PromptSet`) and from the generated
`cc-overflow` (`contract.OVERFLOW_PROMPTS`); the IVR flows' prompts are passed in as `extra`.
Each name is a path under Asterisk's sounds directory without extension. The digits that
`SayDigits` speaks are the language's own: `<lang>/digits/N` (`language_sound`).
"""

from __future__ import annotations

from collections.abc import Iterable

from dialplans import contract
from dialplans.inputs import Prompt, PromptSet

ANY_LANGUAGE = "any"
DIGITS: tuple[str, ...] = tuple(f"digits/{digit}" for digit in range(10))
"""What `SayDigits` plays for 0-9 (main/say.c, `ast_get_digit_str`: `digits/X`)."""


def language_sound(name: str, language: str) -> str:
    """The path under the sounds directory where Asterisk looks first for sound `name` on a
    channel whose language is `language`: `<language>/<name>` (main/file.c, `fileexists_test`,
    with `languageprefix` on, its default; then `<name>`, then `en/<name>`)."""
    return f"{language}/{name}"


NUMBER_WORDS: dict[str, tuple[str, ...]] = {
    # main/say.c get_number_str_en: 0-19, the tens, hundred, thousand (a queue position or
    # a wait in minutes never needs digits/million)
    "en": (*(f"digits/{n}" for n in range(10, 20)), *(f"digits/{n}" for n in range(20, 100, 10)),
           "digits/hundred", "digits/thousand"),
    # main/say.c ast_say_number_full_zh: the tens (十, 二十 ... 12 = digits/10 + digits/2),
    # hundred, thousand, wan (万)
    "zh": (*(f"digits/{n}" for n in range(10, 100, 10)),
           "digits/hundred", "digits/thousand", "digits/wan"),
}
"""What `SayNumber` plays beyond `DIGITS`, by language (main/say.c picks the function by the
channel language's first two letters); other languages: digits only."""


def digit_prompts(language: str) -> list[Prompt]:
    """`<language>/digits/0` ... `/9`: the agent's ID and the IVR's numbers, in `language`."""
    return [Prompt(language_sound(name, language), language) for name in DIGITS]


def number_prompts(language: str) -> list[Prompt]:
    """The words `SayNumber` needs in `language` beyond the digits (`NUMBER_WORDS`)."""
    return [Prompt(language_sound(name, language), language)
            for name in NUMBER_WORDS.get(language[:2].lower(), ())]


def engine_prompts(prompts: PromptSet, extra: Iterable[Prompt] = ()) -> list[Prompt]:
    """Every prompt the engine plays, plus `extra`, without repeats, sorted by language
    (`""` = any language first) then name.

    Digits 0-9 are listed in every caller language when the agent's ID is announced
    (`SayDigits`), and in every language of `extra`, with the words of `SayNumber`: the IVR
    says the callback number, the queue position and the expected wait."""
    found: set[Prompt] = set(extra)
    ivr_languages = {p.language for p in found if p.language}
    for language in ivr_languages:
        found.update((*digit_prompts(language), *number_prompts(language)))
    for language in prompts.languages if prompts.announce else ():
        found.update(digit_prompts(language))
    for language, (prefix, suffix) in prompts.announce.items():
        found.update((Prompt(prefix, language), Prompt(suffix, language)))
    found.update(Prompt(name) for name in prompts.whisper)
    for language in prompts.languages:
        found.update(Prompt(template.format(lang=language), language)
                     for template in contract.OVERFLOW_PROMPTS.values())
    return sorted(found, key=lambda p: (p.language, p.name))


def render_prompts(prompts: list[Prompt], header: str) -> str:
    """prompts.txt: the header (comment lines), then `[language]` sections of names."""
    out = [header.rstrip("\n")]
    section: str | None = None
    for prompt in prompts:
        language = prompt.language or ANY_LANGUAGE
        if language != section:
            out += ["", f"[{language}]"]
            section = language
        out.append(prompt.name)
    return "\n".join(out) + "\n"


def parse_prompts(text: str) -> list[tuple[int, Prompt]]:
    """The prompts listed in prompts.txt text, each with its line number (from 1)."""
    found: list[tuple[int, Prompt]] = []
    language = ""
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split(";", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            language = "" if section == ANY_LANGUAGE else section
            continue
        found.append((number, Prompt(line, language)))
    return found
