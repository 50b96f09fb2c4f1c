"""`ShowDialPlan` as Asterisk 22 answers it (main/pbx.c `manager_show_dialplan`), on the wire.

No transcript holds it, so the frames are the ones pbx.c and manager.c write: the list ack
("DialPlan list will follow"), one `ListDialplan` per priority with the ActionID first and no
Privilege line, `ShowDialPlanComplete` with the extension, priority and context counts; an
unknown context is a plain error reply ("Did not find context X"), no list at all.
"""

from __future__ import annotations

import asyncio

from callcenter.emulator import Emulator
from callcenter.engine.config import EngineConfig, dialplan_params
from dialplans import contract
from dialplans.engine_contexts import engine_contexts

CONFIG = EngineConfig.model_validate({
    "queues": [{"name": "support", "skills": {"support": 1}}],
    "routes": [{"did": "4000", "queue": "support"}, {"did": "4001", "queue": "support"}],
})


async def _session(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await reader.readline()  # the banner
    writer.write(b"Action: Login\r\nUsername: cc\r\nSecret: ccsecret\r\nEvents: off\r\n\r\n")
    assert b"Authentication accepted" in await reader.readuntil(b"\r\n\r\n")
    return reader, writer


async def _frames_until(reader: asyncio.StreamReader, last: bytes) -> list[str]:
    frames: list[str] = []
    async with asyncio.timeout(5):
        while not frames or last not in frames[-1].encode():
            frames.append((await reader.readuntil(b"\r\n\r\n")).decode())
    return frames


async def test_an_unknown_context_is_an_error_reply_and_no_list() -> None:
    async with Emulator() as emu:
        reader, writer = await _session(emu.port)
        writer.write(b"Action: ShowDialPlan\r\nActionID: q1\r\nContext: cc-nope\r\n\r\n")
        frames = await _frames_until(reader, b"Response")
        writer.close()
    assert frames == ["Response: Error\r\nActionID: q1\r\nMessage: Did not find context"
                      " cc-nope\r\n\r\n"]


async def test_a_loaded_context_is_listed_priority_by_priority() -> None:
    plan = engine_contexts(dialplan_params(CONFIG))
    inbound = plan.context(contract.INBOUND)
    assert inbound is not None
    async with Emulator(contexts=plan) as emu:
        reader, writer = await _session(emu.port)
        writer.write(f"Action: ShowDialPlan\r\nActionID: q2\r\nContext: {contract.INBOUND}"
                     "\r\n\r\n".encode())
        frames = await _frames_until(reader, b"ShowDialPlanComplete")
        writer.write(b"Action: ShowDialPlan\r\nActionID: q3\r\nContext: cc-inbound\r\n"
                     b"Extension: 4999\r\n\r\n")
        missing = await _frames_until(reader, b"Response")
        writer.close()
    assert frames[0] == ("Response: Success\r\nActionID: q2\r\nEventList: start\r\n"
                         "Message: DialPlan list will follow\r\n\r\n")
    items = frames[1:-1]
    priorities = sum(len(e.priorities) for e in inbound.extensions)
    assert len(items) == priorities
    first = inbound.extensions[0]
    assert items[0] == (
        f"Event: ListDialplan\r\nActionID: q2\r\nContext: cc-inbound\r\n"
        f"Extension: {first.name}\r\nPriority: 1\r\nApplication: {first.priorities[0].app}"
        f"\r\nAppData: {first.priorities[0].data}\r\nRegistrar: pbx_config\r\n\r\n")
    assert frames[-1] == (
        f"Event: ShowDialPlanComplete\r\nActionID: q2\r\nEventList: Complete\r\n"
        f"ListItems: {priorities}\r\nListExtensions: {len(inbound.extensions)}\r\n"
        f"ListPriorities: {priorities}\r\nListContexts: 1\r\n\r\n")
    assert missing == ["Response: Error\r\nActionID: q3\r\nMessage: Did not find extension"
                       " 4999@cc-inbound\r\n\r\n"]
