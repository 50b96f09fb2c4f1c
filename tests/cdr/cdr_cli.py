"""Running `callcenter` database commands in CLI tests."""

from __future__ import annotations

from typer.testing import CliRunner

from callcenter.cli import app

runner = CliRunner()


def cli(url: str, *args: str) -> tuple[int, str, str]:
    """`callcenter <args> --db <url>`: exit code, stdout, stderr."""
    result = runner.invoke(app, [*args, "--db", url])
    return result.exit_code, result.stdout, result.stderr
