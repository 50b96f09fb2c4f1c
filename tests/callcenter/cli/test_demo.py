"""`callcenter demo`: the live system end to end; `--virtual`: the router explained."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from callcenter.cli import app


def test_live_demo_routes_announces_pops_and_reports(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["demo", "--minutes", "4", "--speed", "40", "--dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "Wallboard" in result.output
    assert "answered with the agent's ID announced before the bridge" in result.output
    assert "Screen-pops received over MQTT:" in result.output
    assert '"crm_url": "https://crm.example.com/customers/' in result.output
    went_through_ivr = re.search(r"IVR \(ivr/examples/hotline.yaml\): (\d+) callers", result.output)
    assert went_through_ivr is not None and int(went_through_ivr.group(1)) > 0, result.output
    assert '"path": [\n   "screen",' in result.output  # the screen-pop shows the IVR path
    for queue in ("billing", "support", "general"):
        assert queue in result.output
    assert (tmp_path / "demo.db").exists() and (tmp_path / "engine.log").exists()
    banner = re.search(r"HTTP API: (http://127\.0\.0\.1:\d+/api/v1) .*accounts: sam / (\S+)"
                       r" \(supervisor\), lee / \S+ \(team-lead\), ada / \S+ \(admin\)",
                       result.output)
    assert banner is not None, result.output


def test_virtual_demo_prints_the_routing_summary() -> None:
    result = CliRunner().invoke(app, ["demo", "--virtual"])
    assert result.exit_code == 0, result.output
    for queue in ("billing", "support", "general"):
        assert queue in result.output
    assert "agent came free" in result.output
    assert "rules fired" in result.output


def test_demo_rejects_a_bad_length() -> None:
    result = CliRunner().invoke(app, ["demo", "--virtual", "--hours", "-2"])
    assert result.exit_code == 2
    assert "--hours" in result.output


def test_version_and_help_list_the_commands() -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["--version"]).output.startswith("callcenter ")
    help_text = runner.invoke(app, ["--help"]).output
    assert "demo" in help_text and "serve" in help_text
