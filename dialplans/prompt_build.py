"""Build the sound files prompts.txt lists: plan what to make, then make it.

`plan_build` decides, for each prompt, whether to write it, whether the file there is already
the one it would write, or whether a site put its own recording there (kept). What this
module wrote is listed in `MANIFEST` in the output directory, with the file's SHA-256: a
file that is not listed, or that changed since, is the site's and is never overwritten
unless asked (`overwrite`). Writing is atomic (a partial file, then a rename), so Asterisk
never plays half a prompt.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from dialplans.check import SOUND_EXTENSIONS
from dialplans.inputs import Prompt
from dialplans.prompt_texts import MissingText, Speech, TextTable
from dialplans.synth import RECIPE, SynthesisError, Synthesizer

MANIFEST = "callcenter-prompts.json"
FORMAT = "wav"
_MANIFEST_VERSION = 1


class PromptBuildError(ValueError):
    """The output directory or its manifest cannot be used; the message names the path."""


class Outcome(StrEnum):
    """What `prompts build` does with one prompt."""

    WRITTEN = "written"
    CURRENT = "up to date"
    KEPT = "kept"  # the site's own file: not written by this module, or changed since


@dataclass(frozen=True, slots=True)
class PlannedPrompt:
    """One prompt: its file (relative to the output directory), what it says (None when the
    site's file is kept), and what is done with it."""

    prompt: Prompt
    file: str
    speech: Speech | None
    outcome: Outcome
    note: str = ""


@dataclass(frozen=True, slots=True)
class _Made:
    """A manifest entry: the file's digest and what it was made from."""

    sha256: str
    text: str
    voice: str
    recipe: str

    @staticmethod
    def of(speech: Speech, digest: str) -> _Made:
        return _Made(digest, speech.text, speech.voice, RECIPE)

    def made_from(self, speech: Speech) -> bool:
        return (self.text, self.voice, self.recipe) == (speech.text, speech.voice, RECIPE)


@dataclass(frozen=True, slots=True)
class BuildPlan:
    """The prompts to build into `out`, and the manifest read from it."""

    out: Path
    items: tuple[PlannedPrompt, ...]
    made: dict[str, _Made]

    def count(self, outcome: Outcome) -> int:
        """How many prompts have `outcome`."""
        return sum(item.outcome is outcome for item in self.items)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(out: Path) -> dict[str, _Made]:
    """What this module wrote into `out` before (nothing when there is no manifest)."""
    path = out / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise PromptBuildError(f"{path}: cannot read: {error}") from None
    try:
        data = json.loads(text)
        files = data["files"]
        return {str(name): _Made(**entry) for name, entry in files.items()}
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise PromptBuildError(
            f"{path}: not a manifest written by `callcenter prompts build` ({error}); move it "
            "away to treat every file there as the site's own") from None


def write_manifest(out: Path, made: dict[str, _Made]) -> None:
    """The manifest, atomically."""
    data = {"version": _MANIFEST_VERSION,
            "comment": "Files `callcenter prompts build` wrote here; any other is the site's.",
            "files": {name: {"sha256": m.sha256, "text": m.text, "voice": m.voice,
                             "recipe": m.recipe} for name, m in sorted(made.items())}}
    _replace(out / MANIFEST, (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode())


def _replace(path: Path, content: bytes) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(content)
    os.replace(partial, path)


def plan_build(prompts: list[Prompt], texts: TextTable, out: Path, *, agent_language: str,
               overwrite: bool = False) -> BuildPlan:
    """What to do with each prompt in `out`. A prompt of no language (the whispers the agent
    hears) is spoken in `agent_language`. A prompt kept as the site's needs no text.

    Raises `MissingText` listing every prompt without a text (nothing is built then), and
    `PromptBuildError` for an unusable manifest."""
    _check_out(out)
    made = read_manifest(out) if out.is_dir() else {}
    items: list[PlannedPrompt] = []
    missing: list[str] = []
    planned: set[str] = set()
    for prompt in prompts:
        file = f"{prompt.name}.{FORMAT}"
        if file in planned:
            # A name without its language (a flow whose prompt_template lacks {lang}) is
            # one file for every caller language: the first language listed speaks it.
            continue
        planned.add(file)
        path = out / file
        entry = made.get(file)
        ours = entry is not None and path.is_file() and _digest(path) == entry.sha256
        theirs = [f"{prompt.name}.{ext}" for ext in SOUND_EXTENSIONS
                  if (out / f"{prompt.name}.{ext}").is_file() and not (ext == FORMAT and ours)]
        if theirs and not overwrite:
            made.pop(file, None)
            items.append(PlannedPrompt(prompt, file, None, Outcome.KEPT,
                                       f"the site's: {', '.join(theirs)}"))
            continue
        try:
            speech = texts.speech(prompt, prompt.language or agent_language)
        except MissingText as error:
            missing.append(str(error))
            continue
        current = ours and entry is not None and entry.made_from(speech)
        others = [t for t in theirs if t != file]  # only with `overwrite`
        note = f"also there: {', '.join(others)} (Asterisk plays one of them)" if others else ""
        items.append(PlannedPrompt(prompt, file, speech,
                                   Outcome.CURRENT if current else Outcome.WRITTEN, note))
    if missing:
        raise MissingText(f"{len(missing)} prompt(s) without a text (nothing built):\n  "
                          + "\n  ".join(missing))
    return BuildPlan(out, tuple(items), made)


def _check_out(out: Path) -> None:
    """`out` is a directory, or can be made one, and may be written to."""
    if out.exists() and not out.is_dir():
        raise PromptBuildError(f"{out}: expected a directory, got a file")
    there = next(p for p in (out, *out.parents) if p.exists())
    if not there.is_dir():
        raise PromptBuildError(f"{out}: cannot create: {there} is a file")
    if not os.access(there, os.W_OK | os.X_OK):
        raise PromptBuildError(f"{out}: cannot write in {there}: permission denied")


def run_build(plan: BuildPlan, synthesizer: Synthesizer, *, workers: int = 2,
              on_done: Callable[[PlannedPrompt], None] | None = None) -> None:
    """Write every prompt the plan says to write, `workers` at a time, then the manifest
    (also after a failure, for the files that were written). `on_done` is called, in the
    caller's thread, for each prompt as it is settled.

    Raises, after the other prompts are settled, the first `SynthesisError`, or
    `PromptBuildError` when the output directory cannot be written."""
    try:
        plan.out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PromptBuildError(f"{plan.out}: cannot create: {error.strerror}") from None
    made = dict(plan.made)
    failure: Exception | None = None
    with ThreadPoolExecutor(max_workers=max(1, workers),
                            thread_name_prefix="prompt-build") as pool:
        jobs: list[tuple[PlannedPrompt, Future[str] | None]] = [
            (item, pool.submit(_write, plan.out, item, synthesizer)
             if item.outcome is Outcome.WRITTEN else None) for item in plan.items]
        for item, job in jobs:
            if job is not None:
                try:
                    digest = job.result()
                except (SynthesisError, PromptBuildError) as error:
                    failure = failure or error
                    continue
                assert item.speech is not None  # WRITTEN items carry their speech
                made[item.file] = _Made.of(item.speech, digest)
            if on_done is not None:
                on_done(item)
    try:
        write_manifest(plan.out, made)
    except OSError as error:
        raise PromptBuildError(f"{plan.out / MANIFEST}: cannot write: {error.strerror}"
                               ) from None
    if failure is not None:
        raise failure


def _write(out: Path, item: PlannedPrompt, synthesizer: Synthesizer) -> str:
    """Synthesise one prompt into place; its digest."""
    assert item.speech is not None
    path = out / item.file
    partial = path.with_name(f".{path.name}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        synthesizer.synthesize(item.speech.text, item.speech.voice, partial)
        digest = _digest(partial)
        os.replace(partial, path)
    except OSError as error:
        raise PromptBuildError(f"{path}: cannot write: {error.strerror}") from None
    finally:
        with suppress(OSError):
            partial.unlink(missing_ok=True)
    return digest
