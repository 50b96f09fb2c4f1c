"""After a reconnection or an engine restart: agree with what Asterisk and the database say.

Channels Asterisk no longer has ended while we were away; callers it still holds are put back
(waiting ones with their original enqueue time, talking ones connected to their agent);
agents the database says were logged in are logged in again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from acd import AcdError, AgentState, CallRequest
from callcenter.ami import actions
from callcenter.ami import events as ev
from callcenter.engine.agent_commands import AgentCommands
from callcenter.engine.calls import CallFlow, parse_float
from callcenter.engine.decisions import RouterDecisions
from callcenter.engine.live import CallPhase, Leg, LiveCall
from callcenter.engine.records import finish_ivr_span
from callcenter.engine.state import OUTBOUND_PAUSE, CommandRefused, EngineState
from cdr.records import Outcome
from dialplans import contract
from dialplans.contract import ENQUEUE_FIELDS, EnqueueField, Var

# An Originate sent this recently may not be in a channel listing taken meanwhile.
_NOT_LISTED_YET_S = 5.0


class Restoration:
    """Reconnection and restart, over the state book, the call flow and the agent commands."""

    def __init__(self, state: EngineState, flow: CallFlow, decisions: RouterDecisions,
                 commands: AgentCommands) -> None:
        self.state = state
        self.flow = flow
        self.decisions = decisions
        self.commands = commands

    def restore_agent(self, agent_id: str, device: str | None, paused: str | None,
                      logged_in_at: float, now: float) -> None:
        """After a restart: an agent the database says was logged in."""
        state = self.state
        agent = state.agents.get(agent_id)
        if agent is None or agent.state is not AgentState.LOGGED_OUT:
            return
        now = state.tick(now)
        if paused in (OUTBOUND_PAUSE,):
            paused = None
        try:
            self.commands.login(agent_id, device, now)
        except CommandRefused as error:
            state.outbox.notice("warning", f"restore: agent {agent_id}: {error}")
            return
        agent.logged_in_at = logged_in_at
        if paused and state.agents[agent_id].state is AgentState.AVAILABLE:
            reason = paused
            self.decisions.agent_entry(lambda: state.router.pause(agent_id, reason, now), now)

    def reconcile(self, channels: Iterable[ev.CoreShowChannel], now: float) -> None:
        """After a (re)connection: what happened while we were away.

        Channels Asterisk no longer has ended; an agent leg that is Up now was answered; IVR
        callers whose channel is gone hung up."""
        state = self.state
        now = state.tick(now)
        listed = {c.channel.uniqueid: c for c in channels}
        for call in [c for c in state.calls.values() if c.channel]:
            if call.call_id not in listed and call.phase is not CallPhase.ENDED:
                self.flow.caller_gone(call, now, now)
        for leg in list(state.legs.values()):
            shown = listed.get(leg.uniqueid)
            if shown is not None:
                if shown.channel.state is ev.ChannelState.UP and leg.answered_at is None:
                    self.flow.leg_answered(leg, shown.channel.name, now)
                continue
            if leg.sent_at is None or now - leg.sent_at < _NOT_LISTED_YET_S:
                continue  # not originated yet, or too recently to be in the listing
            self.flow.leg_failed(leg, now)
        for span in [s for s in state.ivr_spans.values() if s.uniqueid not in listed]:
            span.hung_up_at = span.hung_up_at or state.tick(now)
            if span.ended_at is None:
                span.ended_at, span.outcome = span.hung_up_at, Outcome.ABANDONED
            finish_ivr_span(state, span)

    def leg_originated(self, uniqueid: str, at: float) -> None:
        """The shell wrote the Originate of this leg (it may be held while AMI is down)."""
        leg = self.state.legs.get(uniqueid)
        if leg is not None:
            leg.sent_at = at

    def adopt(self, statuses: Iterable[ev.ChannelStatus], now: float) -> tuple[int, int]:
        """After an engine restart: put back the callers Asterisk still holds.

        Waiting callers (in cc-enqueue / cc-hold) are queued again with their original enqueue
        time (from CC_ENQUEUED_AT); a caller talking to an agent (cc-connect, or bridged, with
        CC_AGENT_ID whose leg is alive) is adopted as connected. Returns (waiting, talking)."""
        state = self.state
        now = state.tick(now)
        statuses = list(statuses)
        legs_alive = {
            s.channel.uniqueid: s for s in statuses
            if s.channel.context == contract.AGENT
            or (s.variables.get(Var.CALL_ID, s.channel.uniqueid) != s.channel.uniqueid)
        }
        waiting = talking = 0
        for status in statuses:
            variables = status.variables
            channel = status.channel
            if (channel.uniqueid in state.calls or not variables.get(Var.QUEUE)
                    or variables.get(Var.CALL_ID, channel.uniqueid) != channel.uniqueid):
                continue
            fields = {header.value: variables.get(var, "") for header, var in ENQUEUE_FIELDS}
            fields[Var.ENQUEUED_AT] = variables.get(Var.ENQUEUED_AT, "")
            fields[Var.QUEUE_ENTERED_AT] = variables.get(Var.QUEUE_ENTERED_AT, "")
            agent_id = variables.get(Var.AGENT_ID, "")
            leg_status = next((s for s in legs_alive.values()
                               if s.variables.get(Var.CALL_ID) == channel.uniqueid), None)
            if agent_id and leg_status is not None and (
                channel.context == contract.CONNECT or status.bridge_id
            ):
                if self._adopt_talking(channel, fields, agent_id, leg_status, now):
                    talking += 1
                continue
            if leg_status is not None:  # its agent's phone was ringing: ring again from scratch
                state.outbox.ami(actions.hangup(leg_status.channel.name), now)
            if self.flow.enqueue_channel(channel, fields, now, now, restored=True) is not None:
                waiting += 1
        return waiting, talking

    def _adopt_talking(self, channel: ev.Channel, fields: Mapping[str, str], agent_id: str,
                       leg_status: ev.ChannelStatus, now: float) -> bool:
        state = self.state
        agent = state.agents.get(agent_id)
        if agent is None or agent.state is not AgentState.AVAILABLE:
            state.outbox.notice("warning", f"restore: call {channel.uniqueid} talks to agent"
                                f" {agent_id}, who is not logged in and available; left alone")
            return False
        enqueued_at = parse_float(fields.get(Var.ENQUEUED_AT)) or now
        enqueued_at = min(enqueued_at, now)
        answered_at = max(enqueued_at, now - leg_status.seconds)
        queue = fields[EnqueueField.QUEUE]
        request = CallRequest(id=channel.uniqueid, queue=queue,
                              caller=channel.caller_id_num or None, enqueued_at=enqueued_at)
        try:
            decisions = state.router.restore_connected(request, agent_id, answered_at, now)
        except AcdError as error:
            state.outbox.notice("error", f"restore: call {channel.uniqueid}: {error}")
            return False
        call = LiveCall(
            call_id=channel.uniqueid, channel=channel.name, caller=channel.caller_id_num,
            caller_name=channel.caller_id_name, queue=queue, priority=0,
            skills=fields.get(EnqueueField.SKILLS, ""),
            language=fields.get(EnqueueField.LANGUAGE, ""),
            tier=fields.get(EnqueueField.TIER) or None,
            ivr_path=fields.get(EnqueueField.IVR_PATH, ""),
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
        state.calls[call.call_id] = call
        state.legs[leg.uniqueid] = leg
        self.decisions.apply(decisions, now, now)
        return True
