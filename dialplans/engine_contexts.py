"""The contexts the live engine relies on (docs/engine.md), generated from a few parameters.

`engine_contexts(params)` returns a `dialplans.model.Dialplan`: render it for real
Asterisk (`.render()`), or give it to the emulator (`Emulator(contexts=...)`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dialplans.model import Context, Dialplan, Extension, Priority

_EXTEN = re.compile(r"^(?:[0-9A-Za-z*#+]+|_[0-9A-Za-z*#+\[\]\-.!]+)$")
_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")
# Values are spliced into Set()/UserEvent() arguments: a comma would split them, and
# `$`, braces, brackets or quotes would be evaluated or break the line.
_VALUE = re.compile(r"^[^,$(){}\[\]\"';\n\r]*$")


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


@dataclass(frozen=True, slots=True)
class EngineDialplanParams:
    """Routes, the music-on-hold class, the PJSIP trunk endpoint used by `cc-outbound`,
    the agent leg's idle Wait (seconds) and the outbound Dial timeout (seconds)."""

    routes: tuple[Route, ...]
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
    for field, value in (("music_class", params.music_class), ("trunk", params.trunk)):
        if not _NAME.match(value):
            raise DialplanParamsError(f"{field}: expected [A-Za-z0-9_.-]+, got {value!r}")
    if params.agent_wait_s <= 0 or params.outbound_timeout_s <= 0:
        raise DialplanParamsError("agent_wait_s and outbound_timeout_s: expected seconds > 0")


def engine_contexts(params: EngineDialplanParams) -> Dialplan:
    """cc-inbound, cc-enqueue, cc-hold, cc-agent, cc-connect, cc-overflow, cc-outbound
    (docs/engine.md).

    Raises `DialplanParamsError` naming the offending route field.
    """
    _check(params)
    P = Priority
    inbound = []
    for r in params.routes:
        steps = [P("Set", f"CC_QUEUE={r.queue}"), P("Set", f"CC_PRIORITY={r.priority}"),
                 P("Set", f"CC_SKILLS={r.skills}"), P("Set", f"CC_LANG={r.language}")]
        if r.tier:
            steps.append(P("Set", f"CC_TIER={r.tier}"))
        steps.append(P("Goto", "cc-enqueue,s,1"))
        inbound.append(Extension(r.did, tuple(steps)))
    fields = ("Queue: ${CC_QUEUE},CallPriority: ${CC_PRIORITY},Skills: ${CC_SKILLS},"
              "CallLanguage: ${CC_LANG},Tier: ${CC_TIER},IvrPath: ${CC_IVR_PATH},"
              "RecordingOptOut: ${CC_RECORDING_OPTOUT}")
    return Dialplan((
        Context("cc-inbound", tuple(inbound), comment="one extension per configured route (DID)"),
        Context("cc-enqueue", (Extension("s", (
            P("Answer"),
            P("Set", "CHANNEL(language)=${CC_LANG}"),
            P("UserEvent", "CallcenterEnqueue," + fields),
            P("Goto", "cc-hold,s,1"),
        )),)),
        Context("cc-hold", (Extension("s", (
            P("MusicOnHold", params.music_class),
            P("Goto", "s,1"),
        )),), comment="waiting callers, and callers put on hold by the agent"),
        Context("cc-agent", (
            Extension("s", (
                P("NoOp", "agent ${CC_AGENT_ID} for call ${CC_CALL_ID}"),
                P("Wait", str(params.agent_wait_s), label="wait"),
                P("Goto", "wait"),
            )),
            Extension("whisper", (
                P("Playback", "${CC_WHISPER}"),
                P("Goto", "s,1"),
            )),
        ), comment="the agent's leg, after the agent answered"),
        Context("cc-connect", (
            Extension("s", (
                P("Playback", "${CC_ANNOUNCE_PREFIX}"),
                P("SayDigits", "${CC_AGENT_DISPLAY}"),
                P("Playback", "${CC_ANNOUNCE_SUFFIX}"),
                P("Bridge", "${CC_AGENT_CHANNEL}", label="bridge"),
                P("Hangup"),
            )),
            Extension("unhold", (P("Goto", "s,bridge"),)),
        ), comment="the caller, redirected here once the agent answered"),
        Context("cc-overflow", (
            Extension("voicemail", (
                P("VoiceMail", "${CC_QUEUE}@callcenter,s"),
                P("Hangup"),
            )),
            Extension("callback", (
                P("Playback", "cc/${CC_LANG}/callback-registered"),
                P("Hangup"),
            )),
            Extension("expired", (
                P("Playback", "cc/${CC_LANG}/all-agents-busy"),
                P("Hangup"),
            )),
        ), comment="callers the engine sends out of the queue by rule (docs/engine.md)"),
        Context("cc-outbound", (Extension("_X.", (
            P("Dial", f"PJSIP/${{EXTEN}}@{params.trunk},{params.outbound_timeout_s}"),
            P("Hangup"),
        )),), comment="click-to-dial: the agent's device is originated here"),
    ))
