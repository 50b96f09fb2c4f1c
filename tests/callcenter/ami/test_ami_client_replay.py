"""The client against real Asterisk transcripts played by `TranscriptServer` over TCP.

Each quirk of the wire listed in issue 5 has a test here, in test_ami_codec.py or in
test_ami_events.py (the table in docs/ami.md says which).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Literal

import pytest

from callcenter.ami.client import AmiClient, AmiConfig
from callcenter.ami.errors import AmiActionError, AmiAuthenticationError
from callcenter.ami.events import (
    AgentConnect,
    AmiEvent,
    Connected,
    DeviceStateChange,
    FullyBooted,
    OriginateResponse,
    QueueEntry,
    QueueMember,
    QueueParams,
    QueueSummary,
    Shutdown,
    UserEvent,
    VarSet,
)
from callcenter.ami.testing import Record, TranscriptServer

Transcript = Callable[[str], list[Record]]


def _config(port: int, auth: Literal["plain", "md5"] = "plain", secret: str = "ccsecret",
            username: str = "cc") -> AmiConfig:
    return AmiConfig(
        username=username,
        secret=secret,
        port=port,
        auth=auth,
        resync=False,
        ping_interval=3600,
        reconnect_initial=0.05,
        reconnect_max=0.2,
        action_timeout=5,
    )


async def _drain(ami: AmiClient, until: Callable[[AmiEvent], bool], timeout: float = 5.0
                 ) -> list[AmiEvent]:
    seen: list[AmiEvent] = []
    async with asyncio.timeout(timeout):
        async for event in ami.events():
            seen.append(event)
            if until(event):
                break
    return seen


async def test_plain_login_ping_logoff(transcript: Transcript) -> None:
    async with TranscriptServer(transcript("a1"), speed=10) as server:
        async with AmiClient(_config(server.port)) as ami:
            assert ami.version == "11.0.0"
            await ami.ping()
        await asyncio.wait_for(server.finished.wait(), 2)
    assert [r["Action"] for r in server.received] == ["Login", "Ping", "Logoff"]
    assert server.unexpected == [] and server.auth_failures == 0


async def test_md5_challenge_login(transcript: Transcript) -> None:
    async with (
        TranscriptServer(transcript("a2"), speed=10) as server,
        AmiClient(_config(server.port, auth="md5")) as ami,
    ):
        await ami.ping()
    assert [r["Action"] for r in server.received][:2] == ["Challenge", "Login"]
    assert "Secret" not in server.received[1]
    assert server.auth_failures == 0


@pytest.mark.parametrize(("name", "username"), [("a3", "cc"), ("a5", "nosuchuser")])
async def test_failed_login_raises_after_the_delay_without_leaking_the_secret(
    transcript: Transcript, name: str, username: str
) -> None:
    async with TranscriptServer(transcript(name), speed=4) as server:
        started = time.monotonic()
        with pytest.raises(AmiAuthenticationError) as info:
            async with AmiClient(_config(server.port, secret="wrongsecret", username=username)):
                pass
        elapsed = time.monotonic() - started
    # Asterisk answers a failed login after ~1 s (0.25 s at speed 4), then closes.
    assert elapsed >= 0.2
    assert "wrongsecret" not in str(info.value)
    assert "Authentication failed" in str(info.value)
    assert server.connections == 1


async def test_misc_actions_commands_errors_and_userevent_echo(transcript: Transcript) -> None:
    records = transcript("e4")
    # Drop the two requests this client cannot send on purpose (no Action, no ActionID).
    kept: list[Record] = []
    skipping = False
    for rec in records:
        if rec.dir == "out":
            skipping = "ActionID" not in rec.raw
        if not skipping:
            kept.append(rec)
    async with (
        TranscriptServer(kept, speed=20) as server,
        AmiClient(_config(server.port)) as ami,
    ):
        await ami.ping()
        version = await ami.command("core show version")
        assert version[0].startswith("Asterisk 22.10.1 built by root @ vm on a x86_64")
        lines = await ami.command("queue show support")
        assert len(lines) == 7 and "Agent 1001" in lines[2]
        with pytest.raises(AmiActionError, match="No such command 'no such cli command'"):
            await ami.command("no such cli command")
        with pytest.raises(AmiActionError, match="Invalid/unknown command: FooBarBaz"):
            await ami.action("FooBarBaz")
        reply = await ami.action(
            "UserEvent", {"UserEvent": "CCEngineTest", "Header1": "value1", "Ticket": "42"}
        )
        assert reply.message == "Event Sent"
        await ami.action("Setvar", {"Variable": "CC_GLOBAL", "Value": "hello world"})
        got = await ami.action("Getvar", {"Variable": "CC_GLOBAL"})
        assert got.headers["Value"] == "hello world"
        await ami.action("Getvar", {"Variable": "NO_SUCH_VAR"})
        await ami.action("CoreStatus")
        settings = await ami.action("CoreSettings")
        assert settings.headers["AMIversion"] == "11.0.0"
        await ami.action("ExtensionState", {"Exten": "1001", "Context": "agents"})
        states = await ami.list_action("DeviceStateList")
        assert len(states.items) == 13 and states.complete is not None
        assert states.complete.list_items == 13
        assert all(isinstance(e, DeviceStateChange) for e in states.items)
        await ami.action("Originate", {"Channel": "Local/3@callers", "Context": "events",
                                       "Exten": "ue", "Priority": 1, "Async": True})
        await ami.action("Originate", {"Channel": "Local/9999@no-such-context",
                                       "Context": "holding", "Exten": "park", "Priority": 1,
                                       "Async": True})
        seen = await _drain(ami, lambda e: isinstance(e, OriginateResponse) and not e.success)
        sync = await ami.action("Originate", {"Channel": "Local/2@callers",
                                              "Application": "Wait", "Data": 1})
        assert sync.ok
    # The UserEvent echo carries our ActionID but is an event, not a second reply.
    echo = [e for e in seen if isinstance(e, UserEvent) and e.user_event == "CCEngineTest"]
    assert echo and echo[0].fields["Header1"] == "value1"
    originates = [e for e in seen if isinstance(e, OriginateResponse)]
    assert [o.success for o in originates] == [True, False]
    assert originates[1].uniqueid is None and originates[1].channel == "Local/9999@no-such-context"
    assert server.unexpected == []


async def test_originate_response_is_an_event_and_noise_is_filtered(
    transcript: Transcript,
) -> None:
    async with (
        TranscriptServer(transcript("b1"), speed=40) as server,
        AmiClient(_config(server.port)) as ami,
    ):
        for var, value in (("RING_1001", 2), ("TALK_1001", 5), ("RING_1002", 2),
                           ("TALK_1002", 5)):
            await ami.action("Setvar", {"Variable": var, "Value": value})
        reply = await ami.action(
            "Originate",
            {"Channel": "Local/60@callers", "Context": "queue-entry", "Exten": "support",
             "Priority": 1, "Async": True, "CallerID": '"Customer One" <5550001>',
             "ChannelId": "cc-call-b1", "OtherChannelId": "cc-call-b1-peer",
             "Timeout": 30000, "Variable": "CC_CALL_ID=b1"},
        )
        assert reply.message == "Originate successfully queued"
        seen = await _drain(ami, lambda e: isinstance(e, AgentConnect))
        assert ami.stats.noise_dropped > 50
    origin = [e for e in seen if isinstance(e, OriginateResponse)]
    assert len(origin) == 1 and origin[0].success and origin[0].uniqueid == "cc-call-b1"
    assert not any(isinstance(e, VarSet) for e in seen)
    connect = seen[-1]
    assert isinstance(connect, AgentConnect) and connect.interface == "Local/1001@agents"


async def test_event_lists_are_one_result_with_normalised_field_names(
    transcript: Transcript,
) -> None:
    async with (
        TranscriptServer(transcript("e2"), speed=20) as server,
        AmiClient(_config(server.port)) as ami,
    ):
        await ami.action("Setvar", {"Variable": "RING_1001", "Value": 1})
        await ami.action("Setvar", {"Variable": "TALK_1001", "Value": 60})
        await ami.action("QueuePause", {"Queue": "support", "Interface": "Local/1002@agents",
                                        "Paused": True, "Reason": "Break"})
        for name, cid, chan_id in (("Talking", 5550040, "cc-e2-talk"),
                                   ("Waiting", 5550041, "cc-e2-wait")):
            await ami.action("Originate", {
                "Channel": "Local/120@callers", "Context": "queue-entry", "Exten": "support",
                "Priority": 1, "Async": True, "CallerID": f'"{name}" <{cid}>',
                "ChannelId": chan_id})
        # Two lists in flight at once: each result gets exactly its own items.
        every, one = await asyncio.gather(
            ami.list_action("QueueStatus"),
            ami.list_action("QueueStatus", {"Queue": "support",
                                            "Member": "Local/1001@agents"}),
        )
        summary = await ami.list_action("QueueSummary")
        await ami.list_action("QueueSummary", {"Queue": "support"})
        channels = await ami.list_action("CoreShowChannels")
        await ami.list_action("Status")
        status = await ami.list_action(
            "Status", {"Channel": "Local/120@callers-0000001c;1", "AllVariables": True})
        with pytest.raises(AmiActionError, match="No such channel"):
            await ami.list_action("Status", {"Channel": "Local/nope@nowhere-00000000;1"})
        unknown = await ami.list_action("QueueStatus", {"Queue": "nosuchqueue"})
    assert every.complete is not None and every.complete.list_items == len(every.items)
    members = [e for e in every.items if isinstance(e, QueueMember)]
    assert {m.interface for m in members} >= {"Local/1001@agents", "Local/1002@agents"}
    assert all(m.member_name for m in members)
    support = next(e for e in every.items if isinstance(e, QueueParams) and e.queue == "support")
    assert support.strategy == "rrmemory"
    assert [type(e) for e in one.items] == [QueueParams, QueueMember, QueueEntry]
    assert any(isinstance(e, QueueSummary) and e.queue == "support" for e in summary.items)
    assert len(channels.items) == channels.complete.list_items if channels.complete else False
    assert status.items and status.items[0].variables  # type: ignore[attr-defined]
    assert unknown.items == [] and unknown.complete is not None
    assert unknown.complete.list_items == 0


async def test_shutdown_eof_without_goodbye_then_reconnect(transcript: Transcript) -> None:
    async with (
        TranscriptServer(transcript("g1"), more=[transcript("g3")], speed=10) as server,
        AmiClient(_config(server.port)) as ami,
    ):
        seen = await _drain(ami, lambda e: isinstance(e, Connected) and e.session == 2)
        await ami.action("CoreStatus")
    kinds = [type(e).__name__ for e in seen]
    assert kinds.index("Shutdown") < kinds.index("Disconnected") < len(kinds) - 1
    shutdown = next(e for e in seen if isinstance(e, Shutdown))
    assert shutdown.cleanly and not shutdown.restart
    assert isinstance(seen[0], Connected) and any(isinstance(e, FullyBooted) for e in seen)
    assert server.connections == 2

