"""The sound files a site must install: `prompts.txt`, one name per line, by language.

The engine's own prompts come from the config (`PromptSet`) and from the generated
`cc-overflow` (`contract.OVERFLOW_PROMPTS`); the IVR flows' prompts are passed in as `extra`.
"""

from __future__ import annotations

from collections.abc import Iterable

from dialplans import contract
from dialplans.inputs import Prompt, PromptSet

ANY_LANGUAGE = "any"


def engine_prompts(prompts: PromptSet, extra: Iterable[Prompt] = ()) -> list[Prompt]:
    """Every prompt the engine plays, plus `extra`, without repeats, sorted by language
    (`""` = any language first) then name."""
    found: set[Prompt] = set(extra)
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
