"""The FastAGI scripts the generated dialplan calls (docs/dialplan.md):

* `ivr/<flow>` — run the flow; its outcome becomes `CC_*` channel variables and the exit
  `CC_IVR_EXIT` the dialplan jumps to (`cc-ivr-exit`);
* `hold` — between slices of music: the caller's position and expected wait, and (if the
  queue offers it) a callback that keeps the caller's place;
* `survey` — after the agent hung up: the post-call survey, if the caller's queue has one;
* `voicemail` — record a message for a box, store it, notify the box's desktops and e-mail.

Every switchboard call happens between awaits, as with AMI events, and is followed by
`perform()` so its effects (Originates, records) go out at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from acd import AcdError
from callcenter.engine.config import EngineConfig
from callcenter.engine.switchboard import Switchboard
from cdr import (
    Database,
    VoicemailMessage,
    find_block,
    find_customer_by_id,
    find_customer_by_phone,
    store_voicemail,
)
from dialplans import contract
from dialplans.contract import AgiScript, IvrExit, Var
from ivr.announcements import HoldChoice, announce_position
from ivr.errors import IvrError
from ivr.flows import Flow
from ivr.outcomes import (
    Blocked,
    CallbackRequest,
    Enqueue,
    HangUp,
    IvrOutcome,
    Transfer,
    Voicemail,
)
from ivr.ports import BlockEntry, CallerChannel, CallerHungUp, CustomerInfo, QueueStatus
from ivr.prompts import Builtin, builtin
from ivr.runner import run_flow
from ivr.survey import SurveySettings, run_survey
from ivr.voicemail import (
    VoicemailMessage as RecordedMessage,
    VoicemailSettings,
    message_path,
    take_message,
)

log = logging.getLogger(__name__)



class EngineIvrServices:
    """`ivr.ports.IvrServices` over the engine's database and router."""

    def __init__(self, db: Database | None, switchboard: Switchboard,
                 now: Callable[[], float]) -> None:
        self._db = db
        self._switchboard = switchboard
        self._now = now

    async def find_customer(self, *, phone: str | None = None,
                            account: str | None = None) -> CustomerInfo | None:
        if self._db is None:
            return None
        try:
            if account:
                customer = await find_customer_by_id(self._db, account)
            elif phone:
                customer = await find_customer_by_phone(self._db, phone)
            else:
                return None
        except SQLAlchemyError as error:
            log.error("IVR customer lookup failed: %s", type(error).__name__)
            return None
        if customer is None:
            return None
        return CustomerInfo(customer.customer_id, customer.name or "", customer.tier)

    async def blocked(self, number: str) -> BlockEntry | None:
        if self._db is None or not number:
            return None
        try:
            entry = await find_block(self._db, number, self._now())
        except SQLAlchemyError as error:
            log.error("IVR blacklist lookup failed: %s", type(error).__name__)
            return None
        if entry is None:
            return None
        return BlockEntry(entry.number, entry.reason, entry.expires_at)

    def queue_status(self, queue: str) -> QueueStatus:
        try:
            return self._switchboard.queue_status(queue)
        except AcdError:
            return QueueStatus(0, None, 0, 0)

    def now(self) -> float:
        return self._now()


class IvrHandlers:
    """The four FastAGI scripts; `handlers()` is what the FastAGI server dispatches on."""

    def __init__(
        self,
        config: EngineConfig,
        flows: dict[str, Flow],
        switchboard: Switchboard,
        services: EngineIvrServices,
        *,
        db: Database | None,
        now: Callable[[], float],
        perform: Callable[[], None],
        voicemail_left: Callable[[VoicemailMessage], Awaitable[None]],
    ) -> None:
        self.config = config
        self.flows = flows
        self.switchboard = switchboard
        self.services = services
        self.db = db
        self.now = now
        self.perform = perform
        self.voicemail_left = voicemail_left

    def handlers(self) -> dict[str, Callable[[CallerChannel], Awaitable[None]]]:
        return {contract.IVR_SCRIPT_PREFIX.rstrip("/"): self.run_ivr,
                AgiScript.HOLD: self.hold, AgiScript.SURVEY: self.survey,
                AgiScript.VOICEMAIL: self.voicemail}

    # ----------------------------------------------------------------- ivr/<flow>

    async def run_ivr(self, channel: CallerChannel) -> None:
        info = channel.info
        name = info.script.partition("/")[2]
        flow = self.flows.get(name)
        if flow is None:
            log.error("AGI ivr/%s from %s: no such flow (flows: %s); the dialplan's fallback"
                      " queue takes the caller", name, info.channel, ", ".join(self.flows))
            return
        span = self.switchboard.ivr_started(info.uniqueid, info.channel, info.caller_id,
                                            info.caller_name, info.dnid or info.extension,
                                            info.language, self.now())
        outcome = await run_flow(flow, channel, self.services)
        try:
            await self._hand_over(channel, outcome)
        except CallerHungUp:
            if isinstance(outcome, Enqueue):
                outcome = HangUp("hung up before the queue", caller_hung_up=True,
                                 path=outcome.path)
        self.switchboard.ivr_finished(span, outcome, self.now())
        self.perform()

    async def _hand_over(self, channel: CallerChannel, outcome: IvrOutcome) -> None:
        """Channel variables for the dialplan's next step (cc-ivr-exit)."""
        values: dict[str, str] = {Var.IVR_PATH: "/".join(outcome.path)}
        match outcome:
            case Enqueue():
                values |= {Var.QUEUE: outcome.queue, Var.PRIORITY: str(outcome.priority),
                           Var.SKILLS: outcome.skills, Var.LANG: outcome.language,
                           Var.TIER: outcome.tier,
                           Var.HOLD_SLICE: self.config.hold_slice(outcome.queue),
                           Var.IVR_EXIT: IvrExit.ENQUEUE}
            case Voicemail():
                values |= {Var.VM_BOX: outcome.box, Var.VM_REASON: outcome.reason,
                           Var.LANG: outcome.language, Var.IVR_EXIT: IvrExit.VOICEMAIL}
            case Transfer():
                context = outcome.context or contract.OUTBOUND
                values |= {Var.TRANSFER_CONTEXT: context, Var.TRANSFER_EXTEN: outcome.target,
                           Var.IVR_EXIT: IvrExit.TRANSFER}
            case CallbackRequest():
                values[Var.IVR_EXIT] = IvrExit.CALLBACK
            case Blocked():
                values[Var.IVR_EXIT] = IvrExit.BLOCKED
            case HangUp():
                values[Var.IVR_EXIT] = IvrExit.HANGUP
        for name, value in values.items():
            await channel.set_variable(name, value)

    # ----------------------------------------------------------------- hold

    async def hold(self, channel: CallerChannel) -> None:
        info = channel.info
        status = self.switchboard.hold_status(info.uniqueid)
        if status is None:
            return
        offer = status.callback_allowed and bool(info.caller_id)
        choice = await announce_position(
            channel, position=status.position, expected_wait_s=status.expected_wait_s,
            language=status.language, offer_callback=offer)
        if choice is not HoldChoice.CALLBACK:
            return
        if not self.switchboard.request_callback(info.uniqueid, info.caller_id, self.now()):
            return  # an agent came meanwhile: the Redirect to cc-connect follows
        self.perform()
        await channel.play([builtin(Builtin.CALLBACK_REGISTERED, status.language)])
        await channel.hangup()

    # ----------------------------------------------------------------- survey

    async def survey(self, channel: CallerChannel) -> None:
        uid = channel.info.uniqueid
        wanted = self.switchboard.survey_wanted(uid)
        if wanted is None:
            return
        csat, nps, language = wanted
        answers = await run_survey(channel, SurveySettings(csat=csat, nps=nps), language)
        self.switchboard.survey_answered(uid, answers.csat, answers.nps, self.now())
        self.perform()

    # ----------------------------------------------------------------- voicemail

    async def _take_message(self, channel: CallerChannel, box: str,
                            language: str) -> RecordedMessage | None:
        """Record into `voicemail_dir/<box>/`, made first: Asterisk's RECORD FILE does not
        create directories (res/res_agi.c, handle_recordfile: ast_writefile fails)."""
        info = channel.info
        directory = self.config.ivr.voicemail_dir
        try:
            folder = Path(message_path(directory, box, info.uniqueid)).parent
            await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
        except IvrError as error:
            log.error("voicemail from %s: %s", info.channel, error)
            return None
        except OSError as error:
            log.error("voicemail from %s: cannot create the box's directory %s (%s); no"
                      " message taken: check ivr.voicemail_dir and its permissions",
                      info.channel, error.filename, error.strerror)
            return None
        try:
            return await take_message(channel, box=box, language=language,
                                      directory=directory, settings=VoicemailSettings())
        except IvrError as error:
            log.error("voicemail from %s: %s; no message taken", info.channel, error)
            return None

    async def voicemail(self, channel: CallerChannel) -> None:
        info = channel.info
        box = await channel.get_variable(Var.VM_BOX)  # the IVR's choice
        if not box:  # an overflow from a queue: the queue's box
            queue = await channel.get_variable(Var.QUEUE) or "general"
            box = self.config.services_of(queue).voicemail_box or queue
        language = await channel.get_variable(Var.LANG) or info.language
        reason = await channel.get_variable(Var.VM_REASON) or "overflow"
        message = await self._take_message(channel, box, language)
        # Told before this script ends, so before Asterisk hangs the channel up: the record
        # says voicemail only if a message was recorded.
        self.switchboard.voicemail_result(info.uniqueid, taken=message is not None,
                                          now=self.now())
        self.perform()
        if message is None:
            return
        try:
            record = VoicemailMessage(
                uniqueid=info.uniqueid, box=box, recorded_at=self.now(),
                duration_s=message.duration_s, path=f"{message.path}.{message.fmt}",
                reason=reason,
                caller=info.caller_id or None, caller_name=info.caller_name or None,
                language=language, call_id=info.uniqueid,
            )
        except ValueError as error:
            log.error("voicemail from %s: %s; the file stays at %s", info.channel, error,
                      message.path)
            return
        if self.db is not None:
            try:
                if not await store_voicemail(self.db, record):
                    return  # stored (and announced) already
            except SQLAlchemyError as error:
                log.error("voicemail %s: the database refused it (%s); the file stays at %s",
                          record.voicemail_id, type(error).__name__, record.path)
        await self.voicemail_left(record)
