"""`callcenter prompts build|texts`: the sound files the dialplan and the IVR flows play.

`build` speaks every prompt prompts.txt lists for the config (`dialplan render`) with
espeak-ng and writes 8 kHz mono WAV files into the sounds directory, never over a site's own
recording unless `--overwrite`; `texts` prints the shipped text table to copy and edit
(docs/prompts.md). Exit codes: 0 built, 1 espeak-ng/sox missing or failing, 2 bad input (the
config, the text table, a prompt without a text, an unusable --out).
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

from callcenter.cli.app import app

prompts_app = typer.Typer(help="Build the sound files the dialplan and the IVR flows play.",
                          no_args_is_help=True)
app.add_typer(prompts_app, name="prompts")


@prompts_app.command("build")
def build_command(
    config_path: Path = typer.Option(..., "--config", "-c", help="The engine's YAML file."),
    out: Path = typer.Option(..., "--out", "-o",
                             help="The sounds directory (e.g. /var/lib/asterisk/sounds)."),
    texts_path: Path | None = typer.Option(
        None, "--texts", help="A text table to use instead of the shipped one "
        "(`callcenter prompts texts` prints it)."),
    overwrite: bool = typer.Option(
        False, "--overwrite", help="Also replace files this command did not write (a site's "
        "recordings, Asterisk's own digits)."),
    agent_language: str | None = typer.Option(
        None, "--agent-language", help="The language of the prompts only agents hear "
        "(whispers); default announce.default_language."),
    jobs: int = typer.Option(max(1, min(4, os.cpu_count() or 1)), "--jobs", "-j", min=1,
                             help="Prompts synthesised at once."),
) -> None:
    """Speak every prompt the configuration needs, in each of its languages, into --out."""
    # The engine's config and the renderer load pydantic models and the IVR: only here.
    from callcenter.cli.dbopts import fail
    from callcenter.cli.dialplan_input import render_input
    from callcenter.engine.config import ConfigError, load_config
    from dialplans.engine_contexts import DialplanParamsError
    from dialplans.prompt_build import (
        Outcome,
        PlannedPrompt,
        PromptBuildError,
        plan_build,
        run_build as run,
    )
    from dialplans.prompt_texts import TextTableError, load_texts
    from dialplans.prompts import engine_prompts
    from dialplans.synth import EspeakSox, SynthesisError, missing_tools

    try:
        config = load_config(config_path)
        inp, _ = render_input(config, str(config_path), placeholder_secrets=True)
    except (ConfigError, DialplanParamsError) as error:
        fail(str(error))
    prompts = engine_prompts(inp.prompts, inp.extra_prompts)  # = prompts.txt
    try:
        texts = load_texts(texts_path)
        plan = plan_build(prompts, texts, out, overwrite=overwrite,
                          agent_language=agent_language or config.announce.default_language)
    except (TextTableError, PromptBuildError) as error:
        fail(str(error))
    missing = missing_tools()
    if plan.count(Outcome.WRITTEN) and missing:
        fail(f"{' and '.join(missing)} not found on PATH: install them (Debian: apt-get "
             f"install {' '.join(missing)})", code=1)

    def report(item: PlannedPrompt) -> None:
        note = f" ({item.note})" if item.note else ""
        typer.echo(f"{item.outcome}: {out / item.file}{note}")

    try:
        run(plan, EspeakSox(), workers=jobs, on_done=report)
    except PromptBuildError as error:
        fail(str(error))
    except SynthesisError as error:
        fail(str(error), code=1)
    typer.echo(f"{plan.count(Outcome.WRITTEN)} written, {plan.count(Outcome.CURRENT)} up to "
               f"date, {plan.count(Outcome.KEPT)} kept (the site's own) in {out}", err=True)


@prompts_app.command("texts")
def texts_command() -> None:
    """Print the shipped text table (copy it, edit it, pass it to `build --texts`)."""
    from dialplans.prompt_texts import default_texts_path

    typer.echo(default_texts_path().read_text(encoding="utf-8"), nl=False)
