"""Every JSON example in docs/mqtt.md is valid for the model it illustrates, and every
payload model has an example: the page cannot drift from the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from callcenter.bus.schemas import (
    ADMIN_COMMANDS,
    AGENT_COMMANDS,
    SUPERVISOR_COMMANDS,
    AdminReply,
    AgentStatus,
    CommandError,
    QueueStats,
    Reply,
    ScreenPop,
    SupervisorEvent,
    SupervisorReply,
    VoicemailEvent,
    parse_admin_command,
    parse_agent_command,
    parse_supervisor_command,
)

DOC = Path(__file__).resolve().parents[3] / "docs" / "mqtt.md"
EXAMPLE = re.compile(r"<!-- example: ([\w-]+) -->\n```json\n(.*?)\n```", re.DOTALL)
MODELS: dict[str, type[BaseModel]] = {
    "Reply": Reply,
    "AgentStatus": AgentStatus,
    "QueueStats": QueueStats,
    "ScreenPop": ScreenPop,
    "AdminReply": AdminReply,
    "SupervisorReply": SupervisorReply,
    "SupervisorEvent": SupervisorEvent,
    "VoicemailEvent": VoicemailEvent,
}


def examples() -> list[tuple[str, str]]:
    return EXAMPLE.findall(DOC.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("kind", "body"), examples())
def test_doc_example_is_valid(kind: str, body: str) -> None:
    payload = body.encode()
    if kind == "agent-command":
        result = parse_agent_command("1007", payload)
        assert not isinstance(result, CommandError), result.message
    elif kind == "admin-command":
        admin = parse_admin_command(payload)
        assert not isinstance(admin, CommandError), admin.message
    elif kind == "supervisor-command":
        supervisor = parse_supervisor_command("sam", payload)
        assert not isinstance(supervisor, CommandError), supervisor.message
    else:
        MODELS[kind].model_validate_json(payload)


def test_every_payload_has_an_example() -> None:
    found = examples()
    kinds = {kind for kind, _ in found}
    assert kinds == {"agent-command", "admin-command", "supervisor-command", *MODELS}
    commands = {re.search(r'"cmd":\s*"(\w+)"', body).group(1) for _, body in found if "cmd" in body}  # type: ignore[union-attr]
    assert commands == set(AGENT_COMMANDS) | set(ADMIN_COMMANDS) | set(SUPERVISOR_COMMANDS)
    supervisor = {re.search(r'"cmd":"(\w+)"', body).group(1)  # type: ignore[union-attr]
                  for kind, body in found if kind == "supervisor-command"}
    assert supervisor == set(SUPERVISOR_COMMANDS)


def test_every_topic_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for topic in ("agents/{agent}/commands", "agents/{agent}/replies", "agents/{agent}/state",
                  "agents/{agent}/screenpop", "queues/{queue}/stats", "admin/commands",
                  "admin/replies", "supervisors/{user}/commands", "supervisors/{user}/replies",
                  "supervisors/events"):  # fmt: skip
        assert f"`callcenter/v1/{topic}`" in text
