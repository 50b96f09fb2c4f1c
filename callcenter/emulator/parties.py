"""Scripted parties for the emulator: agent softphones and callers, and a call workload.

Agents are `Local/<ext>@agents` members whose ring and talk times are the
`RING_<ext>`/`TALK_<ext>` globals the fixture dialplan reads (an agent who never
answers rings on `agents-noanswer`). A caller is `Local/<patience>@callers`:
it answers, stays `patience` seconds (abandoning if no agent came by then) and
hangs up; it enters the dialplan at `queue-entry,<queue>`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from callcenter.emulator.model import EChannel, Pairs
from callcenter.emulator.pbx import OriginateRequest, Pbx
from callcenter.emulator.queues import Member


@dataclass(frozen=True, slots=True)
class Agent:
    """A softphone: rings `ring` s then answers and talks `talk` s, or never answers."""

    ext: str
    ring: float = 2.0
    talk: float = 20.0
    answers: bool = True

    @property
    def interface(self) -> str:
        return f"Local/{self.ext}@{'agents' if self.answers else 'agents-noanswer'}"


@dataclass(frozen=True, slots=True)
class Caller:
    """A customer: waits up to `patience` s in total, then hangs up; presses `dtmf`
    (one digit every `dtmf_gap` s) `dtmf_after` s after the call is answered."""

    patience: float
    queue: str = "support"
    number: str = "5550000"
    name: str = "Caller"
    dtmf: str = ""
    dtmf_after: float = 1.0
    dtmf_gap: float = 0.3


class Workload:
    """Puts agents into queues and places calls on a `Pbx` (no AMI needed)."""

    def __init__(self, pbx: Pbx) -> None:
        self.pbx = pbx
        self.placed = 0
        self.responses: list[Pairs] = []

    def add_agent(self, agent: Agent, queues: tuple[str, ...] = ("support",)) -> None:
        if not agent.ext.isdigit() or len(agent.ext) != 4 or not agent.ext.startswith("1"):
            raise ValueError(f"agent extension: expected 4 digits starting with 1, got "
                             f"{agent.ext!r}")
        self.pbx.globals[f"RING_{agent.ext}"] = f"{agent.ring:g}"
        self.pbx.globals[f"TALK_{agent.ext}"] = f"{agent.talk:g}"
        for name in queues:
            q = self.pbx.queues.queues[name]
            if q.member(agent.interface) is None:
                q.members.append(Member(agent.interface, f"Agent {agent.ext}", agent.interface))

    def place(self, caller: Caller, call_id: str = "") -> None:
        """Originate the caller into its queue (returns at once; the call runs as a task).

        `call_id` becomes the Uniqueid (and Linkedid) of the caller's ;1 channel.
        """
        self.placed += 1
        call_id = call_id or f"caller-{self.placed}"
        req = OriginateRequest(
            channel=f"Local/{max(1, round(caller.patience))}@callers",
            context="queue-entry",
            exten=caller.queue,
            caller_id=(caller.number, caller.name),
            channel_id=call_id,
        )
        self.pbx.spawn(self.pbx.originate(req, self.responses.append),
                       f"emu-call-{self.placed}")
        if caller.dtmf:
            self.pbx.spawn(self._press(caller, call_id), f"emu-dtmf-{self.placed}")

    async def _press(self, caller: Caller, call_id: str) -> None:
        """The caller's keypresses, as Asterisk reports DTMF received on its channel."""
        pbx = self.pbx
        channel: EChannel | None = None
        while channel is None or channel.answered is None:
            await pbx.sleep(0.05)
            channel = next((c for c in pbx.channels.values() if c.uniqueid == call_id), None)
        await pbx.sleep(caller.dtmf_after)
        for digit in caller.dtmf:
            if channel.hungup:
                return
            pbx.emit("DTMFBegin", "dtmf,all", [*channel.snapshot(), ("Digit", digit),
                                              ("Direction", "Received")])
            await pbx.sleep(0.1)
            pbx.emit("DTMFEnd", "dtmf,all", [*channel.snapshot(), ("Digit", digit),
                                            ("DurationMs", "100"), ("Direction", "Received")])
            await pbx.sleep(caller.dtmf_gap)

    async def poisson(self, rate: float, count: int, rng: np.random.Generator,
                      patience: float = 60.0, queue: str = "support") -> None:
        """Place `count` calls with exponential inter-arrival times of mean 1/`rate` s."""
        gaps = rng.exponential(1.0 / rate, size=count)
        for i, gap in enumerate(gaps):
            await self.pbx.sleep(float(gap))
            self.place(Caller(patience, queue, number=f"555{i:04d}"))
