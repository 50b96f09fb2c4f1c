"""The engine's configuration file: one YAML, validated by pydantic at the edge.

Queues and agents use the very models the simulator reads (`acd.config`), so a scenario and a
live site describe routing the same way. Secrets never live in the file: the AMI secret comes
from the environment variable the file names.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from acd import AgentModel, Level, OverflowModel, OverflowTarget, QueueModel
from callcenter.errors import CallcenterError
from callcenter.http.settings import HttpSettings
from callcenter.notify.email import SmtpSettings
from callcenter.supervision.roles import SupervisionSettings
from dialplans.engine_contexts import EngineDialplanParams, Route
from ivr.errors import IvrConfigError
from ivr.flows import Flow, load_flow
from recording.settings import RecordingSettings
from simulations import load_yaml_model

DEVICE_PATTERN = re.compile(r"^[A-Za-z0-9_]+/[A-Za-z0-9_.@:+-]+$")


class ConfigError(CallcenterError):
    """The configuration file is missing, unreadable or invalid (the message names the key)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AmiSettings(_Strict):
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 5038
    username: Annotated[str, Field(min_length=1)] = "callcenter"
    secret_env: Annotated[str, Field(min_length=1)] = "CALLCENTER_AMI_SECRET"
    auth: Literal["plain", "md5"] = "md5"

    def secret(self) -> str:
        value = os.environ.get(self.secret_env)
        if not value:
            raise ConfigError(
                f"ami.secret_env: expected the AMI secret in environment variable"
                f" {self.secret_env}, which is not set"
            )
        return value


def _default_topic_prefix() -> str:
    from callcenter.bus.topics import DEFAULT_PREFIX  # the bus loads aiomqtt: only if asked

    return DEFAULT_PREFIX


class MqttSettings(_Strict):
    """The broker, and this center's place on it. Credentials come from the environment
    (CALLCENTER_MQTT_USERNAME, CALLCENTER_MQTT_PASSWORD), never from the file.

    `client_id`: None (the default) picks one unique to the process, so that two engines
    never disconnect each other; a fixed one suits a broker ACL keyed on client ids.
    `topic_prefix`: every topic is `<topic_prefix>/v1/...` (docs/mqtt.md); centers sharing a
    broker take one each."""

    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 1883
    client_id: Annotated[str, Field(min_length=1, max_length=128)] | None = None
    topic_prefix: str = Field(default_factory=_default_topic_prefix)
    embedded_fallback: bool = False  # the demo starts an in-process broker if none answers

    @field_validator("topic_prefix")
    @classmethod
    def _topic_prefix(cls, value: str) -> str:
        from callcenter.bus.errors import BusTopicError
        from callcenter.bus.topics import check_prefix

        try:
            return check_prefix(value)
        except BusTopicError as error:
            raise ValueError(str(error)) from None


class DatabaseSettings(_Strict):
    url: str | None = None  # None: the default SQLite file (cdr.store.db.default_url)


class Prompts(_Strict):
    prefix: str  # e.g. "cc/agent-id-prefix" ("工号" / "agent")
    suffix: str  # e.g. "cc/agent-id-suffix" ("为您服务" / "is serving you")


class AnnounceSettings(_Strict):
    """The agent's ID played to the caller before the bridge, per language."""

    enabled: bool = True
    default_language: str = "en"
    prompts: dict[str, Prompts] = Field(
        default_factory=lambda: {
            "en": Prompts(prefix="cc/en/agent-id-prefix", suffix="cc/en/agent-id-suffix"),
            "zh": Prompts(prefix="cc/zh/agent-id-prefix", suffix="cc/zh/agent-id-suffix"),
        }
    )

    @model_validator(mode="after")
    def _default_has_prompts(self) -> AnnounceSettings:
        if self.enabled and self.default_language not in self.prompts:
            raise ValueError(
                f"default_language {self.default_language!r} has no prompts"
                f" (languages with prompts: {', '.join(sorted(self.prompts)) or 'none'})"
            )
        return self

    def for_language(self, language: str) -> Prompts:
        return self.prompts.get(language) or self.prompts[self.default_language]


class WhisperSettings(_Strict):
    """What the agent hears before the bridge: a prompt per queue, another for VIP callers."""

    enabled: bool = False
    queue_prompt: str = "cc/whisper/{queue}"
    vip_prompt: str = "cc/whisper/vip"


class AgentConfig(AgentModel):
    device: str | None = None  # the device used when a login names none

    @field_validator("device")
    @classmethod
    def _device_syntax(cls, value: str | None) -> str | None:
        if value is not None and not DEVICE_PATTERN.match(value):
            raise ValueError(f"expected a device like 'PJSIP/1007', got {value!r}")
        return value


class IvrSettings(_Strict):
    """The engine's FastAGI listener and the IVR flows it serves.

    `agi_host`/`agi_port` are what Asterisk dials (`agi://host:port/...` in the generated
    dialplan); `bind` is the local address the engine listens on. `flows` maps a flow name
    to its YAML file (relative paths are read from the config file's directory).
    """

    agi_host: str = "127.0.0.1"
    agi_port: Annotated[int, Field(ge=0, le=65535)] = 4573  # 0: any free port (tests)
    bind: str = "127.0.0.1"
    flows: dict[str, str] = Field(default_factory=dict)
    voicemail_dir: str = "/var/spool/callcenter/voicemail"


class QueueServices(_Strict):
    """What a queue offers its callers beyond music: position/expected-wait announcements
    every `announce_every_s` seconds of waiting (None: none), a callback that keeps the
    caller's place, the post-call survey, and the voicemail box its overflow goes to.

    `announce_agent`: when the caller hears the agent's ID. `on-answer` (default): after the
    agent picks up, while the agent waits; `while-ringing`: as the agent's phone starts to
    ring, so the agent is bridged at once (docs/engine.md: after a ring-no-answer the next
    agent's ID is announced when its phone rings; an agent who answers before the
    announcement ends is bridged when it ends)."""

    announce_every_s: Annotated[float, Field(ge=10, le=600)] | None = None
    announce_agent: Literal["on-answer", "while-ringing"] = "on-answer"
    callback: bool = False
    survey_csat: bool = False
    survey_nps: bool = False
    voicemail_box: str | None = None  # None: the queue's name


class RouteConfig(_Strict):
    """An inbound number and the queue its calls go to; with `flow`, the IVR flow decides
    and `queue` is where callers go if the engine's IVR cannot be reached."""

    did: Annotated[str, Field(pattern=r"^[0-9A-Za-z_+*#-]+$")]
    queue: str
    flow: str | None = None
    priority: Annotated[int, Field(ge=0, le=9)] = 0
    skills: dict[str, Level] = Field(default_factory=dict)
    language: str = "en"
    tier: str | None = None


class EngineConfig(_Strict):
    center: str = "callcenter"
    time_zone: str = "UTC"
    ami: AmiSettings = AmiSettings()
    mqtt: MqttSettings = Field(default_factory=MqttSettings)
    database: DatabaseSettings = DatabaseSettings()
    announce: AnnounceSettings = AnnounceSettings()
    whisper: WhisperSettings = WhisperSettings()
    crm_url_template: str = "https://crm.example.com/customers/{customer_id}?call={call_id}"
    short_abandon_s: Annotated[float, Field(ge=0)] = 5.0
    ring_slack_s: Annotated[float, Field(ge=0, le=60)] = 5.0
    transfer_context: str = "from-internal"
    music_class: str = "default"
    trunk: str = "trunk"
    queues: Annotated[list[QueueModel], Field(min_length=1)]
    agents: list[AgentConfig] = Field(default_factory=list)
    routes: list[RouteConfig] = Field(default_factory=list)
    supervision: SupervisionSettings = SupervisionSettings()
    recording: RecordingSettings = RecordingSettings()  # default: record nothing
    ivr: IvrSettings = IvrSettings()
    smtp: SmtpSettings | None = None  # voicemail e-mail; None: MQTT notification only
    services: dict[str, QueueServices] = Field(default_factory=dict)  # by queue name
    http: HttpSettings | None = None  # the HTTP API (docs/api.md); None: none served

    def services_of(self, queue: str) -> QueueServices:
        return self.services.get(queue, _NO_SERVICES)

    def hold_slice(self, queue: str) -> str:
        """`CC_HOLD_SLICE` for a caller waiting in `queue`: whole seconds of music between
        announcements, "" for music only."""
        every = self.services_of(queue).announce_every_s
        return str(math.ceil(every)) if every else ""

    def uses_agi(self) -> bool:
        """Whether the generated dialplan calls the engine's FastAGI scripts for anything:
        IVR flows, announcements, callbacks, surveys, or a queue overflowing to voicemail."""
        return bool(self.ivr.flows) or any(
            s.announce_every_s or s.callback or s.survey_csat or s.survey_nps
            for s in self.services.values()
        ) or any(rule.target is OverflowTarget.VOICEMAIL
                 for q in self.queues for rule in q.rules if isinstance(rule, OverflowModel))

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"expected an IANA time zone such as 'Asia/Shanghai', got {value!r}"
            ) from None
        return value

    @field_validator("crm_url_template")
    @classmethod
    def _template_fields(cls, value: str) -> str:
        try:
            value.format(customer_id="", call_id="", caller="", agent="", queue="")
        except (KeyError, IndexError, ValueError) as error:
            raise ValueError(
                "expected a template using only {customer_id}, {call_id}, {caller}, {agent},"
                f" {{queue}}; got {value!r} ({error})"
            ) from None
        return value

    @model_validator(mode="after")
    def _references(self) -> EngineConfig:
        queues = [q.name for q in self.queues]
        duplicated = sorted({name for name in queues if queues.count(name) > 1})
        if duplicated:
            raise ValueError(f"queue names must be unique, repeated: {', '.join(duplicated)}")
        agents = [a.id for a in self.agents]
        repeated = sorted({name for name in agents if agents.count(name) > 1})
        if repeated:
            raise ValueError(f"agent ids must be unique, repeated: {', '.join(repeated)}")
        known = set(queues)
        for index, route in enumerate(self.routes):
            if route.queue not in known:
                raise ValueError(
                    f"routes.{index}.queue: unknown queue {route.queue!r}"
                    f" (queues: {', '.join(queues)})"
                )
        for index, route in enumerate(self.routes):
            if route.flow is not None and route.flow not in self.ivr.flows:
                raise ValueError(
                    f"routes.{index}.flow: unknown flow {route.flow!r}"
                    f" (ivr.flows: {', '.join(sorted(self.ivr.flows)) or 'none'})"
                )
        unknown_services = sorted(set(self.services) - known)
        if unknown_services:
            raise ValueError(f"services: unknown queues {', '.join(unknown_services)}")
        for agent in self.agents:
            for queue in agent.queues or ():
                if queue not in known:
                    raise ValueError(f"agents.{agent.id}.queues: unknown queue {queue!r}")
        return self

    @model_validator(mode="after")
    def _supervision_references(self) -> EngineConfig:
        agents = {a.id for a in self.agents}
        for team, members in self.supervision.teams.items():
            unknown = sorted(set(members) - agents)
            if unknown:
                raise ValueError(f"supervision.teams.{team}: unknown agents {', '.join(unknown)}")
        for user in self.supervision.users:
            if user.agent is not None and user.agent not in agents:
                raise ValueError(f"supervision.users.{user.id}.agent: unknown agent {user.agent!r}")
        return self

    @model_validator(mode="after")
    def _recording_references(self) -> EngineConfig:
        queues = {q.name for q in self.queues}
        agents = {a.id for a in self.agents}
        for index, rule in enumerate(self.recording.policy.rules):
            where = f"recording.policy.rules.{index}"
            unknown = sorted(set(rule.queues or ()) - queues)
            if unknown:
                raise ValueError(f"{where}.queues: unknown queues {', '.join(unknown)}")
            unknown = sorted(set(rule.agents or ()) - agents)
            if unknown and self.agents:
                raise ValueError(f"{where}.agents: unknown agents {', '.join(unknown)}")
        unknown = sorted(set(self.recording.retention.queues) - queues)
        if unknown:
            raise ValueError(f"recording.retention.queues: unknown queues {', '.join(unknown)}")
        return self

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


_NO_SERVICES = QueueServices()


def load_config(path: str | Path) -> EngineConfig:
    """Read and validate the engine's YAML file; ConfigError names the file, key and value.

    Relative IVR flow paths are made relative to the file's directory."""
    path = Path(path)
    config = load_yaml_model(path, EngineConfig, ConfigError)
    flows = {name: str((path.parent / file).resolve()) for name, file in config.ivr.flows.items()}
    return config.model_copy(update={"ivr": config.ivr.model_copy(update={"flows": flows})})


def load_flows(config: EngineConfig) -> dict[str, Flow]:
    """Every IVR flow the config names, loaded and checked (ConfigError names the file, the
    node and what is wrong)."""
    flows: dict[str, Flow] = {}
    for name, file in config.ivr.flows.items():
        try:
            flow = load_flow(file)
        except IvrConfigError as error:
            raise ConfigError(f"ivr.flows.{name}: {error}") from None
        queues = {q.name for q in config.queues}
        for queue, where in flow.queue_references().items():
            if queue not in queues:
                raise ConfigError(f"ivr.flows.{name}: {file}: {where}: unknown queue {queue!r}"
                                  f" (queues: {', '.join(sorted(queues))})")
        flows[name] = flow
    return flows


def skills_text(skills: dict[str, int]) -> str:
    """`{"billing": 3, "english": 2}` → `billing:3&english:2` (the CC_SKILLS form)."""
    return "&".join(f"{name}:{level}" for name, level in skills.items())


def dialplan_params(config: EngineConfig) -> EngineDialplanParams:
    """What `dialplans.engine_contexts` needs from the engine's config: routes (with their IVR
    flow and the queue's announcement interval, whole seconds rounded up), the FastAGI
    address, music, trunk."""
    def hold_slice(queue: str) -> int:
        every = config.services_of(queue).announce_every_s
        return 0 if every is None else int(-(-every // 1))  # ceil

    return EngineDialplanParams(
        routes=tuple(
            Route(did=r.did, queue=r.queue, priority=r.priority, skills=skills_text(r.skills),
                  language=r.language, tier=r.tier or "", flow=r.flow or "",
                  hold_slice_s=int(config.hold_slice(r.queue) or 0))
            for r in config.routes
        ),
        agi_url=f"agi://{config.ivr.agi_host}:{config.ivr.agi_port}",
        music_class=config.music_class,
        trunk=config.trunk,
    )
