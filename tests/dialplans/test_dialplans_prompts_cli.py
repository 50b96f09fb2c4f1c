"""`callcenter prompts build`: what it builds passes `dialplan check --sounds`; bad input
exits 2 with one clear line and no traceback; missing espeak-ng/sox exits 1."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest
from typer.testing import CliRunner

from callcenter.cli import app
from dialplans.synth import missing_tools

SITE = Path(__file__).parent / "data" / "site.yaml"
needs_tools = pytest.mark.skipif(bool(missing_tools()), reason=(
    f"{' and '.join(missing_tools())} not installed (apt-get install espeak-ng sox)"))


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    return result.exit_code, result.output


@needs_tools
def test_build_then_check_sounds_is_clean_and_a_second_build_writes_nothing(
        rendered: Path, tmp_path: Path) -> None:
    sounds = tmp_path / "sounds"
    code, output = run("dialplan", "check", str(rendered), "--sounds", str(tmp_path))
    assert code == 1 and "sound zh/digits/7 not found" in output  # nothing there yet
    code, output = run("prompts", "build", "--config", str(SITE), "--out", str(sounds))
    assert code == 0, output
    listed = [line for line in (rendered / "prompts.txt").read_text().splitlines()
              if line and not line.startswith((";", "["))]
    assert f"written: {sounds / 'zh/digits/7.wav'}" in output
    assert f"{len(listed)} written, 0 up to date, 0 kept" in output
    with wave.open(str(sounds / "cc/zh/agent-id-prefix.wav"), "rb") as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (8000, 1, 2)
    code, output = run("dialplan", "check", str(rendered), "--sounds", str(sounds))
    assert code == 0, output
    assert "0 error(s)" in output and "not found" not in output
    code, output = run("prompts", "build", "--config", str(SITE), "--out", str(sounds))
    assert code == 0 and f"0 written, {len(listed)} up to date, 0 kept" in output


def test_a_text_table_without_a_language_the_config_speaks_exits_2(tmp_path: Path) -> None:
    texts = tmp_path / "texts.yaml"
    texts.write_text("prompts:\n  cc/{lang}/agent-id-prefix: {zh: 工号}\n")
    code, output = run("prompts", "build", "-c", str(SITE), "-o", str(tmp_path / "out"),
                       "--texts", str(texts))
    assert code == 2
    assert (f"cc/en/agent-id-prefix: entry cc/{{lang}}/agent-id-prefix in {texts} has no en "
            "text (it has zh)") in output
    assert "Traceback" not in output and not (tmp_path / "out").exists()


def test_a_prompt_the_table_does_not_know_exits_2_saying_what_to_add(tmp_path: Path) -> None:
    texts = tmp_path / "texts.yaml"
    texts.write_text("prompts:\n  cc/{lang}/agent-id-prefix: {zh: 工号, en: Agent}\n")
    code, output = run("prompts", "build", "-c", str(SITE), "-o", str(tmp_path / "out"),
                       "--texts", str(texts))
    assert code == 2
    assert f"cc/zh/agent-id-suffix (zh): no entry in {texts} names it (add one: " \
           "cc/{lang}/agent-id-suffix)" in output
    assert "cc/en/agent-id-prefix" not in output  # this one has its text


def test_an_unwritable_out_directory_exits_2(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, output = run("prompts", "build", "-c", str(SITE), "-o", str(blocker / "sounds"))
    assert code == 2
    assert f"error: {blocker / 'sounds'}: cannot create: {blocker} is a file" in output
    assert "Traceback" not in output


def test_a_bad_config_or_text_table_exits_2(tmp_path: Path) -> None:
    code, output = run("prompts", "build", "-c", str(tmp_path / "none.yaml"), "-o",
                       str(tmp_path))
    assert code == 2 and "cannot read" in output
    texts = tmp_path / "texts.yaml"
    texts.write_text("prompts: [oops]\n")
    code, output = run("prompts", "build", "-c", str(SITE), "-o", str(tmp_path),
                       "--texts", str(texts))
    assert code == 2 and f"error: {texts}: 1 problem(s):" in output


def test_without_espeak_ng_on_path_build_exits_1_saying_what_to_install(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    code, output = run("prompts", "build", "-c", str(SITE), "-o", str(tmp_path / "out"))
    assert code == 1
    assert "espeak-ng and sox not found on PATH: install them (Debian: apt-get install " \
           "espeak-ng sox)" in output


def test_texts_prints_the_shipped_table_which_build_accepts_back(tmp_path: Path) -> None:
    code, output = run("prompts", "texts")
    assert code == 0 and "cc/{lang}/agent-id-prefix:" in output and "工号" in output
    copy = tmp_path / "texts.yaml"
    copy.write_text(output)
    from dialplans.prompt_texts import load_texts

    assert load_texts(copy).voice("zh") == "cmn-latn-pinyin"
