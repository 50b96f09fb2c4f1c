"""Building prompts: files Asterisk plays, spoken, and a site's own recordings never replaced.

The audio tests run espeak-ng and sox for real and skip when they are missing; the tests of
what is written and what is kept use a ten-line synthesizer that writes a tone.
"""

from __future__ import annotations

import json
import math
import struct
import wave
from pathlib import Path

import numpy as np
import pytest

from dialplans.inputs import Prompt
from dialplans.prompt_build import (
    MANIFEST,
    Outcome,
    PromptBuildError,
    plan_build,
    run_build,
)
from dialplans.prompt_texts import MissingText, load_texts
from dialplans.synth import EspeakSox, SynthesisError, Synthesizer, missing_tools

needs_tools = pytest.mark.skipif(bool(missing_tools()), reason=(
    f"{' and '.join(missing_tools())} not installed (apt-get install espeak-ng sox)"))

ANNOUNCEMENT = [Prompt("cc/zh/agent-id-prefix", "zh"), Prompt("cc/zh/agent-id-suffix", "zh"),
                *(Prompt(f"zh/digits/{d}", "zh") for d in range(10)),
                Prompt("cc/en/agent-id-prefix", "en"), Prompt("en/digits/7", "en"),
                Prompt("cc/whisper/vip")]


def wav_facts(path: Path) -> tuple[int, int, int, int, float, float]:
    """(format tag, channels, bits, rate, seconds, RMS as a fraction of full scale), from
    the header and the samples; raises if the file is not RIFF/WAVE."""
    data = path.read_bytes()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE", path
    at = 12
    while data[at:at + 4] != b"fmt ":
        at += 8 + struct.unpack_from("<I", data, at + 4)[0]
    tag, = struct.unpack_from("<H", data, at + 8)  # format_wav.c accepts 1 (PCM) only
    with wave.open(str(path), "rb") as wav:
        frames = wav.readframes(wav.getnframes())
        facts = (wav.getnchannels(), wav.getsampwidth() * 8, wav.getframerate())
        seconds = wav.getnframes() / wav.getframerate()
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768.0
    rms = float(np.sqrt(np.mean(samples ** 2))) if samples.size else 0.0
    return (tag, *facts, seconds, rms)


class Tone:
    """A synthesizer for the tests of the plan: a 440 Hz tone as long as the text."""

    def __init__(self) -> None:
        self.said: list[str] = []

    def synthesize(self, text: str, voice: str, out: Path) -> None:
        self.said.append(text)
        n = 800 * len(text)
        samples = [int(8000 * math.sin(2 * math.pi * 440 * i / 8000)) for i in range(n)]
        with wave.open(str(out), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(8000)
            wav.writeframes(struct.pack(f"<{n}h", *samples))


def build(out: Path, synthesizer: Synthesizer | None = None, *, overwrite: bool = False,
          prompts: list[Prompt] = ANNOUNCEMENT) -> dict[str, Outcome]:
    plan = plan_build(prompts, load_texts(), out, agent_language="zh", overwrite=overwrite)
    run_build(plan, synthesizer or Tone())
    return {item.file: item.outcome for item in plan.items}


@needs_tools
def test_espeak_sox_writes_8khz_16bit_mono_pcm_that_is_speech_not_silence(
        tmp_path: Path) -> None:
    outcomes = build(tmp_path, EspeakSox())
    assert set(outcomes.values()) == {Outcome.WRITTEN}
    for file in outcomes:
        tag, channels, bits, rate, seconds, rms = wav_facts(tmp_path / file)
        assert (tag, channels, bits, rate) == (1, 1, 16, 8000), file
        assert 0.2 < seconds < 3.0, (file, seconds)
        assert rms > 0.03, (file, rms)  # espeak-ng speech peaks at -3 dBFS: RMS ~0.1


@needs_tools
def test_the_same_text_gives_the_same_file(tmp_path: Path) -> None:
    for out in (tmp_path / "a", tmp_path / "b"):
        out.mkdir()
        EspeakSox().synthesize("工号", "cmn-latn-pinyin", out / "x.wav")
    assert (tmp_path / "a" / "x.wav").read_bytes() == (tmp_path / "b" / "x.wav").read_bytes()


@needs_tools
def test_an_unknown_voice_is_a_synthesis_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(SynthesisError, match="espeak-ng -v qq failed for 'x'"):
        EspeakSox().synthesize("x", "qq", tmp_path / "x.wav")
    assert not (tmp_path / "x.wav").exists()


def test_a_second_build_writes_nothing_and_a_changed_text_is_made_again(
        tmp_path: Path) -> None:
    build(tmp_path)
    tone = Tone()
    assert set(build(tmp_path, tone).values()) == {Outcome.CURRENT} and tone.said == []
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    manifest["files"]["cc/zh/agent-id-prefix.wav"]["text"] = "工号 (old)"
    (tmp_path / MANIFEST).write_text(json.dumps(manifest))
    outcomes = build(tmp_path, tone)
    assert outcomes["cc/zh/agent-id-prefix.wav"] is Outcome.WRITTEN and tone.said == ["工号"]


def test_a_sites_recording_is_kept_in_any_format_and_needs_no_text(tmp_path: Path) -> None:
    build(tmp_path)
    recorded = b"RIFF the site's own recording"
    (tmp_path / "cc/zh/agent-id-prefix.wav").write_bytes(recorded)  # replaces ours
    (tmp_path / "zh/digits/7.gsm").write_bytes(b"gsm")  # beside ours
    (tmp_path / "cc/zh/promo.ulaw").write_bytes(b"ulaw")  # the table has no text for it
    prompts = [*ANNOUNCEMENT, Prompt("cc/zh/promo", "zh")]
    outcomes = build(tmp_path, prompts=prompts)
    assert outcomes["cc/zh/agent-id-prefix.wav"] is Outcome.KEPT
    assert outcomes["zh/digits/7.wav"] is Outcome.KEPT
    assert outcomes["cc/zh/promo.wav"] is Outcome.KEPT
    assert (tmp_path / "cc/zh/agent-id-prefix.wav").read_bytes() == recorded
    assert not (tmp_path / "cc/zh/promo.wav").exists()
    # ...and a kept file stays the site's: dropped from the manifest, kept again next time.
    assert "cc/zh/agent-id-prefix.wav" not in json.loads((tmp_path / MANIFEST).read_text()
                                                          )["files"]
    assert build(tmp_path)["cc/zh/agent-id-prefix.wav"] is Outcome.KEPT


def test_a_site_file_not_built_here_is_kept_even_on_the_first_build(tmp_path: Path) -> None:
    digits = tmp_path / "en" / "digits"
    digits.mkdir(parents=True)
    (digits / "7.wav").write_bytes(b"Asterisk core sounds")
    assert build(tmp_path)["en/digits/7.wav"] is Outcome.KEPT
    assert (digits / "7.wav").read_bytes() == b"Asterisk core sounds"


def test_overwrite_replaces_the_sites_files(tmp_path: Path) -> None:
    digits = tmp_path / "en" / "digits"
    digits.mkdir(parents=True)
    (digits / "7.wav").write_bytes(b"Asterisk core sounds")
    plan = plan_build(ANNOUNCEMENT, load_texts(), tmp_path, agent_language="zh",
                      overwrite=True)
    run_build(plan, Tone())
    assert {i.file: i.outcome for i in plan.items}["en/digits/7.wav"] is Outcome.WRITTEN
    assert wav_facts(digits / "7.wav")[:4] == (1, 1, 16, 8000)


def test_a_name_without_its_language_is_one_file_spoken_in_the_first_language(
        tmp_path: Path) -> None:
    # ivr/examples/minimal.yaml: prompt_template "{name}", so `welcome` in every language;
    # the shipped table has it in English only, which is the first language listed.
    tone = Tone()
    outcomes = build(tmp_path, tone, prompts=[Prompt("welcome", "en"), Prompt("welcome", "zh")])
    assert outcomes == {"welcome.wav": Outcome.WRITTEN} and tone.said == ["Hello, and welcome."]


def test_a_missing_text_lists_every_one_and_builds_nothing(tmp_path: Path) -> None:
    prompts = [*ANNOUNCEMENT, Prompt("cc/zh/promo", "zh"), Prompt("fr/digits/1", "fr")]
    with pytest.raises(MissingText) as error:
        plan_build(prompts, load_texts(), tmp_path / "out", agent_language="zh")
    message = str(error.value)
    assert message.startswith("2 prompt(s) without a text (nothing built):")
    assert "cc/zh/promo (zh): no entry" in message
    assert "fr/digits/1: entry {lang}/digits/1 in" in message and "has no fr text" in message
    assert not (tmp_path / "out").exists()


def test_an_output_path_that_cannot_be_a_directory_is_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(PromptBuildError, match="expected a directory"):
        plan_build(ANNOUNCEMENT, load_texts(), blocker, agent_language="zh")
    with pytest.raises(PromptBuildError, match=f"{blocker / 'sounds'}: cannot create: "
                                               f"{blocker} is a file"):
        plan_build(ANNOUNCEMENT, load_texts(), blocker / "sounds", agent_language="zh")


def test_a_manifest_that_is_not_ours_is_an_error_saying_what_to_do(tmp_path: Path) -> None:
    (tmp_path / MANIFEST).write_text("{not json")
    with pytest.raises(PromptBuildError, match="move it away"):
        plan_build(ANNOUNCEMENT, load_texts(), tmp_path, agent_language="zh")
