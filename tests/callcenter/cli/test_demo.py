"""`callcenter demo` routes the scripted hour and explains its decisions."""

from __future__ import annotations

from typer.testing import CliRunner

from callcenter.cli import app


def test_demo_prints_the_routing_summary() -> None:
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    for queue in ("billing", "support", "general"):
        assert queue in result.output
    assert "agent came free" in result.output
    assert "rules fired" in result.output


def test_demo_rejects_a_bad_length() -> None:
    result = CliRunner().invoke(app, ["demo", "--hours", "-2"])
    assert result.exit_code == 2
    assert "--hours" in result.output


def test_version_and_help_list_the_commands() -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["--version"]).output.startswith("callcenter ")
    help_text = runner.invoke(app, ["--help"]).output
    assert "demo" in help_text
