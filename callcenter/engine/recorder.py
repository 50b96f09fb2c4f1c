"""Recording in the live engine: the policy asked at the bridge, MixMonitor and its mute,
and the metadata item written when the call ends. Pure helpers over a `LiveCall`; the
switchboard turns their results into effects.

The recording runs on the caller's channel (MixMonitor records both directions), from the
bridge until the channel hangs up: Asterisk stops a MixMonitor when its channel goes away
(fixture e1: no StopMixMonitor needed, and no MixMonitorStop event comes). One recording per
call; a call transferred to another agent keeps it running.
"""

from __future__ import annotations

from datetime import datetime

from callcenter.ami import actions
from callcenter.ami.actions import AmiAction
from callcenter.engine.config import EngineConfig
from callcenter.engine.live import LiveCall
from cdr import Recording
from recording.metadata import RecordingSession
from recording.policy import CallType, RecordingDecision, decide

MUTE_DIRECTION = "both"  # card data: neither side's audio may be kept


def decide_for(config: EngineConfig, call: LiveCall, agent_id: str | None, call_type: CallType,
               *, on_demand: bool = False) -> RecordingDecision:
    return decide(config.recording.policy, call.call_id, queue=call.queue or None,
                  agent_id=agent_id, call_type=call_type, opted_out=call.recording_optout,
                  on_demand=on_demand)


def start(config: EngineConfig, call: LiveCall, agent_id: str | None, channel: str,
          decision: RecordingDecision, now: float) -> AmiAction:
    """Open the call's recording session; the MixMonitor action that starts it."""
    settings = config.recording
    when = datetime.fromtimestamp(now, config.zone())
    relative = settings.naming.relative_path(when, call.call_id, call.queue or None, agent_id)
    asterisk_path = settings.asterisk_path(relative)
    call.recording = RecordingSession(
        recording_id=call.call_id, path=settings.local_path(asterisk_path), channel=channel,
        started_at=now, queue=call.queue or None, agent_id=agent_id,
        format=settings.naming.format.value, reason=decision.explanation,
    )
    return actions.mixmonitor(channel, asterisk_path, settings.naming.mixmonitor_options())


def mute(session: RecordingSession, muted: bool) -> AmiAction:
    """MixMonitorMute of both directions, as in fixture e1."""
    return actions.mixmonitor_mute(session.channel, MUTE_DIRECTION, muted)


def finished(call: LiveCall, now: float) -> Recording | None:
    """The recording's metadata item at the end of the call (size and SHA-256 are added by
    the service, which reads the file)."""
    session = call.recording
    if session is None:
        return None
    meta = session.finish(call.call_id, now)
    return Recording(
        recording_id=meta.recording_id, call_id=meta.call_id, path=meta.path,
        started_at=meta.started_at, ended_at=meta.ended_at, format=meta.format,
        queue=meta.queue, agent_id=meta.agent_id,
        pauses=tuple((p.start, p.end) for p in meta.pauses), reason=meta.reason,
    )
