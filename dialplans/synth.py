"""Text to an Asterisk sound file: espeak-ng speaks, sox makes it 8 kHz 16-bit mono WAV.

Asterisk's `wav` format reads only PCM, mono, 16-bit, at 8000 Hz for a `.wav` file
(formats/format_wav.c, `check_header_fmt`), so that is what `EspeakSox` writes.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Protocol

SAMPLE_RATE = 8000
ESPEAK = "espeak-ng"
SOX = "sox"
TOOLS = (ESPEAK, SOX)
# Trim espeak-ng's leading and trailing silence (a prompt is followed by digits, and digits by
# digits: each keeps 50 ms of its own), make 8 kHz, peak at -3 dBFS. `-R -D`: no random
# dither, so the same text gives the same file.
SOX_EFFECTS = ("silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%",
               "reverse", "rate", str(SAMPLE_RATE), "gain", "-n", "-3", "pad", "0.05", "0.05")
RECIPE = f"{ESPEAK} | {SOX} {' '.join(SOX_EFFECTS)}"
"""Changes to how a prompt is made change this, so `prompts build` makes its files again."""
TIMEOUT_S = 60.0


class SynthesisError(RuntimeError):
    """espeak-ng or sox is missing or failed; the message says which, for what text."""


class Synthesizer(Protocol):
    """Writes `text` spoken by `voice` as a WAV file Asterisk plays, at `out`."""

    def synthesize(self, text: str, voice: str, out: Path) -> None: ...


def missing_tools() -> list[str]:
    """The programs `EspeakSox` needs that are not on PATH."""
    return [tool for tool in TOOLS if shutil.which(tool) is None]


class EspeakSox:
    """espeak-ng (the voice's own 22 kHz output) through sox (`SOX_EFFECTS`)."""

    def synthesize(self, text: str, voice: str, out: Path) -> None:
        missing = missing_tools()
        if missing:
            raise SynthesisError(f"{' and '.join(missing)} not found on PATH: install them "
                                 f"(Debian: apt-get install {' '.join(missing)})")
        with tempfile.TemporaryDirectory(prefix="cc-prompt-") as work:
            spoken = Path(work) / "espeak.wav"
            # The text on stdin (-b 1: UTF-8), so one starting with "-" is not an option.
            _run([ESPEAK, "-v", voice, "-b", "1", "-w", str(spoken), "--stdin"], text,
                 f"{ESPEAK} -v {voice}", text)
            _run([SOX, "-R", "-D", str(spoken), "-b", "16", "-e", "signed-integer", "-c", "1",
                  "-t", "wav", str(out), *SOX_EFFECTS], "", SOX, text)


def _run(command: list[str], stdin: str, what: str, text: str) -> None:
    try:
        done = subprocess.run(command, input=stdin.encode("utf-8"), capture_output=True,
                              timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise SynthesisError(f"{what}: no result after {TIMEOUT_S:g} s for {text!r}") from None
    except OSError as error:
        raise SynthesisError(f"{what}: cannot run: {error.strerror}") from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip() or f"exit code {done.returncode}"
        raise SynthesisError(f"{what} failed for {text!r}: {said}")
