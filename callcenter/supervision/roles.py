"""Who may supervise whom: users, roles, teams, and the one table of what each role may do.

Configured under `supervision:` in the engine's YAML (`callcenter.engine.config`). Pure: no
I/O, no clock. `authorize` is the only place that decides; the engine asks it before anything
reaches Asterisk or the router, and audits its answer either way.

Roles, from least to most trusted: `agent` (no supervisor command at all), `team-lead` (the
agents of its own team only; no queue-wide action), `supervisor` (every agent and call),
`admin` (as supervisor, and the admin commands: `callcenter agents|queues`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

# One MQTT topic level (callcenter.bus.topics.NAME_PATTERN); kept here so roles load no bus.
_NAME = re.compile(r"[^/+#\x00-\x1f\x7f]{1,64}")
_DEVICE = re.compile(r"^[A-Za-z0-9_]+/[A-Za-z0-9_.@:+-]+$")


def _topic_level(value: str) -> str:
    if _NAME.fullmatch(value) is None:
        raise ValueError(
            f"{value[:40]!r}: expected 1..64 characters without '/', '+', '#' or control"
            " characters (it is an MQTT topic level and an MQTT user name)"
        )
    return value


def _device(value: str) -> str:
    if not _DEVICE.match(value):
        raise ValueError(f"expected a device like 'PJSIP/800', got {value!r}")
    return value


UserName = Annotated[str, AfterValidator(_topic_level)]


class Role(StrEnum):
    AGENT = "agent"
    TEAM_LEAD = "team-lead"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Action(StrEnum):
    """What a supervisor can do; the values are the MQTT `cmd` names."""

    LISTEN = "listen"
    WHISPER = "whisper"
    BARGE = "barge"
    HANGUP = "hangup"
    PAUSE = "pause"
    READY = "ready"
    LOGOUT = "logout"
    MOVE_CALL = "move_call"
    SET_PRIORITY = "set_priority"


class Scope(Enum):
    NONE = "none"  # never
    TEAM = "team"  # only on agents of the user's own team
    ALL = "all"  # on any agent or call


_ON_AGENTS = (Action.LISTEN, Action.WHISPER, Action.BARGE, Action.HANGUP, Action.PAUSE,
              Action.READY, Action.LOGOUT)
_ON_CALLS = (Action.MOVE_CALL, Action.SET_PRIORITY)

PERMISSIONS: dict[Role, dict[Action, Scope]] = {
    Role.AGENT: {action: Scope.NONE for action in Action},
    # A waiting call belongs to a queue, not to a team: moving it or raising its priority
    # reorders every team's line, so it is for supervisors.
    Role.TEAM_LEAD: {**{a: Scope.TEAM for a in _ON_AGENTS}, **{a: Scope.NONE for a in _ON_CALLS}},
    Role.SUPERVISOR: {action: Scope.ALL for action in Action},
    Role.ADMIN: {action: Scope.ALL for action in Action},
}
"""Who may do what: the table `authorize` reads (and docs/supervision.md shows)."""

AGENT_ACTIONS = frozenset(_ON_AGENTS)
CALL_ACTIONS = frozenset(_ON_CALLS)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class User(_Strict):
    """A person who may connect to the bus: an agent's desktop, a team lead, a supervisor.

    `id` is the MQTT user name and the `{user}` of `callcenter/v1/supervisors/{user}/…`;
    `agent` the agent id this person takes calls as (required for role `agent`); `device`
    the phone that rings for listen / whisper / barge.
    """

    id: UserName
    role: Role
    team: str | None = None
    agent: str | None = None
    device: Annotated[str, AfterValidator(_device)] | None = None

    @model_validator(mode="after")
    def _role_needs(self) -> User:
        if self.role is Role.TEAM_LEAD and self.team is None:
            raise ValueError(f"user {self.id}: a team-lead needs a team")
        if self.role is Role.AGENT and self.agent is None:
            raise ValueError(f"user {self.id}: role agent needs the agent id it logs in as")
        return self


class SupervisionSettings(_Strict):
    """`supervision:` in the engine's YAML. Passwords are never here (see docs/supervision.md)."""

    engine_user: UserName = "callcenter-engine"  # the engine's MQTT user: all of callcenter/v1
    teams: dict[str, list[str]] = Field(default_factory=dict)  # team → agent ids
    users: list[User] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> SupervisionSettings:
        ids = [u.id for u in self.users]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"users: ids must be unique, repeated: {', '.join(repeated)}")
        if self.engine_user in ids:
            raise ValueError(f"users: {self.engine_user!r} is the engine_user")
        for user in self.users:
            if user.team is not None and user.team not in self.teams:
                known = ", ".join(sorted(self.teams)) or "none"
                raise ValueError(f"users.{user.id}.team: unknown team {user.team!r} "
                                 f"(teams: {known})")
        agents = [u.agent for u in self.users if u.agent is not None]
        shared = sorted({a for a in agents if agents.count(a) > 1})
        if shared:
            raise ValueError(f"users: agent ids used by two users: {', '.join(shared)}")
        return self


@dataclass(frozen=True, slots=True)
class AgentTarget:
    """An agent acted on, with the teams it belongs to."""

    agent: str
    teams: frozenset[str]


@dataclass(frozen=True, slots=True)
class CallTarget:
    """A waiting call acted on."""

    call_id: str
    queue: str


def authorize(user: User, action: Action, target: AgentTarget | CallTarget) -> str | None:
    """None if `user` may do `action` on `target`, else the refusal reason (one sentence)."""
    scope = PERMISSIONS[user.role][action]
    who = f"{user.role.value} {user.id}"
    if scope is Scope.NONE:
        return f"{who} may not {action.value}"
    if action in AGENT_ACTIONS and not isinstance(target, AgentTarget):
        return f"{action.value} acts on an agent, not on a call"
    if action in CALL_ACTIONS and not isinstance(target, CallTarget):
        return f"{action.value} acts on a waiting call, not on an agent"
    if scope is Scope.TEAM:
        if not isinstance(target, AgentTarget):  # no TEAM scope on calls in the table
            return f"{who} may not {action.value}"
        if user.team not in target.teams:
            return (f"{who} may act only on team {user.team}; agent {target.agent} is not in"
                    " it")
    return None


class Roster:
    """The configured users and teams, indexed for the engine's lookups."""

    def __init__(self, settings: SupervisionSettings) -> None:
        self.settings = settings
        self.users = {user.id: user for user in settings.users}
        teams_of: dict[str, set[str]] = {}
        for team, members in settings.teams.items():
            for agent in members:
                teams_of.setdefault(agent, set()).add(team)
        self._teams_of = {agent: frozenset(teams) for agent, teams in teams_of.items()}

    def user(self, user_id: str) -> User | None:
        return self.users.get(user_id)

    def agent_target(self, agent_id: str) -> AgentTarget:
        return AgentTarget(agent_id, self._teams_of.get(agent_id, frozenset()))

    def agent_users(self, configured_agents: Iterable[str]) -> dict[str, str]:
        """MQTT user name → agent id, for every agent desktop: the users that name an agent,
        and each configured agent without such a user under its own id."""
        named = {u.agent: u.id for u in self.settings.users if u.agent is not None}
        out = {user: agent for agent, user in named.items()}
        for agent in configured_agents:
            if agent not in named and agent not in self.users:
                out[agent] = agent
        return out
