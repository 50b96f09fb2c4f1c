"""manager.conf: the engine's AMI account with the fewest classes its events and actions need.

Which class each event and action belongs to is in docs/dialplan.md (with the Asterisk source
lines); `contract.MANAGER_READ`/`MANAGER_WRITE` hold the result.
"""

from __future__ import annotations

from dialplans import contract
from dialplans.inputs import ManagerUser


def write_classes(user: ManagerUser) -> tuple[str, ...]:
    """The write classes: call, originate, reporting; and system when calls are recorded."""
    if user.records:
        return (*contract.MANAGER_WRITE, contract.MANAGER_WRITE_RECORDING)
    return contract.MANAGER_WRITE


def render_manager(user: ManagerUser, header: str) -> str:
    """manager.conf text: `[general]` listening on the AMI port, then the engine's user."""
    lines = [
        header.rstrip("\n"),
        "",
        "[general]",
        "enabled = yes",
        f"port = {user.port}",
        f"bindaddr = {user.bind_address}",
        "",
        f"[{user.username}]",
        f"secret = {user.secret}",
        "deny = 0.0.0.0/0.0.0.0",
        *(f"permit = {network}" for network in user.permit),
        "; events: Newchannel Newstate Hangup OriginateResponse DeviceStateChange BridgeEnter",
        ";         Hold Unhold DialEnd ChanSpyStart ChanSpyStop (call), UserEvent (user)",
        f"read = {','.join(contract.MANAGER_READ)}",
        "; actions: Redirect Hangup Setvar Status MixMonitorMute (call), Originate (originate),",
        ";          CoreShowChannels (reporting)"
        + (", MixMonitor (system)" if user.records else ""),
        f"write = {','.join(write_classes(user))}",
        "writetimeout = 1000",
    ]
    return "\n".join(lines) + "\n"
