"""`callcenter dialplan render|check`: files written, exit codes 0/1/2, the missing-secret error."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from callcenter.cli import app

SITE = Path(__file__).parent / "data" / "site.yaml"
SECRETS = ("CC_TEST_AMI_SECRET", "CALLCENTER_SIP_SECRET_1007", "CALLCENTER_SIP_SECRET_1008")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["dialplan", *args])
    return result.exit_code, result.output


def test_render_then_check_is_clean(site_env: None, tmp_path: Path) -> None:
    code, output = run("render", "--config", str(SITE), "--out", str(tmp_path))
    assert code == 0, output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "extensions.conf", "manager.conf", "musiconhold.conf", "pjsip.conf", "prompts.txt"]
    code, output = run("check", str(tmp_path), "--config", str(SITE))
    assert code == 0, output
    assert f"{tmp_path / 'pjsip.conf'}:0: warning: no trunk endpoint [carrier]" in output
    assert "0 error(s), 2 warning(s)" in output


def test_a_missing_secret_fails_naming_the_variables_unless_placeholders_are_asked(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in SECRETS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CALLCENTER_SIP_SECRET_1007", "pw")
    code, output = run("render", "--config", str(SITE), "--out", str(tmp_path / "a"))
    assert code == 2
    assert "CC_TEST_AMI_SECRET, CALLCENTER_SIP_SECRET_1008, which are not set" in output
    assert "--placeholder-secrets" in output and not (tmp_path / "a").exists()
    code, output = run("render", "--config", str(SITE), "--out", str(tmp_path / "b"),
                       "--placeholder-secrets")
    assert code == 0, output
    assert "placeholder secrets (CHANGE-ME-...) written for CC_TEST_AMI_SECRET" in output
    assert "secret = CHANGE-ME-set-CC_TEST_AMI_SECRET" in (tmp_path / "b" / "manager.conf"
                                                            ).read_text()


def test_check_exits_1_on_errors_with_one_jumpable_line_each(rendered: Path) -> None:
    path = rendered / "extensions.conf"
    path.write_text(path.read_text().replace("Goto(cc-hold,s,1)", "Goto(cc-hol,s,1)"))
    code, output = run("check", str(rendered))
    assert code == 1
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1)
                if "cc-hol," in text)
    assert f"{path}:{line}: error: Goto(cc-hol,s,1): no context [cc-hol]" in output


def test_bad_usage_and_bad_config_exit_2(tmp_path: Path) -> None:
    assert run("check", str(tmp_path / "nowhere"))[0] == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("queues: []\n")
    code, output = run("check", str(tmp_path), "--config", str(bad))
    assert code == 2 and "queues" in output
    code, output = run("render", "--config", str(bad), "--out", str(tmp_path / "out"))
    assert code == 2 and "queues" in output


def test_render_refuses_an_agi_port_of_0(site_env: None, tmp_path: Path) -> None:
    config = tmp_path / "cc.yaml"
    config.write_text(SITE.read_text().replace("agi_port: 4573", "agi_port: 0"))
    code, output = run("render", "--config", str(config), "--out", str(tmp_path / "out"))
    assert code == 2 and "ivr.agi_port" in output
