"""The emulator's dialplan: the fixture's `extensions.conf` as data, and its interpreter.

Contexts, extensions and priorities are those of
`shared/fixtures/asterisk-ami/config/extensions.conf`, so the emulator runs the
scenarios the transcripts were captured with. Applications emit what Asterisk's
do (`Newexten` for each priority, `VarSet` for `Set`, ...).
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from callcenter.emulator.model import UP, EBridge, EChannel

if TYPE_CHECKING:
    from callcenter.emulator.pbx import Pbx
    from dialplans.model import Dialplan as DialplanModel

Data = str | Callable[[EChannel], str]

APPLICATIONS = frozenset((
    "AGI", "Answer", "Background", "Bridge", "ChanSpy", "Dial", "Goto", "Hangup",
    "MixMonitor", "MusicOnHold", "NoOp", "Playback", "Queue", "Ringing", "SayDigits",
    "SendDTMF", "Set", "UserEvent", "Wait",
))
"""The applications `Dialplan.execute` runs (Queue only while app_queue is loaded)."""

# The file extensions of the formats Asterisk's format modules register (formats/*.c:
# format_wav "wav", format_wav_gsm "WAV|wav49", format_gsm, format_pcm "ulaw|ul|mu|alaw|
# al|alw", format_sln "sln|raw" and "sln16", format_g722, format_g729, format_ilbc,
# format_ogg_vorbis "ogg"): a prompt exists when one of them is there.
SOUND_EXTENSIONS = ("wav", "WAV", "wav49", "gsm", "ulaw", "ul", "mu", "alaw", "al", "alw",
                    "sln", "raw", "sln16", "g722", "g729", "ilbc", "ogg")


def uses_application(model: DialplanModel, app: str) -> bool:
    """Whether any priority of `model` runs `app` (case-insensitive, as pbx_findapp)."""
    wanted = app.lower()
    return any(p.app.lower() == wanted for ctx in model.contexts for ext in ctx.extensions
               for p in ext.priorities)


def sound_candidates(sounds_dir: str, name: str, language: str) -> list[str]:
    """The paths `ast_openstream` tries for prompt `name` (main/file.c fileexists_core,
    fileexists_test and build_filename, with `languageprefix = yes`): an absolute name
    as it is; else `<dir>/<language>/<name>`, the language without its dialect, `<dir>/
    <name>`, then `<dir>/en/<name>`; each with every format's extension."""
    if name.startswith("/"):
        bases = [name]
    else:
        languages = [language]
        if "_" in language:
            languages.append(language.split("_", 1)[0])
        bases = [os.path.join(sounds_dir, lang, name) for lang in languages]
        bases.append(os.path.join(sounds_dir, name))
        if "en" not in languages:
            bases.append(os.path.join(sounds_dir, "en", name))
    return [f"{base}.{ext}" for base in bases for ext in SOUND_EXTENSIONS]


def sound_exists(sounds_dir: str, name: str, language: str) -> bool:
    """Whether a prompt would open (blocking: call it through asyncio.to_thread)."""
    return any(os.path.isfile(path) for path in sound_candidates(sounds_dir, name, language))


@dataclass(frozen=True, slots=True)
class Step:
    app: str
    data: Data = ""
    label: str = ""


def steps_from_model(model: DialplanModel) -> dict[str, dict[str, list[Step]]]:
    """A `dialplans.model.Dialplan` as the interpreter's contexts (same priorities, labels)."""
    return {
        ctx.name: {ext.name: [Step(p.app, p.data, p.label) for p in ext.priorities]
                   for ext in ctx.extensions}
        for ctx in model.contexts
    }


def default_contexts() -> dict[str, dict[str, list[Step]]]:
    """The fixture dialplan (extensions.conf), one list of steps per extension pattern."""
    caller = [
        Step("NoOp", "Simulated caller, stays ${EXTEN}s"),
        Step("Answer"),
        Step("Wait", "${EXTEN}"),
        Step("Hangup"),
    ]
    talking = [
        Step("NoOp", "Simulated talking caller, stays ${EXTEN}s"),
        Step("Answer"),
        Step("MusicOnHold", "default,${EXTEN}"),
        Step("Hangup"),
    ]
    enter_queue = [Step("Set", "Q=${EXTEN}"), Step("Goto", "enter,1")]
    return {
        "callers": {"_X": [Step("Goto", "0${EXTEN},1")], "_X.": caller},
        "callers-talking": {"_X": [Step("Goto", "0${EXTEN},1")], "_X.": talking},
        "agents": {
            "_1XXX": [
                Step("NoOp", "Simulated agent ${EXTEN}"),
                Step("Set", "RING=${AGENT_RING_FOR}"),
                Step("Set", "TALK=${AGENT_TALK_FOR}"),
                Step("Ringing"),
                Step("Wait", "${RING}"),
                Step("Answer"),
                Step("Wait", "${TALK}"),
                Step("Hangup"),
            ]
        },
        "agents-noanswer": {
            "_X.": [
                Step("NoOp", "Agent ${EXTEN} never answers"),
                Step("Ringing"),
                Step("Wait", "300"),
                Step("Hangup"),
            ]
        },
        "queue-entry": {
            "support": enter_queue,
            "sales": enter_queue,
            "ringall": enter_queue,
            "backoffice": enter_queue,
            "enter": [
                Step("NoOp", "Caller entering queue ${Q}"),
                Step("Answer"),
                Step("UserEvent", "CallerQueued,Queue: ${Q},CallerChannel: ${CHANNEL}"),
                Step("Queue", "${Q},,,,120"),
                Step("NoOp", "QUEUESTATUS=${QUEUESTATUS}"),
                Step("Hangup"),
            ],
        },
        "holding": {
            "hold": [Step("NoOp", "Caller on hold"), Step("Answer"),
                     Step("MusicOnHold", "default"), Step("Hangup")],
            "failed": [Step("NoOp", "Originate failed: REASON=${REASON}"), Step("Hangup")],
            "park": [Step("NoOp", "Parked in a wait"), Step("Answer"), Step("Wait", "600"),
                     Step("Hangup")],
        },
        "dial-agent": {
            "_1XXX": [Step("NoOp", "Direct dial agent ${EXTEN}"),
                      Step("Dial", "Local/${EXTEN}@agents,30"),
                      Step("NoOp", "DIALSTATUS=${DIALSTATUS}"), Step("Hangup")],
            "_r1XXX": [Step("NoOp", "Dial agent ${EXTEN:1} via relay"),
                       Step("Dial", "Local/${EXTEN:1}@relay,30"), Step("Hangup")],
        },
        "relay": {"_1XXX": [Step("Dial", "Local/${EXTEN}@agents,30"), Step("Hangup")]},
        "recorded": {
            "_1XXX": [Step("NoOp", "Recorded call to agent ${EXTEN}"),
                      Step("MixMonitor", "cc-${UNIQUEID}.wav,b"),
                      Step("Dial", "Local/${EXTEN}@agents,30"), Step("Hangup")]
        },
        "dtmf": {
            "_X.": [Step("NoOp", "Send DTMF ${EXTEN}"), Step("Answer"), Step("Wait", "1"),
                    Step("SendDTMF", "${EXTEN},200"), Step("Wait", "1"), Step("Hangup")]
        },
        "events": {
            "ue": [Step("NoOp", "UserEvent from dialplan"), Step("Answer"),
                   Step("UserEvent", "CCTest,Foo: bar,Ticket: 42"), Step("Hangup")]
        },
    }


def _pattern(pattern: str) -> re.Pattern[str]:
    if not pattern.startswith("_"):
        return re.compile(re.escape(pattern) + r"\Z")
    out = []
    for c in pattern[1:]:
        out.append({"X": "[0-9]", "Z": "[1-9]", "N": "[2-9]", ".": ".+", "!": ".*"}.get(
            c, re.escape(c)))
    return re.compile("".join(out) + r"\Z")


_VAR = re.compile(r"\$\{([A-Za-z0-9_]+)(?::(-?\d+))?\}")


class Dialplan:
    """Finds and runs extensions; `Queue` and `Dial` are delegated to their modules."""

    def __init__(self, pbx: Pbx, contexts: dict[str, dict[str, list[Step]]] | None = None,
                 *, sounds_dir: str | None = None) -> None:
        self.pbx = pbx
        self.contexts = contexts or default_contexts()
        self.playback_s = 1.0
        """Length of one prompt file played by Playback(), seconds of PBX time."""
        self.digit_s = 0.9
        """Length of one digit said by SayDigits(), seconds of PBX time: the English
        digits/N files take about 0.9 s each (h2: SayDigits(1001) 3.56 s, h4)."""
        self.answer_media_s = 0.5
        """When a SIP caller's first media frame reaches Answer(), seconds after the 200
        OK. Answer() waits for it at most 500 ms (main/channel.c __ast_answer); the SIPp
        callers of the captures sent no RTP, so Answer() took the full 500 ms (h2)."""
        self.sounds_dir = sounds_dir
        """None: every prompt plays (nothing installed). A directory: prompts are looked
        up there as Asterisk's sounds directory, and a missing one fails at once."""
        self._compiled = {
            ctx: [(_pattern(p), steps) for p, steps in sorted(
                extens.items(), key=lambda kv: (kv[0].startswith("_"), kv[0]))]
            for ctx, extens in self.contexts.items()
        }

    def knows(self, app: str) -> bool:
        """Whether pbx_findapp would find `app` (Queue only with app_queue loaded)."""
        return app in APPLICATIONS and (app != "Queue" or self.pbx.app_queue)

    async def sound(self, ch: EChannel, name: str) -> bool:
        """Whether prompt `name` opens on `ch` (always, without a sounds directory)."""
        if self.sounds_dir is None:
            return True
        return await asyncio.to_thread(sound_exists, self.sounds_dir, name, ch.language)

    def has_context(self, context: str) -> bool:
        return context in self.contexts

    def has_exten(self, context: str, exten: str) -> bool:
        return self.lookup(context, exten) is not None

    def lookup(self, context: str, exten: str) -> list[Step] | None:
        for pattern, steps in self._compiled.get(context, ()):
            if pattern.match(exten):
                return steps
        return None

    def expand(self, ch: EChannel, text: str) -> str:
        pbx = self.pbx

        def var(m: re.Match[str]) -> str:
            name, offset = m.group(1), m.group(2)
            if name == "EXTEN":
                value = ch.exten
            elif name == "CHANNEL":
                value = ch.name
            elif name == "UNIQUEID":
                value = ch.uniqueid
            elif name in ("AGENT_RING_FOR", "AGENT_TALK_FOR"):
                kind = "RING" if name == "AGENT_RING_FOR" else "TALK"
                value = pbx.globals.get(f"{kind}_{ch.exten}") or pbx.globals[f"AGENT_{kind}"]
            else:
                value = ch.variables.get(name, pbx.globals.get(name, ""))
            return value[int(offset):] if offset else value

        return _VAR.sub(var, text)

    async def run(self, ch: EChannel) -> None:
        """Run `ch` from its context/exten/priority until it hangs up."""
        pbx = self.pbx
        while not ch.hungup:
            if ch.soft_hangup:
                # The PBX ending the call shows a SoftHangupRequest with Cause 16, the
                # AST_SOFTHANGUP_APPUNLOAD flag (main/pbx.c __ast_pbx_run), also after a
                # far end's HangupRequest on a SIP channel (h4, h6). On Local channels a
                # far-end hangup shows only the HangupRequest (the Local captures).
                remote = "__remote" in ch.variables and not ch.devcat
                pbx.hangup(ch, ch.hangup_cause, soft=not remote)
                return
            if ch.redirect_to is not None:
                ch.context, ch.exten, ch.priority = ch.redirect_to
                ch.redirect_to = None
                ch.interrupt.clear()
            steps = self.lookup(ch.context, ch.exten)
            if steps is None or ch.priority > len(steps):
                pbx.hangup(ch, 16, soft=True)
                return
            step = steps[ch.priority - 1]
            if not self.knows(step.app):
                # pbx_extension_helper (main/pbx.c): "No application '%s' for extension",
                # -1 before any Newexten: the PBX ends the call.
                pbx.hangup(ch, 16, soft=True)
                return
            raw = step.data if isinstance(step.data, str) else step.data(ch)
            data = self.expand(ch, raw)
            pbx.newexten(ch, step.app, data)
            at = ch.priority
            nxt = await self.execute(ch, step.app, data)
            if ch.devcat and ch.soft_hangup and ch.redirect_to is None and nxt == at + 1:
                # The application returned -1 on the hangup: the PBX does not move on, so
                # the channel dies at the priority it was in (h4: Priority 2, SayDigits).
                continue
            ch.priority = nxt

    async def run_application(self, ch: EChannel, app: str, data: str) -> None:
        """Originate with Application/Data: run one application, then hang up."""
        self.pbx.newexten(ch, app, data)
        await self.execute(ch, app, data)
        if not ch.hungup:
            self.pbx.hangup(ch, 16, soft=True)

    async def execute(self, ch: EChannel, app: str, data: str) -> int:
        """Run one application; return the next priority (a Goto may change exten too)."""
        pbx = self.pbx
        nxt = ch.priority + 1
        if app == "NoOp":
            return nxt
        if app == "Set":
            name, _, value = data.partition("=")
            if name.upper() == "CHANNEL(LANGUAGE)":
                ch.language = value  # a dialplan function: no VarSet
            else:
                pbx.setvar(ch, name, value)
            return nxt
        if app == "Goto":
            return self._goto(ch, data)
        if app == "Answer":
            if ch.state != UP and ch.devcat:
                # A SIP channel: 200 OK, then __ast_answer waits for the caller's first
                # media frame, at most max(delay, 500 ms); with a delay, all of it.
                pbx.set_state(ch, UP)
                delay = _seconds(data.split(",")[0]) / 1000 if data.strip() else 0.0
                await self._pause(ch, max(delay, 0.5) if delay else
                                  min(self.answer_media_s, 0.5))
            elif ch.state != UP:
                pbx.answer(ch)
                # Answer() then waits for the first media frame, at most 500 ms: b1's
                # caller went on 20 ms after the queue's music started, d2's parked caller
                # after 500 ms, e5's when a DTMF frame came (`pbx.media`).
                ch.variables["__awaiting_media"] = "1"
                await self._pause(ch, 0.5)
                ch.variables.pop("__awaiting_media", None)
                settle = _seconds(ch.variables.pop("__media_settle", "0"))
                if settle > 0:
                    await self._pause(ch, settle)
            return nxt
        if app == "Ringing":
            pbx.ringing(ch)
            return nxt
        if app == "Wait":
            await self._pause(ch, _seconds(data))
            return nxt
        if app == "Hangup":
            cause = int(data) if data.strip().isdigit() else ch.hangup_cause or 16
            pbx.hangup(ch, cause, soft=True)
            return nxt
        if app in ("Playback", "Background"):
            return await self._playback(ch, app, data)
        if app == "SayDigits":
            await self._say_digits(ch, data.split(",")[0])
            return nxt
        if app == "Bridge":
            return await self._bridge(ch, data)
        if app == "UserEvent":
            name, *headers = data.split(",")
            pairs = [*ch.snapshot(), ("UserEvent", name)]
            for header in headers:
                key, _, value = header.partition(":")
                pairs.append((key.strip(), value.strip()))
            pbx.emit("UserEvent", "user,all", pairs)
            return nxt
        if app == "MusicOnHold":
            klass, _, duration = data.partition(",")
            pbx.emit("MusicOnHoldStart", "call,all", [*ch.snapshot(), ("Class", klass)])
            ch.moh = True
            pbx.media(ch.peer)
            await self._pause(ch, _seconds(duration) if duration else None)
            ch.moh = False
            if not ch.hungup:
                pbx.emit("MusicOnHoldStop", "call,all", ch.snapshot())
            return nxt
        if app == "Queue":
            return await pbx.queues.run_queue(ch, data)
        if app == "Dial":
            if data.startswith("PJSIP/"):
                from callcenter.emulator.phones import run_dial_pjsip

                return await run_dial_pjsip(pbx, ch, data)
            from callcenter.emulator.dial import run_dial

            return await run_dial(pbx, ch, data)
        if app == "MixMonitor":
            pbx.setvar(ch, "MIXMONITOR_FILENAME", "/var/spool/asterisk/monitor/" +
                       data.split(",")[0])
            pbx.emit("MixMonitorStart", "call,all", ch.snapshot())
            return nxt
        if app == "ChanSpy":
            await self._chanspy(ch, data)
            return nxt
        if app == "SendDTMF":
            # SendDTMF(digits[,between ms]): 100 ms tones, reported only as received on
            # the other half of a Local pair (e5).
            digits, _, between = data.partition(",")
            gap = _seconds(between.split(",")[0]) / 1000 if between else 0.1
            target = ch.peer if ch.peer is not None else ch
            for digit in digits:
                pbx.emit("DTMFBegin", "dtmf,all", [*target.snapshot(), ("Digit", digit),
                                                  ("Direction", "Received")])
                await pbx.sleep(0.1)
                pbx.emit("DTMFEnd", "dtmf,all", [*target.snapshot(), ("Digit", digit),
                                                ("DurationMs", "100"),
                                                ("Direction", "Received")])
                await pbx.sleep(gap)
            return nxt
        if app == "AGI":
            from callcenter.emulator.agi import run_agi

            return await run_agi(pbx, ch, data)
        return nxt

    async def _playback(self, ch: EChannel, app: str, data: str) -> int:
        """Playback(files[,options]) (apps/app_playback.c playback_exec) and Background
        (main/pbx_builtins.c pbx_builtin_background): no argument returns -1 (the call
        ends); answers a channel that is not up (unless `skip`/`noanswer`); plays each
        `&` file for `playback_s`. A file that does not open fails at once: Playback goes
        on with the next one, Background stops; PLAYBACKSTATUS / BACKGROUNDSTATUS is
        FAILED then, else SUCCESS — also when the caller hung up meanwhile. Background's
        DTMF matching is not emulated (the emulator's callers press keys only in AGI)."""
        pbx = self.pbx
        nxt = ch.priority + 1
        files, _, options = data.partition(",")
        if not files.strip():
            pbx.hangup(ch, 16, soft=True)
            return nxt
        options = options.split(",")[0].strip().lower()
        status = "PLAYBACKSTATUS" if app == "Playback" else "BACKGROUNDSTATUS"
        failed = False
        if ch.state != UP:
            if "skip" in options:
                pbx.setvar(ch, status, "SUCCESS")
                return nxt
            if "noanswer" not in options:
                await self.execute(ch, "Answer", "")
        for name in (f.strip() for f in files.split("&")):
            if not name or ch.hungup or ch.soft_hangup or ch.redirect_to is not None:
                break
            if not await self.sound(ch, name):
                failed = True
                if app == "Background":
                    break
                continue
            pbx.trunk.note(ch, f"play:{name}")
            await self._pause(ch, self.playback_s)
        if not ch.hungup:
            pbx.setvar(ch, status, "FAILED" if failed else "SUCCESS")
        return nxt

    async def _say_digits(self, ch: EChannel, digits: str) -> None:
        """SayDigits (main/pbx_builtins.c → ast_say_digit_str, main/say.c say_filenames):
        `digits/<d>` one after the other, `digit_s` each; a digit file that does not open
        makes it return -1, which ends the call."""
        pbx = self.pbx
        if not digits:
            return
        pbx.trunk.note(ch, f"digits:{digits}")
        for digit in digits:
            if ch.hungup or ch.soft_hangup or ch.redirect_to is not None:
                return
            name = {"*": "star", "#": "pound", "-": "minus"}.get(digit, digit)
            if not await self.sound(ch, f"digits/{name}"):
                pbx.hangup(ch, 16, soft=True)
                return
            await self._pause(ch, self.digit_s)

    def _goto(self, ch: EChannel, data: str) -> int:
        """Goto([[context,]exten,]priority|label); an unknown label ends the call, as
        pbx_parseable_goto failing makes Goto() return -1."""
        parts = [x.strip() for x in data.split(",")]
        context = parts[0] if len(parts) == 3 else ch.context
        exten = parts[-2] if len(parts) >= 2 else ch.exten
        target = parts[-1]
        if target.isdigit():
            priority = int(target)
        else:
            steps = self.lookup(context, exten) or []
            found = [i for i, step in enumerate(steps, 1) if step.label == target]
            if not found:
                self.pbx.hangup(ch, 16, soft=True)
                return ch.priority + 1
            priority = found[0]
        ch.context, ch.exten, ch.priority = context, exten, priority
        return priority

    def find_channel(self, spec: str) -> EChannel | None:
        """Bridge()'s lookup: channel name, then name prefix, then Uniqueid."""
        pbx = self.pbx
        ch = pbx.find(spec)
        if ch is not None or not spec:
            return ch
        for c in pbx.listed():
            if c.name.startswith(spec) or c.uniqueid == spec:
                return c
        return None

    async def _bridge(self, ch: EChannel, data: str) -> int:
        """Bridge(channel) without options (bridge_exec, main/features.c): `channel` is
        pulled out of what it runs (ast_bridge_add_channel yanks it, answering it if need
        be) into a new basic bridge with `ch`. The bridge dissolves when either leaves
        (hangup, Redirect); `ch` then goes on at its next priority, and `channel` at the
        priority after the one it was pulled from (after-bridge go-on)."""
        pbx = self.pbx
        nxt = ch.priority + 1
        peer = self.find_channel(data.split(",")[0].strip())
        if peer is None:
            pbx.setvar(ch, "BRIDGERESULT", "NONEXISTENT")
            return nxt
        if peer is ch:
            pbx.setvar(ch, "BRIDGERESULT", "LOOP")
            return nxt
        if ch.state != UP:
            pbx.set_state(ch, UP) if ch.devcat else pbx.answer(ch)
        if peer.state != UP:
            pbx.set_state(peer, UP) if peer.devcat else pbx.answer(peer)
        old = peer.bridge
        if old is not None:
            pbx.leave_bridge(peer)  # a bridged peer is moved (bridge_move_locked)
        bridge = pbx.new_bridge()
        peer.variables["__app_bridge"] = "Bridge"
        ch.variables["__app_bridge"] = "Bridge"
        if old is None and peer.task is not None and not peer.task.done():
            # ast_channel_yank (main/channel.c) moves it into a new channel: no
            # application (Status "(null)", h2), and its age counts from now.
            peer.app, peer.app_data = "", ""
            peer.created = time.monotonic()
        pbx.enter_bridge(bridge, peer)
        pbx.enter_bridge(bridge, ch)
        peer.linkedid = ch.linkedid
        # h2: the peer variables after each join and after the caller's connected-line
        # update (bridge_reconfigured, main/bridge.c), the agent's update last.
        pbx.bridge_peers(bridge)
        pbx.bridge_peers(bridge)
        pbx.set_connected(ch, peer.cid_num, peer.cid_name)
        pbx.bridge_peers(bridge)
        pbx.set_connected(peer, ch.cid_num, ch.cid_name)
        loop = asyncio.get_running_loop()

        def dissolve(bridge: EBridge = bridge) -> None:
            for other in list(bridge.members):
                pbx.leave_bridge(other)
            pbx.destroy_bridge(bridge)

        # The leaver's own Hangup comes before the others are kicked out (b1's order).
        def left(_gone: EChannel) -> None:
            loop.call_soon(dissolve)

        pbx.watch_bridge(bridge, left)
        while ch.bridge is bridge and not ch.hungup and not ch.soft_hangup \
                and ch.redirect_to is None:
            ch.interrupt.clear()
            await pbx.wait(ch, None)
        if ch.bridge is bridge:
            pbx.leave_bridge(ch)
        if not ch.hungup:
            pbx.setvar(ch, "BRIDGERESULT", "SUCCESS")
        return nxt

    async def _chanspy(self, ch: EChannel, data: str) -> None:
        """ChanSpy(<channel>,<options>): listen (or whisper, `w`) to one channel until the
        spy hangs up or (option `E`) the spied channel does (f1)."""
        pbx = self.pbx
        target, _, options = data.partition(",")
        spyee = pbx.find(target)
        if spyee is None:
            return
        await self._pause(ch, 0.1)  # f1: ChanSpyStart ~100 ms after the spy answered
        if ch.hungup or ch.soft_hangup or spyee.hungup:
            return
        spyee.spies.append(ch)
        pbx.emit("ChanSpyStart", "call,all", [*ch.snapshot("Spyer"), *spyee.snapshot("Spyee")])
        # Attaching (and detaching) the spy's audiohook re-announces the bridge peers.
        if spyee.bridge is not None:
            pbx.bridge_peers(spyee.bridge)
        while not ch.hungup and not ch.soft_hangup and not (spyee.hungup and "E" in options):
            ch.interrupt.clear()
            await pbx.wait(ch, None)
        if ch in spyee.spies:
            spyee.spies.remove(ch)
        if spyee.bridge is not None and not spyee.hungup:
            pbx.bridge_peers(spyee.bridge)
        pbx.emit("ChanSpyStop", "call,all", [*ch.snapshot("Spyer"), *spyee.snapshot("Spyee")])

    async def _pause(self, ch: EChannel, seconds: float | None) -> None:
        """Wait in the dialplan; a bridge (Bridge action) suspends it until released."""
        pbx = self.pbx
        interrupted = await pbx.wait(ch, seconds)
        if not interrupted or ch.hungup or ch.soft_hangup or ch.redirect_to is not None:
            return
        while ch.bridge is not None and not ch.hungup and not ch.soft_hangup:
            ch.interrupt.clear()
            await pbx.wait(ch, None)
        if not ch.soft_hangup:
            ch.interrupt.clear()


def _seconds(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0
