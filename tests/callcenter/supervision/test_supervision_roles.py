"""Roles and teams: the permission table, and the config that feeds it."""

from __future__ import annotations

from typing import Any

import pytest

from callcenter.engine.config import EngineConfig
from callcenter.supervision.roles import (
    PERMISSIONS,
    SUPERVISOR_ACTIONS,
    TOKEN_SCOPES,
    Action,
    AgentTarget,
    CallTarget,
    Integration,
    QueueTarget,
    Role,
    Roster,
    Scope,
    SupervisionSettings,
    TokenScope,
    User,
    authorize,
    scope_of,
)


def settings() -> SupervisionSettings:
    return SupervisionSettings.model_validate({
        "teams": {"north": ["1001", "1002"], "south": ["1003"]},
        "users": [
            {"id": "ann", "role": "team-lead", "team": "north", "device": "PJSIP/801"},
            {"id": "sam", "role": "supervisor", "device": "PJSIP/800"},
            {"id": "ada", "role": "admin"},
            {"id": "desk-1001", "role": "agent", "agent": "1001"},
        ],
    })


def roster() -> Roster:
    return Roster(settings())


def check(user: str, action: Action, target: AgentTarget | CallTarget) -> str | None:
    found = roster().user(user)
    assert found is not None
    return authorize(found, action, target)


@pytest.mark.parametrize("action", sorted(SUPERVISOR_ACTIONS))
def test_supervisor_and_admin_may_do_everything(action: Action) -> None:
    target = roster().agent_target("1003") if action not in (
        Action.MOVE_CALL, Action.SET_PRIORITY) else CallTarget("c1", "support")
    assert check("sam", action, target) is None
    assert check("ada", action, target) is None


@pytest.mark.parametrize("action", sorted(SUPERVISOR_ACTIONS))
def test_an_agent_may_do_nothing(action: Action) -> None:
    reason = check("desk-1001", action, roster().agent_target("1001"))
    assert reason == f"agent desk-1001 may not {action.value}"


def test_team_lead_only_on_its_own_team() -> None:
    r = roster()
    assert check("ann", Action.LISTEN, r.agent_target("1002")) is None
    assert check("ann", Action.LOGOUT, r.agent_target("1001")) is None
    assert check("ann", Action.BARGE, r.agent_target("1003")) == (
        "team-lead ann may act only on team north; agent 1003 is not in it")
    assert check("ann", Action.LISTEN, r.agent_target("9999")) is not None  # in no team


def test_team_lead_may_not_reorder_queues() -> None:
    assert check("ann", Action.MOVE_CALL, CallTarget("c1", "support")) == (
        "team-lead ann may not move_call")
    assert check("ann", Action.SET_PRIORITY, CallTarget("c1", "support")) is not None


def test_target_kind_must_fit_the_action() -> None:
    assert check("sam", Action.LISTEN, CallTarget("c1", "q")) is not None
    assert check("sam", Action.MOVE_CALL, AgentTarget("1001", frozenset())) is not None


def test_table_covers_every_role_and_action() -> None:
    assert set(PERMISSIONS) == set(Role)
    for row in PERMISSIONS.values():
        assert set(row) == set(Action)
    assert {PERMISSIONS[Role.AGENT][a] for a in SUPERVISOR_ACTIONS} == {Scope.NONE}
    assert {PERMISSIONS[Role.INTEGRATION][a] for a in SUPERVISOR_ACTIONS} == {Scope.NONE}
    assert set(TOKEN_SCOPES) == set(TokenScope)


def test_an_agent_reads_and_commands_only_itself() -> None:
    r = roster()
    assert check("desk-1001", Action.READ_CALLS, r.agent_target("1001")) is None
    assert check("desk-1001", Action.AGENT_COMMAND, r.agent_target("1001")) is None
    assert check("desk-1001", Action.READ_SCREENPOPS, r.agent_target("1002")) == (
        "agent desk-1001 may read_screenpops only for its own agent 1001, not agent 1002")
    assert check("desk-1001", Action.READ_CALLS, CallTarget("c1", "support")) is not None
    assert check("desk-1001", Action.READ_QUEUES, QueueTarget("support")) is None
    assert check("desk-1001", Action.READ_CUSTOMERS, QueueTarget("support")) is not None
    assert check("desk-1001", Action.ADMIN, QueueTarget("support")) is not None


def test_screen_pops_go_to_the_agent_only_as_the_broker_acl_has_it() -> None:
    r = roster()
    for user in ("ann", "sam", "ada"):
        assert check(user, Action.READ_SCREENPOPS, r.agent_target("1001")) is not None
    assert check("ann", Action.READ_CALLS, r.agent_target("1002")) is None
    assert check("ann", Action.READ_CALLS, r.agent_target("1003")) is not None
    assert check("ann", Action.READ_CALLS, CallTarget("c1", "support")) is not None
    assert check("sam", Action.READ_CALLS, CallTarget("c1", "support")) is None
    assert check("sam", Action.ADMIN, QueueTarget("support")) is not None
    assert check("ada", Action.ADMIN, QueueTarget("support")) is None


def test_a_token_may_only_what_its_scopes_grant() -> None:
    crm = Integration("crm", frozenset({TokenScope.DIAL, TokenScope.CALLS_READ}))
    target = roster().agent_target("1003")
    assert authorize(crm, Action.DIAL, target) is None
    assert authorize(crm, Action.READ_CALLS, CallTarget("c1", "support")) is None
    assert authorize(crm, Action.READ_CUSTOMERS, QueueTarget("support")) == (
        "token crm lacks scope customers:read (it has: calls:read, dial)")
    assert authorize(crm, Action.LISTEN, target) == "token crm may not listen"
    assert scope_of(crm, Action.READ_AGENTS) is Scope.NONE
    assert scope_of(crm, Action.DIAL) is Scope.ALL
    everything = Integration("all", frozenset(TokenScope))
    for action in (*SUPERVISOR_ACTIONS, Action.ADMIN, Action.READ_SCREENPOPS,
                   Action.AGENT_COMMAND):
        assert authorize(everything, action, target) is not None


def test_api_accounts_include_the_agents_desktop_users() -> None:
    r = roster()
    assert r.account("desk-1001", ["1001", "1002"]) == r.user("desk-1001")
    assert r.account("1002", ["1001", "1002"]) == User(id="1002", role=Role.AGENT,
                                                         agent="1002")
    assert r.account("1001", ["1001", "1002"]) is None  # desk-1001 is its user
    assert r.account("eve", ["1001"]) is None


def test_agent_users_for_the_acl() -> None:
    users = roster().agent_users(["1001", "1002", "1003"])
    assert users == {"desk-1001": "1001", "1002": "1002", "1003": "1003"}


def _engine(supervision: dict[str, Any]) -> dict[str, Any]:
    return {
        "queues": [{"name": "support", "skills": {"support": 1}}],
        "agents": [{"id": "1001", "skills": {"support": 1}}],
        "supervision": supervision,
    }


def test_engine_config_reads_supervision() -> None:
    config = EngineConfig.model_validate(_engine(
        {"teams": {"north": ["1001"]}, "users": [{"id": "ann", "role": "team-lead",
                                                  "team": "north"}]}))
    assert config.supervision.users[0] == User(id="ann", role=Role.TEAM_LEAD, team="north")


@pytest.mark.parametrize(("supervision", "message"), [
    ({"teams": {"north": ["1009"]}}, "supervision.teams.north: unknown agents 1009"),
    ({"users": [{"id": "x", "role": "agent", "agent": "1009"}]}, "unknown agent '1009'"),
    ({"users": [{"id": "x", "role": "team-lead"}]}, "a team-lead needs a team"),
    ({"users": [{"id": "x", "role": "team-lead", "team": "east"}]}, "unknown team 'east'"),
    ({"users": [{"id": "x", "role": "agent"}]}, "needs the agent id"),
    ({"users": [{"id": "x", "role": "boss"}]}, "role"),
    ({"users": [{"id": "a/b", "role": "admin"}]}, "MQTT topic level"),
    ({"users": [{"id": "x", "role": "admin"}, {"id": "x", "role": "admin"}]}, "repeated: x"),
    ({"users": [{"id": "x", "role": "admin", "password": "s3cret"}]}, "password"),
    ({"users": [{"id": "x", "role": "integration"}]}, "for API tokens"),
])
def test_bad_supervision_config_is_refused(supervision: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        EngineConfig.model_validate(_engine(supervision))
