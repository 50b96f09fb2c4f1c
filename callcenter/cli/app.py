"""The root Typer app; command modules attach their commands to it."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="callcenter",
    help="A call-center engine for the Asterisk PBX.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from callcenter import __version__

        typer.echo(f"callcenter {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_print_version,
        is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    """A call-center engine for the Asterisk PBX."""
