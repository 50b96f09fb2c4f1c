"""The text table: the shipped one covers the shipped configs; lookups and errors name things."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from callcenter.cli.dialplan_input import render_input
from callcenter.engine.config import load_config
from dialplans.inputs import Prompt, RenderInput
from dialplans.prompt_texts import (
    MissingText,
    TextTableError,
    default_texts_path,
    load_texts,
)
from dialplans.prompts import engine_prompts
from dialplans.synth import missing_tools

ROOT = Path(__file__).parents[2]
CONFIGS = (ROOT / "docs" / "examples" / "callcenter.yaml",
           Path(__file__).parent / "data" / "site.yaml")


def listed(inp: RenderInput) -> list[Prompt]:
    return engine_prompts(inp.prompts, inp.extra_prompts)


@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: p.name)
def test_the_shipped_table_has_a_text_for_every_prompt_of_the_shipped_configs(
        config: Path) -> None:
    loaded = load_config(config)
    inp, _ = render_input(loaded, str(config), placeholder_secrets=True)
    texts = load_texts()
    agents = loaded.announce.default_language
    spoken = {p: texts.speech(p, p.language or agents) for p in listed(inp)}
    assert spoken[Prompt("cc/zh/agent-id-prefix", "zh")].text == "工号"
    assert spoken[Prompt("cc/zh/agent-id-suffix", "zh")].text == "为您服务"
    assert spoken[Prompt("zh/digits/7", "zh")].text == "七"
    assert spoken[Prompt("zh/digits/7", "zh")].voice == "cmn-latn-pinyin"
    assert spoken[Prompt("en/digits/7", "en")].text == "seven"
    assert spoken[Prompt("cc/whisper/billing")].text == "账务队列"  # the agents' language


def test_a_full_name_wins_over_a_pattern_and_queue_goes_into_the_text(tmp_path: Path) -> None:
    path = tmp_path / "texts.yaml"
    path.write_text("voices: {zh: cmn}\nprompts:\n"
                    "  cc/{lang}/welcome: {zh: 欢迎, en: Welcome}\n"
                    "  cc/en/welcome: {en: Hello}\n"
                    "  cc/whisper/{queue}: {en: '{queue} queue'}\n")
    texts = load_texts(path)
    assert texts.speech(Prompt("cc/zh/welcome", "zh"), "zh").text == "欢迎"
    assert texts.speech(Prompt("cc/en/welcome", "en"), "en").text == "Hello"
    whisper = texts.speech(Prompt("cc/whisper/loans"), "en")
    assert (whisper.text, whisper.voice, whisper.entry) == (
        "loans queue", "en", "cc/whisper/{queue}")  # no voice listed: the language's code


def test_a_missing_language_names_the_prompt_the_entry_and_the_language(
        tmp_path: Path) -> None:
    path = tmp_path / "texts.yaml"
    path.write_text("prompts:\n  cc/{lang}/welcome: {zh: 欢迎}\n")
    with pytest.raises(MissingText) as error:
        load_texts(path).speech(Prompt("cc/en/welcome", "en"), "en")
    assert str(error.value) == (f"cc/en/welcome: entry cc/{{lang}}/welcome in {path} has no "
                                "en text (it has zh)")


def test_a_prompt_no_entry_names_is_reported_with_the_entry_to_add(tmp_path: Path) -> None:
    path = tmp_path / "texts.yaml"
    path.write_text("prompts:\n  cc/{lang}/welcome: {zh: 欢迎}\n")
    with pytest.raises(MissingText) as error:
        load_texts(path).speech(Prompt("cc/zh/promo", "zh"), "zh")
    assert str(error.value) == (f"cc/zh/promo (zh): no entry in {path} names it (add one: "
                                "cc/{lang}/promo)")


@pytest.mark.parametrize(("text", "expected"), [
    ("prompts: [a, b]\n", "prompts: Input should be a valid dictionary"),
    ("prompts:\n  cc/{language}/x: {en: X}\n", "unknown placeholder(s) {language}"),
    ("prompts:\n  cc/{lang}/x: {en: '  '}\n", "cc/{lang}/x.en: expected a text"),
    ("prompts:\n  ../x: {en: X}\n", "expected a sound name under the sounds directory"),
    ("voices: {en: '-x'}\nprompts: {}\n", "expected an espeak-ng voice name"),
    ("prompts:\n  x: {en: X}\nsounds: 1\n", "sounds: Extra inputs are not permitted"),
    ("prompts:\n  x: {en: X\n", ":3: not valid YAML"),
    ("- just a list\n", "expected a mapping with `prompts`"),
])
def test_a_bad_table_is_rejected_naming_the_file_and_the_key(
        tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "texts.yaml"
    path.write_text(text)
    with pytest.raises(TextTableError) as error:
        load_texts(path)
    assert str(error.value).startswith(str(path)) and expected in str(error.value)


def test_an_unreadable_table_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(TextTableError, match="cannot read"):
        load_texts(tmp_path / "nowhere.yaml")


@pytest.mark.skipif(bool(missing_tools()), reason=(
    f"{' and '.join(missing_tools())} not installed (apt-get install espeak-ng sox)"))
def test_every_shipped_text_is_spoken_in_its_own_language() -> None:
    # espeak-ng marks a switch of language in its phonemes, "(en)...(cmn)": with voice cmn,
    # 工号 comes out as "(en)g055Nw'055n_| h,eI55@55f'o@55(cmn)", "gong one hao four" in
    # English. -x prints the phonemes it would speak; -q speaks nothing.
    table, texts = yaml.safe_load(default_texts_path().read_text()), load_texts()
    switched = []
    for name, entry in table["prompts"].items():
        for language, text in entry.items():
            if "{queue}" in text:
                continue  # a queue's name, as the site wrote it
            voice = texts.voice(language)
            phonemes = subprocess.run(
                ["espeak-ng", "-v", voice, "-q", "-x", "-b", "1", "--stdin"],
                input=text.encode(), capture_output=True, check=True).stdout.decode()
            if "(" in phonemes:
                switched.append(f"{name} {language} {text!r}: {phonemes.strip()}")
    assert switched == []
