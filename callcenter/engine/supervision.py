"""Supervisor commands in the live engine: check the role, act through the switchboard, audit.

`apply_supervisor(sb, supervision, user, command, now)` is pure like `admin.apply_admin`: it
asks `callcenter.supervision.roles.authorize` first, so a refused command changes nothing and
emits nothing; an allowed one becomes switchboard effects (AMI actions, state publishes). It
never raises: the returned `AuditEntry` says `ok` or why not, and the service writes it and
replies with it.

Listen, whisper and barge ring the supervisor's configured device and run ChanSpy on the
agent's leg, as the real transcript f1-chanspy-listen-whisper shows
(`Originate Channel=<device> Application=ChanSpy Data=<agent channel>,qE`): `q` no beep or
name announcement, `E` the spy ends when the spied channel hangs up, `w` whisper (the agent
hears the supervisor), `B` barge (agent and caller both do; apps/app_chanspy.c). The spy's
channel id is ours (`spy-<n>`), so `ChanSpyStart`/`ChanSpyStop` are matched to the session by
the spyer's Uniqueid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from callcenter.ami import events as ev
from callcenter.bus.schemas import (
    BargeCommand,
    CommandError,
    ForceHangupCommand,
    ForceLogoutCommand,
    ForcePauseCommand,
    ForceReadyCommand,
    ListenCommand,
    MoveCallCommand,
    SetPriorityCommand,
    SpyMode,
    SupervisorCommand,
    WhisperCommand,
)
from callcenter.engine.switchboard import CommandRefused, Switchboard
from callcenter.supervision.audit import OK, AuditEntry
from callcenter.supervision.roles import (
    Action,
    AgentTarget,
    CallTarget,
    Roster,
    SupervisionSettings,
    User,
    authorize,
)

SupervisorInput = tuple[str, SupervisorCommand | CommandError]
"""What the bus delivers: the user of the command topic, and the command or why unreadable."""

SPY_OPTIONS = {SpyMode.LISTEN: "qE", SpyMode.WHISPER: "qEw", SpyMode.BARGE: "qEB"}
_SPY_COMMANDS = {ListenCommand: SpyMode.LISTEN, WhisperCommand: SpyMode.WHISPER,
                 BargeCommand: SpyMode.BARGE}


@dataclass(slots=True)
class SpySession:
    """A supervisor's phone ringing for, or listening to, an agent's call."""

    uniqueid: str  # the ChannelId of the Originate: the spyer's Uniqueid
    user: str
    agent: str
    mode: SpyMode
    call_id: str | None
    started: bool = False


@dataclass(frozen=True, slots=True)
class SpyReport:
    """For wallboards: `spy-started`, `spy-stopped` or `spy-failed` (with `error`)."""

    event: Literal["spy-started", "spy-stopped", "spy-failed"]
    session: SpySession
    error: str | None = None


class Supervision:
    """The roster and the spy sessions; lives next to the switchboard in the service."""

    def __init__(self, settings: SupervisionSettings) -> None:
        self.roster = Roster(settings)
        self.spies: dict[str, SpySession] = {}
        self._seq = 0

    def next_spy_id(self, now: float) -> str:
        """The ChannelId the next spy will get (taken by `add_spy`)."""
        return f"spy-{int(now)}-{self._seq + 1}"

    def add_spy(self, session: SpySession) -> None:
        self._seq += 1
        self.spies[session.uniqueid] = session

    def on_event(self, event: ev.AmiEvent) -> list[SpyReport]:
        """Follow the spy channels: started, stopped, or never got going."""
        match event:
            case ev.ChanSpyStart():
                session = self.spies.get(event.spyer.uniqueid)
                if session is not None and not session.started:
                    session.started = True
                    return [SpyReport("spy-started", session)]
            case ev.ChanSpyStop():
                session = self.spies.pop(event.spyer.uniqueid, None)
                if session is not None:
                    return [SpyReport("spy-stopped", session)]
            case ev.OriginateResponse(success=False, uniqueid=str() as uid):
                session = self.spies.pop(uid, None)
                if session is not None:
                    return [SpyReport("spy-failed", session,
                                      f"{event.channel} did not answer (reason {event.reason})")]
            case ev.Hangup():
                session = self.spies.pop(event.channel.uniqueid, None)
                if session is not None and not session.started:
                    return [SpyReport("spy-failed", session,
                                      f"hung up before the spy began ({event.cause_txt})")]
        return []


def _detail(command: SupervisorCommand) -> str | None:
    match command:
        case ForcePauseCommand():
            return f"reason {command.reason}"
        case MoveCallCommand():
            return f"to queue {command.queue}"
        case SetPriorityCommand():
            return f"priority {command.priority}"
    return None


def audit_unreadable(supervision: Supervision, user_id: str, error: CommandError,
                     now: float) -> AuditEntry:
    """The audit entry of a command that could not even be read."""
    user = supervision.roster.user(user_id)
    return AuditEntry(now, user_id, user.role.value if user else None, "?", None, None, None,
                      error.request_id, error.message)


def apply_supervisor(sb: Switchboard, supervision: Supervision, user_id: str,
                     command: SupervisorCommand, now: float) -> AuditEntry:
    """Check and carry out one supervisor command; the entry says `ok` or why not."""
    user = supervision.roster.user(user_id)
    agent_id = getattr(command, "agent", None)
    call_id: str | None = getattr(command, "call_id", None)
    if call_id is None and agent_id is not None and agent_id in sb.agents:
        call_id = sb.agents[agent_id].call_id
    entry = AuditEntry(now, user_id, user.role.value if user else None, command.cmd,
                       agent_id, call_id, _detail(command), command.id, OK)
    try:
        if user is None:
            raise CommandRefused(f"user {user_id!r} is not configured (supervision.users)")
        _carry_out(sb, supervision, user, command, sb.tick(now))
    except CommandRefused as refused:
        return _with_result(entry, str(refused))
    return entry


def _with_result(entry: AuditEntry, result: str) -> AuditEntry:
    return AuditEntry(entry.at, entry.user_id, entry.role, entry.action, entry.agent_id,
                      entry.call_id, entry.detail, entry.request_id, result)


def _allow(user: User, action: Action, target: AgentTarget | CallTarget) -> None:
    reason = authorize(user, action, target)
    if reason is not None:
        raise CommandRefused(reason)


def _carry_out(sb: Switchboard, supervision: Supervision, user: User,
               command: SupervisorCommand, now: float) -> None:
    roster = supervision.roster
    match command:
        case MoveCallCommand() | SetPriorityCommand():
            call = sb.calls.get(command.call_id)
            _allow(user, Action(command.cmd), CallTarget(command.call_id,
                                                         call.queue if call else ""))
            if isinstance(command, MoveCallCommand):
                sb.move_call(command.call_id, command.queue, now)
            else:
                sb.set_priority(command.call_id, command.priority, now)
        case _:
            _allow(user, Action(command.cmd), roster.agent_target(command.agent))
            if command.agent not in sb.agents:
                raise CommandRefused(f"agent {command.agent} is not configured")
            match command:
                case ListenCommand() | WhisperCommand() | BargeCommand():
                    _spy(sb, supervision, user, command.agent, _SPY_COMMANDS[type(command)],
                         now)
                case ForceHangupCommand():
                    sb.hangup(command.agent, now)
                case ForcePauseCommand():
                    sb.pause(command.agent, command.reason, now)
                case ForceReadyCommand():
                    sb.ready(command.agent, now)
                case ForceLogoutCommand():
                    sb.logout(command.agent, now)


def _spy(sb: Switchboard, supervision: Supervision, user: User, agent_id: str, mode: SpyMode,
         now: float) -> None:
    if user.device is None:
        raise CommandRefused(f"user {user.id} has no device to {mode.value} on"
                             " (supervision.users.device)")
    uid = supervision.next_spy_id(now)
    call_id = sb.spy(agent_id, user.device, SPY_OPTIONS[mode], uid, mode.value.capitalize(),
                     now)
    supervision.add_spy(SpySession(uid, user.id, agent_id, mode, call_id))
