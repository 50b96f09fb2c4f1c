"""Typed helpers for the actions the engine sends, so that it never spells AMI headers.

Each helper takes a connected `AmiClient` and returns its `Response` (or raises
`AmiActionError` with Asterisk's message). Times are seconds; AMI's milliseconds
are converted here.
"""

from __future__ import annotations

from collections.abc import Mapping

from callcenter.ami.client import AmiClient, ListResult, Response
from callcenter.ami.codec import Value


async def originate(
    ami: AmiClient,
    channel: str,
    *,
    context: str = "",
    exten: str = "",
    priority: int = 1,
    application: str = "",
    data: str = "",
    caller_id: str = "",
    channel_id: str = "",
    other_channel_id: str = "",
    variables: Mapping[str, str] | None = None,
    timeout: float = 30.0,
) -> Response:
    """Async Originate of `channel` into context/exten/priority or an application.

    The result comes later as an `OriginateResponse` event whose `action_id` is the
    one this call used (`Response.headers["ActionID"]`). `channel_id` fixes the ;1
    Uniqueid (and `<channel_id>;2` the ;2 one unless `other_channel_id` is given).
    """
    if bool(application) == bool(exten):
        raise ValueError("originate: give either exten (with context) or application")
    fields: dict[str, Value] = {"Channel": channel}
    if application:
        fields.update(Application=application, Data=data)
    else:
        fields.update(Context=context, Exten=exten, Priority=priority)
    fields["Async"] = True
    fields["Timeout"] = int(timeout * 1000)
    if caller_id:
        fields["CallerID"] = caller_id
    if channel_id:
        fields["ChannelId"] = channel_id
    if other_channel_id:
        fields["OtherChannelId"] = other_channel_id
    if variables:
        fields["Variable"] = [f"{k}={v}" for k, v in variables.items()]
    return await ami.action("Originate", fields)


async def redirect(ami: AmiClient, channel: str, context: str, exten: str,
                   priority: int = 1) -> Response:
    return await ami.action("Redirect", {"Channel": channel, "Context": context,
                                         "Exten": exten, "Priority": priority})


async def bridge(ami: AmiClient, channel1: str, channel2: str) -> Response:
    """Bridge two channels (both leave their dialplan; when one leaves, so does the other)."""
    return await ami.action("Bridge", {"Channel1": channel1, "Channel2": channel2})


async def hangup(ami: AmiClient, channel: str, cause: int = 16) -> Response:
    return await ami.action("Hangup", {"Channel": channel, "Cause": cause})


async def setvar(ami: AmiClient, variable: str, value: str, channel: str = "") -> Response:
    fields: dict[str, Value] = {"Variable": variable, "Value": value}
    if channel:
        fields["Channel"] = channel
    return await ami.action("Setvar", fields)


async def getvar(ami: AmiClient, variable: str, channel: str = "") -> str:
    fields: dict[str, Value] = {"Variable": variable}
    if channel:
        fields["Channel"] = channel
    reply = await ami.action("Getvar", fields)
    return reply.headers.get("Value", "")


async def mixmonitor(ami: AmiClient, channel: str, file: str, options: str = "b") -> Response:
    """Start recording `channel` (the absolute path shows only in VarSet MIXMONITOR_FILENAME)."""
    return await ami.action("MixMonitor", {"Channel": channel, "File": file,
                                           "Options": options})


async def stop_mixmonitor(ami: AmiClient, channel: str) -> Response:
    return await ami.action("StopMixMonitor", {"Channel": channel})


async def queue_pause(ami: AmiClient, interface: str, paused: bool, *, queue: str = "",
                      reason: str = "") -> Response:
    fields: dict[str, Value] = {"Interface": interface, "Paused": paused}
    if queue:
        fields["Queue"] = queue
    if reason:
        fields["Reason"] = reason
    return await ami.action("QueuePause", fields)


async def queue_add(ami: AmiClient, queue: str, interface: str, *, member_name: str = "",
                    penalty: int = 0, paused: bool = False,
                    state_interface: str = "") -> Response:
    fields: dict[str, Value] = {"Queue": queue, "Interface": interface, "Penalty": penalty,
                                "Paused": paused}
    if member_name:
        fields["MemberName"] = member_name
    if state_interface:
        fields["StateInterface"] = state_interface
    return await ami.action("QueueAdd", fields)


async def queue_remove(ami: AmiClient, queue: str, interface: str) -> Response:
    return await ami.action("QueueRemove", {"Queue": queue, "Interface": interface})


async def queue_status(ami: AmiClient, queue: str = "") -> ListResult:
    return await ami.list_action("QueueStatus", {"Queue": queue} if queue else None)


async def core_show_channels(ami: AmiClient) -> ListResult:
    return await ami.list_action("CoreShowChannels")


async def user_event(ami: AmiClient, name: str, headers: Mapping[str, str]) -> Response:
    return await ami.action("UserEvent", {"UserEvent": name, **headers})
