"""The PJSIP captures (set h) as the emulator replays them: the capture's own dialplan
(`config/extensions.conf`, read by `dialplans.extensions_conf`, hints included), its
endpoints (softphones 1001..1005, the trunk into `from-trunk`, no CDR events), the state
each file started from, and the capture driver's notes turned into what they describe
(a SIPp caller starting, a phone registering)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from callcenter.ami.testing import pjsip_fixtures_dir
from callcenter.emulator import Emulator, InboundCaller, Pbx, Softphone
from dialplans.extensions_conf import parse_extensions
from dialplans.model import Context, Dialplan, Extension, Priority

_HINT = re.compile(r"^\s*exten\s*=>\s*([^,]+),hint,(\S+)")
_CALLER = re.compile(r'start SIPp caller \w+ \(caller ID "([^"]+)" <([^>]+)>')
_BYE = re.compile(r"sends BYE (\d+(?:\.\d+)?) s after its ACK")
_REGISTER = re.compile(r"phone (\d+) (REGISTERs|unregisters)")
_DID = re.compile(r"dials (\d+)")
SIPP_START_S = 0.11


@dataclass(frozen=True, slots=True)
class Start:
    """The state a capture started from: registered phones (endpoint → ring seconds, or
    None for one that never answers) and chan_pjsip's channel counter."""

    registered: dict[str, float | None]
    first_channel: int


STARTS = {
    "h1": Start({"1001": 1.0, "1002": None, "1003": 1.0}, 0),
    "h8": Start({"1001": 1.0, "1003": 1.0}, 1),
    "h2": Start({"1001": 1.0, "1003": 1.0}, 1),
    "h3": Start({"1001": 1.0, "1003": 1.0}, 7),
    "h4": Start({"1001": 1.0, "1003": 1.0}, 7),
    "h7": Start({"1001": 1.0, "1003": 1.0}, 9),
}


def config_dir() -> Path:
    return pjsip_fixtures_dir() / "config"


def fixture_dialplan(agi_port: int | None = None) -> tuple[Dialplan, dict[tuple[str, str], str]]:
    """The capture's extensions.conf as a model, and its hints; `agi_port` replaces the
    port of its AGI() URLs (the capture's 4574 may be taken on a shared machine)."""
    path = config_dir() / "extensions.conf"
    parsed = parse_extensions(path)
    contexts = []
    for ctx in parsed.contexts.values():
        extensions = []
        for ext in ctx.extens.values():
            if not ext.steps:
                continue
            steps = sorted(ext.steps, key=lambda st: st.number)
            priorities = []
            for st in steps:
                data = st.data
                if st.app == "AGI" and agi_port is not None:
                    data = re.sub(r":\d+/", f":{agi_port}/", data)
                priorities.append(Priority(st.app, data, st.label))
            extensions.append(Extension(ext.name, tuple(priorities)))
        contexts.append(Context(ctx.name, tuple(extensions)))
    hints: dict[tuple[str, str], str] = {}
    context = ""
    for line in path.read_text().splitlines():
        section = re.match(r"^\[([^\]]+)\]", line)
        if section:
            context = section.group(1)
        hint = _HINT.match(line)
        if hint:
            hints[(context, hint.group(1).strip())] = hint.group(2)
    return Dialplan(tuple(contexts)), hints


def setup_for(name: str, hints: dict[tuple[str, str], str]) -> Callable[[Pbx], None]:
    start = STARTS[name]

    def setup(pbx: Pbx) -> None:
        pbx.cdr_events = False  # modules.conf: noload cdr_manager.so
        pbx.trunk.context = "from-trunk"
        pbx.count_pjsip_channels_from(start.first_channel)
        for n in range(1, 6):
            endpoint = f"100{n}"
            ring = start.registered.get(endpoint)
            pbx.phones.add(Softphone(
                f"PJSIP/{endpoint}", ring_s=ring or 1.0, answers=ring is not None,
                talk_s=600.0, online=endpoint in start.registered, context="from-internal",
                password=f"pw{endpoint}", contact=f"sip:{endpoint}@127.0.0.1:507{n}"))
        for (context, exten), device in hints.items():
            pbx.add_hint(context, exten, device)

    return setup


@dataclass
class Notes:
    """Turns the driver's notes into the SIP side's doings on the emulator."""

    emu: Emulator
    seen: list[str] = field(default_factory=list)

    def __call__(self, text: str) -> None:
        self.seen.append(text)
        # SIPp's first packet came about 110 ms after the driver's note (h2, h3, h4).
        asyncio.get_running_loop().call_later(SIPP_START_S / self.emu.speed, self._act, text)

    def _act(self, text: str) -> None:
        caller = _CALLER.search(text)
        if caller is not None:
            bye = _BYE.search(text)
            did = _DID.search(text)
            self.emu.trunk.place(InboundCaller(
                caller.group(2), did.group(1) if did else "4001",
                patience_s=float(bye.group(1)) if bye else 10.0 ** 6, talk_s=120.0,
                name=caller.group(1)))
            return
        register = _REGISTER.search(text)
        if register is not None:
            self.emu.phones.register(f"PJSIP/{register.group(1)}",
                                     register.group(2) == "REGISTERs")


def agi_transcript(name: str) -> Path:
    """The FastAGI side of capture `name` (`agi/<name>-*.agi.jsonl`)."""
    return next((pjsip_fixtures_dir() / "agi").glob(f"{name}-*.agi.jsonl"))
