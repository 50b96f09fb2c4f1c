"""`callcenter dialplan render|check`: the Asterisk configuration the engine needs.

`render` writes extensions.conf, manager.conf, musiconhold.conf, pjsip.conf and prompts.txt
from the engine's YAML (docs/dialplan.md); `check` reads such a directory (or a live
/etc/asterisk) and reports, one `file:line: severity: message` per line, what would break.
Exit codes: 0 clean (warnings allowed), 1 errors found, 2 bad usage or unreadable config.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from callcenter.cli.app import app
from callcenter.cli.dbopts import fail, warn
from dialplans.inputs import LOCALHOST_PERMIT, MOH_DIRECTORY

if TYPE_CHECKING:
    from callcenter.engine.config import EngineConfig

dialplan_app = typer.Typer(help="Render and check the Asterisk configuration the engine needs.",
                           no_args_is_help=True)
app.add_typer(dialplan_app, name="dialplan")

CONFIG = typer.Option(..., "--config", "-c", help="The engine's YAML file.")


def _load(path: Path) -> EngineConfig:
    from callcenter.engine.config import ConfigError, load_config

    try:
        return load_config(path)
    except ConfigError as error:
        fail(str(error))


@dialplan_app.command("render")
def render_command(
    config_path: Path = CONFIG,
    out: Path = typer.Option(..., "--out", "-o", help="Directory to write the files into."),
    placeholder_secrets: bool = typer.Option(
        False, "--placeholder-secrets",
        help="Write CHANGE-ME-... for secrets whose environment variable is unset."),
    permit: list[str] = typer.Option(
        [LOCALHOST_PERMIT], "--ami-permit",
        help="Network allowed to log in as the engine's AMI user, addr/mask (repeatable)."),
    moh_directory: str = typer.Option(MOH_DIRECTORY, "--moh-directory",
                                      help="Directory of the music-on-hold files."),
) -> None:
    """Write extensions.conf, manager.conf, musiconhold.conf, pjsip.conf and prompts.txt."""
    from callcenter.cli.dialplan_input import render_input
    from callcenter.engine.config import ConfigError
    from dialplans import contract
    from dialplans.engine_contexts import DialplanParamsError
    from dialplans.render import render, write_directory

    config = _load(config_path)
    try:
        inp, placeholders = render_input(
            config, str(config_path), placeholder_secrets=placeholder_secrets,
            permit=tuple(permit), moh_directory=moh_directory)
        files = render(inp)
    except (ConfigError, DialplanParamsError) as error:
        fail(str(error))
    try:
        written = write_directory(out, files)
    except OSError as error:
        fail(f"--out {out}: cannot write: {error}")
    for path in written:
        typer.echo(str(path))
    if placeholders:
        warn(f"placeholder secrets ({contract.PLACEHOLDER_PREFIX}...) written for "
             f"{', '.join(placeholders)}: put the real ones in {out} before going live")


@dialplan_app.command("check")
def check_command(
    directory: Path = typer.Argument(..., help="A rendered directory, or /etc/asterisk."),
    config_path: Path | None = typer.Option(
        None, "--config", "-c", help="Also compare with this engine YAML (routes, flows, "
        "AGI address, AMI user, agents)."),
    sounds: Path | None = typer.Option(
        None, "--sounds", help="Check that every prompt in prompts.txt is a file here."),
) -> None:
    """Report what would break, one `file:line: severity: message` per line."""
    if not directory.is_dir():
        fail(f"{directory}: expected a directory")
    if sounds is not None and not sounds.is_dir():
        fail(f"--sounds {sounds}: expected a directory")
    from callcenter.cli.dialplan_input import render_input
    from callcenter.engine.config import ConfigError
    from dialplans.check import check_directory
    from dialplans.engine_contexts import DialplanParamsError
    from dialplans.findings import Severity

    expected = None
    if config_path is not None:
        try:
            expected, _ = render_input(_load(config_path), str(config_path),
                                       placeholder_secrets=True)
        except (ConfigError, DialplanParamsError) as error:
            fail(str(error))
    findings = check_directory(directory, expected=expected, sounds=sounds)
    for finding in findings:
        typer.echo(str(finding))
    errors = sum(f.severity is Severity.ERROR for f in findings)
    typer.echo(f"{errors} error(s), {len(findings) - errors} warning(s)", err=True)
    if errors:
        raise typer.Exit(1)
