"""`AGI(agi://host[:port]/path[,arg1,...])` in the emulator: FastAGI as Asterisk runs it.

After `res/res_agi.c`:

* `launch_netscript`: connect (2 s, MAX_AGI_CONNECT; failure → AGISTATUS=FAILURE and
  the dialplan goes on), send `agi_network: yes`, `agi_network_script: <path>`;
  `setup_env`: the `agi_*` block, `agi_arg_N` for the arguments, a blank line.
  A script that is not `agi://` is a local file, which the emulator never has:
  AGISTATUS=NOTFOUND (`launch_script`). No argument at all: the channel hangs up.
* `run_agi`: one command line at a time, each parsed by `parse_args` and answered as its
  `handle_*` function does; `AGIExecStart`/`AGIExecEnd` (class agi) around each, from
  `agi_handle_command`. When the channel hangs up or is redirected (an async goto,
  which `ast_read` reports as a hangup too) `HANGUP` is sent once, and the session goes
  on in dead mode: commands not marked dead-capable get `511`. The session ends when
  the server closes (or sends a line starting with `failure`); `HANGUP` is sent once
  more. AGISTATUS: SUCCESS, FAILURE (a command failed while the channel was up, or
  `failure`), HANGUP. After HANGUP a redirected channel goes on at its target (the
  PBX's async goto), a hung-up one ends.
* Durations: STREAM FILE lasts `dialplan.playback_s`, SAY DIGITS `dialplan.digit_s` per
  digit, SAY NUMBER `digit_s` per word said (`say_words`), GET DATA its prompt then the
  caller's keys (`ast_app_getdata_full`, main/app.c: first and inter-digit timeouts,
  `#` ends and is not returned, a lone `#` returns nothing), RECORD FILE as long as the
  caller speaks. Callers follow their `InboundCaller.keys` and `message_s` (phones.py);
  a channel that is not an inbound trunk call has nobody on it: silence everywhere.
* RECORD FILE writes a real WAV of silence (mono 16-bit, 8 kHz; 16 kHz for `*16`
  formats) at `<path>.<format>`: an absolute path as it is, a relative one under
  `AgiSettings.record_dir` (Asterisk: `<datadir>/sounds`, main/file.c build_filename).
  Its directory is never created: a missing one answers `200 result=-1 (writefile)`
  and AGIExecEnd `ResultCode: -1` (handle_recordfile, ast_writefile's open failing; h7).
  On a Local channel no frames arrive (nothing sends media to it): the file stays
  empty and `endpos=0` (h7).
* With `Pbx(sounds_dir=...)`, STREAM FILE, GET DATA's prompt, SAY DIGITS (`digits/N`)
  and EXEC Playback/Background look the prompt up (dialplan.sound_candidates): a missing
  STREAM FILE answers `200 result=-1 endpos=<offset>` at once (handle_streamfile, a
  failure), GET DATA `200 result=-1` (ast_app_getdata_full), SAY DIGITS `200
  result=-1` (say_filenames). SAY NUMBER does not look its words up.
* Commands emulated: ANSWER, CHANNEL STATUS, EXEC, GET DATA, GET VARIABLE, HANGUP, NOOP,
  RECORD FILE, SAY DIGITS, SAY NUMBER, SET VARIABLE, STREAM FILE, VERBOSE, WAIT FOR DIGIT.
  Any other gets `510 Invalid or unknown command`.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import os
import re
import secrets
import wave
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from callcenter.emulator.dialplan import APPLICATIONS
from callcenter.emulator.model import UP, EChannel
from callcenter.emulator.phones import CallerScript

if TYPE_CHECKING:
    from callcenter.emulator.pbx import Pbx

AGI_PORT = 4573
_LEADING_INT = re.compile(r"\s*[+-]?\d+")
VERSION = "22.10.1"  # what `core show version` says (server.py)
_DEAD_OK = frozenset({"EXEC", "GET VARIABLE", "NOOP", "SET VARIABLE", "VERBOSE"})
# The applications `Dialplan.execute` runs, by the case-insensitive name pbx_findapp uses.
_APPS = {a.lower(): a for a in APPLICATIONS}


@dataclass(slots=True)
class AgiSettings:
    """Per-PBX knobs: where relative RECORD FILE paths go, how long a connect may take
    (wall-clock seconds), and the caller's pace in PBX seconds: `reaction_s` before the
    first key or word, `key_s` between keys, `beep_s` for RECORD FILE's beep."""

    record_dir: str = "/var/lib/asterisk/sounds"
    connect_timeout_s: float = 2.0
    reaction_s: float = 0.5
    key_s: float = 0.3
    beep_s: float = 0.5


_SETTINGS: weakref.WeakKeyDictionary[Pbx, AgiSettings] = weakref.WeakKeyDictionary()


def agi_settings(pbx: Pbx) -> AgiSettings:
    """The AGI settings of `pbx`, e.g. `agi_settings(emu.pbx).record_dir = str(tmp)`
    (or in `Emulator(setup=...)`, which also runs after a core restart)."""
    settings = _SETTINGS.get(pbx)
    if settings is None:
        settings = _SETTINGS[pbx] = AgiSettings()
    return settings


def parse_args(line: str) -> list[str]:
    """res_agi.c `parse_args`: whitespace splits, `"` groups (`""` is an empty argument),
    a backslash makes the next character literal, in quotes or not."""
    args: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    in_word = False
    for c in line:
        if c == '"' and not escaped:
            quoted = not quoted
            if quoted and not in_word:
                in_word = True
            continue
        if c in " \t" and not quoted and not escaped:
            if in_word:
                args.append("".join(current))
                current = []
            in_word = False
            continue
        if c == "\\" and not escaped:
            escaped = True
            continue
        in_word = True
        current.append(c)
        escaped = False
    if in_word:
        args.append("".join(current))
    return args


def say_words(number: int) -> int:
    """How many words ast_say_number_full_en says for `number` (sounds played)."""
    if number < 0:
        return 1 + say_words(-number)
    if number == 0:
        return 1
    words = 0
    for scale in (1_000_000_000, 1_000_000, 1_000):
        if number >= scale:
            words += say_words(number // scale) + 1
            number %= scale
    if number >= 100:
        words += 2
        number %= 100
    if number >= 20:
        words += 1
        number %= 10
    return words + (1 if number else 0)


def write_silence(path: str, seconds: float, rate: int = 8000) -> None:
    """A WAV of `seconds` of silence (mono, 16-bit). The directory must exist: like
    ast_writefile (main/file.c) nothing creates it; OSError if it is missing."""
    with open(path, "wb") as raw, wave.open(raw, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(rate)
        audio.writeframes(bytes(2 * round(max(0.0, seconds) * rate)))


async def run_agi(pbx: Pbx, ch: EChannel, data: str) -> int:
    """The AGI application on `ch`; returns the next priority (agi_exec_full)."""
    nxt = ch.priority + 1
    args = data.split(",")
    url = args[0].strip()
    if not url:
        pbx.hangup(ch, 16, soft=True)  # "AGI requires an argument": the app returns -1
        return nxt
    if not url.lower().startswith("agi://"):
        pbx.setvar(ch, "AGISTATUS", "NOTFOUND")
        return nxt
    hostport, _, script = url[6:].partition("/")
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        host, port = hostport, str(AGI_PORT)
    settings = agi_settings(pbx)
    try:
        async with asyncio.timeout(settings.connect_timeout_s):
            reader, writer = await asyncio.open_connection(host.strip("[]"), int(port))
    except (OSError, TimeoutError):
        pbx.setvar(ch, "AGISTATUS", "FAILURE")
        return nxt
    session = AgiSession(pbx, ch, reader, writer, settings)
    try:
        status = await session.run(url, script, args[1:])
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
    pbx.setvar(ch, "AGISTATUS", status)
    return ch.priority + 1


_Handler = Callable[["AgiSession", list[str]], Awaitable[tuple[str, bool]]]


class _Wake(enum.Enum):
    """`_next_line`: the channel changed state while the session waited for a command."""

    WAKE = "wake"


class _Usage(Exception):
    """RESULT_SHOWUSAGE: the command's arguments are wrong."""


class AgiSession:
    """One FastAGI session of one channel (see the module docstring)."""

    def __init__(self, pbx: Pbx, ch: EChannel, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter, settings: AgiSettings) -> None:
        self.pbx = pbx
        self.ch = ch
        self.reader = reader
        self.writer = writer
        self.settings = settings
        self.script: CallerScript | None = pbx.trunk.scripts.get(ch.name)
        self.dead = self.gone()
        self._read: asyncio.Task[bytes] | None = None

    def gone(self) -> bool:
        """Hung up, hanging up, or leaving by a Redirect: `ast_check_hangup` is true."""
        ch = self.ch
        return ch.hungup or ch.soft_hangup or ch.redirect_to is not None

    # -- the session loop -----------------------------------------------------------------

    async def run(self, url: str, script: str, args: list[str]) -> str:
        """Send the environment, serve commands until the server closes; AGISTATUS."""
        status = "SUCCESS"
        head = [("agi_network", "yes")] + ([("agi_network_script", script)] if script else [])
        self._send("".join(f"{k}: {v}\n" for k, v in head + self._env(url, args)) + "\n")
        try:
            while True:
                if not self.dead and self.gone():
                    self.dead = True
                    status = "HANGUP" if status == "SUCCESS" else status
                    self._send("HANGUP\n")
                line = await self._next_line()
                if line is None:
                    break
                if line is _Wake.WAKE:
                    continue  # the channel changed: look again
                if line.lower().startswith("failure"):
                    status = "FAILURE"
                    break
                ok = await self._command(line.rstrip("\r\n"))
                if not ok and (self.dead or not self.gone()):
                    status = "FAILURE"
        finally:
            if self._read is not None:
                self._read.cancel()
            self._send("HANGUP\n")  # run_agi's parting SIGHUP for a FastAGI script
        if status == "SUCCESS" and self.dead:
            status = "HANGUP"
        return status

    def _env(self, url: str, args: list[str]) -> list[tuple[str, str]]:
        """setup_env's block, in its order."""
        ch = self.ch

        def known(value: str) -> str:
            return "unknown" if value in ("", "<unknown>") else value

        tech = ch.name.partition("/")[0]
        env = [
            ("agi_request", url), ("agi_channel", ch.name), ("agi_language", ch.language),
            ("agi_type", tech), ("agi_uniqueid", ch.uniqueid), ("agi_version", VERSION),
            ("agi_callerid", known(ch.cid_num)), ("agi_calleridname", known(ch.cid_name)),
            ("agi_callingpres", "0"), ("agi_callingani2", "0"), ("agi_callington", "0"),
            ("agi_callingtns", "0"), ("agi_dnid", known(ch.variables.get("__dnid", ""))),
            ("agi_rdnis", "unknown"), ("agi_context", ch.context),
            ("agi_extension", ch.exten), ("agi_priority", str(ch.priority)),
            ("agi_enhanced", "0.0"), ("agi_accountcode", ""),
            ("agi_threadid", str(140_000_000_000_000 + id(self) % 1_000_000_000)),
        ]
        env += [(f"agi_arg_{i}", a) for i, a in enumerate(args, 1)]
        return env

    async def _next_line(self) -> str | _Wake | None:
        """The next command line; None at end of file; WAKE when the channel changed
        state (hangup, Redirect) while alive, which the loop must act on first."""
        if self._read is None:
            self._read = asyncio.create_task(self.reader.readline(),
                                             name=f"emu-agi-read-{self.ch.name}")
        if not self.dead:
            waiter = asyncio.create_task(self.ch.interrupt.wait(),
                                         name=f"emu-agi-wait-{self.ch.name}")
            try:
                await asyncio.wait({self._read, waiter}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                waiter.cancel()
            if not self._read.done():
                if not self.gone():
                    self.ch.interrupt.clear()  # a bridge or media frame: nothing for AGI
                return _Wake.WAKE
        read, self._read = self._read, None
        try:
            raw = await read
        except (ConnectionError, ValueError):  # reset, or a line over the reader's limit
            return None
        if not raw:
            return None
        return raw.decode("utf-8", "replace").rstrip("\r\n")

    async def _command(self, line: str) -> bool:
        """agi_handle_command: run one command line; False for RESULT_FAILURE."""
        pbx, ch = self.pbx, self.ch
        command_id = str(secrets.randbelow(2**31))
        pbx.emit("AGIExecStart", "agi,all",
                 [*ch.snapshot(), ("CommandId", command_id), ("Command", line)])
        argv = parse_args(line)
        found = _find(argv)
        if found is None:
            self._send("510 Invalid or unknown command\n")
            self._exec_end(command_id, line, "510", "Invalid or unknown command")
            return True
        name, handler = found
        if self.dead and name not in _DEAD_OK:
            text = "Command Not Permitted on a dead channel or intercept routine"
            self._send(f"511 {text}\n")
            self._exec_end(command_id, line, "511", text)
            return True
        try:
            reply, ok = await handler(self, argv)
        except _Usage:
            self._exec_end(command_id, line, "520", "Usage")
            self._send("520-Invalid command syntax.  Proper usage follows:\n"
                       f"{_USAGE.get(name, name)}\n520 End of proper usage.\n")
            return True
        self._send(reply + "\n")
        if ok:
            self._exec_end(command_id, line, "200", "Success")
        elif name == "EXEC":
            self._exec_end(command_id, line, "200", "Unknown Result")
            return True  # handle_exec returns the application's result as is
        else:
            self._exec_end(command_id, line, "-1", "Failure")
        return ok

    def _exec_end(self, command_id: str, line: str, code: str, result: str) -> None:
        self.pbx.emit("AGIExecEnd", "agi,all", [
            *self.ch.snapshot(), ("CommandId", command_id), ("Command", line),
            ("ResultCode", code), ("Result", result)])

    def _send(self, text: str) -> None:
        if not self.writer.is_closing():
            self.writer.write(text.encode())

    # -- time and the caller -------------------------------------------------------------

    async def hold(self, seconds: float | None) -> bool:
        """Let `seconds` of PBX time pass on the channel (None: until it goes); True if
        it hung up or was redirected meanwhile."""
        loop = asyncio.get_running_loop()
        end = None if seconds is None else loop.time() + max(0.0, seconds) / self.pbx.speed
        while not self.gone():
            left = None if end is None else end - loop.time()
            if left is not None and left <= 0:
                return False
            try:
                await asyncio.wait_for(self.ch.interrupt.wait(), left)
            except TimeoutError:
                return self.gone()
            if not self.gone():
                self.ch.interrupt.clear()
        return True

    def note(self, *entries: str) -> None:
        self.pbx.trunk.note(self.ch, *entries)

    async def press(self, digit: str) -> bool:
        """The caller presses `digit` (100 ms tone, DTMFBegin/DTMFEnd as received on the
        channel); True if the channel went meanwhile."""
        pbx, ch = self.pbx, self.ch
        pbx.emit("DTMFBegin", "dtmf,all", [*ch.snapshot(), ("Digit", digit),
                                          ("Direction", "Received")])
        gone = await self.hold(0.1)
        if not ch.hungup:
            pbx.emit("DTMFEnd", "dtmf,all", [*ch.snapshot(), ("Digit", digit),
                                            ("DurationMs", "100"), ("Direction", "Received")])
        return gone

    def caller_hangs_up(self) -> None:
        self.pbx.remote_hangup(self.ch)

    def next_input(self) -> str:
        return self.script.next_input() if self.script is not None else ""


# -- the commands (res_agi.c handle_*) ----------------------------------------------------


def _int(text: str) -> int:
    """sscanf("%30d"): a leading integer, else the usage message."""
    m = _LEADING_INT.match(text)
    if m is None:
        raise _Usage
    return int(m.group())


def _atoi(text: str) -> int:
    """atoi: a leading integer, else 0."""
    m = _LEADING_INT.match(text)
    return int(m.group()) if m is not None else 0


async def _answer(s: AgiSession, argv: list[str]) -> tuple[str, bool]:
    pbx, ch = s.pbx, s.ch
    if ch.state != UP:
        if ch.devcat:
            pbx.set_state(ch, UP)  # a SIP channel: 200 OK, media at once
        else:
            pbx.answer(ch)
        if await s.hold(0.02):
            return "200 result=-1", False
    return "200 result=0", True


async def _channel_status(s: AgiSession, argv: list[str]) -> tuple[str, bool]:
    if len(argv) == 2:
        return f"200 result={s.ch.state}", True
    if len(argv) == 3:
        other = s.pbx.find(argv[2])
        return f"200 result={other.state if other is not None else -1}", True
    raise _Usage


async def _stream_file(s: AgiSession, argv: list[str]) -> tuple[str, bool]:
    if not 4 <= len(argv) <= 5:
        raise _Usage
    offset = _int(argv[4]) if len(argv) == 5 else 0
    if not await s.pbx.dialplan.sound(s.ch, argv[2]):
        return f"200 result=-1 endpos={offset}", False  # ast_openstream failed
    length = round(s.pbx.dialplan.playback_s * 8000)
    s.note(f"play:{argv[2]}")
    loop = asyncio.get_running_loop()
    started = loop.time()
    if await s.hold(s.pbx.dialplan.playback_s * max(0.0, 1 - offset / max(1, length))):
        played = round((loop.time() - started) * s.pbx.speed * 8000)
        if not s.ch.hungup:
            s.pbx.setvar(s.ch, "PLAYBACKSTATUS", "FAILED")
        return f"200 result=-1 endpos={min(length, offset + played)}", False
    s.pbx.setvar(s.ch, "PLAYBACKSTATUS", "SUCCESS")
    return f"200 result=0 endpos={length}", True


async def _say_digits(s: AgiSession, argv: list[str]) -> tuple[str, bool]:
    if len(argv) != 4:
        raise _Usage
    _int(argv[2])
    s.note(f"digits:{argv[2]}")
    dialplan = s.pbx.dialplan
    for digit in argv[2]:
        name = {"*": "star", "#": "pound", "-": "minus"}.get(digit, digit)
        # ast_say_digit_str_full → say_filenames: a digit file that does not open is -1.
        if not await dialplan.sound(s.ch, f"digits/{name}") or await s.hold(dialplan.digit_s):
            return "200 result=-1", False
    return "200 result=0", True


async def _say_number(s: AgiSession, argv: list[str]) -> tuple[str, bool]:
    if not 4 <= len(argv) <= 5:
        raise _Usage
    number = _int(argv[2])
    s.note(f"number:{number}")
    if await s.hold(s.pbx.dialplan.digit_s * say_words(number)):
        return "200 result=-1", False
    return "200 result=0", True


async def _wait_for_digit(s: AgiSession, argv: list[str]) -> tuple[str, bool]:
    if len(argv) != 4:
        raise _Usage
    ms = _int(argv[3])
    limit = None if ms < 0 else ms / 1000
    answer = s.next_input()
    if answer == "hangup":
        if not await s.hold(s.settings.reaction_s):
            s.caller_hangs_up()
        return "200 result=-1", False
    if not answer or (limit is not None and limit < s.settings.reaction_s):
        if await s.hold(limit):
            return "200 result=-1", False
        return "200 result=0", True
    if await s.hold(s.settings.reaction_s) or await s.press(answer[0]):
        return "200 result=-1", False
    return f"200 result={ord(answer[0])}", True


async def _get_data(s: AgiSession, argv: list[str]) -> tuple[str, bool]:
    """handle_getdata → ast_app_getdata_full → ast_readstring_full."""
    if len(argv) < 3:
        raise _Usage
    prompt = argv[2]
    timeout = _atoi(argv[3]) if len(argv) >= 4 else 0
    maximum = _atoi(argv[4]) if len(argv) >= 5 else 1024
    first: float | None
    between: float | None
    if timeout < 0:
        first = between = None  # wait for ever
    elif timeout == 0:
        first, between = 6.0, 2.0  # ast_app_getdata_full's defaults
    else:
        first = between = timeout / 1000
    if prompt:
        if not await s.pbx.dialplan.sound(s.ch, prompt):
            return "200 result=-1", True  # ast_app_getdata_full: ast_streamfile < 0
        s.note(f"getdata:{prompt}")
        if await s.hold(s.pbx.dialplan.playback_s):
            return "200 result=-1", True
    if maximum <= 0:
        return "200 result=-1", True
    answer = s.next_input()
    if answer == "hangup":
        if not await s.hold(s.settings.reaction_s):
            s.caller_hangs_up()
        return "200 result=-1", True
    typed = ""
    wait = s.settings.reaction_s
    for key in answer:
        deadline = between if typed else first
        if deadline is not None and wait > deadline:
            break  # the caller is slower than the timeout
        if await s.hold(wait) or await s.press(key):
            return "200 result=-1", True
        wait = s.settings.key_s
        if key == "#":
            return f"200 result={typed}", True
        typed += key
        if len(typed) >= maximum:
            return f"200 result={typed}", True
    if await s.hold(between if typed else first):
        return "200 result=-1", True
    return f"200 result={typed} (timeout)", True


async def _record_file(s: AgiSession, argv: list[str]) -> tuple[str, bool]:
    """handle_recordfile: path format escape_digits timeout [offset] [BEEP] [s=secs]."""
    if len(argv) < 6:
        raise _Usage
    ms = _int(argv[5])
    path, fmt, escape = argv[2], argv[3], argv[4]
    silence = 0
    for extra in argv[6:9]:
        if extra.startswith("s=") and len(extra) > 2:
            silence = max(0, _int(extra[2:]))
            break
    beep = (len(argv) > 6 and not argv[6].lstrip("-").isdigit() and not argv[6].startswith(
        "s=")) or (len(argv) > 7 and not argv[7].startswith("s="))
    if beep:
        s.note("play:beep")
        if await s.hold(s.settings.beep_s):
            return "200 result=-1 (randomerror) endpos=0", False
    extension = "WAV" if fmt == "wav49" else fmt
    base = path if path.startswith("/") else os.path.join(s.settings.record_dir, path)
    target = f"{base}.{extension}"
    rate = 16000 if fmt.endswith("16") else 8000
    try:
        await asyncio.to_thread(write_silence, target, 0.0, rate)
    except OSError:
        return "200 result=-1 (writefile)", False  # no directory made (h7)
    s.note(f"record:{target}")
    limit = None if ms < 0 else ms / 1000
    speaks = s.script.caller.message_s if s.script is not None else None
    spoken, reply, ok = await _take_message(s, limit, speaks, escape, silence)
    await asyncio.to_thread(write_silence, target, spoken, rate)
    return reply.format(endpos=round(spoken * rate)), ok


async def _take_message(s: AgiSession, limit: float | None, speaks: float | None,
                        escape: str, silence: int) -> tuple[float, str, bool]:
    """The caller's side of RECORD FILE: (seconds recorded, reply with `{endpos}`, ok)."""
    loop = asyncio.get_running_loop()
    started = loop.time()

    def elapsed() -> float:
        return (loop.time() - started) * s.pbx.speed

    if speaks is None:  # nobody on the line: silence until the timeout
        media = s.ch.half == 0  # a Local channel gets no frames at all: nothing written
        if await s.hold(limit):
            return elapsed() if media else 0.0, "200 result=-1 (hangup) endpos={endpos}", False
        return elapsed() if media else 0.0, "200 result=0 (timeout) endpos={endpos}", True
    if speaks <= 0:
        if not await s.hold(s.settings.reaction_s):
            s.caller_hangs_up()
        return elapsed(), "200 result=-1 (hangup) endpos={endpos}", False
    talk = speaks if limit is None else min(speaks, limit)
    if await s.hold(talk):
        return elapsed(), "200 result=-1 (hangup) endpos={endpos}", False
    if limit is not None and speaks >= limit:
        return talk, "200 result=0 (timeout) endpos={endpos}", True
    if "#" in escape:
        if await s.press("#"):
            return elapsed(), "200 result=-1 (hangup) endpos={endpos}", False
        return talk, f"200 result={ord('#')} (dtmf) endpos={{endpos}}", True
    if silence:
        # The silence detector ends it; Asterisk trims all but 1 s of that silence.
        quiet = silence if limit is None else min(silence, limit - talk)
        if await s.hold(quiet):
            return elapsed(), "200 result=-1 (hangup) endpos={endpos}", False
        return talk + min(1.0, quiet), "200 result=0 (timeout) endpos={endpos}", True
    # `#` does nothing and nothing else will end it: the caller gives up and hangs up.
    if not await s.hold(2.0):
        s.caller_hangs_up()
    return elapsed(), "200 result=-1 (hangup) endpos={endpos}", False


async def _exec(s: AgiSession, argv: list[str]) -> tuple[str, bool]:
    if len(argv) < 2:
        raise _Usage
    app = _APPS.get(argv[1].lower())
    if app is None or not s.pbx.dialplan.knows(app):
        return "200 result=-2", False
    data = argv[2] if len(argv) > 2 else ""
    if s.gone():
        return "200 result=-1", False
    await s.pbx.dialplan.execute(s.ch, app, data)
    return ("200 result=-1", False) if s.gone() else ("200 result=0", True)


async def _get_variable(s: AgiSession, argv: list[str]) -> tuple[str, bool]:
    if len(argv) != 3:
        raise _Usage
    value = _variable(s.pbx, s.ch, argv[2])
    return ("200 result=0", True) if value is None else (f"200 result=1 ({value})", True)


def _variable(pbx: Pbx, ch: EChannel, name: str) -> str | None:
    """pbx_retrieve_variable's channel builtins, the channel's variables, the globals;
    of the functions, CALLERID(num|name) and CHANNEL(language|name)."""
    functions = {"CALLERID(num)": ch.cid_num, "CALLERID(name)": ch.cid_name,
                 "CHANNEL(language)": ch.language, "CHANNEL(name)": ch.name}
    if name.endswith(")"):
        return functions.get(name)
    builtins = {"CHANNEL": ch.name, "UNIQUEID": ch.uniqueid, "EXTEN": ch.exten,
                "CONTEXT": ch.context, "PRIORITY": str(ch.priority),
                "LANGUAGE": ch.language}
    if name in builtins:
        return builtins[name]
    if name.startswith("__"):
        return None  # the emulator's own bookkeeping, not dialplan variables
    return ch.variables.get(name, pbx.globals.get(name))


async def _set_variable(s: AgiSession, argv: list[str]) -> tuple[str, bool]:
    if len(argv) != 4:
        raise _Usage
    if argv[2].upper() == "CHANNEL(LANGUAGE)":
        s.ch.language = argv[3]  # a dialplan function (func_channel.c), no VarSet
    else:
        s.pbx.setvar(s.ch, argv[2], argv[3])
    return "200 result=1", True


async def _hangup(s: AgiSession, argv: list[str]) -> tuple[str, bool]:
    if len(argv) > 2:
        raise _Usage
    target = s.ch if len(argv) == 1 else s.pbx.find(argv[1])
    if target is None:
        return "200 result=-1", True
    if not target.hungup and not target.soft_hangup:
        # ast_softhangup(AST_SOFTHANGUP_EXPLICIT): the PBX hangs up when the app returns.
        target.soft_hangup = True
        target.hangup_cause = 16
        target.interrupt.set()
    return "200 result=1", True


async def _verbose(s: AgiSession, argv: list[str]) -> tuple[str, bool]:
    if len(argv) < 2:
        raise _Usage
    return "200 result=1", True


async def _noop(s: AgiSession, argv: list[str]) -> tuple[str, bool]:
    return "200 result=0", True


_COMMANDS: dict[tuple[str, ...], tuple[str, _Handler]] = {
    ("answer",): ("ANSWER", _answer),
    ("channel", "status"): ("CHANNEL STATUS", _channel_status),
    ("exec",): ("EXEC", _exec),
    ("get", "data"): ("GET DATA", _get_data),
    ("get", "variable"): ("GET VARIABLE", _get_variable),
    ("hangup",): ("HANGUP", _hangup),
    ("noop",): ("NOOP", _noop),
    ("record", "file"): ("RECORD FILE", _record_file),
    ("say", "digits"): ("SAY DIGITS", _say_digits),
    ("say", "number"): ("SAY NUMBER", _say_number),
    ("set", "variable"): ("SET VARIABLE", _set_variable),
    ("stream", "file"): ("STREAM FILE", _stream_file),
    ("verbose",): ("VERBOSE", _verbose),
    ("wait", "for", "digit"): ("WAIT FOR DIGIT", _wait_for_digit),
}

_USAGE = {
    "ANSWER": " Answers channel if not already in answer state.",
    "CHANNEL STATUS": " Returns the status of the specified channelname.",
    "EXEC": " Executes application with given options.",
    "GET DATA": " Stream the given file, and receive DTMF data.",
    "GET VARIABLE": " Gets a channel variable.",
    "HANGUP": " Hangs up the specified channel.",
    "RECORD FILE": " Record to a file until a given dtmf digit in the sequence is received.",
    "SAY DIGITS": " Say a given digit string, returning early if any of the given DTMF "
                  "digits are received on the channel.",
    "SAY NUMBER": " Say a given number, returning early if any of the given DTMF digits are "
                  "received on the channel.",
    "SET VARIABLE": " Sets a variable to the current channel.",
    "STREAM FILE": " Send the given file, allowing playback to be interrupted by the given "
                   "digits, if any.",
    "VERBOSE": " Sends a message to the console via the verbose message system.",
    "WAIT FOR DIGIT": " Waits for a digit to be pressed.",
}


def _find(argv: list[str]) -> tuple[str, _Handler] | None:
    """find_command: the registered words must open the line, case-insensitively."""
    words = tuple(a.lower() for a in argv[:3])
    for size in (3, 2, 1):
        found = _COMMANDS.get(words[:size])
        if found is not None and len(words) >= size:
            return found
    return None
