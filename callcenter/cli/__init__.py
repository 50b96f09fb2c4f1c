"""The `callcenter` command line: one Typer app (`app.py`), one module per command group.

A command module imports `app` from `callcenter.cli.app` and decorates its commands;
importing the module below is what registers them.
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
