"""After a reconnection or an engine restart: agree with what Asterisk and the database say.

Channels Asterisk no longer has ended while we were away; callers it still holds are put back
(waiting ones with their original enqueue time, talking ones connected to their agent);
agents the database says were logged in are logged in again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from acd import AcdError, AgentState, CallRequest
from callcenter.ami import events as ev
from callcenter.engine.agent_commands import AgentCommands
from callcenter.engine.callhandling import (
    AGENT_CONTEXT,
    CONNECT_CONTEXT,
    OUTBOUND_PAUSE,
    CommandRefused,
    parse_float,
)
from callcenter.engine.live import CallPhase, Leg, LiveCall

# An Originate sent this recently may not be in a channel listing taken meanwhile.
_NOT_LISTED_YET_S = 5.0


class Restoration(AgentCommands):
    """Reconnection and restart on top of the agent commands: the top layer of `Switchboard`."""


    def restore_agent(self, agent_id: str, device: str | None, paused: str | None,
                      logged_in_at: float, now: float) -> None:
        """After a restart: an agent the database says was logged in."""
        agent = self.agents.get(agent_id)
        if agent is None or agent.state is not AgentState.LOGGED_OUT:
            return
        now = self.tick(now)
        if paused in (OUTBOUND_PAUSE,):
            paused = None
        try:
            self.login(agent_id, device, now)
        except CommandRefused as error:
            self._notice("warning", f"restore: agent {agent_id}: {error}")
            return
        agent.logged_in_at = logged_in_at
        if paused and self.agents[agent_id].state is AgentState.AVAILABLE:
            self._agent_entry(lambda: self.router.pause(agent_id, paused, now), now)

    def reconcile(self, channels: Iterable[ev.CoreShowChannel], now: float) -> None:
        """After a (re)connection: what happened while we were away.

        Channels Asterisk no longer has ended; an agent leg that is Up now was answered."""
        now = self.tick(now)
        listed = {c.channel.uniqueid: c for c in channels}
        for call in [c for c in self.calls.values() if c.channel]:
            if call.call_id not in listed and call.phase is not CallPhase.ENDED:
                self._caller_gone(call, now, now)
        for leg in list(self.legs.values()):
            shown = listed.get(leg.uniqueid)
            if shown is not None:
                if shown.channel.state is ev.ChannelState.UP and leg.answered_at is None:
                    self._leg_answered(leg, shown.channel.name, now)
                continue
            if leg.sent_at is None or now - leg.sent_at < _NOT_LISTED_YET_S:
                continue  # not originated yet, or too recently to be in the listing
            self.legs.pop(leg.uniqueid, None)
            leg.ended_at = now
            self._leg_gone(leg, now, now)

    def leg_originated(self, uniqueid: str, at: float) -> None:
        """The shell wrote the Originate of this leg (it may be held while AMI is down)."""
        leg = self.legs.get(uniqueid)
        if leg is not None:
            leg.sent_at = at

    def adopt(self, statuses: Iterable[ev.ChannelStatus], now: float) -> tuple[int, int]:
        """After an engine restart: put back the callers Asterisk still holds.

        Waiting callers (in cc-enqueue / cc-hold) are queued again with their original enqueue
        time (from CC_ENQUEUED_AT); a caller talking to an agent (cc-connect, or bridged, with
        CC_AGENT_ID whose leg is alive) is adopted as connected. Returns (waiting, talking)."""
        now = self.tick(now)
        statuses = list(statuses)
        legs_alive = {
            s.channel.uniqueid: s for s in statuses
            if s.channel.context == AGENT_CONTEXT
            or (s.variables.get("CC_CALL_ID", s.channel.uniqueid) != s.channel.uniqueid)
        }
        waiting = talking = 0
        for status in statuses:
            variables = status.variables
            channel = status.channel
            if (channel.uniqueid in self.calls or not variables.get("CC_QUEUE")
                    or variables.get("CC_CALL_ID", channel.uniqueid) != channel.uniqueid):
                continue
            fields = {"Queue": variables.get("CC_QUEUE", ""),
                      "CallPriority": variables.get("CC_PRIORITY", ""),
                      "Skills": variables.get("CC_SKILLS", ""),
                      "CallLanguage": variables.get("CC_LANG", ""),
                      "Tier": variables.get("CC_TIER", ""),
                      "IvrPath": variables.get("CC_IVR_PATH", ""),
                      "RecordingOptOut": variables.get("CC_RECORDING_OPTOUT", ""),
                      "CC_ENQUEUED_AT": variables.get("CC_ENQUEUED_AT", ""),
                      "CC_QUEUE_ENTERED_AT": variables.get("CC_QUEUE_ENTERED_AT", "")}
            agent_id = variables.get("CC_AGENT_ID", "")
            leg_status = next((s for s in legs_alive.values()
                               if s.variables.get("CC_CALL_ID") == channel.uniqueid), None)
            if agent_id and leg_status is not None and (
                channel.context == CONNECT_CONTEXT or status.bridge_id
            ):
                if self._adopt_talking(channel, fields, agent_id, leg_status, now):
                    talking += 1
                continue
            if leg_status is not None:  # its agent's phone was ringing: ring again from scratch
                self._ami("Hangup", {"Channel": leg_status.channel.name, "Cause": 16}, now)
            if self._enqueue_channel(channel, fields, now, now, restored=True) is not None:
                waiting += 1
        return waiting, talking

    def _adopt_talking(self, channel: ev.Channel, fields: Mapping[str, str], agent_id: str,
                       leg_status: ev.ChannelStatus, now: float) -> bool:
        agent = self.agents.get(agent_id)
        if agent is None or agent.state is not AgentState.AVAILABLE:
            self._notice("warning", f"restore: call {channel.uniqueid} talks to agent"
                         f" {agent_id}, who is not logged in and available; left alone")
            return False
        enqueued_at = parse_float(fields.get("CC_ENQUEUED_AT")) or now
        enqueued_at = min(enqueued_at, now)
        answered_at = max(enqueued_at, now - leg_status.seconds)
        request = CallRequest(id=channel.uniqueid, queue=fields["Queue"],
                              caller=channel.caller_id_num or None, enqueued_at=enqueued_at)
        try:
            decisions = self.router.restore_connected(request, agent_id, answered_at, now)
        except AcdError as error:
            self._notice("error", f"restore: call {channel.uniqueid}: {error}")
            return False
        call = LiveCall(
            call_id=channel.uniqueid, channel=channel.name, caller=channel.caller_id_num,
            caller_name=channel.caller_id_name, queue=fields["Queue"], priority=0,
            skills=fields.get("Skills", ""), language=fields.get("CallLanguage", ""),
            tier=fields.get("Tier") or None, ivr_path=fields.get("IvrPath", ""),
            arrived_at=enqueued_at, enqueued_at=enqueued_at, linkedid=channel.linkedid,
            phase=CallPhase.CONNECTED, bridged=True,
            recording_decided=True,  # a MixMonitor started before the restart goes on unseen
        )
        leg = Leg(leg_status.channel.uniqueid, call.call_id, agent_id, answered_at,
                  channel=leg_status.channel.name, answered_at=answered_at)
        call.legs.append(leg)
        call.leg = leg
        call.agent_id, call.agent_display, call.answered_at = agent_id, agent.display_id, (
            answered_at)
        call.wrap_ups_pending.add(agent_id)
        agent.call_id = call.call_id
        self.calls[call.call_id] = call
        self.legs[leg.uniqueid] = leg
        self._apply(decisions, now, now)
        return True

