"""Who may supervise whom: users, roles, teams, and the one table of what each role may do.

Configured under `supervision:` in the engine's YAML (`callcenter.engine.config`). Pure: no
I/O, no clock. `authorize` is the only place that decides; the engine asks it before anything
reaches Asterisk or the router, and audits its answer either way.

Roles, from least to most trusted: `agent` (no supervisor command at all; itself only),
`team-lead` (the agents of its own team only; no queue-wide action), `supervisor` (every agent
and call), `admin` (as supervisor, and the admin commands: `callcenter agents|queues`); and
`integration`, the holder of an HTTP API token, which may only what its token's scopes grant.
The same table answers the MQTT supervisor commands and every request of the HTTP API
(`callcenter.http`): one place decides.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable
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
    INTEGRATION = "integration"  # an API token (`callcenter tokens create`), never a user


class Action(StrEnum):
    """What someone can do. The supervisor commands' values are their MQTT `cmd` names; the
    others are the HTTP API's (docs/api.md), and name the action in the audit table."""

    # supervisor commands (MQTT `callcenter/v1/supervisors/{user}/commands`, and the API)
    LISTEN = "listen"
    WHISPER = "whisper"
    BARGE = "barge"
    HANGUP = "hangup"
    PAUSE = "pause"
    READY = "ready"
    LOGOUT = "logout"
    MOVE_CALL = "move_call"
    SET_PRIORITY = "set_priority"
    # an agent's own commands (MQTT `callcenter/v1/agents/{agent}/commands`, and the API)
    AGENT_COMMAND = "agent_command"
    DIAL = "dial"
    # reads of the API and its WebSocket
    READ_AGENTS = "read_agents"
    READ_QUEUES = "read_queues"
    READ_CALLS = "read_calls"
    READ_SCREENPOPS = "read_screenpops"
    READ_CUSTOMERS = "read_customers"
    READ_REPORTS = "read_reports"
    READ_RECORDINGS = "read_recordings"
    READ_SUPERVISION = "read_supervision"
    # the configuration (MQTT `callcenter/v1/admin/commands`, `callcenter agents|queues`)
    ADMIN = "admin"


class Scope(Enum):
    NONE = "none"  # never
    SELF = "self"  # only on the user's own agent (`users.agent`) and its calls
    TEAM = "team"  # only on agents of the user's own team
    ALL = "all"  # on any agent or call


class TokenScope(StrEnum):
    """What an integration token may be given (`callcenter tokens create --scopes ...`)."""

    DIAL = "dial"
    AGENTS_READ = "agents:read"
    QUEUES_READ = "queues:read"
    CALLS_READ = "calls:read"
    CUSTOMERS_READ = "customers:read"
    REPORTS_READ = "reports:read"
    RECORDINGS_READ = "recordings:read"


TOKEN_SCOPES: dict[TokenScope, Action] = {
    TokenScope.DIAL: Action.DIAL,
    TokenScope.AGENTS_READ: Action.READ_AGENTS,
    TokenScope.QUEUES_READ: Action.READ_QUEUES,
    TokenScope.CALLS_READ: Action.READ_CALLS,
    TokenScope.CUSTOMERS_READ: Action.READ_CUSTOMERS,
    TokenScope.REPORTS_READ: Action.READ_REPORTS,
    TokenScope.RECORDINGS_READ: Action.READ_RECORDINGS,
}
"""The one action each token scope grants; the table's `integration` row bounds them."""

_ON_AGENTS = (Action.LISTEN, Action.WHISPER, Action.BARGE, Action.HANGUP, Action.PAUSE,
              Action.READY, Action.LOGOUT)
_ON_CALLS = (Action.MOVE_CALL, Action.SET_PRIORITY)
_N, _S, _T, _A = Scope.NONE, Scope.SELF, Scope.TEAM, Scope.ALL


def _row(supervise_agents: Scope, reorder_calls: Scope, **rest: Scope) -> dict[Action, Scope]:
    row = {**dict.fromkeys(_ON_AGENTS, supervise_agents), **dict.fromkeys(_ON_CALLS,
                                                                          reorder_calls)}
    row.update({Action(name): scope for name, scope in rest.items()})
    return row


PERMISSIONS: dict[Role, dict[Action, Scope]] = {
    # An agent: nothing on others; its own state, calls, pops and (if the site allows,
    # `http.recordings_for_agents`) recordings. Customers come to it in its screen-pops.
    Role.AGENT: _row(_N, _N, agent_command=_S, dial=_S, read_agents=_S, read_queues=_A,
                     read_calls=_S, read_screenpops=_S, read_customers=_N, read_reports=_S,
                     read_recordings=_S, read_supervision=_N, admin=_N),
    # A waiting call belongs to a queue, not to a team: moving it or raising its priority
    # reorders every team's line, so it is for supervisors. Screen-pops go to the agent
    # only, as the broker's ACL has it (docs/supervision.md).
    Role.TEAM_LEAD: _row(_T, _N, agent_command=_S, dial=_S, read_agents=_T, read_queues=_A,
                         read_calls=_T, read_screenpops=_S, read_customers=_A,
                         read_reports=_T, read_recordings=_T, read_supervision=_T, admin=_N),
    Role.SUPERVISOR: _row(_A, _A, agent_command=_S, dial=_S, read_agents=_A, read_queues=_A,
                          read_calls=_A, read_screenpops=_S, read_customers=_A,
                          read_reports=_A, read_recordings=_A, read_supervision=_A, admin=_N),
    Role.ADMIN: _row(_A, _A, agent_command=_S, dial=_S, read_agents=_A, read_queues=_A,
                     read_calls=_A, read_screenpops=_S, read_customers=_A, read_reports=_A,
                     read_recordings=_A, read_supervision=_A, admin=_A),
    # A token acts for no person: no supervisor command (the audit names a person), only
    # what its scopes grant (TOKEN_SCOPES), on any agent (a CRM dials for whoever clicks).
    Role.INTEGRATION: _row(_N, _N, agent_command=_N, dial=_A, read_agents=_A,
                           read_queues=_A, read_calls=_A, read_screenpops=_N,
                           read_customers=_A, read_reports=_A, read_recordings=_A,
                           read_supervision=_N, admin=_N),
}
"""Who may do what: the table `authorize` reads (and docs/supervision.md, docs/api.md show)."""

AGENT_ACTIONS = frozenset(_ON_AGENTS)
CALL_ACTIONS = frozenset(_ON_CALLS)
SUPERVISOR_ACTIONS = AGENT_ACTIONS | CALL_ACTIONS
"""The supervisor commands (MQTT and API), audited each."""


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
        if self.role is Role.INTEGRATION:
            raise ValueError(f"user {self.id}: role integration is for API tokens"
                             " (callcenter tokens create), not for users")
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
    """An agent acted on (or whose calls, pops, recordings are read), with its teams."""

    agent: str
    teams: frozenset[str]


@dataclass(frozen=True, slots=True)
class CallTarget:
    """A call that has no agent: waiting in (or, ended, last in) a queue."""

    call_id: str
    queue: str


@dataclass(frozen=True, slots=True)
class QueueTarget:
    """A queue as a whole (its figures; a report of it)."""

    queue: str


Target = AgentTarget | CallTarget | QueueTarget


@dataclass(frozen=True, slots=True)
class Integration:
    """The holder of an API token: a CRM, a wallboard, a script. Acts for no person."""

    name: str
    scopes: frozenset[TokenScope]

    @property
    def id(self) -> str:
        return f"token:{self.name}"

    @property
    def role(self) -> Role:
        return Role.INTEGRATION

    @property
    def team(self) -> None:
        return None

    @property
    def agent(self) -> None:
        return None


Principal = User | Integration
"""Who asks: a configured user (MQTT user name, API account) or an API token."""


def scope_of(who: Principal, action: Action) -> Scope:
    """How far `who` may do `action`: the table's scope, NONE for a token lacking its scope."""
    if isinstance(who, Integration) and not any(TOKEN_SCOPES[s] is action for s in who.scopes):
        return Scope.NONE
    return PERMISSIONS[who.role][action]


def authorize(user: Principal, action: Action, target: Target) -> str | None:
    """None if `user` may do `action` on `target`, else the refusal reason (one sentence)."""
    scope = PERMISSIONS[user.role][action]
    if isinstance(user, Integration):
        who = f"token {user.name}"
        if scope is not Scope.NONE and scope_of(user, action) is Scope.NONE:
            needed = next((s.value for s, a in TOKEN_SCOPES.items() if a is action), "")
            return f"{who} lacks scope {needed} (it has: " + (
                ", ".join(sorted(s.value for s in user.scopes)) or "none") + ")"
    else:
        who = f"{user.role.value} {user.id}"
    if scope is Scope.NONE:
        return f"{who} may not {action.value}"
    if action in AGENT_ACTIONS and not isinstance(target, AgentTarget):
        return f"{action.value} acts on an agent, not on a call"
    if action in CALL_ACTIONS and not isinstance(target, CallTarget):
        return f"{action.value} acts on a waiting call, not on an agent"
    if scope is Scope.ALL:
        return None
    if scope is Scope.SELF:
        if user.agent is None:
            return f"{who} takes no calls (no agent in supervision.users): may not {action.value}"
        if not isinstance(target, AgentTarget):
            return f"{who} may {action.value} only for its own agent {user.agent}"
        if target.agent != user.agent:
            return (f"{who} may {action.value} only for its own agent {user.agent}, not"
                    f" agent {target.agent}")
        return None
    if not isinstance(target, AgentTarget):  # a TEAM scope covers agents, never a queue
        return f"{who} may {action.value} only for the agents of team {user.team}"
    if user.team not in target.teams:
        return f"{who} may act only on team {user.team}; agent {target.agent} is not in it"
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
        self._named_agents = frozenset(u.agent for u in settings.users if u.agent is not None)

    def user(self, user_id: str) -> User | None:
        return self.users.get(user_id)

    def account(self, user_id: str, configured_agents: Container[str]) -> User | None:
        """The API account `user_id`: a configured user, or an agent's desktop user (an agent
        no user names, under its own id, as `agent_users` gives the broker)."""
        user = self.users.get(user_id)
        if user is not None:
            return user
        if user_id in configured_agents and user_id not in self._named_agents:
            return User(id=user_id, role=Role.AGENT, agent=user_id)
        return None

    def teams_of(self, agent_id: str) -> frozenset[str]:
        return self._teams_of.get(agent_id, frozenset())

    def team_agents(self, team: str | None) -> tuple[str, ...]:
        """The agents of `team` (none for None or an unknown team)."""
        return tuple(self.settings.teams.get(team or "", ()))

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
