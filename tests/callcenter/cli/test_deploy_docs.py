"""docs/deploy.md is true: its site files fit the rendered ones, its unit is the one
`callcenter systemd-unit` prints (and systemd accepts), every application the rendered
dialplan uses has its module in the table, the environment file names what the engine reads."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from callcenter.cli import app
from callcenter.cli.dialplan_input import render_input
from callcenter.cli.systemd import ENV_VARIABLES, UnitSettings, unit_text
from callcenter.engine.config import AmiSettings, dialplan_params, load_config
from cdr.store.db import URL_ENV
from dialplans import contract
from dialplans.check import check_directory
from dialplans.confparse import read_conf
from dialplans.engine_contexts import engine_contexts
from dialplans.extensions_conf import parse_extensions
from dialplans.findings import Severity
from dialplans.render import render, write_directory

ROOT = Path(__file__).resolve().parents[3]
DOC = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
EXAMPLE = ROOT / "docs" / "examples" / "callcenter.yaml"
VENV_PYTHON = "/opt/callcenter/.venv/bin/python"


def block(marker: str) -> str:
    """The fenced block right after `<!-- marker -->`."""
    found = re.search(rf"<!-- {re.escape(marker)} -->\n```[a-z]*\n(.*?)```", DOC, re.S)
    assert found is not None, f"no block <!-- {marker} --> in docs/deploy.md"
    return found.group(1)


def test_the_site_files_and_the_rendered_ones_check_clean(tmp_path: Path) -> None:
    config = load_config(EXAMPLE)
    inp, _ = render_input(config, str(EXAMPLE), placeholder_secrets=True)
    etc = tmp_path / "asterisk"
    write_directory(etc / "callcenter", render(inp))
    for name in ("pjsip.conf", "extensions.conf", "manager.conf", "musiconhold.conf"):
        (etc / name).write_text(block(f"site: {name}"), encoding="utf-8")
    findings = check_directory(etc, expected=inp)
    errors = [str(f) for f in findings if f.severity is Severity.ERROR]
    assert errors == []
    # The placeholders are the only warnings: the trunk and the transfer context are there.
    assert all("placeholder" in f.message for f in findings), [str(f) for f in findings]
    # The carrier's calls reach cc-inbound: the trunk's context includes it.
    trunk = [sec for sec in read_conf(etc / "pjsip.conf").named(config.trunk)
             if sec.last("type") == "endpoint"]
    assert len(trunk) == 1
    plan = parse_extensions(etc / "extensions.conf", etc)
    trunk_context = plan.contexts[trunk[0].last("context") or ""]
    assert [i.value for i in trunk_context.includes] == [contract.INBOUND]
    assert f"[{config.ami.username}]" in (etc / "callcenter" / "manager.conf").read_text()
    prose = " ".join(DOC.split())
    assert f"AMI user `{config.ami.username}`" in prose
    assert f"routes {', '.join(r.did for r in config.routes)}" in prose.replace(" and ", ", ")
    assert f"trunk `{config.trunk}`" in prose and f"[{config.trunk}]" in block("site: pjsip.conf")
    assert f"[{config.transfer_context}]" in block("site: extensions.conf")


def test_every_application_of_the_rendered_dialplan_has_its_module_in_the_table() -> None:
    plan = engine_contexts(dialplan_params(load_config(EXAMPLE)))
    apps = {p.app for c in plan.contexts for e in c.extensions for p in e.priorities}
    table = DOC[DOC.index("## What Asterisk must load"):DOC.index("## What the site writes")]
    missing = sorted(app for app in apps if f"`{app}`" not in table)
    assert missing == []
    for module in ("res_agi", "res_musiconhold", "app_chanspy", "app_mixmonitor", "chan_pjsip",
                   "func_channel", "app_userevent", "app_playback", "app_dial"):
        assert f"`{module}`" in table


def test_the_documented_unit_is_the_printed_one_and_systemd_accepts_it(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["systemd-unit", "--python", VENV_PYTHON])
    assert result.exit_code == 0, result.output
    assert result.output == block("unit") == unit_text(UnitSettings(python=VENV_PYTHON))
    parser = configparser.ConfigParser(strict=True, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(result.output)
    service = parser["Service"]
    assert service["User"] == "callcenter" and service["RestartPreventExitStatus"] == "2"
    assert service["ExecStart"].startswith(f"{VENV_PYTHON} -m callcenter serve --config /etc/")
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze not installed: parsed only")
    # systemd checks that the command exists: point it at a real interpreter.
    unit = tmp_path / "callcenter.service"
    unit.write_text(unit_text(UnitSettings(python=shutil.which("python3") or "/usr/bin/python3")))
    verify = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True,
                            timeout=60, check=False)
    assert verify.returncode == 0, verify.stderr
    assert verify.stderr.strip() == "", verify.stderr  # no unknown key, no bad value


def test_the_environment_file_names_what_the_engine_reads() -> None:
    names = [name for name, _ in ENV_VARIABLES]
    assert AmiSettings().secret_env in names and URL_ENV in names
    assert {"CALLCENTER_MQTT_USERNAME", "CALLCENTER_MQTT_PASSWORD"} <= set(names)
    result = CliRunner().invoke(app, ["systemd-unit", "--env-template"])
    assert result.output == block("env")
    assert [line.split("=")[0] for line in result.output.splitlines()
            if not line.startswith("#")] == names


def test_bad_unit_options_name_the_problem() -> None:
    result = CliRunner().invoke(app, ["systemd-unit", "--config", "cc.yaml"])
    assert result.exit_code == 2 and "--config cc.yaml: expected an absolute path" in result.output
    result = CliRunner().invoke(app, ["systemd-unit", "--user", "call center"])
    assert result.exit_code == 2 and "--user 'call center'" in result.output
