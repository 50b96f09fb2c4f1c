"""`AgiChannel`: `ivr.ports.CallerChannel` over one FastAGI connection.

One command at a time (a lock), each bounded by `AgiConfig.command_timeout_s` plus the
command's own timeout. The caller is gone — `CallerHungUp`, now and on every later
call — on a `HANGUP` line, a 511 reply, the connection closing, or a RECORD FILE ended
by `(hangup)`. A timeout (`ChannelTimeout`) or a malformed reply (`AgiProtocolError`)
leaves the connection out of step, so every later call raises the same kind of error.

A media command answering `result=-1` failed either because the caller hung up or
because a file is missing; `run_agi` (res/res_agi.c) sends `HANGUP` before it reads
the next command in the first case, so a `NOOP` tells the two apart: hang-up raises,
a missing file is logged and the flow goes on as if nothing was pressed.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Sequence

from callcenter.agi.config import AgiConfig
from callcenter.agi.errors import AgiCommandError, AgiProtocolError
from callcenter.agi.protocol import HANGUP_LINE, Reply, command_line, parse_reply, quote
from ivr.ports import CallerHungUp, ChannelInfo, ChannelTimeout, RecordResult

log = logging.getLogger(__name__)

_NAME = re.compile(r"[A-Za-z0-9_.()\-]+\Z")
_DTMF = re.compile(r"[0-9*#A-D]*\Z")
_NUMBER = re.compile(r"-?\d+\Z")


class AgiChannel:
    """See the module docstring. Built by `FastAgiServer` for each session."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 info: ChannelInfo, config: AgiConfig | None = None) -> None:
        self._reader = reader
        self._writer = writer
        self._info = info
        self._config = config or AgiConfig()
        self._lock = asyncio.Lock()
        self._gone = False
        self._unusable: Callable[[], Exception] | None = None

    @property
    def info(self) -> ChannelInfo:
        return self._info

    @property
    def hung_up(self) -> bool:
        """True once the caller is known to be gone."""
        return self._gone

    @property
    def usable(self) -> bool:
        """False once the connection is out of step (timeout, malformed reply) or gone."""
        return not self._gone and self._unusable is None

    # -- CallerChannel -------------------------------------------------------------------

    async def answer(self) -> None:
        """ANSWER (handle_answer: result 0, -1 when the channel could not be answered)."""
        if (await self._run("ANSWER", "ANSWER")).code < 0:
            await self._probe("ANSWER")
            raise AgiCommandError("ANSWER", "the channel could not be answered")

    async def play(self, prompts: Sequence[str], *, interrupt_digits: str = "") -> str:
        """STREAM FILE each prompt in turn; the first interrupting digit stops the rest."""
        _check_digits(interrupt_digits)
        for prompt in prompts:
            reply = await self._run("STREAM FILE",
                                    command_line("STREAM FILE", prompt, interrupt_digits))
            digit = await self._digit_of("STREAM FILE", reply, prompt)
            if digit:
                return digit
        return ""

    async def say_digits(self, digits: str, *, interrupt_digits: str = "") -> str:
        """SAY DIGITS; `digits` must be 0-9 (handle_saydigits reads them as a number)."""
        if not digits.isdigit():
            raise ValueError(f"say_digits: expected digits 0-9, got {digits!r}")
        _check_digits(interrupt_digits)
        line = f"SAY DIGITS {digits} {quote(interrupt_digits)}"
        reply = await self._run("SAY DIGITS", line, wait_s=float(len(digits)))
        return await self._digit_of("SAY DIGITS", reply, digits)

    async def say_number(self, number: int, *, interrupt_digits: str = "") -> str:
        """SAY NUMBER (handle_saynumber: a 32-bit integer)."""
        _check_digits(interrupt_digits)
        line = f"SAY NUMBER {number} {quote(interrupt_digits)}"
        reply = await self._run("SAY NUMBER", line, wait_s=5.0)
        return await self._digit_of("SAY NUMBER", reply, str(number))

    async def read_digits(self, prompt: str, *, max_digits: int, timeout_s: float) -> str:
        """GET DATA `prompt` `timeout_ms` `max_digits` (ast_app_getdata_full, main/app.c:
        `timeout_s` is the first and every inter-digit timeout; `#` ends the input and
        is not returned). Returns the digits typed, "" for none or a lone `#`."""
        if max_digits < 1:
            raise ValueError(f"read_digits: expected max_digits >= 1, got {max_digits}")
        ms = max(1, round(timeout_s * 1000))
        line = f"GET DATA {quote(prompt)} {ms} {max_digits}"
        reply = await self._run("GET DATA", line, wait_s=timeout_s * (max_digits + 1),
                                numeric=False)
        if reply.result == "-1":
            await self._probe("GET DATA", prompt)
            return ""
        if not _DTMF.match(reply.result):
            self._broken_by("GET DATA", f"200 result={reply.result}")
            raise AgiProtocolError("reply to GET DATA", f"200 result={reply.result}")
        return reply.result

    async def wait_digit(self, timeout_s: float) -> str:
        """WAIT FOR DIGIT `timeout_ms` (a negative `timeout_s` waits for ever)."""
        ms = -1 if timeout_s < 0 else round(timeout_s * 1000)
        line = f"WAIT FOR DIGIT {ms}"
        reply = await self._run("WAIT FOR DIGIT", line,
                                wait_s=None if timeout_s < 0 else timeout_s)
        return await self._digit_of("WAIT FOR DIGIT", reply, "")

    async def set_variable(self, name: str, value: str) -> None:
        """SET VARIABLE name "value" (quotes and backslashes escaped)."""
        _check_name(name)
        await self._run("SET VARIABLE", f"SET VARIABLE {name} {quote(value)}")

    async def get_variable(self, name: str) -> str | None:
        """GET VARIABLE: None when unset (`200 result=0`), else the value
        (`200 result=1 (value)`). A name ending in `)` reads a dialplan function."""
        _check_name(name)
        reply = await self._run("GET VARIABLE", f"GET VARIABLE {name}")
        return reply.data if reply.code == 1 else None

    async def record(self, path: str, *, fmt: str = "wav", max_s: float = 120.0,
                     silence_s: float = 5.0, beep: bool = True,
                     end_digits: str = "#") -> RecordResult:
        """RECORD FILE path fmt end_digits timeout_ms [BEEP] [s=silence] (handle_recordfile).

        `ended_by` is "dtmf", "hangup" (the message is kept; later calls raise
        CallerHungUp), "silence" (Asterisk reports it as a timeout: told apart by a
        length short of `max_s`) or "timeout". RecordResult.path has no extension.
        """
        _check_digits(end_digits)
        if not _NAME.match(fmt):
            raise ValueError(f"record: expected a format name, got {fmt!r}")
        parts = [command_line("RECORD FILE", path, fmt, end_digits), str(round(max_s * 1000))]
        if beep:
            parts.append("BEEP")
        silence = max(1, round(silence_s)) if silence_s > 0 else 0
        if silence:
            parts.append(f"s={silence}")
        reply = await self._run("RECORD FILE", " ".join(parts), wait_s=max_s + silence + 5)
        rate = 16000 if fmt.endswith("16") else 8000
        duration = (reply.endpos or 0) / rate
        code = reply.code
        if reply.data == "dtmf" or (reply.data == "randomerror" and code > 0):
            return RecordResult(path, fmt, duration, "dtmf", chr(code))
        if reply.data == "timeout":
            ended = "silence" if silence and duration < max_s - 0.25 else "timeout"
            return RecordResult(path, fmt, duration, ended)
        if reply.data == "hangup":
            self._gone = True
            return RecordResult(path, fmt, duration, "hangup")
        if reply.data in ("randomerror", "waitfor"):
            await self._probe("RECORD FILE", path)
            raise AgiCommandError("RECORD FILE", f"{reply.data} on {path!r}")
        if reply.data == "writefile":
            raise AgiCommandError("RECORD FILE", f"cannot write {path!r} as {fmt!r}")
        line = f"200 result={reply.result} ({reply.data})"
        self._broken_by("RECORD FILE", line)
        raise AgiProtocolError("reply to RECORD FILE", line)

    async def hangup(self) -> None:
        """HANGUP the caller's channel; every later call raises CallerHungUp."""
        await self._run("HANGUP", "HANGUP")
        self._gone = True

    # -- beyond the port ----------------------------------------------------------------

    async def verbose(self, message: str, level: int = 1) -> None:
        """VERBOSE: a line in the PBX's console log (works on a dead channel too)."""
        await self._run("VERBOSE", f"VERBOSE {quote(message)} {level}")

    async def exec(self, application: str, data: str = "") -> int:
        """EXEC an application; its return value (-2: no such application)."""
        _check_name(application)
        return (await self._run("EXEC", f"EXEC {application} {quote(data)}", wait_s=None)).code

    async def channel_status(self) -> int:
        """CHANNEL STATUS: the channel state (ast_channel_state: 4 Ring, 6 Up...)."""
        return (await self._run("CHANNEL STATUS", "CHANNEL STATUS")).code

    async def noop(self) -> None:
        await self._run("NOOP", "NOOP")

    # -- the wire ------------------------------------------------------------------------

    async def _digit_of(self, what: str, reply: Reply, detail: str) -> str:
        """A media command's result: the ASCII of the digit pressed, 0 none, -1 failed."""
        code = reply.code
        if code < 0:
            await self._probe(what, detail)
            return ""
        return chr(code) if code else ""

    async def _probe(self, what: str, detail: str = "") -> None:
        """After a `result=-1`: raise CallerHungUp if the channel went, else log it."""
        await self._run("NOOP", "NOOP")
        log.warning("FastAGI %s %r failed on %s (uniqueid %s); the channel is still up",
                    what, detail, self._info.channel, self._info.uniqueid)

    async def _run(self, what: str, line: str, *, wait_s: float | None = 0.0,
                   numeric: bool = True) -> Reply:
        """Send one command and read its reply; `wait_s` is the command's own timeout
        (None: no limit, e.g. EXEC of a Dial); `numeric`: the result must be a number."""
        async with self._lock:
            self._check_usable()
            try:
                self._writer.write(line.encode() + b"\n")
                await self._writer.drain()
            except ConnectionError as error:
                self._gone = True
                raise CallerHungUp(f"{self._info.channel}: connection lost ({error})") from None
            limit = None if wait_s is None else self._config.command_timeout_s + wait_s
            try:
                async with asyncio.timeout(limit):
                    reply = await self._reply(what)
            except TimeoutError:
                message = f"{self._info.channel}: no reply to {what} within {limit:g} s"
                self._unusable = lambda: ChannelTimeout(message)
                raise ChannelTimeout(message) from None
            except asyncio.CancelledError:
                self._unusable = lambda: AgiProtocolError(
                    "channel", f"unusable after {what} was cancelled")
                raise
            if numeric and not _NUMBER.match(reply.result):
                self._broken_by(what, f"200 result={reply.result}")
                raise AgiProtocolError(f"reply to {what}", f"200 result={reply.result}")
            return reply

    def _broken_by(self, what: str, line: str) -> None:
        """The stream is out of step after `line`: refuse every later command."""
        self._unusable = lambda: AgiProtocolError(
            "channel", f"unusable since a bad reply to {what}: {line!r}")

    def _check_usable(self) -> None:
        if self._gone:
            raise CallerHungUp(f"{self._info.channel} has hung up")
        if self._unusable is not None:
            raise self._unusable()

    async def _reply(self, what: str) -> Reply:
        line = await self._readline(what)
        if line is None or line == HANGUP_LINE or line.startswith("511"):
            self._gone = True
            reason = "connection closed" if line is None else line
            raise CallerHungUp(f"{self._info.channel} hung up during {what} ({reason})")
        if line.startswith("200"):
            try:
                return parse_reply(what, line)
            except AgiProtocolError:
                self._broken_by(what, line)
                raise
        if line.startswith("510"):
            raise AgiCommandError(what, line)
        if line.startswith("520-"):
            usage: list[str] = []
            while (more := await self._readline(what)) is not None and not more.startswith(
                    "520 "):
                usage.append(more.strip())
            raise AgiCommandError(what, "invalid syntax; usage: " + " / ".join(usage))
        if line.startswith("520 "):
            raise AgiCommandError(what, line)
        self._broken_by(what, line)
        raise AgiProtocolError(f"reply to {what}", line)

    async def _readline(self, what: str) -> str | None:
        try:
            raw = await self._reader.readuntil(b"\n")
        except asyncio.IncompleteReadError:
            return None
        except asyncio.LimitOverrunError:
            self._broken_by(what, "<longer than the line limit>")
            raise AgiProtocolError(f"reply to {what}", "<longer than the line limit>") from None
        except ConnectionError:
            return None
        return raw.decode("utf-8", "replace").rstrip("\r\n")


def _check_digits(digits: str) -> None:
    if not _DTMF.match(digits):
        raise ValueError(f"expected DTMF digits (0-9 * # A-D), got {digits!r}")


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise ValueError(f"expected a variable or application name, got {name!r}")
