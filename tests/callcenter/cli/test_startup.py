"""The quick commands stay quick: building the command line, `callcenter --version`, `--help`
and `callcenter erlang` do not load the engine, the database, MQTT, plots or numpy.

Checked by what a fresh interpreter has in `sys.modules` afterwards, not by timing. These
modules cost ~1.7 s to import together (python -X importtime) against ~0.1 s for the CLI
itself; a command that needs one imports it when it runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import callcenter

# Top-level packages and project modules measured as heavy at startup (issue 15).
HEAVY = (
    "sqlalchemy",
    "alembic",
    "aiosqlite",
    "asyncpg",
    "matplotlib",
    "numpy",
    "aiomqtt",
    "paho",
    "openpyxl",
    "yaml",
    "acd",
    "callcenter.engine",
    "callcenter.emulator",
    "callcenter.demo",
    "callcenter.bus",
    "cdr.store.db",
    "cdr.store.schema",
)
# Loaded by Typer itself once a command parses typed options, or to format --help.
TYPER_RUNTIME = ("pydantic", "rich")

PROBE = """
import json, os, sys
build_only = sys.argv[1] == "--build-only"
code = None
if build_only:
    import typer.main
    from callcenter.cli import app
    typer.main.get_command(app)  # every command's parameters, as Typer builds them
else:
    sys.argv = ["callcenter", *sys.argv[1:]]
    from callcenter.cli import main
    try:
        main()
    except SystemExit as exit:
        code = exit.code
with open(os.environ["STARTUP_PROBE_OUT"], "w") as handle:
    json.dump({"code": code, "modules": sorted(sys.modules)}, handle)
"""


def _probe(tmp_path: Path, *args: str) -> tuple[dict[str, Any], str]:
    """Run the CLI with `args` in a fresh interpreter: its exit code and loaded modules, and
    what it printed."""
    out = tmp_path / "probe.json"
    root = Path(callcenter.__file__).resolve().parents[1]
    env = {
        **os.environ,
        "STARTUP_PROBE_OUT": str(out),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
    }
    # cwd: `-c` puts the working directory first on sys.path, before PYTHONPATH.
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                            text=True, env=env, cwd=tmp_path, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    probe: dict[str, Any] = json.loads(out.read_text())
    return probe, result.stdout


def _loaded(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == n or m.startswith(f"{n}.") for n in names)]


def test_building_the_cli_loads_no_heavy_module(tmp_path: Path) -> None:
    probe, _ = _probe(tmp_path, "--build-only")
    assert "callcenter.cli.report" in probe["modules"]  # the probe did build every command
    assert _loaded(probe["modules"], HEAVY + TYPER_RUNTIME) == []


def test_version_loads_no_heavy_module(tmp_path: Path) -> None:
    probe, stdout = _probe(tmp_path, "--version")
    assert probe["code"] == 0
    assert stdout.startswith("callcenter ")
    assert _loaded(probe["modules"], HEAVY + TYPER_RUNTIME) == []


def test_help_loads_no_heavy_module(tmp_path: Path) -> None:
    probe, stdout = _probe(tmp_path, "--help")
    assert probe["code"] == 0
    assert "staffing" in stdout and "recordings" in stdout
    assert _loaded(probe["modules"], HEAVY) == []


def test_erlang_loads_only_the_erlang_model(tmp_path: Path) -> None:
    probe, stdout = _probe(tmp_path, "erlang", "--calls", "360", "--interval", "30m",
                           "--aht", "240", "--agents", "55", "--target", "20", "--json")
    assert probe["code"] == 0
    assert json.loads(stdout)["agents"] == 55
    assert _loaded(probe["modules"], HEAVY) == []
    assert _loaded(probe["modules"], ("simulations",)) == ["simulations", "simulations.erlang"]
