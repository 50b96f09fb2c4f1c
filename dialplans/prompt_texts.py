"""The text table: what each prompt says, per language, and the voice that says it.

The table ships as `prompt_texts.yaml` (package data, the format is described at its top);
a site passes its own copy instead. A name may hold `{lang}` (the language of the text) and
`{queue}` (one path segment, put into the text); a name written out in full wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dialplans.inputs import Prompt

LANG = "{lang}"
QUEUE = "{queue}"
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_LANGUAGE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_VOICE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_+-]*$")  # what espeak-ng -v takes, no options


class TextTableError(ValueError):
    """The text table is unreadable or invalid, or lacks a text a prompt needs; the message
    names the file, the prompt and the language."""


class MissingText(TextTableError):
    """A prompt the configuration needs has no text in a language it is spoken in."""


class _TableFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    voices: dict[str, str] = Field(default_factory=dict)
    prompts: dict[str, dict[str, str]]

    @field_validator("voices")
    @classmethod
    def _voices(cls, value: dict[str, str]) -> dict[str, str]:
        for language, voice in value.items():
            _language(language)
            if not _VOICE.match(voice):
                raise ValueError(f"{language}: expected an espeak-ng voice name, got {voice!r}")
        return value

    @field_validator("prompts")
    @classmethod
    def _prompts(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for name, texts in value.items():
            unknown = set(_PLACEHOLDER.findall(name)) - {LANG, QUEUE}
            if unknown:
                raise ValueError(f"{name}: unknown placeholder(s) {', '.join(sorted(unknown))}"
                                 f" (known: {LANG}, {QUEUE})")
            if name.count(QUEUE) > 1:
                raise ValueError(f"{name}: expected {QUEUE} at most once")
            if not name or name.startswith("/") or ".." in name.split("/"):
                raise ValueError(f"{name!r}: expected a sound name under the sounds directory")
            if not texts:
                raise ValueError(f"{name}: expected texts by language, got none")
            for language, text in texts.items():
                _language(language)
                if not text.strip():
                    raise ValueError(f"{name}.{language}: expected a text, got an empty one")
        return value


def _language(code: str) -> None:
    if not _LANGUAGE.match(code):
        raise ValueError(f"expected a language code (zh, en, pt_BR), got {code!r}")


@dataclass(frozen=True, slots=True)
class Speech:
    """What to synthesise for one prompt: the text, the espeak-ng voice, and the table entry
    it came from (for messages)."""

    text: str
    voice: str
    entry: str


class TextTable:
    """Texts by prompt name and language, read from one YAML file (`load_texts`)."""

    def __init__(self, source: str, voices: dict[str, str],
                 prompts: dict[str, dict[str, str]]) -> None:
        self.source = source
        self.voices = dict(voices)
        self._exact = {n: t for n, t in prompts.items() if "{" not in n}
        self._patterns = [(n, t) for n, t in prompts.items() if "{" in n]

    def voice(self, language: str) -> str:
        """The espeak-ng voice of `language` (its own code when the table names none)."""
        return self.voices.get(language, language)

    def speech(self, prompt: Prompt, language: str) -> Speech:
        """What the sound `prompt.name` says in `language` (the prompt's own, or the agents'
        language for a prompt of no language). The entry that names the prompt decides: the
        name written out in full, else the first pattern that matches, in the table's order.

        Raises `MissingText` when no entry names the prompt or its entry has no text in
        `language`."""
        name = prompt.name
        found = self._entry(name, language)
        if found is None:
            raise MissingText(f"{name} ({language}): no entry in {self.source} names it (add "
                              f"one: {_suggestion(name, language)})")
        key, texts, queue = found
        text = texts.get(language)
        if text is None:
            raise MissingText(f"{name}: entry {key} in {self.source} has no {language} text "
                              f"(it has {', '.join(sorted(texts))})")
        return Speech(text.replace(QUEUE, queue), self.voice(language), key)

    def _entry(self, name: str, language: str) -> tuple[str, dict[str, str], str] | None:
        texts = self._exact.get(name)
        if texts is not None:
            return name, texts, ""
        for key, texts in self._patterns:
            match = _pattern(key.replace(LANG, language)).fullmatch(name)
            if match is not None:
                return key, texts, match.groupdict().get("queue") or ""
        return None


def _suggestion(name: str, language: str) -> str:
    """The entry a site would add: the language segment of `name` as `{lang}`."""
    parts = [LANG if part == language else part for part in name.split("/")]
    return "/".join(parts)


def _pattern(name: str) -> re.Pattern[str]:
    """`cc/whisper/{queue}` → a regex whose group `queue` is one path segment."""
    return re.compile("(?P<queue>[^/]+)".join(re.escape(part) for part in name.split(QUEUE, 1)))


def default_texts_path() -> Path:
    """The text table shipped with the package."""
    return Path(str(resources.files("dialplans").joinpath("prompt_texts.yaml")))


def load_texts(path: Path | None = None) -> TextTable:
    """Read and check a text table (default: the shipped one); `TextTableError` names the
    file, the key and what was wrong."""
    path = path or default_texts_path()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise TextTableError(f"{path}: cannot read: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise TextTableError(f"{path}: expected UTF-8 text: {error.reason}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise TextTableError(f"{where}: not valid YAML: {getattr(error, 'problem', error)}"
                             ) from None
    if not isinstance(raw, dict):
        raise TextTableError(f"{path}: expected a mapping with `prompts` (and `voices`), "
                             f"got {type(raw).__name__}")
    try:
        table = _TableFile.model_validate(raw)
    except ValidationError as error:
        lines = [f"{path}: {error.error_count()} problem(s):"]
        for problem in error.errors():
            key = ".".join(str(part) for part in problem["loc"]) or "(top level)"
            got = problem.get("input")
            shown = "" if isinstance(got, (dict, list)) else f" (got {got!r})"
            lines.append(f"  {key}: {problem['msg']}{shown}")
        raise TextTableError("\n".join(lines)) from None
    return TextTable(str(path), table.voices, table.prompts)
