"""The sound-file catalogue: what a PBX must provide, and that the README lists it."""

from __future__ import annotations

from pathlib import Path

from ivr_helpers import EXAMPLES, flow

import ivr
from ivr.flows import load_flow
from ivr.prompts import Builtin, builtin_prompts, resolve


def test_resolve_rules() -> None:
    assert resolve("welcome", "zh", "cc/{lang}/{name}") == "cc/zh/welcome"
    assert resolve("custom/{lang}/promo", "en", "cc/{lang}/{name}") == "custom/en/promo"
    assert resolve("welcome", "en") == "welcome"


def test_builtins_per_language() -> None:
    files = builtin_prompts(["en", "zh"])
    assert len(files) == 2 * len(Builtin)
    assert {"cc/en/survey-nps", "cc/zh/queue-you-are-number"} <= files


def test_flow_prompts_include_what_its_nodes_play() -> None:
    main = load_flow(EXAMPLES / "main.yaml")
    files = main.prompts()
    assert {"cc/zh/main-menu", "cc/en/main-menu", "cc/en/invalid-account", "cc/zh/blocked",
            "cc/zh/closed", "cc/en/callback-confirm"} <= files
    assert main.prompts(["en"]) == {f for f in files if f.startswith("cc/en/")}
    survey = flow("""
        name: t
        start: s
        nodes:
          s: {type: survey, settings: {csat: true, nps: false}}
        """)
    assert survey.prompts() == {"cc/en/survey-intro", "cc/en/survey-csat",
                                "cc/en/survey-invalid", "cc/en/survey-thanks"}


def test_readme_lists_every_builtin() -> None:
    readme = (Path(ivr.__file__).parent / "README.md").read_text(encoding="utf-8")
    missing = [prompt.value for prompt in Builtin if f"`{prompt.value}`" not in readme]
    assert missing == []
