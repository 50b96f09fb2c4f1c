"""Typed builders of every AMI action the project sends, so that nothing else spells headers.

Each builder returns an `AmiAction` (the action's name and its fields in wire order); the
engine hands them to its shell as effects, scripts send them with `AmiClient.send`. Times are
seconds here; AMI's milliseconds are converted by the builders. Header names and values follow
the action's documentation in Asterisk (main/manager.c, apps/app_mixmonitor.c,
apps/app_chanspy.c, main/manager_channels.c).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from callcenter.ami.codec import Value

# Q.850 hangup causes the engine gives (main/causes.h).
CAUSE_UNALLOCATED = 1  # an unknown queue: the caller is refused
CAUSE_NORMAL_CLEARING = 16
CAUSE_NO_USER_RESPONSE = 19  # ring-no-answer


ORIGINATE = "Originate"
REDIRECT = "Redirect"
HANGUP = "Hangup"
"""Names the engine's shell tells apart when it handles a reply (latency, failed offers)."""

_SECRET_FIELDS = frozenset({"Secret", "Key"})


@dataclass(frozen=True, slots=True)
class AmiAction:
    """One action as it goes on the wire (the client adds the ActionID)."""

    name: str
    fields: dict[str, Value] = field(default_factory=dict)

    def __repr__(self) -> str:
        shown = {k: "***" if k in _SECRET_FIELDS else v for k, v in self.fields.items()}
        return f"AmiAction({self.name!r}, {shown!r})"


def _variables(variables: Mapping[str, str] | Sequence[str]) -> list[str]:
    if isinstance(variables, Mapping):
        return [f"{name}={value}" for name, value in variables.items()]
    return list(variables)


def originate(
    channel: str,
    *,
    context: str = "",
    exten: str = "",
    priority: int = 1,
    application: str = "",
    data: str = "",
    timeout_s: float = 30.0,
    caller_id: str | None = None,
    channel_id: str = "",
    other_channel_id: str = "",
    variables: Mapping[str, str] | Sequence[str] = (),
) -> AmiAction:
    """Async Originate of `channel` into context/exten/priority, or into an application.

    The outcome comes later as an `OriginateResponse` whose `Uniqueid` is `channel_id` (also on
    failure: main/manager.c, `fast_originate` reports the channel id it was given).
    `caller_id=None` sends no CallerID header; an empty string sends an empty one."""
    if bool(application) == bool(exten):
        raise ValueError("originate: give either exten (with context) or application")
    fields: dict[str, Value] = {"Channel": channel}
    if application:
        fields.update(Application=application, Data=data)
    else:
        fields.update(Context=context, Exten=exten, Priority=priority)
    fields["Async"] = "true"
    fields["Timeout"] = int(timeout_s * 1000)
    if caller_id is not None:
        fields["CallerID"] = caller_id
    if channel_id:
        fields["ChannelId"] = channel_id
    if other_channel_id:
        fields["OtherChannelId"] = other_channel_id
    if variables:
        fields["Variable"] = _variables(variables)
    return AmiAction(ORIGINATE, fields)


def redirect(channel: str, context: str, exten: str, priority: int = 1) -> AmiAction:
    return AmiAction(REDIRECT, {"Channel": channel, "Context": context, "Exten": exten,
                                "Priority": priority})


def bridge(channel1: str, channel2: str) -> AmiAction:
    """Bridge two channels (both leave their dialplan; when one leaves, so does the other)."""
    return AmiAction("Bridge", {"Channel1": channel1, "Channel2": channel2})


def hangup(channel: str, cause: int = CAUSE_NORMAL_CLEARING) -> AmiAction:
    return AmiAction(HANGUP, {"Channel": channel, "Cause": cause})


def setvar(channel: str, variable: str, value: str) -> AmiAction:
    """Set a channel variable; with `channel=""` a global one."""
    fields: dict[str, Value] = {"Channel": channel} if channel else {}
    fields.update(Variable=variable, Value=value)
    return AmiAction("Setvar", fields)


def getvar(variable: str, channel: str = "") -> AmiAction:
    fields: dict[str, Value] = {"Variable": variable}
    if channel:
        fields["Channel"] = channel
    return AmiAction("Getvar", fields)


def mixmonitor(channel: str, file: str, options: str = "b") -> AmiAction:
    """Start recording `channel` (the absolute path shows only in VarSet MIXMONITOR_FILENAME)."""
    return AmiAction("MixMonitor", {"Channel": channel, "File": file, "Options": options})


def mixmonitor_mute(channel: str, direction: str, muted: bool) -> AmiAction:
    """MixMonitorMute as in fixture e1: Direction read/write/both, State 1 (mute) or 0."""
    return AmiAction("MixMonitorMute", {"Channel": channel, "Direction": direction,
                                        "State": 1 if muted else 0})


def stop_mixmonitor(channel: str) -> AmiAction:
    return AmiAction("StopMixMonitor", {"Channel": channel})


def status(*, all_variables: bool = False) -> AmiAction:
    """The `Status` event list; with every channel variable when `all_variables`."""
    return AmiAction("Status", {"AllVariables": "true"} if all_variables else {})


def core_show_channels() -> AmiAction:
    return AmiAction("CoreShowChannels")


def show_dialplan(context: str = "", extension: str = "") -> AmiAction:
    """The dialplan as `ListDialplan` items; an unknown context is an error reply (main/pbx.c,
    manager_show_dialplan)."""
    fields: dict[str, Value] = {}
    if context:
        fields["Context"] = context
    if extension:
        fields["Extension"] = extension
    return AmiAction("ShowDialPlan", fields)


def device_state_list() -> AmiAction:
    """Every device's state, as `DeviceStateChange` items (main/manager.c; fixture h3)."""
    return AmiAction("DeviceStateList")


def queue_status(queue: str = "") -> AmiAction:
    return AmiAction("QueueStatus", {"Queue": queue} if queue else {})


def queue_pause(interface: str, paused: bool, *, queue: str = "",
                reason: str = "") -> AmiAction:
    fields: dict[str, Value] = {"Interface": interface, "Paused": paused}
    if queue:
        fields["Queue"] = queue
    if reason:
        fields["Reason"] = reason
    return AmiAction("QueuePause", fields)


def queue_add(queue: str, interface: str, *, member_name: str = "", penalty: int = 0,
              paused: bool = False, state_interface: str = "") -> AmiAction:
    fields: dict[str, Value] = {"Queue": queue, "Interface": interface, "Penalty": penalty,
                                "Paused": paused}
    if member_name:
        fields["MemberName"] = member_name
    if state_interface:
        fields["StateInterface"] = state_interface
    return AmiAction("QueueAdd", fields)


def queue_remove(queue: str, interface: str) -> AmiAction:
    return AmiAction("QueueRemove", {"Queue": queue, "Interface": interface})


def user_event(name: str, headers: Mapping[str, str]) -> AmiAction:
    return AmiAction("UserEvent", {"UserEvent": name, **headers})


def command(cli: str) -> AmiAction:
    """A CLI command; its output comes back as `Output:` lines."""
    return AmiAction("Command", {"Command": cli})


def ping() -> AmiAction:
    return AmiAction("Ping")


def login(username: str, secret: str) -> AmiAction:
    """Plain-text login (the client prefers the MD5 challenge when Asterisk offers it)."""
    return AmiAction("Login", {"Username": username, "Secret": secret})


def challenge() -> AmiAction:
    """Ask for an MD5 challenge before `login_md5`."""
    return AmiAction("Challenge", {"AuthType": "MD5"})


def login_md5(username: str, key: str) -> AmiAction:
    """Login with `key` = md5(challenge + secret), so the secret never crosses the wire."""
    return AmiAction("Login", {"AuthType": "MD5", "Username": username, "Key": key})


def logoff() -> AmiAction:
    return AmiAction("Logoff")
