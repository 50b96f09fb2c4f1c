"""After a reconnection or an engine restart: agree with what Asterisk and the database say.

Channels Asterisk no longer has ended while we were away; callers it still holds are put back
(waiting ones with their original enqueue time, talking ones connected to their agent);
agents the database says were logged in are logged in again.
"""

from __future__ import annotations

from collections.abc import Iterable

from acd import AcdError, AgentState, CallRequest
from callcenter.ami import actions, events as ev
from callcenter.engine.agent_commands import AgentCommands
from callcenter.engine.calls import CallFlow, parse_float
from callcenter.engine.decisions import RouterDecisions, end_ring
from callcenter.engine.live import CallPhase, Leg, LiveCall
from callcenter.engine.records import finish_ivr_span
from callcenter.engine.state import OUTBOUND_PAUSE, CommandRefused, EngineState
from cdr import Outcome, SegmentKind
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
            shown_call = listed.get(call.call_id)
            if shown_call is None:
                if call.phase is not CallPhase.ENDED:
                    self.flow.caller_gone(call, now, now, events_missed=True)
            elif (call.phase is CallPhase.CONNECTED and shown_call.bridge_id
                  and not call.bridged and call.hold_since is None):
                self.flow.bridged(call, now)  # the bridge came while we were away
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

        Asterisk lists channels in its container's hash order, not in creation order (fixture
        h2), so nothing here depends on the listing's order: first every caller talking to an
        agent (cc-connect, or bridged, with a live agent leg carrying its CC_CALL_ID) is
        adopted as connected, which makes those agents busy; then the waiting callers (in
        cc-enqueue / cc-hold) are queued again, in the order the router would take them
        (priority, then CC_ENQUEUED_AT), with their original enqueue times, so they keep
        their place and are offered only to free agents. Returns (waiting, talking)."""
        state = self.state
        now = state.tick(now)
        legs: dict[str, ev.ChannelStatus] = {}  # agent legs by the call they serve
        callers: list[ev.ChannelStatus] = []
        for status in statuses:
            uid = status.channel.uniqueid
            serves = status.variables.get(Var.CALL_ID, uid)
            if serves != uid:
                legs[serves] = status
            elif uid not in state.calls and status.variables.get(Var.QUEUE):
                callers.append(status)
        waiting_callers: list[tuple[int, float, str, ev.ChannelStatus]] = []
        talking = 0
        for status in callers:
            channel = status.channel
            agent_id = status.variables.get(Var.AGENT_ID, "")
            leg_status = legs.get(channel.uniqueid)
            if agent_id and leg_status is not None and (
                channel.context == contract.CONNECT or status.bridge_id
            ):
                if self._adopt_talking(status, agent_id, leg_status, now):
                    talking += 1
                continue
            if leg_status is not None:  # its agent's phone was ringing: ring again from scratch
                state.outbox.ami(actions.hangup(leg_status.channel.name), now)
            priority = status.variables.get(Var.PRIORITY, "")
            enqueued_at = parse_float(status.variables.get(Var.ENQUEUED_AT)) or now
            waiting_callers.append((-int(priority) if priority.isdigit() else 0, enqueued_at,
                                    channel.uniqueid, status))
        waiting = 0
        for _, _, _, status in sorted(waiting_callers, key=lambda item: item[:3]):
            if self.flow.enqueue_channel(status.channel, _enqueue_fields(status), now, now,
                                         restored=True) is not None:
                waiting += 1
        return waiting, talking

    def _adopt_talking(self, status: ev.ChannelStatus, agent_id: str,
                       leg_status: ev.ChannelStatus, now: float) -> bool:
        """A caller talking to an agent when the engine stopped: connected again, its record
        timed from the channel variables (CC_ENQUEUED_AT, CC_QUEUE_ENTERED_AT on the caller,
        CC_OFFERED_AT on the leg, CC_ANSWERED_AT on the caller)."""
        state = self.state
        channel = status.channel
        fields = _enqueue_fields(status)
        agent = state.agents.get(agent_id)
        if agent is None or agent.state is AgentState.LOGGED_OUT:
            state.outbox.notice("warning", f"restore: call {channel.uniqueid} talks to agent"
                                f" {agent_id}, who is not logged in; left alone")
            return False
        pause_after = agent.reason if agent.state is AgentState.PAUSED else None
        if pause_after is not None:
            # Paused in the database but on a call in Asterisk: busy now, paused after wrap-up.
            self.decisions.agent_entry(lambda: state.router.unpause(agent_id, now), now)
        enqueued_at = min(parse_float(fields.get(Var.ENQUEUED_AT)) or now, now)
        entered_at = parse_float(fields.get(Var.QUEUE_ENTERED_AT))
        if entered_at is None or not enqueued_at <= entered_at <= now:
            entered_at = enqueued_at
        leg_age = max(0.0, now - leg_status.seconds)  # Status Seconds: since the leg was made
        offered_at = parse_float(leg_status.variables.get(Var.OFFERED_AT)) or leg_age
        offered_at = min(max(offered_at, entered_at), now)
        answered_at = parse_float(status.variables.get(Var.ANSWERED_AT)) or offered_at
        answered_at = min(max(answered_at, offered_at), now)
        queue = fields[EnqueueField.QUEUE]
        priority_text = fields.get(EnqueueField.PRIORITY, "")
        priority = int(priority_text) if priority_text.isdigit() and int(priority_text) <= 9 else 0
        request = CallRequest(id=channel.uniqueid, queue=queue, priority=priority,
                              caller=channel.caller_id_num or None, enqueued_at=enqueued_at,
                              queue_entered_at=entered_at)
        try:
            decisions = state.router.restore_connected(request, agent_id, answered_at, now)
        except AcdError as error:
            state.outbox.notice("error", f"restore: call {channel.uniqueid}: {error}")
            return False
        call = LiveCall(
            call_id=channel.uniqueid, channel=channel.name, caller=channel.caller_id_num,
            caller_name=channel.caller_id_name, queue=queue, priority=priority,
            skills=fields.get(EnqueueField.SKILLS, ""),
            language=fields.get(EnqueueField.LANGUAGE, ""),
            tier=fields.get(EnqueueField.TIER) or None,
            ivr_path=fields.get(EnqueueField.IVR_PATH, ""),
            arrived_at=enqueued_at, enqueued_at=enqueued_at, linkedid=channel.linkedid,
            did=fields.get(EnqueueField.DID, ""),
            phase=CallPhase.CONNECTED, bridged=True, talk_since=answered_at,
            recording_decided=True,  # a MixMonitor started before the restart goes on unseen
        )
        leg = Leg(leg_status.channel.uniqueid, call.call_id, agent_id, offered_at,
                  channel=leg_status.channel.name, answered_at=answered_at)
        call.legs.append(leg)
        call.leg = leg
        call.agent_id, call.agent_display, call.answered_at = agent_id, agent.display_id, (
            answered_at)
        call.add_segment(SegmentKind.QUEUE, entered_at, offered_at, queue=queue)
        end_ring(call, leg, answered_at, answered=True)
        call.wrap_ups_pending.add(agent_id)
        agent.call_id = call.call_id
        state.calls[call.call_id] = call
        state.legs[leg.uniqueid] = leg
        self.decisions.apply(decisions, now, now)
        if pause_after is not None:
            reason = pause_after
            self.decisions.agent_entry(lambda: state.router.pause(agent_id, reason, now), now)
        return True


def _enqueue_fields(status: ev.ChannelStatus) -> dict[str, str]:
    """The enqueue event's headers, read back from the caller's channel variables."""
    variables = status.variables
    fields = {header.value: variables.get(var, "") for header, var in ENQUEUE_FIELDS}
    fields[Var.ENQUEUED_AT] = variables.get(Var.ENQUEUED_AT, "")
    fields[Var.QUEUE_ENTERED_AT] = variables.get(Var.QUEUE_ENTERED_AT, "")
    return fields
