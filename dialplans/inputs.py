"""What `render` and `check` need to know about a site, as plain data.

The CLI builds a `RenderInput` from the engine's config (`callcenter/cli/dialplan_input.py`);
`dialplans/` never reads that config itself. Secrets arrive resolved (from the environment,
or a placeholder the CLI chose) and never show in a repr.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # an annotation only: the CLI reads the defaults below without acd/
    from dialplans.engine_contexts import EngineDialplanParams

LOCALHOST_PERMIT = "127.0.0.1/255.255.255.255"
MOH_DIRECTORY = "/var/lib/asterisk/moh"


@dataclass(frozen=True, slots=True)
class ManagerUser:
    """The engine's AMI account: name, secret, networks allowed (`addr/mask`), the AMI port,
    and whether calls may be recorded (the MixMonitor action needs the `system` class)."""

    username: str
    secret: str = field(repr=False)
    permit: tuple[str, ...] = (LOCALHOST_PERMIT,)
    port: int = 5038
    bind_address: str = "127.0.0.1"
    records: bool = False


@dataclass(frozen=True, slots=True)
class SipAgent:
    """An agent's softphone: the PJSIP endpoint name (`PJSIP/<endpoint>`), its password and
    the agent it belongs to (for the comment)."""

    endpoint: str
    secret: str = field(repr=False)
    agent_id: str = ""


@dataclass(frozen=True, slots=True)
class PromptSet:
    """The engine's own prompts: announcement prefix/suffix per language, whisper prompts (the
    agent hears them, any language), and the languages callers may have."""

    announce: dict[str, tuple[str, str]] = field(default_factory=dict)
    whisper: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("en",)


@dataclass(frozen=True, slots=True)
class Prompt:
    """A sound file by its name without extension (`cc/en/agent-id-prefix`) and the language
    section of prompts.txt it is listed under (`""`: any language)."""

    name: str
    language: str = ""


@dataclass(frozen=True, slots=True)
class RenderInput:
    """Everything the rendered files are made of. `source` names the config they came from
    (written in each header); `flows` are the IVR flows the engine serves."""

    source: str
    dialplan: EngineDialplanParams
    manager: ManagerUser
    agents: tuple[SipAgent, ...] = ()
    flows: tuple[str, ...] = ()
    transfer_context: str = "from-internal"
    moh_directory: str = MOH_DIRECTORY
    prompts: PromptSet = field(default_factory=PromptSet)
    extra_prompts: tuple[Prompt, ...] = ()
