"""FastAGI's wire format, both directions, as pure functions (no I/O).

Ground truth is Asterisk's `res/res_agi.c`:

* the session opens with `agi_network: yes`, `agi_network_script: <path>`
  (`launch_netscript`), then the block of `setup_env` ended by a blank line;
* arguments are split by `parse_args`: whitespace separates, `"` groups, `\\` escapes
  the next character (in or out of quotes), so `""` is an empty argument;
* every reply is `200 result=<n> [(<data>)] [endpos=<n>]` (the `handle_*` functions),
  `510 Invalid or unknown command`, `511 Command Not Permitted on a dead channel or
  intercept routine`, or the 520 usage block (`agi_handle_command`);
* `HANGUP` alone on a line when the channel hangs up or leaves by an async goto
  (`run_agi`: `ast_read` returns NULL on any soft hangup, AST_SOFTHANGUP_ASYNCGOTO too).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from callcenter.agi.errors import AgiProtocolError
from ivr.ports import ChannelInfo

HANGUP_LINE = "HANGUP"
FAILURE_LINE = "FAILURE"
"""A line starting with "failure" makes `run_agi` end with AGISTATUS=FAILURE."""

_REPLY = re.compile(
    r"200 result=(?P<result>\S*)(?: \((?P<data>.*)\))?(?: endpos=(?P<endpos>-?\d+))?\s*\Z")
_UNKNOWN = "unknown"  # setup_env's S_COR(..., "unknown") for an absent caller ID, DNID, RDNIS


@dataclass(frozen=True, slots=True)
class Reply:
    """One `200` reply: `result` as sent (GET DATA's digits are text, "" when none),
    the parenthesised `data` ("" when absent) and `endpos` (None when absent)."""

    result: str
    data: str = ""
    endpos: int | None = None

    @property
    def code(self) -> int:
        """`result` as a number; raises ValueError for GET DATA's digit strings."""
        return int(self.result)


def quote(argument: str) -> str:
    """One argument for `parse_args`: in double quotes, `"` and `\\` escaped.

    Raises ValueError for a line break, which would end the command line early and let
    the rest of the text run as a second command.
    """
    if "\n" in argument or "\r" in argument:
        raise ValueError(f"FastAGI argument {argument!r}: line breaks cannot be sent")
    return '"' + argument.replace("\\", "\\\\").replace('"', '\\"') + '"'


def command_line(verb: str, *arguments: str) -> str:
    """`verb` followed by the quoted `arguments`, without the line end."""
    return " ".join([verb, *(quote(a) for a in arguments)])


def parse_reply(what: str, line: str) -> Reply:
    """A `200 result=...` line; AgiProtocolError naming `what` (the command) otherwise."""
    m = _REPLY.match(line)
    if m is None:
        raise AgiProtocolError(f"reply to {what}", line)
    endpos = m.group("endpos")
    return Reply(m.group("result"), m.group("data") or "",
                 int(endpos) if endpos is not None else None)


def parse_env_line(line: str) -> tuple[str, str]:
    """`agi_<name>: <value>`; AgiProtocolError for anything else."""
    key, sep, value = line.partition(": ")
    if not sep:
        # `agi_accountcode: ` with its trailing space trimmed by a proxy or a test peer.
        key, sep, value = line.partition(":")
    if not sep or not key.startswith("agi_"):
        raise AgiProtocolError("environment", line)
    return key, value


def script_of(env: Mapping[str, str]) -> str:
    """The FastAGI URL path (`agi://host:port/ivr/main?x=1` → `ivr/main`)."""
    script = env.get("agi_network_script", "")
    return script.partition("?")[0].strip("/")


def channel_info(env: Mapping[str, str]) -> ChannelInfo:
    """The `ChannelInfo` of a session from its environment block.

    Raises AgiProtocolError when `agi_uniqueid` or `agi_channel` is missing. "unknown"
    (setup_env's placeholder) becomes "" for caller ID, name and DNID; the `agi_arg_N`
    become `arguments` in order; every other `agi_*` entry stays in `variables`.
    """
    for required in ("agi_uniqueid", "agi_channel"):
        if not env.get(required):
            raise AgiProtocolError("environment", f"{required} missing")

    def known(key: str) -> str:
        value = env.get(key, "")
        return "" if value == _UNKNOWN else value

    numbered: list[tuple[int, str]] = []
    variables: dict[str, str] = {}
    taken = {"agi_uniqueid", "agi_channel", "agi_callerid", "agi_calleridname", "agi_dnid",
             "agi_language", "agi_context", "agi_extension"}
    for key, value in env.items():
        index = key.removeprefix("agi_arg_")
        if index != key and index.isdigit():
            numbered.append((int(index), value))
        elif key not in taken:
            variables[key] = value
    return ChannelInfo(
        uniqueid=env["agi_uniqueid"],
        channel=env["agi_channel"],
        caller_id=known("agi_callerid"),
        caller_name=known("agi_calleridname"),
        dnid=known("agi_dnid"),
        language=env.get("agi_language") or "en",
        context=env.get("agi_context", ""),
        extension=env.get("agi_extension", ""),
        script=script_of(env),
        arguments=tuple(v for _, v in sorted(numbered)),
        variables=variables,
    )


def env_block(pairs: Sequence[tuple[str, str]]) -> bytes:
    """An environment block as the PBX sends it (for test peers and the emulator)."""
    return "".join(f"{k}: {v}\n" for k, v in pairs).encode() + b"\n"
