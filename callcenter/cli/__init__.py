"""The `callcenter` command line: one Typer app (`app.py`), one module per command group.

A command module imports `app` from `callcenter.cli.app` and decorates its commands;
importing the module below is what registers them. Every command module is imported to build
the command line, also for `--version` or `erlang`, so at module level it imports only Typer,
the standard library's cheap modules and what its parameters' types and defaults need; the
engine, SQLAlchemy, numpy, rich, pydantic models ... are imported inside the command that uses
them (tests/callcenter/cli/test_startup.py keeps it so).
"""

from __future__ import annotations

from callcenter.cli.app import app

# Command modules, imported for their side effect of registering commands on `app`.
COMMAND_MODULES: tuple[str, ...] = (
    "demo",
    "serve",
    "admin",
    "emulator",
    "erlang",
    "simulate",
    "db",
    "report",
    "export",
    "customers",
    "recordings",
    "supervise",
    "blacklist",
    "voicemail",
    "dialplan",
    "prompts",
    "systemd",
    "accounts",
)


def _register_commands() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"callcenter.cli.{name}")


_register_commands()


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "main"]
