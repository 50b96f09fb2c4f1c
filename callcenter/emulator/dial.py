"""The Dial() application for Local destinations (d1, d3, e1, f1 in the transcripts)."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from callcenter.emulator.model import RINGING, UP, EChannel

if TYPE_CHECKING:
    from callcenter.emulator.pbx import Pbx

_RESET = ("DIALSTATUS", "DIALEDPEERNUMBER", "DIALEDPEERNAME", "ANSWEREDTIME", "ANSWEREDTIME_MS",
          "DIALEDTIME", "DIALEDTIME_MS", "RINGTIME", "RINGTIME_MS", "PROGRESSTIME",
          "PROGRESSTIME_MS")


async def run_dial(pbx: Pbx, caller: EChannel, data: str) -> int:
    """Dial(Local/<exten>@<context>[,timeout]); bridges on answer; returns the next priority."""
    target, _, timeout_text = data.partition(",")
    timeout = float(timeout_text.split(",")[0]) if timeout_text else 30.0
    nxt = caller.priority + 1
    for name in _RESET:
        pbx.setvar(caller, name, "")
    started = time.monotonic()
    exten, _, context = target.partition("/")[2].partition("@")
    one, two = pbx.new_local(exten, context, linkedid=caller.linkedid)
    one.dialed = True
    one.variables["__dial_leg"] = "1"
    pbx.setvar(one, "DIALEDPEERNUMBER", f"{exten}@{context}")
    pbx.newexten(one, "AppDial", "(Outgoing Line)")
    pbx.set_caller_id(one, caller.cid_num, caller.cid_name)
    pbx.set_connected(one, caller.cid_num, caller.cid_name)
    pbx.setvar(two, "DIALEDPEERNUMBER", f"{exten}@{context}")
    pbx.set_caller_id(two, caller.cid_num, caller.cid_name)
    pbx.set_connected(two, caller.cid_num, caller.cid_name)
    pbx.local_bridge(one, two)
    pbx.emit("DialBegin", "call,all", [*caller.snapshot(), *one.snapshot("Dest"),
                                       ("DialString", f"{exten}@{context}")])
    answered = asyncio.Event()
    gone = asyncio.Event()

    def on_ringing() -> None:
        pbx.set_state(one, RINGING)
        pbx.queues.device_changed(one.device)
        pbx.setvar(caller, "RINGTIME", "0")
        pbx.setvar(caller, "RINGTIME_MS", "0")
        pbx.emit("DialState", "call,all", [*caller.snapshot(), *one.snapshot("Dest"),
                                           ("DialStatus", "RINGING")])

    def on_answer() -> None:
        pbx.setvar(caller, "DIALSTATUS", "ANSWER")
        pbx.setvar(caller, "DIALEDPEERNAME", one.name)
        pbx.setvar(caller, "DIALEDPEERNUMBER", f"{exten}@{context}")
        pbx.emit("DialEnd", "call,all", [*caller.snapshot(), *one.snapshot("Dest"),
                                         ("DialStatus", "ANSWER")])
        if caller.state != UP:
            pbx.answer(caller)  # Dial answers its caller when the called party does (d3)
        answered.set()
        caller.interrupt.set()

    def on_gone() -> None:
        gone.set()
        caller.interrupt.set()

    pbx.on_ringing(one, on_ringing)
    pbx.on_answer(one, on_answer)
    pbx.on_hangup(one, on_gone)
    two.task = pbx.spawn(pbx.dialplan.run(two), f"emu-{two.name}")
    deadline = time.monotonic() + timeout / pbx.speed
    caller.interrupt.clear()
    while not answered.is_set():
        left = deadline - time.monotonic()
        if caller.soft_hangup or caller.hungup or gone.is_set() or left <= 0:
            status = "CANCEL" if caller.soft_hangup or caller.hungup else "NOANSWER"
            if not one.hungup:
                pbx.emit("DialEnd", "call,all", [*caller.snapshot(), *one.snapshot("Dest"),
                                                 ("DialStatus", status)])
                pbx.hangup(one, 0, soft=False)
            caller.cdr_rows.append("NO ANSWER")
            pbx.setvar(caller, "DIALSTATUS", status)
            return nxt
        await pbx.wait(caller, left * pbx.speed)
        caller.interrupt.clear()
    answer_at = time.monotonic()
    bridge = pbx.new_bridge()
    one.exten = ""
    pbx.newexten(one, "AppDial", "(Outgoing Line)")
    pbx.enter_bridge(bridge, one)
    pbx.enter_bridge(bridge, caller)
    pbx.bridge_peers(bridge)
    caller.variables["__dest"] = one.name
    caller.variables["__app_bridge"] = "Dial"
    done = asyncio.Event()

    def bridge_left(who: EChannel) -> None:
        done.set()
        caller.interrupt.set()

    pbx.watch_bridge(bridge, bridge_left)
    caller.interrupt.clear()
    while not done.is_set() and not caller.soft_hangup and not caller.hungup:
        await pbx.wait(caller, None)
        caller.interrupt.clear()
    talk = (time.monotonic() - answer_at) * pbx.speed
    total = (time.monotonic() - started) * pbx.speed
    results = (("ANSWEREDTIME", str(int(talk))), ("ANSWEREDTIME_MS", str(int(talk * 1000))),
               ("DIALEDTIME", str(int(total))), ("DIALEDTIME_MS", str(int(total * 1000))),
               ("DIALSTATUS", "ANSWER"))
    if "__swapped" in caller.variables:
        # A Local optimisation took this (;2) channel out and put the far caller in its
        # place (d3): the bridge and the called leg now belong to that caller's Dial.
        for name, value in results:
            pbx.setvar(caller, name, value)
        if not caller.hungup:
            pbx.hangup(caller, caller.hangup_cause, soft=True)
        return nxt
    bridge = caller.bridge or bridge  # a Local optimisation may have moved the caller
    caller_left = caller.soft_hangup or caller.hungup
    if caller.bridge is not None:
        pbx.leave_bridge(caller)
    others = list(bridge.members)
    if not caller_left:
        # The called party went first (d1): it is out, the bridge goes, then the caller.
        for other in others:
            pbx.leave_bridge(other)
            if not other.hungup:
                pbx.hangup(other, 16, soft=False)
        pbx.destroy_bridge(bridge)
    for name, value in results:
        pbx.setvar(caller, name, value)
    # Without the `g` option, the caller is hung up when the called party hangs up; when
    # the caller went first (e1), the called party is put out and hung up after it.
    if caller_left:
        for other in others:
            pbx.leave_bridge(other)
        if not caller.hungup:
            pbx.hangup(caller, caller.hangup_cause, soft=True)
        pbx.destroy_bridge(bridge)
        for other in others:
            if not other.hungup:
                pbx.hangup(other, 16, soft=False)
    elif not caller.hungup:
        pbx.hangup(caller, caller.hangup_cause, soft=True)
    if not one.hungup:
        # A called leg hung up by the Hangup action was only put out of the bridge: Dial,
        # which owns it, hangs it up last, once the caller's side is gone (f1: 14 ms).
        await pbx.sleep(0.014)
        if not one.hungup:
            pbx.hangup(one, 16, soft=False)
    return nxt
