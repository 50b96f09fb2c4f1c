"""`callcenter dialplan render|check`: the Asterisk configuration the engine needs.

`render` writes extensions.conf, manager.conf, musiconhold.conf, pjsip.conf and prompts.txt
from the engine's YAML (docs/dialplan.md); `check` reads such a directory (or a live
/etc/asterisk) and reports, one `file:line: severity: message` per line, what would break.
Exit codes: 0 clean (warnings allowed), 1 errors found, 2 bad usage or unreadable config.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import typer

from callcenter.cli.app import app
from callcenter.cli.dbopts import fail, warn
from callcenter.engine.config import (
    ConfigError,
    EngineConfig,
    dialplan_params,
    load_config,
    load_flows,
)
from dialplans import contract
from dialplans.check import check_directory
from dialplans.engine_contexts import DialplanParamsError
from dialplans.findings import Severity
from dialplans.inputs import (
    LOCALHOST_PERMIT,
    MOH_DIRECTORY,
    ManagerUser,
    Prompt,
    PromptSet,
    RenderInput,
    SipAgent,
)
from dialplans.render import render, write_directory
from ivr.prompts import builtin_prompts
from recording.policy import RecordingMode

dialplan_app = typer.Typer(help="Render and check the Asterisk configuration the engine needs.",
                           no_args_is_help=True)
app.add_typer(dialplan_app, name="dialplan")

SIP_SECRET_ENV = "CALLCENTER_SIP_SECRET_{endpoint}"
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
CONFIG = typer.Option(..., "--config", "-c", help="The engine's YAML file.")


class MissingSecrets(ConfigError):
    """Environment variables holding the secrets are not set."""


def sip_secret_env(endpoint: str) -> str:
    """`CALLCENTER_SIP_SECRET_<ENDPOINT>`: upper case, other than [A-Z0-9] as `_`."""
    return SIP_SECRET_ENV.format(endpoint=re.sub(r"[^A-Z0-9]", "_", endpoint.upper()))


class _Secrets:
    """Reads secrets from the environment; a missing one is a placeholder or an error."""

    def __init__(self, placeholders: bool) -> None:
        self.placeholders = placeholders
        self.missing: list[str] = []

    def get(self, env: str) -> str:
        value = os.environ.get(env)
        if value:
            return value
        self.missing.append(env)
        return f"{contract.PLACEHOLDER_PREFIX}set-{env}"


def _sip_agents(config: EngineConfig, secrets: _Secrets) -> tuple[SipAgent, ...]:
    agents: dict[str, SipAgent] = {}
    for agent in config.agents:
        tech, _, endpoint = (agent.device or "").partition("/")
        if tech.upper() == "PJSIP" and endpoint not in agents:
            agents[endpoint] = SipAgent(endpoint, secrets.get(sip_secret_env(endpoint)),
                                        agent.id)
    return tuple(agents.values())


def _prompts(config: EngineConfig) -> PromptSet:
    announce = config.announce
    whisper = config.whisper
    languages = {r.language for r in config.routes} | {announce.default_language}
    return PromptSet(
        announce={lang: (p.prefix, p.suffix) for lang, p in announce.prompts.items()}
        if announce.enabled else {},
        whisper=(*(whisper.queue_prompt.replace("{queue}", q.name) for q in config.queues),
                 whisper.vip_prompt) if whisper.enabled else (),
        languages=tuple(sorted(languages | set(announce.prompts))),
    )


def _ivr_prompts(config: EngineConfig, languages: tuple[str, ...]) -> tuple[Prompt, ...]:
    """The IVR flows' prompts and the built-in ones (announcements, survey, voicemail,
    blocked/closed messages) when the dialplan calls the engine's FastAGI scripts."""
    if not config.uses_agi():
        return ()
    flows = load_flows(config)
    for flow in flows.values():
        languages = (*languages, *(lang for lang in flow.spoken_languages()
                                   if lang not in languages))
    prompts: list[Prompt] = []
    for language in languages:
        names = builtin_prompts([language])
        for flow in flows.values():
            names |= flow.prompts([language])
        prompts.extend(Prompt(name, language) for name in sorted(names))
    return tuple(prompts)


def render_input(config: EngineConfig, source: str, *, placeholder_secrets: bool = False,
                 permit: tuple[str, ...] = (LOCALHOST_PERMIT,),
                 moh_directory: str = MOH_DIRECTORY,
                 extra_prompts: tuple[Prompt, ...] | None = None,
                 ) -> tuple[RenderInput, list[str]]:
    """What `dialplans.render` needs from the engine's config, and the environment variables
    that were not set (placeholders written for them). `extra_prompts`: the IVR's (default:
    read from the config's flows and the built-ins).

    Raises `MissingSecrets` naming every unset variable unless `placeholder_secrets`, and
    `ConfigError` for an AGI port of 0 or a flow that does not load."""
    if config.ivr.agi_port == 0:
        raise ConfigError("ivr.agi_port: expected the port Asterisk reaches the engine on, "
                          "got 0 (any free port: for tests only)")
    secrets = _Secrets(placeholder_secrets)
    ami = config.ami
    manager = ManagerUser(
        username=ami.username, secret=secrets.get(ami.secret_env), permit=permit,
        port=ami.port, bind_address="127.0.0.1" if ami.host in _LOOPBACK else "0.0.0.0",
        records=any(rule.mode is not RecordingMode.NONE
                    for rule in config.recording.policy.rules))
    agents = _sip_agents(config, secrets)
    if secrets.missing and not placeholder_secrets:
        raise MissingSecrets(
            "expected the secrets in environment variables "
            f"{', '.join(secrets.missing)}, which are not set (ami.secret_env, and "
            f"{SIP_SECRET_ENV} per agent device); set them, or pass --placeholder-secrets")
    prompts = _prompts(config)
    if extra_prompts is None:
        extra_prompts = _ivr_prompts(config, prompts.languages)
    return RenderInput(
        source=source, dialplan=dialplan_params(config), manager=manager, agents=agents,
        flows=tuple(sorted(config.ivr.flows)), transfer_context=config.transfer_context,
        moh_directory=moh_directory, prompts=prompts, extra_prompts=extra_prompts,
    ), secrets.missing


def _load(path: Path) -> EngineConfig:
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
