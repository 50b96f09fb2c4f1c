"""FastAgiServer and AgiChannel against a scripted FastAGI peer written here: the peer
plays Asterisk's side of the wire (res/res_agi.c) line by line."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import pytest

from callcenter.agi import (
    AgiChannel,
    AgiCommandError,
    AgiConfig,
    AgiProtocolError,
    FastAgiServer,
    Handler,
)
from callcenter.agi.protocol import env_block
from ivr.ports import CallerHungUp, ChannelInfo, ChannelTimeout, RecordResult

ENV = [("agi_network", "yes"), ("agi_network_script", "ivr/main?x=1"),
       ("agi_request", "agi://127.0.0.1/ivr/main?x=1"), ("agi_channel", "PJSIP/trunk-00000001"),
       ("agi_language", "fr"), ("agi_type", "PJSIP"), ("agi_uniqueid", "1700000000.7"),
       ("agi_version", "22.10.1"), ("agi_callerid", "5550101"),
       ("agi_calleridname", "unknown"), ("agi_callingpres", "0"), ("agi_dnid", "4000"),
       ("agi_rdnis", "unknown"), ("agi_context", "cc-inbound"), ("agi_extension", "4000"),
       ("agi_priority", "2"), ("agi_enhanced", "0.0"), ("agi_accountcode", ""),
       ("agi_threadid", "140000000000001"), ("agi_arg_1", "first"), ("agi_arg_2", "b c")]


class Peer:
    """Asterisk's end of one FastAGI session."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int, env: list[tuple[str, str]] = ENV) -> Peer:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(env_block(env))
        await writer.drain()
        return cls(reader, writer)

    async def command(self) -> str:
        async with asyncio.timeout(5):
            line = await self.reader.readline()
        assert line, "the server closed instead of sending a command"
        return line.decode().rstrip("\n")

    async def answer(self, *lines: str) -> None:
        self.writer.write("".join(f"{line}\n" for line in lines).encode())
        await self.writer.drain()

    async def closed(self) -> bytes:
        """Everything the server still sends up to its end of the connection."""
        async with asyncio.timeout(5):
            return await self.reader.read()

    def close(self) -> None:
        self.writer.close()


Outcome = dict[str, object]


def recording(outcome: Outcome, flow: Callable[[AgiChannel], Awaitable[object]]) -> Handler:
    """A handler that keeps what the flow returned or raised in `outcome`."""

    async def handler(channel: AgiChannel) -> None:
        outcome["info"] = channel.info
        try:
            outcome["result"] = await flow(channel)
        except Exception as error:
            outcome["error"] = error
            raise
        finally:
            outcome["done"] = True

    return handler


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.005)


async def test_a_session_speaks_each_command_as_asterisk_expects() -> None:
    outcome: Outcome = {}

    async def flow(ch: AgiChannel) -> list[object]:
        await ch.answer()
        got: list[object] = [await ch.play(["cc/en/a", "cc/en/b", "cc/en/c"],
                                           interrupt_digits="12")]
        got.append(await ch.read_digits("cc/en/enter-account", max_digits=6, timeout_s=4))
        got.append(await ch.read_digits("", max_digits=1, timeout_s=0.5))
        got.append(await ch.wait_digit(2.5))
        got.append(await ch.say_digits("1007"))
        got.append(await ch.say_number(42, interrupt_digits="#"))
        await ch.set_variable("CC_NOTE", 'say "hi" \\ bye')
        got.append(await ch.get_variable("CC_NOTE"))
        got.append(await ch.get_variable("UNSET"))
        got.append(await ch.record("/tmp/vm/msg", max_s=60, silence_s=3))
        await ch.hangup()
        return got

    async with FastAgiServer("127.0.0.1", 0, {"ivr": recording(outcome, flow)}) as server:
        peer = await Peer.open(server.port)
        script = [
            ("ANSWER", "200 result=0"),
            ('STREAM FILE "cc/en/a" "12"', "200 result=0 endpos=8000"),
            ('STREAM FILE "cc/en/b" "12"', "200 result=50 endpos=1200"),  # "2" interrupts
            ('GET DATA "cc/en/enter-account" 4000 6', "200 result=123 (timeout)"),
            ('GET DATA "" 500 1', "200 result= (timeout)"),
            ("WAIT FOR DIGIT 2500", "200 result=35"),
            ('SAY DIGITS 1007 ""', "200 result=0"),
            ('SAY NUMBER 42 "#"', "200 result=0"),
            ('SET VARIABLE CC_NOTE "say \\"hi\\" \\\\ bye"', "200 result=1"),
            ("GET VARIABLE CC_NOTE", '200 result=1 (say "hi" (really) \\ bye)'),
            ("GET VARIABLE UNSET", "200 result=0"),
            ('RECORD FILE "/tmp/vm/msg" "wav" "#" 60000 BEEP s=3',
             "200 result=35 (dtmf) endpos=36000"),
            ("HANGUP", "200 result=1"),
        ]
        for expected, reply in script:
            assert await peer.command() == expected
            await peer.answer(reply)
        await until(lambda: "done" in outcome)
        assert await peer.closed() == b""  # nothing more, and no FAILURE
        peer.close()
    info = outcome["info"]
    assert isinstance(info, ChannelInfo)
    assert (info.uniqueid, info.channel, info.caller_id, info.caller_name, info.dnid,
            info.language, info.context, info.extension, info.script, info.arguments) == (
        "1700000000.7", "PJSIP/trunk-00000001", "5550101", "", "4000", "fr", "cc-inbound",
        "4000", "ivr/main", ("first", "b c"))
    assert info.variables["agi_request"] == "agi://127.0.0.1/ivr/main?x=1"
    assert outcome["result"] == ["2", "123", "", "#", "", "", 'say "hi" (really) \\ bye',
                                 None, RecordResult("/tmp/vm/msg", "wav", 4.5, "dtmf", "#")]


@pytest.mark.parametrize("ending", [["HANGUP"], ["511 Command Not Permitted on a dead "
                                                 "channel or intercept routine"], []])
async def test_hangup_line_511_or_eof_end_the_flow_quietly(
        ending: list[str], caplog: pytest.LogCaptureFixture) -> None:
    outcome: Outcome = {}
    later: list[BaseException] = []

    async def flow(ch: AgiChannel) -> None:
        try:
            await ch.play(["cc/en/welcome"])
        except CallerHungUp:
            try:
                await ch.set_variable("X", "1")  # refused at once: nothing is sent
            except CallerHungUp as error:
                later.append(error)
            raise

    caplog.set_level(logging.DEBUG, "callcenter.agi")
    async with FastAgiServer("127.0.0.1", 0, {"ivr": recording(outcome, flow)}) as server:
        peer = await Peer.open(server.port)
        assert await peer.command() == 'STREAM FILE "cc/en/welcome" ""'
        if ending:
            await peer.answer(*ending)
        else:
            peer.writer.write_eof()
        await until(lambda: "done" in outcome)
        assert await peer.closed() == b""  # SET VARIABLE never went out
        peer.close()
        assert server.live_sessions == 0
    assert isinstance(outcome["error"], CallerHungUp) and len(later) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_a_silent_pbx_times_out_and_the_channel_stays_unusable() -> None:
    outcome: Outcome = {}
    errors: list[BaseException] = []

    async def flow(ch: AgiChannel) -> None:
        try:
            await ch.read_digits("cc/en/menu", max_digits=1, timeout_s=0.1)
        except ChannelTimeout as error:
            errors.append(error)
        try:
            await ch.answer()
        except ChannelTimeout as error:
            errors.append(error)

    config = AgiConfig(command_timeout_s=0.2)
    async with FastAgiServer("127.0.0.1", 0, {"ivr": recording(outcome, flow)},
                             config=config) as server:
        peer = await Peer.open(server.port)
        assert await peer.command() == 'GET DATA "cc/en/menu" 100 1'
        await until(lambda: "done" in outcome)
        assert await peer.closed() == b""
        peer.close()
    assert len(errors) == 2 and "GET DATA" in str(errors[0])


async def test_garbage_replies_raise_a_protocol_error_naming_command_and_line(
        caplog: pytest.LogCaptureFixture) -> None:
    outcome: Outcome = {}

    async def flow(ch: AgiChannel) -> None:
        await ch.say_number(7)

    async with FastAgiServer("127.0.0.1", 0, {"ivr": recording(outcome, flow)}) as server:
        peer = await Peer.open(server.port)
        assert await peer.command() == 'SAY NUMBER 7 ""'
        await peer.answer("200 resultat=zero")
        await until(lambda: "done" in outcome)
        assert await peer.closed() == b""  # out of step: no FAILURE either
        peer.close()
    error = outcome["error"]
    assert isinstance(error, AgiProtocolError)
    assert "SAY NUMBER" in str(error) and "200 resultat=zero" in str(error)
    assert any("1700000000.7" in r.getMessage() for r in caplog.records
               if r.levelno == logging.ERROR)


@pytest.mark.parametrize("reply", ["200 result=abc", "ok", "201 result=0"])
async def test_more_garbage(reply: str) -> None:
    outcome: Outcome = {}

    async def flow(ch: AgiChannel) -> None:
        try:
            await ch.wait_digit(1)
        finally:
            with pytest.raises(AgiProtocolError):
                await ch.noop()

    async with FastAgiServer("127.0.0.1", 0, {"ivr": recording(outcome, flow)}) as server:
        peer = await Peer.open(server.port)
        assert await peer.command() == "WAIT FOR DIGIT 1000"
        await peer.answer(reply)
        await until(lambda: "done" in outcome)
        peer.close()
    assert isinstance(outcome["error"], AgiProtocolError)
    assert "WAIT FOR DIGIT" in str(outcome["error"]) and reply in str(outcome["error"])


async def test_usage_and_unknown_command_replies_are_command_errors() -> None:
    outcome: Outcome = {}
    errors: list[AgiCommandError] = []

    async def flow(ch: AgiChannel) -> None:
        for _ in range(2):
            try:
                await ch.say_digits("12")
            except AgiCommandError as error:
                errors.append(error)
        await ch.noop()  # still in step

    async with FastAgiServer("127.0.0.1", 0, {"ivr": recording(outcome, flow)}) as server:
        peer = await Peer.open(server.port)
        await peer.command()
        await peer.answer("520-Invalid command syntax.  Proper usage follows:",
                          " Say a given digit string.", "520 End of proper usage.")
        await peer.command()
        await peer.answer("510 Invalid or unknown command")
        assert await peer.command() == "NOOP"
        await peer.answer("200 result=0")
        await until(lambda: "done" in outcome)
        peer.close()
    assert "usage: Say a given digit string." in str(errors[0])
    assert "510" in str(errors[1]) and "error" not in outcome


async def test_a_failed_prompt_is_told_from_a_hangup_by_a_noop() -> None:
    outcome: Outcome = {}

    async def flow(ch: AgiChannel) -> list[str]:
        first = await ch.play(["missing"], interrupt_digits="1")
        return [first, await ch.play(["welcome"])]

    async with FastAgiServer("127.0.0.1", 0, {"ivr": recording(outcome, flow)}) as server:
        peer = await Peer.open(server.port)
        await peer.command()
        await peer.answer("200 result=-1 endpos=0")  # missing file, channel up
        assert await peer.command() == "NOOP"
        await peer.answer("200 result=0")
        await peer.command()
        await peer.answer("200 result=-1 endpos=2000")  # the caller hung up
        assert await peer.command() == "NOOP"
        await peer.answer("HANGUP", "200 result=0")
        await until(lambda: "done" in outcome)
        peer.close()
    assert isinstance(outcome["error"], CallerHungUp)


async def test_unknown_script_and_bad_environments_are_refused_with_failure(
        caplog: pytest.LogCaptureFixture) -> None:
    called: list[str] = []

    async def handler(ch: AgiChannel) -> None:
        called.append(ch.info.script)

    caplog.set_level(logging.ERROR, "callcenter.agi")
    many = [*ENV, *((f"agi_arg_{i}", "x") for i in range(3, 200))]
    long = [*ENV[:-1], ("agi_arg_2", "x" * 9000)]
    not_agi = [*ENV[:3], ("Channel", "PJSIP/x")]
    other = [(k, "hold/x" if k == "agi_network_script" else v) for k, v in ENV]
    async with FastAgiServer("127.0.0.1", 0, {"ivr": handler}) as server:
        for env in (other, many, long, not_agi):
            peer = await Peer.open(server.port, env)
            assert await peer.closed() == b"FAILURE\n"
            peer.close()
        peer = await Peer.open(server.port, ENV[:4])  # no uniqueid
        assert await peer.closed() == b"FAILURE\n"
        peer.close()
        await until(lambda: server.live_sessions == 0)
    assert called == []
    messages = [r.getMessage() for r in caplog.records]
    assert any("no handler for script 'hold/x'" in m and "1700000000.7" in m for m in messages)
    assert any("more than 200 lines" in m for m in messages)
    assert any("over 8192 bytes" in m for m in messages)
    assert all("127.0.0.1:" in m for m in messages) and len(messages) == 5


async def test_a_crashing_handler_is_logged_and_the_server_goes_on(
        caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []

    async def handler(ch: AgiChannel) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("flow bug")
        await ch.answer()

    async with FastAgiServer("127.0.0.1", 0, {"ivr": handler}) as server:
        peer = await Peer.open(server.port)
        assert await peer.closed() == b"FAILURE\n"  # AGISTATUS=FAILURE for the dialplan
        peer.close()
        peer = await Peer.open(server.port)
        assert await peer.command() == "ANSWER"
        await peer.answer("200 result=0")
        assert await peer.closed() == b""
        peer.close()
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "1700000000.7" in errors[0].getMessage()
    assert errors[0].exc_info is not None


async def test_leaving_the_block_cancels_live_sessions() -> None:
    outcome: Outcome = {}

    async def flow(ch: AgiChannel) -> None:
        await ch.wait_digit(-1)

    async with FastAgiServer("127.0.0.1", 0, {"ivr": recording(outcome, flow)}) as server:
        peer = await Peer.open(server.port)
        assert await peer.command() == "WAIT FOR DIGIT -1"
        assert server.live_sessions == 1
    assert await peer.closed() == b""
    peer.close()
    assert outcome.get("done") and "error" not in outcome  # cancelled, not failed


async def test_a_burst_of_1000_sessions_leaves_no_task_behind() -> None:
    answered: list[str] = []

    async def handler(ch: AgiChannel) -> None:
        await ch.answer()
        answered.append(ch.info.uniqueid)

    async def one(i: int, port: int) -> None:
        env = [(k, f"u{i}" if k == "agi_uniqueid" else v) for k, v in ENV]
        peer = await Peer.open(port, env)
        assert await peer.command() == "ANSWER"
        await peer.answer("200 result=0")
        assert await peer.closed() == b""
        peer.close()

    before = len(asyncio.all_tasks())
    async with FastAgiServer("127.0.0.1", 0, {"ivr": handler}) as server:
        await asyncio.gather(*(one(i, server.port) for i in range(1000)))
        await until(lambda: server.live_sessions == 0)
        assert server.sessions_started == 1000 and len(set(answered)) == 1000
    await asyncio.sleep(0)
    assert len(asyncio.all_tasks()) == before
