"""What `dialplans.render` and `dialplans.check` need from the engine's config: a `RenderInput`
with the secrets read from the environment (`render_input`).

The `callcenter dialplan` commands import this module when they run; it loads the engine's
config models (pydantic, the IVR flows), which building the command line must not.
"""

from __future__ import annotations

import os
import re

from callcenter.engine.config import ConfigError, EngineConfig, dialplan_params, load_flows
from dialplans import contract
from dialplans.inputs import (
    LOCALHOST_PERMIT,
    MOH_DIRECTORY,
    ManagerUser,
    Prompt,
    PromptSet,
    RenderInput,
    SipAgent,
)
from ivr.prompts import builtin_prompts
from recording.policy import RecordingMode

SIP_SECRET_ENV = "CALLCENTER_SIP_SECRET_{endpoint}"
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


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
