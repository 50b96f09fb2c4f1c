"""The contexts the live engine relies on (docs/engine.md), generated from a few parameters.

`engine_contexts(params)` returns a `dialplans.model.Dialplan`: render it for real
Asterisk (`.render()`), or give it to the emulator (`Emulator(contexts=...)`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dialplans import contract as c
from dialplans.contract import Var as V
from dialplans.model import Context, Dialplan, Extension, Priority

_EXTEN = re.compile(r"^(?:[0-9A-Za-z*#+]+|_[0-9A-Za-z*#+\[\]\-.!]+)$")
_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")
# Values are spliced into Set()/UserEvent() arguments: a comma would split them, and
# `$`, braces, brackets or quotes would be evaluated or break the line.
_VALUE = re.compile(r"^[^,$(){}\[\]\"';\n\r]*$")
_AGI_URL = re.compile(r"^agi://[A-Za-z0-9.\-]+:[0-9]{1,5}$")


class DialplanParamsError(ValueError):
    """A route or parameter that cannot be written into a dialplan."""


@dataclass(frozen=True, slots=True)
class Route:
    """An inbound DID and what a call to it needs: queue, priority 0–9 (higher first),
    skills (`skill:level&skill:level`, alternatives `|`, empty = the queue's), language,
    customer tier (empty = unknown)."""

    did: str
    queue: str
    priority: int = 0
    skills: str = ""
    language: str = "en"
    tier: str = ""
    flow: str = ""
    hold_slice_s: int = 0


@dataclass(frozen=True, slots=True)
class EngineDialplanParams:
    """Routes, the engine's FastAGI address (`agi://host:port`), the music-on-hold class,
    the PJSIP trunk endpoint used by `cc-outbound`, the agent leg's idle Wait (seconds) and
    the outbound Dial timeout (seconds)."""

    routes: tuple[Route, ...]
    agi_url: str = "agi://127.0.0.1:4573"
    music_class: str = "default"
    trunk: str = "trunk"
    agent_wait_s: int = 3600
    outbound_timeout_s: int = 60


def _check(params: EngineDialplanParams) -> None:
    seen: set[str] = set()
    for i, r in enumerate(params.routes):
        where = f"routes[{i}]"
        if not _EXTEN.match(r.did):
            raise DialplanParamsError(f"{where}.did: expected digits or an _X. pattern, "
                                      f"got {r.did!r}")
        if r.did in seen:
            raise DialplanParamsError(f"{where}.did: {r.did!r} is routed twice")
        seen.add(r.did)
        if not _NAME.match(r.queue):
            raise DialplanParamsError(f"{where}.queue: expected [A-Za-z0-9_.-]+, got "
                                      f"{r.queue!r}")
        if not 0 <= r.priority <= 9:
            raise DialplanParamsError(f"{where}.priority: expected 0..9, got {r.priority}")
        if not _NAME.match(r.language):
            raise DialplanParamsError(f"{where}.language: expected a language code, got "
                                      f"{r.language!r}")
        for field, value in (("skills", r.skills), ("tier", r.tier)):
            if not _VALUE.match(value):
                raise DialplanParamsError(f"{where}.{field}: no commas, quotes, $, brackets "
                                          f"or braces allowed, got {value!r}")
        if r.flow and not _NAME.match(r.flow):
            raise DialplanParamsError(f"{where}.flow: expected [A-Za-z0-9_.-]+, got {r.flow!r}")
        if r.hold_slice_s < 0:
            raise DialplanParamsError(f"{where}.hold_slice_s: expected seconds >= 0, got "
                                      f"{r.hold_slice_s}")
    for field, value in (("music_class", params.music_class), ("trunk", params.trunk)):
        if not _NAME.match(value):
            raise DialplanParamsError(f"{field}: expected [A-Za-z0-9_.-]+, got {value!r}")
    # Port 0 passes (tests bind the engine's listener to any free port and render again
    # with the real one); `callcenter dialplan render` refuses it.
    if not _AGI_URL.match(params.agi_url) or not 0 <= agi_port(params.agi_url) <= 65535:
        raise DialplanParamsError(f"agi_url: expected agi://host:port, got {params.agi_url!r}")
    if params.agent_wait_s <= 0 or params.outbound_timeout_s <= 0:
        raise DialplanParamsError("agent_wait_s and outbound_timeout_s: expected seconds > 0")


def agi_port(url: str) -> int:
    """The port of `agi://host:port` (0 when there is none)."""
    _, _, port = url.rpartition(":")
    return int(port) if port.isdigit() else 0


def _inbound(params: EngineDialplanParams) -> Context:
    P = Priority
    extensions = []
    for r in params.routes:
        steps = [P("Set", f"{V.DID}=${{EXTEN}}"),
                 P("Set", f"{V.QUEUE}={r.queue}"), P("Set", f"{V.PRIORITY}={r.priority}"),
                 P("Set", f"{V.SKILLS}={r.skills}"), P("Set", f"{V.LANG}={r.language}")]
        if r.tier:
            steps.append(P("Set", f"{V.TIER}={r.tier}"))
        if r.hold_slice_s > 0:
            steps.append(P("Set", f"{V.HOLD_SLICE}={r.hold_slice_s}"))
        if r.flow:
            # The Set()s above are the fallback when the engine's IVR cannot be reached:
            # AGI() then goes on with CC_IVR_EXIT still `failed` (res/res_agi.c, AGISTATUS).
            steps += [P("Answer"), P("Set", f"{V.IVR_EXIT}={c.IvrExit.FAILED}"),
                      P("AGI", f"{params.agi_url}/{c.IVR_SCRIPT_PREFIX}{r.flow}"),
                      P("Goto", f"{c.IVR_EXIT},${{{V.IVR_EXIT}}},1")]
        else:
            steps.append(P("Goto", f"{c.ENQUEUE},s,1"))
        extensions.append(Extension(r.did, tuple(steps)))
    return Context(c.INBOUND, tuple(extensions),
                   comment="one extension per configured route (DID)")


def _ivr_exit() -> Context:
    P, E = Priority, c.IvrExit
    steps: dict[c.IvrExit, tuple[Priority, ...]] = {
        E.ENQUEUE: (P("Goto", f"{c.ENQUEUE},s,1"),),
        E.FAILED: (P("Set", f"{V.IVR_PATH}=ivr-unreachable"), P("Goto", f"{c.ENQUEUE},s,1")),
        E.VOICEMAIL: (P("Goto", f"{c.VOICEMAIL},s,1"),),
        E.TRANSFER: (P("Goto", f"${{{V.TRANSFER_CONTEXT}}},${{{V.TRANSFER_EXTEN}}},1"),),
        E.CALLBACK: (P("Hangup"),),
        E.BLOCKED: (P("Hangup", "21"),),  # 21: call rejected
        E.HANGUP: (P("Hangup"),),
    }
    return Context(c.IVR_EXIT, (
        *(Extension(exit_.value, steps[exit_]) for exit_ in E),
        Extension("i", (P("Hangup"),)),
    ), comment=f"where the IVR's AGI leaves the caller: ${{{V.IVR_EXIT}}}")


def _overflow() -> Context:
    P = Priority
    extensions = []
    for exten in c.OVERFLOW_EXTENS:
        prompt = c.OVERFLOW_PROMPTS.get(exten)
        if prompt is None:
            extensions.append(Extension(exten, (P("Goto", f"{c.VOICEMAIL},s,1"),)))
        else:
            extensions.append(Extension(exten, (
                P("Playback", prompt.format(lang=f"${{{V.LANG}}}")), P("Hangup"))))
    return Context(c.OVERFLOW, tuple(extensions),
                   comment="callers the engine sends out of the queue by rule (docs/engine.md)")


def engine_contexts(params: EngineDialplanParams) -> Dialplan:
    """cc-inbound, cc-ivr-exit, cc-enqueue, cc-hold, cc-agent, cc-connect, cc-announce,
    cc-voicemail, cc-overflow, cc-outbound (docs/engine.md, docs/dialplan.md).

    Raises `DialplanParamsError` naming the offending route field.
    """
    _check(params)
    P = Priority
    agi = params.agi_url
    fields = ",".join(f"{header}: ${{{var}}}" for header, var in c.ENQUEUE_FIELDS)
    return Dialplan((
        _inbound(params),
        _ivr_exit(),
        # The engine hears of the caller before Answer(), whose wait for the first media frame
        # (~0.5 s on SIP) a caller may hang up in: then the engine still has a record of it.
        Context(c.ENQUEUE, (Extension("s", (
            P("Set", f"CHANNEL(language)=${{{V.LANG}}}"),
            P("UserEvent", f"{c.ENQUEUE_EVENT},{fields}"),
            P("Answer"),
            P("Goto", f"{c.HOLD},s,1"),
        )),)),
        Context(c.HOLD, (Extension(c.HOLD_ENTRY, (
            # An empty ${CC_HOLD_SLICE} is music until the engine moves the caller
            # (res/res_musiconhold.c: no duration = indefinitely).
            P("MusicOnHold", f"{params.music_class},${{{V.HOLD_SLICE}}}"),
            P("AGI", f"{agi}/{c.AgiScript.HOLD}"),
            P("Goto", "s,1"),
        )),), comment="waiting callers, and callers put on hold by the agent"),
        Context(c.AGENT, (
            Extension(c.AGENT_ENTRY, (
                P("NoOp", f"agent ${{{V.AGENT_ID}}} for call ${{{V.CALL_ID}}}"),
                P("Wait", str(params.agent_wait_s), label="wait"),
                P("Goto", "wait"),
            )),
            Extension(c.WHISPER_ENTRY, (
                P("Playback", f"${{{V.WHISPER}}}"),
                P("Goto", "s,1"),
            )),
        ), comment="the agent's leg, after the agent answered"),
        Context(c.CONNECT, (
            Extension(c.CONNECT_ENTRY, (
                P("Playback", f"${{{V.ANNOUNCE_PREFIX}}}"),
                P("SayDigits", f"${{{V.AGENT_DISPLAY}}}"),
                P("Playback", f"${{{V.ANNOUNCE_SUFFIX}}}"),
                P("Bridge", f"${{{V.AGENT_CHANNEL}}}", label="bridge"),
                P("AGI", f"{agi}/{c.AgiScript.SURVEY}"),
                P("Hangup"),
            )),
            Extension(c.UNHOLD_ENTRY, (P("Goto", f"{c.CONNECT_ENTRY},bridge"),)),
        ), comment="the caller, redirected here once the agent answered"),
        Context(c.ANNOUNCE, (Extension(c.ANNOUNCE_ENTRY, (
            P("Playback", f"${{{V.ANNOUNCE_PREFIX}}}"),
            P("SayDigits", f"${{{V.AGENT_DISPLAY}}}"),
            P("Playback", f"${{{V.ANNOUNCE_SUFFIX}}}"),
            P("UserEvent", f"{c.ANNOUNCED_EVENT},{c.ANNOUNCED_AGENT_FIELD}: ${{{V.AGENT_ID}}}"),
            P("Goto", f"{c.HOLD},{c.HOLD_ENTRY},1"),
        )),), comment="the agent's ID while its phone rings (services: announce_agent)"),
        Context(c.VOICEMAIL, (Extension("s", (
            P("Answer"),
            P("AGI", f"{agi}/{c.AgiScript.VOICEMAIL}"),
            P("Hangup"),
        )),), comment="the engine records the message for ${CC_QUEUE}'s box"),
        _overflow(),
        Context(c.OUTBOUND, (Extension("_X.", (
            P("Dial", f"PJSIP/${{EXTEN}}@{params.trunk},{params.outbound_timeout_s}"),
            P("Hangup"),
        )),), comment="click-to-dial: the agent's device is originated here"),
    ))
