"""Payload models: round trips, and every bad input rejected with a message naming the problem."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from pydantic import BaseModel, ValidationError

from acd.agents import AgentState
from acd.config import AgentModel, QueueModel
from callcenter.bus import topics
from callcenter.bus.errors import BusTopicError
from callcenter.bus.schemas import (
    ADMIN_COMMANDS,
    AGENT_COMMANDS,
    MAX_PAYLOAD,
    AddAgentCommand,
    AdminReply,
    AgentStatus,
    BlacklistCallerCommand,
    Caller,
    CommandError,
    Customer,
    DialCommand,
    HistoryEntry,
    IvrTrail,
    LoginCommand,
    PauseCommand,
    QueueStats,
    Reply,
    ScreenPop,
    Tier,
    TransferCommand,
    TransferTarget,
    UpdateQueueCommand,
    WrapupExtendCommand,
    parse_admin_command,
    parse_agent_command,
)
from cdr.callers.customers import Tier as CdrTier
from cdr.records import Outcome

AT = datetime(2025, 3, 10, 9, 15, tzinfo=UTC)


def cmd(**fields: Any) -> bytes:
    return json.dumps({"v": 1, "id": "r1", **fields}).encode()


def error_of(payload: bytes, agent: str = "1007") -> CommandError:
    result = parse_agent_command(agent, payload)
    assert isinstance(result, CommandError), result
    return result


# --- agent commands: what is accepted ---------------------------------------------------------

VALID_COMMANDS: list[dict[str, Any]] = [
    {"cmd": "login", "device": "PJSIP/1007"},
    {"cmd": "login", "device": "PJSIP/1007", "queues": ["support", "sales"]},
    {"cmd": "logout"},
    {"cmd": "pause", "reason": "lunch"},
    {"cmd": "ready"},
    {"cmd": "wrapup_end"},
    {"cmd": "wrapup_extend", "seconds": 60},
    {"cmd": "wrapup_extend", "seconds": 0.5},
    {"cmd": "hold"},
    {"cmd": "unhold"},
    {"cmd": "hangup"},
    {"cmd": "transfer", "mode": "blind", "to": {"kind": "extension", "target": "4000"}},
    {"cmd": "transfer", "mode": "attended", "to": {"kind": "agent", "target": "1012"}},
    {"cmd": "transfer", "mode": "blind", "to": {"kind": "queue", "target": "billing"}},
    {"cmd": "dial", "number": "+33123456789"},
    {"cmd": "dial", "number": "0800"},
    {"cmd": "blacklist_caller", "reason": "abusive"},
    {"cmd": "blacklist_caller", "reason": "fraud", "expires_s": 86400},
    {"cmd": "record_start"},
    {"cmd": "record_pause"},
    {"cmd": "record_resume"},
]


@pytest.mark.parametrize("fields", VALID_COMMANDS, ids=lambda f: f["cmd"])
def test_valid_agent_command_round_trips(fields: dict[str, Any]) -> None:
    command = parse_agent_command("1007", cmd(**fields))
    assert not isinstance(command, CommandError), command
    assert command.id == "r1"
    assert type(command) is AGENT_COMMANDS[fields["cmd"]]
    again = parse_agent_command("1007", command.to_json())
    assert again == command
    assert json.loads(command.to_json())["v"] == 1


def test_every_agent_command_is_covered() -> None:
    assert {f["cmd"] for f in VALID_COMMANDS} == set(AGENT_COMMANDS)


def test_parsed_values_are_typed() -> None:
    login = parse_agent_command("1007", cmd(cmd="login", device="PJSIP/1007", queues=["a"]))
    assert isinstance(login, LoginCommand)
    assert login.device == "PJSIP/1007"
    assert login.queues == ["a"]
    transfer = parse_agent_command(
        "1007", cmd(cmd="transfer", mode="blind", to={"kind": "queue", "target": "billing"})
    )
    assert isinstance(transfer, TransferCommand)
    assert transfer.to == TransferTarget(kind="queue", target="billing")
    pause = parse_agent_command("1007", cmd(cmd="pause", reason="  lunch "))
    assert isinstance(pause, PauseCommand)
    assert pause.reason == "lunch"


# --- agent commands: what is refused, and how it is said ----------------------------------------

BAD_COMMANDS: list[tuple[bytes, str | None, str]] = [
    # (payload, request id that can still be read, expected message)
    (b"", None, "payload is not JSON: Expecting value at line 1 column 1"),
    (b"{", None, "payload is not JSON: Expecting property name enclosed in double quotes"),
    (b"\xff\xfe{}", None, "payload is not UTF-8: byte 0xff at offset 0"),
    (b"[1, 2]", None, "payload is an array, expected a JSON object"),
    (b'"login"', None, "payload is a string, expected a JSON object"),
    (b"42", None, "payload is a number, expected a JSON object"),
    (b"null", None, "payload is null, expected a JSON object"),
    (b"true", None, "payload is a boolean, expected a JSON object"),
    (b"[" * 50_000, None, "payload is not JSON we accept: nested too deeply"),
    (
        b'{"v": 1, "id": "r1", "cmd": "pause", "reason": NaN}',
        None,
        "payload is not JSON we accept: NaN is not a JSON number",
    ),
    (b"9" * 5000, None, "payload is not JSON we accept: Exceeds the limit (4300 digits)"),
    (json.dumps({"id": "r1", "cmd": "ready"}).encode(), "r1", "field 'v': Field required"),
    (cmd(v=2, cmd="ready"), "r1", "field 'v': schema version 2 is not supported, expected 1"),
    (cmd(v="1", cmd="ready"), "r1", "field 'v': schema version '1' is not supported"),
    (cmd(v=True, cmd="ready"), "r1", "field 'v': schema version true is not supported"),
    (cmd(), "r1", "field 'cmd': Field required"),
    (cmd(cmd=7), "r1", "field 'cmd': expected a string, got 7"),
    (
        cmd(cmd="fly"),
        "r1",
        "cmd 'fly' is not one of login, logout, pause, ready, wrapup_end, wrapup_extend, hold, "
        "unhold, hangup, transfer, dial, blacklist_caller",
    ),
    (cmd(cmd="pause"), "r1", "pause: field 'reason': Field required"),
    (cmd(cmd="pause", reason=""), "r1", "pause: field 'reason': String should have at least 1"),
    (cmd(cmd="pause", reason="   "), "r1", "pause: field 'reason': String should have at least"),
    (cmd(cmd="pause", reason="x" * 41), "r1", "pause: field 'reason': String should have at most"),
    (cmd(cmd="pause", reason=5), "r1", "pause: field 'reason': Input should be a valid string"),
    (cmd(cmd="pause", reason="a\nb"), "r1", "pause: field 'reason': String should match"),
    (
        cmd(cmd="pause", reason="lunch", until="13:00"),
        "r1",
        "pause: field 'until': Extra inputs are not permitted",
    ),
    (cmd(cmd="ready", force=True), "r1", "ready: field 'force': Extra inputs are not permitted"),
    (cmd(cmd="login", device=None, queues="billing"), "r1", "login: field 'queues'"),
    (cmd(cmd="login", device="1007"), "r1", "login: field 'device': Value error, '1007' is not"),
    (
        cmd(cmd="login", device="PJSIP/1007", queues="support"),
        "r1",
        "login: field 'queues': Input should be a valid array",
    ),
    (
        cmd(cmd="login", device="PJSIP/1007", queues=["ok", "sup+port"]),
        "r1",
        "login: field 'queues[1]': Value error, 'sup+port' is not a valid name",
    ),
    (cmd(cmd="wrapup_extend"), "r1", "wrapup_extend: field 'seconds': Field required"),
    (
        cmd(cmd="wrapup_extend", seconds="30"),
        "r1",
        "wrapup_extend: field 'seconds': Input should be a valid number",
    ),
    (
        cmd(cmd="wrapup_extend", seconds=0),
        "r1",
        "wrapup_extend: field 'seconds': Input should be greater than 0",
    ),
    (
        cmd(cmd="wrapup_extend", seconds=3601),
        "r1",
        "wrapup_extend: field 'seconds': Input should be less than or equal to 3600",
    ),
    (
        cmd(cmd="wrapup_extend", seconds=True),
        "r1",
        "wrapup_extend: field 'seconds': Input should be a valid number",
    ),
    (cmd(cmd="transfer", mode="blind"), "r1", "transfer: field 'to': Field required"),
    (
        cmd(cmd="transfer", mode="warm", to={"kind": "agent", "target": "1012"}),
        "r1",
        "transfer: field 'mode': Input should be 'blind' or 'attended'",
    ),
    (
        cmd(cmd="transfer", mode="blind", to={"kind": "pstn", "target": "1012"}),
        "r1",
        "transfer: field 'to.kind': Input should be 'extension', 'agent' or 'queue'",
    ),
    (
        cmd(cmd="transfer", mode="blind", to={"kind": "extension", "target": "12a"}),
        "r1",
        "transfer: field 'to': Value error, extension '12a': expected 1..32 of digits",
    ),
    (
        cmd(cmd="transfer", mode="blind", to={"kind": "agent", "target": "a/b"}),
        "r1",
        "transfer: field 'to': Value error, agent 'a/b': expected a name without '/'",
    ),
    (
        cmd(cmd="transfer", mode="blind", to={"kind": "queue"}),
        "r1",
        "transfer: field 'to.target': Field required",
    ),
    (cmd(cmd="dial", number="12-34"), "r1", "dial: field 'number': Value error, '12-34': expected"),
    (cmd(cmd="dial", number="1" * 33), "r1", "dial: field 'number': Value error"),
    (cmd(cmd="dial", number="++1"), "r1", "dial: field 'number': Value error"),
    (cmd(cmd="dial", number=123), "r1", "dial: field 'number': Input should be a valid string"),
    (cmd(cmd="blacklist_caller"), "r1", "blacklist_caller: field 'reason': Field required"),
    (
        cmd(cmd="blacklist_caller", reason="x", expires_s=-5),
        "r1",
        "blacklist_caller: field 'expires_s': Input should be greater than 0",
    ),
    (
        cmd(cmd="blacklist_caller", reason="x", expires_s=1.5),
        "r1",
        "blacklist_caller: field 'expires_s': Input should be a valid integer",
    ),
    (
        json.dumps({"v": 1, "id": 5, "cmd": "ready"}).encode(),
        None,
        "ready: field 'id': Input should be a valid string",
    ),
    (
        json.dumps({"v": 1, "cmd": "ready"}).encode(),
        None,
        "ready: field 'id': Field required",
    ),
    (
        json.dumps({"v": 1, "id": "", "cmd": "ready"}).encode(),
        None,
        "ready: field 'id': String should have at least 1 character",
    ),
    (
        cmd(cmd="pause", reason=7, extra=1),
        "r1",
        "pause: field 'reason': Input should be a valid string; "
        "pause: field 'extra': Extra inputs are not permitted",
    ),
]


@pytest.mark.parametrize(("payload", "request_id", "message"), BAD_COMMANDS)
def test_bad_agent_command_names_the_problem(
    payload: bytes, request_id: str | None, message: str
) -> None:
    error = error_of(payload)
    assert error.message.startswith(message), error.message
    assert error.request_id == request_id


def test_huge_payload_is_refused_unread() -> None:
    payload = cmd(cmd="pause", reason="x" * MAX_PAYLOAD)
    error = error_of(payload)
    assert error.message == f"payload is {len(payload)} bytes, more than {MAX_PAYLOAD}"
    assert error.request_id is None  # not even looked at


def test_payload_just_under_the_limit_is_read() -> None:
    padding = MAX_PAYLOAD - len(cmd(cmd="ready", pad=""))
    payload = cmd(cmd="ready", pad="x" * padding)
    assert len(payload) == MAX_PAYLOAD
    assert error_of(payload).message == "ready: field 'pad': Extra inputs are not permitted"


def test_error_messages_are_bounded_and_do_not_echo_huge_values() -> None:
    error = error_of(cmd(cmd="x" * 10_000))
    assert len(error.message) < 300  # the value is cut; the list of known commands is not
    many = {f"f{i}": i for i in range(500)}
    error = error_of(cmd(cmd="ready", **many))
    assert len(error.message) <= 600


def test_bad_agent_id_in_topic() -> None:
    error = error_of(cmd(cmd="ready"), agent="a+b")
    assert error.message == "agent id 'a+b' in the topic is not valid"


def test_payload_types_other_than_bytes() -> None:
    assert isinstance(parse_agent_command("1007", bytearray(cmd(cmd="ready"))), BaseModel)
    assert isinstance(parse_agent_command("1007", memoryview(cmd(cmd="ready"))), BaseModel)  # type: ignore[arg-type]
    assert isinstance(parse_agent_command("1007", "nope"), CommandError)  # type: ignore[arg-type]


# --- fuzz -------------------------------------------------------------------------------------

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
command_like = st.fixed_dictionaries(
    {
        "v": st.sampled_from([1, 1, 1, 2, "1", None, True, 1.0]),
        "id": st.one_of(st.text(max_size=10), st.integers(), st.none()),
        "cmd": st.one_of(st.sampled_from(sorted(AGENT_COMMANDS)), st.text(max_size=8)),
    },
    optional={
        "device": st.sampled_from(["PJSIP/1007", "SIP/x", "1007", "", 5]),
        "queues": st.one_of(st.lists(st.text(max_size=6), max_size=3), scalars),
        "reason": scalars,
        "seconds": st.one_of(st.floats(), st.integers(-10, 5000), scalars),
        "mode": st.sampled_from(["blind", "attended", "x"]),
        "to": st.one_of(
            st.fixed_dictionaries(
                {"kind": st.sampled_from(["extension", "agent", "queue", "x"]),
                 "target": st.text(max_size=8)}
            ),
            scalars,
        ),
        "number": st.one_of(st.text("+0123456789-", max_size=34), scalars),
        "expires_s": scalars,
        "unexpected": scalars,
    },
)  # fmt: skip


@st.composite
def near_valid(draw: st.DrawFn) -> dict[str, Any]:
    """A valid command, then maybe one field changed, removed or added."""
    fields = {"v": 1, "id": draw(request_ids), **draw(valid_commands)}
    how = draw(st.sampled_from(["keep", "keep", "change", "remove", "add"]))
    name = draw(st.sampled_from(sorted(fields)))
    if how == "change":
        fields[name] = draw(json_values)
    elif how == "remove":
        del fields[name]
    elif how == "add":
        fields[draw(st.text(max_size=8))] = draw(scalars)
    return fields


valid_commands = st.sampled_from(VALID_COMMANDS)
request_ids = st.text("abcdef0123456789-", min_size=1, max_size=12)


def _encode(value: object) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


payloads = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=100).map(str.encode),
    json_values.map(_encode),
    command_like.map(_encode),
    near_valid().map(_encode),
    near_valid().map(_encode),
    near_valid().map(_encode).map(lambda b: b[: len(b) // 2]),
)


@settings(max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=payloads, agent=st.one_of(st.just("1007"), st.text(max_size=5)))
def test_fuzz_parse_agent_command_never_raises(payload: bytes, agent: str) -> None:
    result = parse_agent_command(agent, payload)
    if isinstance(result, CommandError):
        assert result.message
        assert result.request_id is None or isinstance(result.request_id, str)
    else:
        assert type(result) in AGENT_COMMANDS.values()
        assert parse_agent_command(agent, result.to_json()) == result  # what we accept is valid


@settings(max_examples=500, deadline=None)
@given(payload=payloads)
def test_fuzz_parse_admin_command_never_raises(payload: bytes) -> None:
    result = parse_admin_command(payload)
    assert isinstance(result, CommandError) or type(result) in ADMIN_COMMANDS.values()


# --- replies ----------------------------------------------------------------------------------


def test_reply_round_trip_and_utc() -> None:
    paris = timezone(timedelta(hours=1))
    reply = Reply(id="r1", agent="1007", ok=True, at=datetime(2025, 3, 10, 10, 0, tzinfo=paris))
    data = json.loads(reply.to_json())
    assert data == {
        "v": 1, "at": "2025-03-10T09:00:00Z", "id": "r1", "agent": "1007", "ok": True,
        "error": None,
    }  # fmt: skip
    assert Reply.model_validate_json(reply.to_json()) == reply


def test_reply_error_iff_not_ok() -> None:
    Reply(id=None, agent="1007", ok=False, error="payload is not JSON: x")
    with pytest.raises(ValidationError, match="error exactly when ok is false"):
        Reply(id="r1", agent="1007", ok=False)
    with pytest.raises(ValidationError, match="error exactly when ok is false"):
        AdminReply(id="r1", ok=True, error="x")


def test_timestamps_must_carry_a_zone() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        Reply.model_validate_json(
            b'{"v":1,"id":"r1","agent":"1007","ok":true,"error":null,"at":"2025-03-10T09:00:00"}'
        )


# --- what the engine publishes ----------------------------------------------------------------


def test_agent_status_round_trip() -> None:
    status = AgentStatus(
        agent="1007",
        state=AgentState.PAUSED,
        reason="lunch",
        since=AT,
        device="PJSIP/1007",
        queues=["support"],
    )
    data = json.loads(status.to_json())
    assert data["state"] == "paused"
    assert data["since"] == "2025-03-10T09:15:00Z"
    assert AgentStatus.model_validate_json(status.to_json()) == status


def test_agent_status_rules() -> None:
    with pytest.raises(ValidationError, match="a paused agent has a reason"):
        AgentStatus(agent="1007", state=AgentState.PAUSED, since=AT)
    with pytest.raises(ValidationError, match="state"):
        AgentStatus.model_validate_json(
            b'{"v":1,"agent":"1007","state":"busy","since":"2025-03-10T09:15:00Z"}'
        )


def test_queue_stats_round_trip() -> None:
    stats = QueueStats(
        queue="support",
        waiting=3,
        longest_wait_s=42.5,
        agents={AgentState.AVAILABLE: 2, AgentState.ON_CALL: 5},
        offered=120,
        answered=110,
        abandoned=10,
        service_level=0.82,
        asa_s=14.2,
        abandon_rate=10 / 120,
        at=AT,
    )
    data = json.loads(stats.to_json())
    assert data["agents"] == {"available": 2, "on-call": 5}
    assert QueueStats.model_validate_json(stats.to_json()) == stats
    with pytest.raises(ValidationError, match="service_level"):
        QueueStats.model_validate({**stats.model_dump(), "service_level": 1.5})


def test_screenpop_round_trip_and_limits() -> None:
    pop = ScreenPop(
        pop_id="1700000000.42-1",
        call_id="1700000000.42",
        agent="1007",
        caller=Caller(number="+33123456789", name="Jane Doe"),
        customer=Customer(id="C-1001", name="Jane Doe", tier=Tier.VIP, open_tickets=2),
        history=[HistoryEntry(date=AT, agent="1012", queue="support", outcome=Outcome.ANSWERED)],
        ivr=IvrTrail(path=["main", "billing"], inputs={"main": "2", "account": "991"}),
        queue="support",
        waited_s=12.5,
        priority=5,
        agent_id_announced="1007",
        crm_url="https://crm.example.com/customers/C-1001",
        at=AT,
    )
    assert ScreenPop.model_validate_json(pop.to_json()) == pop
    entry = pop.history[0]
    with pytest.raises(ValidationError, match="at most 5 items"):
        ScreenPop.model_validate({**pop.model_dump(), "history": [entry] * 6})
    with pytest.raises(ValidationError, match="crm_url"):
        ScreenPop.model_validate({**pop.model_dump(), "crm_url": "javascript:alert(1)"})
    with pytest.raises(ValidationError, match="priority"):
        ScreenPop.model_validate({**pop.model_dump(), "priority": 10})


def test_tier_is_the_cdr_tier() -> None:
    assert {t.value for t in Tier} == {t.value for t in CdrTier}


# --- admin ------------------------------------------------------------------------------------


def test_admin_commands_round_trip() -> None:
    payloads = [
        {"cmd": "set_agent_skills", "agent": "1007", "skills": {"billing": 7, "french": 3}},
        {"cmd": "set_agent_queues", "agent": "1007", "queues": ["support"]},
        {"cmd": "update_queue", "queue": {"name": "support", "skills": {"billing": 3},
                                          "strategy": "most-skilled", "wrap_up_s": 30}},
        {"cmd": "add_agent", "agent": {"id": "1030", "skills": {"billing": 5}},
         "device": "PJSIP/1030"},
        {"cmd": "remove_agent", "agent": "1030"},
    ]  # fmt: skip
    assert {p["cmd"] for p in payloads} == set(ADMIN_COMMANDS)
    for fields in payloads:
        command = parse_admin_command(cmd(**fields))
        assert not isinstance(command, CommandError), command
        assert parse_admin_command(command.to_json()) == command


def test_admin_commands_reuse_the_config_models() -> None:
    update = parse_admin_command(
        cmd(cmd="update_queue", queue={"name": "support", "ring_timeout_s": 20})
    )
    assert isinstance(update, UpdateQueueCommand)
    assert isinstance(update.queue, QueueModel)
    assert update.queue.to_settings().ring_timeout_s == 20
    add = parse_admin_command(cmd(cmd="add_agent", agent={"id": "1030", "skills": {}}))
    assert isinstance(add, AddAgentCommand)
    assert isinstance(add.agent, AgentModel)
    assert add.device is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"cmd": "set_agent_skills", "agent": "1007", "skills": {"billing": 11}},
            "set_agent_skills: field 'skills.billing': Input should be less than or equal to 10",
        ),
        (
            {"cmd": "set_agent_skills", "agent": "1007", "skills": {"billing": 0}},
            "set_agent_skills: field 'skills.billing': Input should be greater than or equal to 1",
        ),
        (
            {"cmd": "set_agent_queues", "agent": "1007"},
            "set_agent_queues: field 'queues': Field required",
        ),
        (
            {"cmd": "update_queue", "queue": {"name": "support", "sl_goal": 2}},
            "update_queue: field 'queue.sl_goal': Input should be less than or equal to 1",
        ),
        (
            {"cmd": "update_queue", "queue": {"name": "sup/port"}},
            "update_queue: field 'queue': Value error, queue name 'sup/port' cannot be a topic",
        ),
        (
            {"cmd": "update_queue", "queue": {"name": "s", "colour": "red"}},
            "update_queue: field 'queue.colour': Extra inputs are not permitted",
        ),
        (
            {"cmd": "add_agent", "agent": {"id": "10#7", "skills": {}}},
            "add_agent: field 'agent': Value error, agent id '10#7' cannot be a topic level",
        ),
        (
            {"cmd": "add_agent", "agent": {"id": "1030"}},
            "add_agent: field 'agent.skills': Field required",
        ),
        ({"cmd": "remove_agent"}, "remove_agent: field 'agent': Field required"),
        (
            {"cmd": "login", "device": "PJSIP/1"},
            "cmd 'login' is not one of set_agent_skills, set_agent_queues, update_queue, "
            "add_agent, remove_agent",
        ),
    ],
)
def test_bad_admin_command_names_the_problem(fields: dict[str, Any], message: str) -> None:
    error = parse_admin_command(cmd(**fields))
    assert isinstance(error, CommandError)
    assert error.message.startswith(message), error.message
    assert error.request_id == "r1"


# --- topics -----------------------------------------------------------------------------------


def test_default_topics_are_the_documented_ones() -> None:
    t = topics.Topics()
    assert t == topics.DEFAULT and t.base == "callcenter/v1"
    assert t.agent_commands("1007") == "callcenter/v1/agents/1007/commands"
    assert t.agent_replies("1007") == "callcenter/v1/agents/1007/replies"
    assert t.agent_state("1007") == "callcenter/v1/agents/1007/state"
    assert t.agent_screenpop("1007") == "callcenter/v1/agents/1007/screenpop"
    assert t.queue_stats("support") == "callcenter/v1/queues/support/stats"
    assert t.admin_commands == "callcenter/v1/admin/commands"
    assert t.agent_commands_filter == "callcenter/v1/agents/+/commands"
    assert t.agent_of_command_topic("callcenter/v1/agents/1007/commands") == "1007"
    assert t.agent_of_command_topic("callcenter/v1/agents/1007/state") is None
    assert t.agent_of_command_topic("callcenter/v1/agents//commands") is None
    assert t.agent_of_command_topic("callcenter/v1/agents/a/b/commands") is None


def test_a_center_prefix_moves_every_topic_and_only_its_own_parse() -> None:
    paris = topics.Topics("acme/paris")
    assert paris.agent_commands("1007") == "acme/paris/v1/agents/1007/commands"
    assert paris.supervisor_events == "acme/paris/v1/supervisors/events"
    assert paris.everything == "acme/paris/v1/#"
    assert paris.agent_of_command_topic("acme/paris/v1/agents/1007/commands") == "1007"
    # A command meant for another center on the same broker is not this one's.
    assert paris.agent_of_command_topic("callcenter/v1/agents/1007/commands") is None
    assert topics.DEFAULT.agent_of_command_topic(paris.agent_commands("1007")) is None
    assert not topics.matches(topics.DEFAULT.everything, paris.agent_commands("1007"))
    assert topics.unique_prefix("t") != topics.unique_prefix("t")


@pytest.mark.parametrize("bad", ["", "/a", "a/", "a//b", "a/+", "#", "$SYS", "a\x00b",
                                 "x" * 201])
def test_bad_prefixes_are_refused(bad: str) -> None:
    with pytest.raises(BusTopicError, match="topic prefix"):
        topics.Topics(bad)


@pytest.mark.parametrize("bad", ["", "a/b", "a+b", "a#", "tab\there", "x" * 65])
def test_topic_levels_are_validated(bad: str) -> None:
    with pytest.raises(BusTopicError, match=r"expected 1\.\.64 characters without"):
        topics.DEFAULT.agent_state(bad)
    with pytest.raises(BusTopicError, match="queue name"):
        topics.DEFAULT.queue_stats(bad)


@pytest.mark.parametrize(
    ("topic_filter", "topic", "expected"),
    [
        ("a/+/c", "a/b/c", True),
        ("a/+/c", "a/b/d", False),
        ("a/+", "a/b/c", False),
        ("a/#", "a", True),
        ("a/#", "a/b/c", True),
        ("#", "a/b", True),
        ("#", "$SYS/x", False),
        ("+/x", "$SYS/x", False),
        ("a/b", "a/b", True),
        ("a/b", "a/b/", False),
        ("+/+", "/x", True),
    ],
)
def test_topic_matching(topic_filter: str, topic: str, expected: bool) -> None:
    assert topics.matches(topic_filter, topic) is expected


def test_filter_validation() -> None:
    assert topics.is_valid_filter("callcenter/v1/agents/+/commands")
    assert topics.is_valid_filter("#")
    assert not topics.is_valid_filter("a/#/b")
    assert not topics.is_valid_filter("a/b+")
    assert not topics.is_valid_filter("")
    assert topics.is_valid_topic("a/b")
    assert not topics.is_valid_topic("a/+")


def test_model_constructors_used_by_the_engine() -> None:
    # The engine builds these in Python: enums, not strings, are required (strict models).
    assert WrapupExtendCommand(id="r", seconds=30).seconds == 30
    assert DialCommand(id="r", number="+1").number == "+1"
    assert BlacklistCallerCommand(id="r", reason="x").expires_s is None
