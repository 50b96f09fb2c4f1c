"""`dialplans.render`: the files for a site (a flow route, a queue with announcements, two
agents, recording on) match their golden copies; secrets stay private; prompts are listed."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from dialplans.inputs import Prompt, RenderInput
from dialplans.render import FILES, render

GOLDEN = Path(__file__).parent / "golden" / "site"


@pytest.mark.parametrize("name", FILES)
def test_each_rendered_file_matches_its_golden_copy(site_input: RenderInput, name: str) -> None:
    # Regenerate deliberately (and review the diff) when the generated files change.
    files = {f.name: f.text for f in render(site_input)}
    assert files[name] == (GOLDEN / name).read_text()


def test_render_is_deterministic(site_input: RenderInput) -> None:
    assert render(site_input) == render(site_input)


def test_files_with_secrets_are_private_and_the_others_readable(rendered: Path) -> None:
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in rendered.iterdir()}
    assert modes == {"extensions.conf": 0o644, "manager.conf": 0o600, "musiconhold.conf": 0o644,
                     "pjsip.conf": 0o600, "prompts.txt": 0o644}


def test_secrets_come_from_the_environment_and_never_show_in_a_repr(
        site_input: RenderInput) -> None:
    files = {f.name: f.text for f in render(site_input)}
    assert "secret = ami-s3cret" in files["manager.conf"]
    assert "password = pw-1008" in files["pjsip.conf"]
    assert "ami-s3cret" not in repr(site_input) and "pw-1007" not in repr(site_input)


def test_the_ami_user_gets_system_only_when_calls_may_be_recorded(
        site_input: RenderInput) -> None:
    from dataclasses import replace

    def write_line(inp: RenderInput) -> str:
        text = {f.name: f.text for f in render(inp)}["manager.conf"]
        return next(line for line in text.splitlines() if line.startswith("write ="))

    assert write_line(site_input) == "write = call,originate,reporting,system"
    quiet = replace(site_input, manager=replace(site_input.manager, records=False))
    assert write_line(quiet) == "write = call,originate,reporting"


def test_the_flows_prompts_are_added_to_their_language_section(
        site_input: RenderInput) -> None:
    from dataclasses import replace

    inp = replace(site_input, extra_prompts=(Prompt("ivr/zh/welcome", "zh"),
                                              Prompt("cc/en/agent-id-prefix", "en")))
    text = {f.name: f.text for f in render(inp)}["prompts.txt"]
    zh = text.split("[zh]\n", 1)[1]
    assert "ivr/zh/welcome\n" in zh
    assert text.count("cc/en/agent-id-prefix") == 1  # no repeats
