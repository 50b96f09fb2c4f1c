"""Voicemail: where the message goes, and when there is no message."""

from __future__ import annotations

import pytest

from ivr.errors import IvrError
from ivr.testing import Hangup, ScriptedChannel, Speak
from ivr.voicemail import VoicemailMessage, VoicemailSettings, take_message


async def message(*script: Speak | Hangup, box: str = "billing") -> tuple[
        VoicemailMessage | None, ScriptedChannel]:
    channel = ScriptedChannel(script, caller_id="13700000000", uniqueid="1741000000.7")
    taken = await take_message(channel, box=box, language="zh", directory="/var/spool/cc/vm",
                               settings=VoicemailSettings(min_s=2.0))
    return taken, channel


async def test_message_recorded_in_box_directory() -> None:
    taken, channel = await message(Speak(12.5))
    assert taken == VoicemailMessage(box="billing", path="/var/spool/cc/vm/billing/1741000000.7",
                                     fmt="wav", duration_s=12.5, caller_id="13700000000",
                                     uniqueid="1741000000.7", language="zh")
    assert channel.heard == ["cc/zh/voicemail-greeting", "cc/zh/voicemail-thanks"]


async def test_hanging_up_after_speaking_keeps_the_message() -> None:
    taken, channel = await message(Speak(8.0, ended_by="hangup"))
    assert taken is not None and taken.duration_s == 8.0
    assert channel.heard == ["cc/zh/voicemail-greeting"]


@pytest.mark.parametrize(
    "script",
    [
        (Hangup(),),  # gone during the greeting
        (Speak(1.0, ended_by="hangup"),),  # too short
        (Speak(6.0, ended_by="silence"),),  # 5 s of silence ended it: 1 s of speech
        (),  # said nothing at all
    ],
)
async def test_no_message(script: tuple[Speak | Hangup, ...]) -> None:
    taken, _ = await message(*script)
    assert taken is None


async def test_box_cannot_escape_the_directory() -> None:
    with pytest.raises(IvrError, match="voicemail box"):
        await message(Speak(5.0), box="../etc")
