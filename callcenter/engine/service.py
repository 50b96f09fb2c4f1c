"""The engine's shell: AMI events in, the switchboard's effects out, timers from the router.

One task reads AMI events, one sleeps until the router's next deadline, one reads agent
commands, one publishes queue stats (at most once a second per queue). The switchboard is only
touched from these tasks, between awaits, so it needs no lock.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from contextlib import AsyncExitStack
from typing import Any, Protocol

from sqlalchemy.exc import SQLAlchemyError

from acd import AgentState, QueueSnapshot
from callcenter.agi import FastAgiServer, Handler
from callcenter.ami import AmiClient, AmiConfig, actions, events as ev
from callcenter.ami.errors import AmiError, AmiNotConnectedError
from callcenter.bus.schemas import (
    AdminCommand,
    AgentCommand,
    BlacklistCallerCommand,
    CommandError,
    DialCommand,
    HangupCommand,
    HoldCommand,
    LoginCommand,
    LogoutCommand,
    PauseCommand,
    ReadyCommand,
    RecordPauseCommand,
    RecordResumeCommand,
    RecordStartCommand,
    SupervisorCommand,
    TransferCommand,
    UnholdCommand,
    WrapupEndCommand,
    WrapupExtendCommand,
)
from callcenter.engine.admin import apply_admin
from callcenter.engine.config import EngineConfig
from callcenter.engine.effects import (
    AgentStatePublish,
    AmiRequest,
    CustomerLookup,
    DeviceStateQuery,
    Effect,
    ScreenPopPublish,
    StoreRecord,
)
from callcenter.engine.ivr_handlers import EngineIvrServices, IvrHandlers
from callcenter.engine.live import LiveAgent
from callcenter.engine.presence import Presence, PresenceStore, load_presence
from callcenter.engine.screenpop import CustomerDirectory, ScreenPop, build_pop
from callcenter.engine.state import INVALID_DEVICE_STATE
from callcenter.engine.stats import QueueFigures
from callcenter.engine.supervision import (
    SpyReport,
    Supervision,
    SupervisorInput,
    apply_supervisor,
    audit_unreadable,
)
from callcenter.engine.switchboard import CommandRefused, Switchboard
from callcenter.notify.email import NotifyError, send_voicemail_email
from callcenter.supervision.audit import AuditEntry, write_audit
from cdr import (
    BlacklistError,
    CallRecord,
    CdrWriter,
    Database,
    Recording,
    VoicemailMessage,
    add_to_blacklist,
    mark_notified,
)
from dialplans import contract
from ivr.flows import Flow
from recording.metadata import file_facts

log = logging.getLogger(__name__)
STATS_INTERVAL_S = 1.0
# Actions whose latency the benchmark reports: the ones a routing decision makes.
DECISION_ACTIONS = frozenset({actions.ORIGINATE, actions.REDIRECT})


class Desktops(Protocol):
    """What the engine says to agent desktops and wallboards (MQTT in production)."""

    def agent_state(self, agent: LiveAgent, now: float) -> None: ...

    def screen_pop(self, pop: ScreenPop) -> None: ...

    def queue_stats(self, snapshot: QueueSnapshot, figures: QueueFigures, now: float) -> None:
        ...

    def reply(self, agent_id: str, request_id: str | None, error: str | None) -> None: ...

    def commands(self) -> AsyncIterator[tuple[str, AgentCommand | CommandError]]: ...

    def admin_commands(self) -> AsyncIterator[AdminCommand | CommandError]: ...

    def reply_admin(self, request_id: str | None, error: str | None) -> None: ...

    def supervisor_commands(self) -> AsyncIterator[SupervisorInput]: ...

    def reply_supervisor(self, user: str, request_id: str | None, error: str | None) -> None:
        ...

    def supervisor_event(self, report: SpyReport, now: float) -> None: ...

    def voicemail_left(self, record: VoicemailMessage) -> None: ...


class EngineService:
    """`await EngineService(config, ami_config, db=..., desktops=...).run()` until cancelled."""

    def __init__(
        self,
        config: EngineConfig,
        ami_config: AmiConfig,
        *,
        db: Database | None = None,
        desktops: Desktops | None = None,
        on_record: Callable[[CallRecord], None] | None = None,
        flows: Mapping[str, Flow] | None = None,
    ) -> None:
        self.config = config
        self.ami_config = ami_config
        self.switchboard = Switchboard(config)
        self.switchboard.epoch_offset = time.time() - time.monotonic()
        self.supervision = Supervision(config.supervision)
        self.db = db
        self.desktops = desktops
        self.on_record = on_record
        self.record_listeners: list[Callable[[CallRecord], None]] = []  # besides on_record
        self.directory = CustomerDirectory(db)
        self.flows = dict(flows or {})
        self.smtp = config.smtp
        self.agi_port: int | None = None  # bound once running (when the config needs AGI)
        self.latencies_ms: deque[float] = deque(maxlen=1_000_000)
        self.records_written = 0
        self.ready = asyncio.Event()
        self._ami: AmiClient | None = None
        self._writer: CdrWriter | None = None
        self._presence: PresenceStore | None = None
        self._timer_wake = asyncio.Event()
        self._deadline: float | None = None
        self._tasks: asyncio.TaskGroup | None = None
        self._pending_actions: set[asyncio.Task[None]] = set()
        self._connected = False  # until the first resynchronisation
        self._held: list[AmiRequest] = []

    def ami_sessions(self) -> int:
        """How many AMI logins this engine has made (1 + reconnections)."""
        return self._ami.stats.sessions if self._ami is not None else 0

    def ami_backlog(self) -> int:
        """AMI events read from the socket and not yet handled by the engine."""
        return self._ami.backlog() if self._ami is not None else 0

    def now(self) -> float:
        return time.monotonic() + self.switchboard.epoch_offset

    async def run(self) -> None:
        async with AsyncExitStack() as stack:
            if self.db is not None:
                self._writer = await stack.enter_async_context(CdrWriter(self.db))
                self._presence = PresenceStore(self.db)
                await self._restore_agents()
            self._ami = await stack.enter_async_context(AmiClient(self.ami_config))
            if self.config.uses_agi():
                agi = await stack.enter_async_context(FastAgiServer(
                    self.config.ivr.bind, self.config.ivr.agi_port, self._ivr_handlers()))
                self.agi_port = agi.port
            async with asyncio.TaskGroup() as tasks:
                self._tasks = tasks
                tasks.create_task(self._read_events(self._ami), name="engine-ami-events")
                tasks.create_task(self._run_timers(), name="engine-timers")
                tasks.create_task(self._publish_stats(), name="engine-queue-stats")
                if self._presence is not None:
                    tasks.create_task(self._presence.run(), name="engine-presence")
                if self.desktops is not None:
                    tasks.create_task(self._read_commands(self.desktops), name="engine-commands")
                    tasks.create_task(self._read_admin(self.desktops), name="engine-admin")
                    tasks.create_task(self._read_supervisors(self.desktops),
                                      name="engine-supervisors")
                self.ready.set()

    async def drain(self) -> None:
        """Wait for sent actions, then write out presence and records (before a clean stop)."""
        if self._pending_actions:
            await asyncio.gather(*self._pending_actions, return_exceptions=True)
        if self._presence is not None:
            await self._presence.flush()
        if self._writer is not None:
            await self._writer.flush()

    # ----------------------------------------------------------------- IVR

    def _ivr_handlers(self) -> dict[str, Handler]:
        services = EngineIvrServices(self.db, self.switchboard, self.now)
        ivr = IvrHandlers(self.config, self.flows, self.switchboard, services, db=self.db,
                          now=self.now, perform=self.perform_pending,
                          voicemail_left=self._voicemail_left)
        return dict(ivr.handlers())

    async def _voicemail_left(self, record: VoicemailMessage) -> None:
        log.info("voicemail %s: %.1f s from %s in box %s", record.voicemail_id,
                 record.duration_s, record.caller or "unknown", record.box)
        if self.desktops is not None:
            self.desktops.voicemail_left(record)
        if self.smtp is not None:
            try:
                await send_voicemail_email(self.smtp, record, attach=True,
                                           zone=self.config.zone())
            except NotifyError as error:
                log.error("voicemail %s: e-mail not sent: %s", record.voicemail_id, error)
                return
            if self.db is not None:
                try:
                    await mark_notified(self.db, record.voicemail_id, self.now())
                except SQLAlchemyError as error:
                    log.error("voicemail %s: e-mailed, but not marked so (%s)",
                              record.voicemail_id, type(error).__name__)

    # ----------------------------------------------------------------- inputs

    async def _restore_agents(self) -> None:
        assert self.db is not None
        now = self.now()
        for presence in await load_presence(self.db):
            reason = presence.reason if presence.state == AgentState.PAUSED.value else None
            self.switchboard.restore_agent(presence.agent_id, presence.device, reason,
                                           presence.logged_in_at or now, now)
        restored = [a.id for a in self.switchboard.agents.values()
                    if a.state is not AgentState.LOGGED_OUT]
        if restored:
            log.info("restored %d logged-in agents from the database", len(restored))
        self._perform(self.switchboard.take_effects())

    async def _read_events(self, ami: AmiClient) -> None:
        switchboard = self.switchboard
        async for event in ami.events():
            if isinstance(event, ev.Resynced):
                await self._resync(ami, event)
                self._connected = True
                held, self._held = self._held, []
                for request in held:
                    self._send(request)
            elif isinstance(event, ev.Disconnected):
                self._connected = False
                log.warning("AMI session %d lost (%s); reconnecting", event.session, event.reason)
            else:
                switchboard.handle(event)
                if self.supervision.spies:
                    self._spy_reports(self.supervision.on_event(event))
            self._perform(switchboard.take_effects())

    async def _resync(self, ami: AmiClient, event: ev.Resynced) -> None:
        """After every login: forget what Asterisk no longer has, adopt what we do not know."""
        switchboard = self.switchboard
        # Device states first: nobody is offered a call on a phone that is not registered.
        for device in event.device_states:
            switchboard.handle(device)
        now = self.now()
        switchboard.reconcile(event.channels, now)
        known = set(switchboard.calls) | set(switchboard.legs)
        unknown = [
            c for c in event.channels
            if c.channel.uniqueid not in known
            and (c.channel.context in contract.CALLER_CONTEXTS
                 or c.channel.context == contract.AGENT or c.bridge_id)
        ]
        if not unknown:
            return
        try:
            listing = await ami.send_list(actions.status(all_variables=True))
        except AmiError as error:
            log.error("resync: cannot read channel variables (%s); %d channels not adopted",
                      error, len(unknown))
            return
        statuses = [item for item in listing.items if isinstance(item, ev.ChannelStatus)]
        waiting, talking = switchboard.adopt(statuses, self.now())
        log.info("resync: adopted %d waiting and %d talking callers", waiting, talking)

    async def _read_commands(self, desktops: Desktops) -> None:
        async for agent_id, command in desktops.commands():
            if isinstance(command, CommandError):
                desktops.reply(agent_id, command.request_id, command.message)
                continue
            error = await self.agent_command(agent_id, command)
            desktops.reply(agent_id, command.id, error)

    async def _read_admin(self, desktops: Desktops) -> None:
        async for command in desktops.admin_commands():
            if isinstance(command, CommandError):
                desktops.reply_admin(command.request_id, command.message)
                continue
            desktops.reply_admin(command.id, self.admin_command(command))

    async def _read_supervisors(self, desktops: Desktops) -> None:
        """Supervisor commands: checked, carried out, audited (refused ones too), replied."""
        async for user, command in desktops.supervisor_commands():
            if isinstance(command, CommandError):
                entry = audit_unreadable(self.supervision, user, command, self.now())
                await self.audit(entry)
            else:
                entry = await self.supervisor_command(user, command)
            desktops.reply_supervisor(user, entry.request_id, None if entry.ok else entry.result)

    # ----------------------------------------------------------------- commands (MQTT, HTTP)

    async def agent_command(self, agent_id: str, command: AgentCommand) -> str | None:
        """Carry out one agent's own command (from its desktop over MQTT, or the HTTP API);
        None when done, else why not (the reply's error). The effects are performed."""
        try:
            await self._dispatch(agent_id, command, self.now())
            error = None
        except CommandRefused as refused:
            error = str(refused)
        self._perform(self.switchboard.take_effects())
        return error

    async def supervisor_command(self, user_id: str, command: SupervisorCommand) -> AuditEntry:
        """Check (role, team), carry out and audit one supervisor command (MQTT or HTTP API);
        the audit entry says `ok` or why not. Written before this returns."""
        entry = apply_supervisor(self.switchboard, self.supervision, user_id, command,
                                 self.now())
        self._perform(self.switchboard.take_effects())
        await self.audit(entry)
        return entry

    def admin_command(self, command: AdminCommand) -> str | None:
        """Apply one admin command (MQTT or HTTP API); None when done, else why not."""
        try:
            apply_admin(self.switchboard, command, self.now())
            error = None
        except CommandRefused as refused:
            error = str(refused)
        if error is None:
            log.info("admin: %s applied", command.cmd)
        self._perform(self.switchboard.take_effects())
        return error

    async def audit(self, entry: AuditEntry) -> None:
        """Log the entry and write it to `supervisor_audit` (committed when this returns)."""
        log.log(logging.INFO if entry.ok else logging.WARNING, "supervisor audit: %s",
                entry.describe())
        if self.db is None:
            return
        try:
            await write_audit(self.db, entry)
        except SQLAlchemyError as error:
            log.error("supervisor audit NOT written (%s): %s", type(error).__name__,
                      entry.describe())

    def _spy_reports(self, reports: list[SpyReport]) -> None:
        for report in reports:
            session = report.session
            log.info("supervisor %s: %s agent %s (%s)%s", session.user, report.event,
                     session.agent, session.mode.value,
                     f": {report.error}" if report.error else "")
            if self.desktops is not None:
                self.desktops.supervisor_event(report, self.now())

    async def _dispatch(self, agent: str, command: AgentCommand, now: float) -> None:
        sb = self.switchboard
        match command:
            case LoginCommand():
                sb.login(agent, command.device, now, command.queues)
            case LogoutCommand():
                sb.logout(agent, now)
            case PauseCommand():
                sb.pause(agent, command.reason, now)
            case ReadyCommand():
                sb.ready(agent, now)
            case WrapupEndCommand():
                sb.end_wrap_up(agent, now)
            case WrapupExtendCommand():
                sb.extend_wrap_up(agent, command.seconds, now)
            case HoldCommand():
                sb.hold(agent, now)
            case UnholdCommand():
                sb.unhold(agent, now)
            case HangupCommand():
                sb.hangup(agent, now)
            case TransferCommand():
                sb.transfer(agent, command.mode, command.to.kind, command.to.target, now)
            case DialCommand():
                sb.dial(agent, command.number, now)
            case RecordStartCommand():
                sb.record_start(agent, now)
            case RecordPauseCommand():
                sb.record_pause(agent, now)
            case RecordResumeCommand():
                sb.record_resume(agent, now)
            case BlacklistCallerCommand():
                await self._blacklist(agent, command, now)

    async def _blacklist(self, agent: str, command: BlacklistCallerCommand, now: float) -> None:
        number = self.switchboard.current_caller(agent)
        if self.db is None:
            raise CommandRefused("blacklist_caller: the engine runs without a database")
        expires = now + command.expires_s if command.expires_s else None
        try:
            await add_to_blacklist(self.db, number, command.reason, now, expires,
                                   by=f"agent:{agent}")
        except BlacklistError as error:
            raise CommandRefused(f"blacklist_caller: {error}") from None
        except SQLAlchemyError as error:
            raise CommandRefused(
                f"blacklist_caller: the database refused the entry ({type(error).__name__})"
            ) from None
        log.info("agent %s blacklisted %s: %s", agent, number, command.reason)

    async def _run_timers(self) -> None:
        switchboard = self.switchboard
        while True:
            deadline = switchboard.next_deadline()
            self._deadline = deadline
            self._timer_wake.clear()
            if deadline is None:
                await self._timer_wake.wait()
                continue
            delay = deadline - self.now()
            if delay > 0:
                try:
                    await asyncio.wait_for(self._timer_wake.wait(), delay)
                    continue  # something earlier may be due now: look again
                except TimeoutError:
                    pass
            switchboard.advance(self.now())
            self._perform(switchboard.take_effects())

    async def _publish_stats(self) -> None:
        """Every second: the queues whose figures changed, and every queue with a caller
        waiting (its longest wait grows by the second)."""
        while True:
            await asyncio.sleep(STATS_INTERVAL_S)
            switchboard = self.switchboard
            if self.desktops is None:
                continue
            now = self.now()
            router = switchboard.router
            queues = switchboard.take_dirty_queues()
            queues.update(q for q in router.queue_names() if router.waiting_count(q))
            for queue in sorted(queues):
                self.desktops.queue_stats(router.queue_snapshot(queue, now),
                                          switchboard.stats.figures(queue, now), now)
                # A snapshot counts the queue's agents: let other work (an API request, an
                # AMI event) in between queues rather than after all of them.
                await asyncio.sleep(0)

    # ----------------------------------------------------------------- outputs

    def perform_pending(self) -> None:
        """Carry out what the switchboard decided outside the engine's own tasks (tests,
        the demo's direct logins)."""
        self._perform(self.switchboard.take_effects())

    def _perform(self, effects: list[Effect]) -> None:
        for effect in effects:
            if isinstance(effect, AmiRequest):
                self._send(effect)
            elif isinstance(effect, StoreRecord):
                self._store(effect)
            elif isinstance(effect, AgentStatePublish):
                self._agent_state(effect.agent_id)
            elif isinstance(effect, ScreenPopPublish):
                self._spawn(self._screen_pop(effect), "screen-pop")
            elif isinstance(effect, CustomerLookup):
                self.directory.start(effect.call_id, effect.caller)
            elif isinstance(effect, DeviceStateQuery):
                self._spawn(self._device_state(effect.device), "device-state")
            else:
                level = {"error": logging.ERROR, "warning": logging.WARNING}.get(
                    effect.level, logging.INFO)
                log.log(level, "%s %s", effect.message, effect.details or "")
        deadline = self.switchboard.next_deadline()
        if deadline is not None and (self._deadline is None or deadline < self._deadline):
            self._timer_wake.set()

    def _spawn(self, coroutine: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(coroutine, name=name)
        self._pending_actions.add(task)
        task.add_done_callback(self._pending_actions.discard)

    def _send(self, request: AmiRequest) -> None:
        """Send the action from its own task; tasks start in creation order, and each writes
        its action before its first await, so actions leave in the order they were made.

        While AMI is down, actions are held and sent in order after the resynchronisation
        (which first ends what ended meanwhile: their actions then fail harmlessly)."""
        if not self._connected:
            self._held.append(request)
            return
        self._spawn(self._action(request), f"ami-{request.name}")

    async def _action(self, request: AmiRequest) -> None:
        ami = self._ami
        if ami is None:
            return
        if request.name in DECISION_ACTIONS:
            # From the event that made the decision possible to the action's bytes leaving.
            self.latencies_ms.append((self.now() - request.caused_at) * 1000.0)
        if request.leg is not None and request.name == actions.ORIGINATE:
            self.switchboard.leg_originated(request.leg, self.now())
        try:
            reply = await ami.action(request.name, request.fields, check=False)
        except AmiNotConnectedError:
            self._connected = False
            self._held.append(request)  # the session dropped under us: after the resync
            return
        except AmiError as error:
            log.warning("AMI %s not sent: %s", request.name, error)
            if request.name == actions.ORIGINATE:
                self.switchboard.action_failed(request, str(error))
                self._perform(self.switchboard.take_effects())
            return
        if not reply.ok:
            if request.name == actions.HANGUP and "No such channel" in reply.message:
                return  # it hung up by itself meanwhile
            self.switchboard.action_failed(request, reply.message)
            self._perform(self.switchboard.take_effects())

    def _store(self, effect: StoreRecord) -> None:
        item = effect.item
        if isinstance(item, Recording) and item.sha256 is None:
            self._spawn(self._store_recording(item), "recording-metadata")
            return
        if isinstance(item, CallRecord):
            self.records_written += 1
            self.directory.forget(item.call_id)
            if self.on_record is not None:
                self.on_record(item)
            for listener in self.record_listeners:
                listener(item)
        if self._writer is not None:
            self._writer.submit(item)

    async def _store_recording(self, item: Recording) -> None:
        """Size and SHA-256 of the finished file, then the metadata row. Asterisk closes the
        file as the channel goes away: a missing file is tried again after `settle_s`, and if
        still unreadable the row is written without a checksum and the problem logged (it shows
        as `unhashed`/`missing` in `callcenter recordings verify`)."""
        settle_s = self.config.recording.settle_s
        for attempt in range(2):
            try:
                facts = await asyncio.to_thread(file_facts, item.path)
            except OSError as error:
                if attempt == 0 and settle_s > 0:
                    await asyncio.sleep(settle_s)
                    continue
                log.warning("recording of call %s: cannot read %s (%s); stored without a"
                            " checksum", item.call_id, item.path, error)
                break
            item = dataclasses.replace(item, size_bytes=facts.size_bytes, sha256=facts.sha256)
            break
        if self._writer is not None:
            self._writer.submit(item)

    def _agent_state(self, agent_id: str) -> None:
        agent = self.switchboard.agents[agent_id]
        now = self.now()
        if self.desktops is not None:
            self.desktops.agent_state(agent, now)
        if self._presence is not None:
            self._presence.put(Presence(
                agent.id, agent.logged_in_at, agent.device, agent.state.value, agent.reason,
                agent.state_since))

    async def _device_state(self, device: str) -> None:
        """Ask Asterisk for one device's state; a device it does not list does not exist."""
        ami = self._ami
        if ami is None or not self._connected:
            return  # the next resynchronisation lists every device
        try:
            listing = await ami.send_list(actions.device_state_list())
        except AmiError as error:
            log.warning("device %s: state not read (%s)", device, error)
            return
        states = {item.device: item.state for item in listing.items
                  if isinstance(item, ev.DeviceStateChange)}
        state = states.get(device)
        if state is None:
            log.warning("device %s is unknown to Asterisk (not in DeviceStateList): its agent"
                        " is paused device-offline", device)
            state = INVALID_DEVICE_STATE
        self.switchboard.device_state(device, state, self.now())
        self._perform(self.switchboard.take_effects())

    async def _screen_pop(self, effect: ScreenPopPublish) -> None:
        call = self.switchboard.calls.get(effect.call_id)
        if call is None or self.desktops is None:
            return
        view = await self.directory.view(effect.call_id)
        call = self.switchboard.calls.get(effect.call_id)
        if call is None or call.leg is None or call.leg.uniqueid != effect.leg:
            return  # the offer failed or was withdrawn while the record was looked up
        if view.customer is not None:
            call.customer_id = view.customer.customer_id
        agent = self.switchboard.agents[effect.agent_id]
        announced = agent.display_id if self.config.announce.enabled else None
        self.desktops.screen_pop(build_pop(call, effect.leg, agent.id, announced, view,
                                           self.now(), self.config.crm_url_template))
