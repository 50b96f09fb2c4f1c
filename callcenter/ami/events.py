"""Typed AMI events: one dataclass per event the engine uses, built from a `Message`.

Field names follow the trade, not the wire, and the wire's inconsistencies are
resolved here once (source: the Asterisk 22 transcripts in
`shared/fixtures/asterisk-ami/`; the `Newchannel` state names are those documented
in Asterisk's main/manager_channels.c):

* `QueueMember` list items say `Name`/`Location`, the `QueueMember*` events say
  `MemberName`/`Interface`: both become `member_name`/`interface`.
* `QueueParams` says `Holdtime`, `QueueSummary` says `HoldTime`: both `hold_time`.
* `AgentRingNoAnswer RingTime` is milliseconds; `ring_time` here is seconds.
* `CoreShowChannel BridgeId`, `Status BridgeID`, bridge events `BridgeUniqueid`: `bridge_id`.
* `Cdr UniqueID`, `LocalOptimizationBegin DestUniqueId`: `uniqueid`/`dest_uniqueid`.

Times are `received_at` seconds (the client's monotonic clock at receipt, or the
transcript's `t` in a replay), because `timestampevents = no` is the default.
The hot path builds these objects for every non-noise message, so they are plain
`slots` dataclasses without validation; numbers that fail to parse become 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum

from callcenter.ami.codec import Message


class ChannelState(IntEnum):
    """`ChannelState` numbers, in the order of the ChannelStateDesc values documented for
    `Newchannel` in main/manager_channels.c (Down=0 ... Up=6 ... Unknown=10)."""

    DOWN = 0
    RESERVED = 1
    OFFHOOK = 2
    DIALING = 3
    RING = 4
    RINGING = 5
    UP = 6
    BUSY = 7
    DIALING_OFFHOOK = 8
    PRERING = 9
    UNKNOWN = 10


def _int(value: str | None) -> int:
    if not value:
        return 0
    try:
        return int(value)
    except ValueError:
        try:
            return int(float(value))
        except ValueError:
            return 0


def _state(value: str | None) -> ChannelState:
    n = _int(value)
    try:
        return ChannelState(n)
    except ValueError:
        return ChannelState.UNKNOWN


def _bool(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "yes", "true", "on")


@dataclass(slots=True)
class Channel:
    """A channel snapshot as carried by most events (the `Channel`...`Linkedid` block)."""

    name: str
    uniqueid: str
    linkedid: str
    state: ChannelState
    caller_id_num: str
    caller_id_name: str
    connected_num: str
    connected_name: str
    context: str
    exten: str
    priority: int

    @property
    def is_local(self) -> bool:
        return self.name.startswith("Local/")

    @property
    def local_half(self) -> int | None:
        """1 or 2 for the halves of a `Local/...;1`/`;2` pair, else None."""
        if self.name.startswith("Local/") and len(self.name) > 2 and self.name[-2] == ";":
            return 1 if self.name[-1] == "1" else 2 if self.name[-1] == "2" else None
        return None

    @property
    def local_pair(self) -> str | None:
        """The pair name without `;1`/`;2` (`Local/1001@agents-00000001`)."""
        return self.name[:-2] if self.local_half is not None else None


def channel_from(h: dict[str, str], prefix: str = "") -> Channel | None:
    """The snapshot with `prefix` (``""``, ``"Dest"``, ``"LocalOne"``...), None if absent."""
    name = h.get(prefix + "Channel")
    if name is None:
        return None
    return Channel(
        name,
        h.get(prefix + "Uniqueid", ""),
        h.get(prefix + "Linkedid", ""),
        _state(h.get(prefix + "ChannelState")),
        h.get(prefix + "CallerIDNum", ""),
        h.get(prefix + "CallerIDName", ""),
        h.get(prefix + "ConnectedLineNum", ""),
        h.get(prefix + "ConnectedLineName", ""),
        h.get(prefix + "Context", ""),
        h.get(prefix + "Exten", ""),
        _int(h.get(prefix + "Priority")),
    )


_NO_CHANNEL = Channel("", "", "", ChannelState.UNKNOWN, "", "", "", "", "", "", 0)


def _chan(h: dict[str, str], prefix: str = "") -> Channel:
    return channel_from(h, prefix) or _NO_CHANNEL


@dataclass(slots=True)
class Bridge:
    """A bridge snapshot (`BridgeUniqueid`... block of bridge events)."""

    uniqueid: str
    type: str
    technology: str
    num_channels: int


def _bridge(h: dict[str, str]) -> Bridge:
    return Bridge(
        h.get("BridgeUniqueid", ""),
        h.get("BridgeType", ""),
        h.get("BridgeTechnology", ""),
        _int(h.get("BridgeNumChannels")),
    )


@dataclass(slots=True)
class AmiEvent:
    """Base of every typed event; `received_at` is seconds on the receiver's clock."""

    received_at: float


# -- system -----------------------------------------------------------------


@dataclass(slots=True)
class FullyBooted(AmiEvent):
    uptime: int


@dataclass(slots=True)
class Shutdown(AmiEvent):
    """The PBX is stopping; the socket closes right after (no `Goodbye`)."""

    cleanly: bool
    restart: bool


@dataclass(slots=True)
class UnknownEvent(AmiEvent):
    """Any event without a typed class (security events, noise asked for, new modules)."""

    name: str
    headers: dict[str, str]


# -- channels -------------------------------------------------------------------


@dataclass(slots=True)
class Newchannel(AmiEvent):
    channel: Channel


@dataclass(slots=True)
class Newstate(AmiEvent):
    channel: Channel


@dataclass(slots=True)
class Hangup(AmiEvent):
    channel: Channel
    cause: int
    cause_txt: str


@dataclass(slots=True)
class HangupRequest(AmiEvent):
    """`HangupRequest` or (with `soft`) `SoftHangupRequest`."""

    channel: Channel
    cause: int
    soft: bool


@dataclass(slots=True)
class Newexten(AmiEvent):
    channel: Channel
    application: str
    app_data: str


@dataclass(slots=True)
class VarSet(AmiEvent):
    """A variable set; `channel` is None for globals (`Channel: none`)."""

    channel: Channel | None
    variable: str
    value: str


@dataclass(slots=True)
class DialBegin(AmiEvent):
    """`caller` is None when the dial comes from an Originate (only `Dest*` fields)."""

    caller: Channel | None
    dest: Channel
    dial_string: str


@dataclass(slots=True)
class DialState(AmiEvent):
    caller: Channel | None
    dest: Channel
    status: str


@dataclass(slots=True)
class DialEnd(AmiEvent):
    """May repeat for one destination (`NOANSWER` then `CANCEL`, or `CANCEL` twice)."""

    caller: Channel | None
    dest: Channel
    status: str


@dataclass(slots=True)
class LocalBridge(AmiEvent):
    one: Channel
    two: Channel
    optimization: bool


@dataclass(slots=True)
class LocalOptimizationBegin(AmiEvent):
    """The Local pair `one`/`two` is about to vanish; `source` takes `two`'s place."""

    one: Channel
    two: Channel
    source: Channel | None
    dest_uniqueid: str
    id: str


@dataclass(slots=True)
class LocalOptimizationEnd(AmiEvent):
    one: Channel
    two: Channel
    success: bool
    id: str


@dataclass(slots=True)
class Hold(AmiEvent):
    channel: Channel
    music_class: str


@dataclass(slots=True)
class Unhold(AmiEvent):
    channel: Channel


@dataclass(slots=True)
class MusicOnHoldStart(AmiEvent):
    channel: Channel
    music_class: str


@dataclass(slots=True)
class MusicOnHoldStop(AmiEvent):
    channel: Channel


@dataclass(slots=True)
class DTMFBegin(AmiEvent):
    channel: Channel
    digit: str
    direction: str


@dataclass(slots=True)
class DTMFEnd(AmiEvent):
    """The DTMF event to trust on Local channels; `duration_ms` in milliseconds."""

    channel: Channel
    digit: str
    direction: str
    duration_ms: int


@dataclass(slots=True)
class MixMonitorStart(AmiEvent):
    channel: Channel


@dataclass(slots=True)
class MixMonitorStop(AmiEvent):
    channel: Channel


@dataclass(slots=True)
class MixMonitorMute(AmiEvent):
    channel: Channel
    direction: str
    muted: bool


@dataclass(slots=True)
class ChanSpyStart(AmiEvent):
    spyer: Channel
    spyee: Channel


@dataclass(slots=True)
class ChanSpyStop(AmiEvent):
    spyer: Channel
    spyee: Channel | None


@dataclass(slots=True)
class OriginateResponse(AmiEvent):
    """Result of an async Originate. `uniqueid` is the new channel's, or, when no channel was
    made, the `ChannelId` the Originate gave (main/manager.c, fast_originate); None when it
    gave none either (`<unknown>`)."""

    action_id: str
    success: bool
    channel: str
    context: str
    exten: str
    reason: int
    uniqueid: str | None


@dataclass(slots=True)
class UserEvent(AmiEvent):
    """`user_event` is the name; `fields` every other non-standard header."""

    user_event: str
    channel: Channel | None
    fields: dict[str, str]


@dataclass(slots=True)
class DeviceStateChange(AmiEvent):
    device: str
    state: str


@dataclass(slots=True)
class Cdr(AmiEvent):
    """A CDR row; may arrive before the `Hangup` of its channel."""

    uniqueid: str
    channel: str
    destination_channel: str
    disposition: str
    start_time: str
    answer_time: str
    end_time: str
    duration: int
    billable_seconds: int


# -- bridges -------------------------------------------------------------------


@dataclass(slots=True)
class BridgeCreate(AmiEvent):
    bridge: Bridge


@dataclass(slots=True)
class BridgeDestroy(AmiEvent):
    bridge: Bridge


@dataclass(slots=True)
class BridgeEnter(AmiEvent):
    bridge: Bridge
    channel: Channel
    swap_uniqueid: str


@dataclass(slots=True)
class BridgeLeave(AmiEvent):
    bridge: Bridge
    channel: Channel


# -- queues and agents ---------------------------------------------------------------


@dataclass(slots=True)
class QueueCallerJoin(AmiEvent):
    channel: Channel
    queue: str
    position: int
    count: int


@dataclass(slots=True)
class QueueCallerLeave(AmiEvent):
    """Comes *before* `AgentConnect` when the caller is answered."""

    channel: Channel
    queue: str
    position: int
    count: int


@dataclass(slots=True)
class QueueCallerAbandon(AmiEvent):
    channel: Channel
    queue: str
    position: int
    original_position: int
    hold_time: int


@dataclass(slots=True)
class AgentEvent(AmiEvent):
    """Common part of `Agent*` events: the caller (may be gone) and the agent leg."""

    caller: Channel | None
    agent: Channel | None
    queue: str
    interface: str
    member_name: str


@dataclass(slots=True)
class AgentCalled(AgentEvent):
    pass


@dataclass(slots=True)
class AgentConnect(AgentEvent):
    hold_time: int
    ring_time: float


@dataclass(slots=True)
class AgentComplete(AgentEvent):
    hold_time: int
    talk_time: int
    reason: str


@dataclass(slots=True)
class AgentRingNoAnswer(AgentEvent):
    """`ring_time` in seconds (the wire says milliseconds)."""

    ring_time: float


@dataclass(slots=True)
class AgentDump(AgentEvent):
    pass


@dataclass(slots=True)
class QueueMemberEvent(AmiEvent):
    """Common part of `QueueMember*` events and of the `QueueMember` list item."""

    queue: str
    interface: str
    member_name: str
    state_interface: str
    membership: str
    penalty: int
    calls_taken: int
    in_call: bool
    status: int
    paused: bool
    paused_reason: str


@dataclass(slots=True)
class QueueMemberStatus(QueueMemberEvent):
    pass


@dataclass(slots=True)
class QueueMemberAdded(QueueMemberEvent):
    pass


@dataclass(slots=True)
class QueueMemberRemoved(QueueMemberEvent):
    pass


@dataclass(slots=True)
class QueueMemberPause(QueueMemberEvent):
    pass


@dataclass(slots=True)
class QueueMemberPenalty(QueueMemberEvent):
    pass


@dataclass(slots=True)
class QueueMemberRinginuse(QueueMemberEvent):
    pass


@dataclass(slots=True)
class QueueMember(QueueMemberEvent):
    """A `QueueStatus` list item (wire: `Name`/`Location`)."""


# -- list items -----------------------------------------------------------------------


@dataclass(slots=True)
class QueueParams(AmiEvent):
    queue: str
    strategy: str
    calls: int
    hold_time: int
    talk_time: int
    completed: int
    abandoned: int


@dataclass(slots=True)
class QueueEntry(AmiEvent):
    queue: str
    position: int
    channel: str
    uniqueid: str
    wait: int


@dataclass(slots=True)
class QueueSummary(AmiEvent):
    queue: str
    logged_in: int
    available: int
    callers: int
    hold_time: int
    talk_time: int
    longest_hold_time: int


@dataclass(slots=True)
class CoreShowChannel(AmiEvent):
    channel: Channel
    application: str
    application_data: str
    duration: str
    bridge_id: str


@dataclass(slots=True)
class ChannelStatus(AmiEvent):
    """A `Status` list item; `variables` only with `AllVariables: true`."""

    channel: Channel
    bridge_id: str
    application: str
    seconds: int
    variables: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class ListComplete(AmiEvent):
    """The `<Name>Complete` event closing an event list."""

    name: str
    list_items: int


# -- decoding -----------------------------------------------------------------------------

Decoder = Callable[[Message, float], AmiEvent]

_STD_USER_HEADERS = frozenset(
    (
        "Event",
        "Privilege",
        "UserEvent",
        "ActionID",
        "Channel",
        "ChannelState",
        "ChannelStateDesc",
        "CallerIDNum",
        "CallerIDName",
        "ConnectedLineNum",
        "ConnectedLineName",
        "Language",
        "AccountCode",
        "Context",
        "Exten",
        "Priority",
        "Uniqueid",
        "Linkedid",
    )
)


def _agent_common(h: dict[str, str]) -> tuple[Channel | None, Channel | None, str, str, str]:
    return (
        channel_from(h),
        channel_from(h, "Dest"),
        h.get("Queue", ""),
        h.get("Interface", ""),
        h.get("MemberName", ""),
    )


def _member(cls: type[QueueMemberEvent]) -> Decoder:
    def build(m: Message, t: float) -> AmiEvent:
        h = m.headers
        return cls(
            t,
            h.get("Queue", ""),
            h.get("Interface") or h.get("Location", ""),
            h.get("MemberName") or h.get("Name", ""),
            h.get("StateInterface", ""),
            h.get("Membership", ""),
            _int(h.get("Penalty")),
            _int(h.get("CallsTaken")),
            _bool(h.get("InCall")),
            _int(h.get("Status")),
            _bool(h.get("Paused")),
            h.get("PausedReason", ""),
        )

    return build


def _status(m: Message, t: float) -> AmiEvent:
    h = m.headers
    variables: dict[str, str] = {}
    for item in m.values("Variable"):
        key, _, value = item.partition("=")
        variables[key] = value
    return ChannelStatus(
        t, _chan(h), h.get("BridgeID", ""), h.get("Application", ""), _int(h.get("Seconds")),
        variables,
    )


def _user_event(m: Message, t: float) -> AmiEvent:
    h = m.headers
    fields = {k: v for k, v in h.items() if k not in _STD_USER_HEADERS}
    return UserEvent(t, h.get("UserEvent", ""), channel_from(h), fields)


def _origin(m: Message, t: float) -> AmiEvent:
    h = m.headers
    uid = h.get("Uniqueid", "")
    return OriginateResponse(
        t,
        h.get("ActionID", ""),
        h.get("Response") == "Success",
        h.get("Channel", ""),
        h.get("Context", ""),
        h.get("Exten", ""),
        _int(h.get("Reason")),
        None if uid in ("", "<unknown>") else uid,
    )


def _varset(m: Message, t: float) -> AmiEvent:
    h = m.headers
    ch = None if h.get("Channel", "none") == "none" else channel_from(h)
    return VarSet(t, ch, h.get("Variable", ""), h.get("Value", ""))


DECODERS: dict[str, Decoder] = {
    "FullyBooted": lambda m, t: FullyBooted(t, _int(m.headers.get("Uptime"))),
    "Shutdown": lambda m, t: Shutdown(
        t, m.headers.get("Shutdown", "") == "Cleanly", _bool(m.headers.get("Restart"))
    ),
    "Newchannel": lambda m, t: Newchannel(t, _chan(m.headers)),
    "Newstate": lambda m, t: Newstate(t, _chan(m.headers)),
    "Hangup": lambda m, t: Hangup(
        t, _chan(m.headers), _int(m.headers.get("Cause")), m.headers.get("Cause-txt", "")
    ),
    "HangupRequest": lambda m, t: HangupRequest(
        t, _chan(m.headers), _int(m.headers.get("Cause")), False
    ),
    "SoftHangupRequest": lambda m, t: HangupRequest(
        t, _chan(m.headers), _int(m.headers.get("Cause")), True
    ),
    "Newexten": lambda m, t: Newexten(
        t, _chan(m.headers), m.headers.get("Application", ""), m.headers.get("AppData", "")
    ),
    "VarSet": _varset,
    "DialBegin": lambda m, t: DialBegin(
        t, channel_from(m.headers), _chan(m.headers, "Dest"), m.headers.get("DialString", "")
    ),
    "DialState": lambda m, t: DialState(
        t, channel_from(m.headers), _chan(m.headers, "Dest"), m.headers.get("DialStatus", "")
    ),
    "DialEnd": lambda m, t: DialEnd(
        t, channel_from(m.headers), _chan(m.headers, "Dest"), m.headers.get("DialStatus", "")
    ),
    "LocalBridge": lambda m, t: LocalBridge(
        t,
        _chan(m.headers, "LocalOne"),
        _chan(m.headers, "LocalTwo"),
        _bool(m.headers.get("LocalOptimization")),
    ),
    "LocalOptimizationBegin": lambda m, t: LocalOptimizationBegin(
        t,
        _chan(m.headers, "LocalOne"),
        _chan(m.headers, "LocalTwo"),
        channel_from(m.headers, "Source"),
        m.headers.get("DestUniqueId", ""),
        m.headers.get("Id", ""),
    ),
    "LocalOptimizationEnd": lambda m, t: LocalOptimizationEnd(
        t,
        _chan(m.headers, "LocalOne"),
        _chan(m.headers, "LocalTwo"),
        _bool(m.headers.get("Success")),
        m.headers.get("Id", ""),
    ),
    "Hold": lambda m, t: Hold(t, _chan(m.headers), m.headers.get("MusicClass", "")),
    "Unhold": lambda m, t: Unhold(t, _chan(m.headers)),
    "MusicOnHoldStart": lambda m, t: MusicOnHoldStart(
        t, _chan(m.headers), m.headers.get("Class", "")
    ),
    "MusicOnHoldStop": lambda m, t: MusicOnHoldStop(t, _chan(m.headers)),
    "DTMFBegin": lambda m, t: DTMFBegin(
        t, _chan(m.headers), m.headers.get("Digit", ""), m.headers.get("Direction", "")
    ),
    "DTMFEnd": lambda m, t: DTMFEnd(
        t,
        _chan(m.headers),
        m.headers.get("Digit", ""),
        m.headers.get("Direction", ""),
        _int(m.headers.get("DurationMs")),
    ),
    "MixMonitorStart": lambda m, t: MixMonitorStart(t, _chan(m.headers)),
    "MixMonitorStop": lambda m, t: MixMonitorStop(t, _chan(m.headers)),
    "MixMonitorMute": lambda m, t: MixMonitorMute(
        t, _chan(m.headers), m.headers.get("Direction", ""), _bool(m.headers.get("State"))
    ),
    "ChanSpyStart": lambda m, t: ChanSpyStart(
        t, _chan(m.headers, "Spyer"), _chan(m.headers, "Spyee")
    ),
    "ChanSpyStop": lambda m, t: ChanSpyStop(
        t, _chan(m.headers, "Spyer"), channel_from(m.headers, "Spyee")
    ),
    "OriginateResponse": _origin,
    "UserEvent": _user_event,
    "DeviceStateChange": lambda m, t: DeviceStateChange(
        t, m.headers.get("Device", ""), m.headers.get("State", "")
    ),
    "Cdr": lambda m, t: Cdr(
        t,
        m.headers.get("UniqueID", ""),
        m.headers.get("Channel", ""),
        m.headers.get("DestinationChannel", ""),
        m.headers.get("Disposition", ""),
        m.headers.get("StartTime", ""),
        m.headers.get("AnswerTime", ""),
        m.headers.get("EndTime", ""),
        _int(m.headers.get("Duration")),
        _int(m.headers.get("BillableSeconds")),
    ),
    "BridgeCreate": lambda m, t: BridgeCreate(t, _bridge(m.headers)),
    "BridgeDestroy": lambda m, t: BridgeDestroy(t, _bridge(m.headers)),
    "BridgeEnter": lambda m, t: BridgeEnter(
        t, _bridge(m.headers), _chan(m.headers), m.headers.get("SwapUniqueid", "")
    ),
    "BridgeLeave": lambda m, t: BridgeLeave(t, _bridge(m.headers), _chan(m.headers)),
    "QueueCallerJoin": lambda m, t: QueueCallerJoin(
        t,
        _chan(m.headers),
        m.headers.get("Queue", ""),
        _int(m.headers.get("Position")),
        _int(m.headers.get("Count")),
    ),
    "QueueCallerLeave": lambda m, t: QueueCallerLeave(
        t,
        _chan(m.headers),
        m.headers.get("Queue", ""),
        _int(m.headers.get("Position")),
        _int(m.headers.get("Count")),
    ),
    "QueueCallerAbandon": lambda m, t: QueueCallerAbandon(
        t,
        _chan(m.headers),
        m.headers.get("Queue", ""),
        _int(m.headers.get("Position")),
        _int(m.headers.get("OriginalPosition")),
        _int(m.headers.get("HoldTime")),
    ),
    "AgentCalled": lambda m, t: AgentCalled(t, *_agent_common(m.headers)),
    "AgentDump": lambda m, t: AgentDump(t, *_agent_common(m.headers)),
    "AgentConnect": lambda m, t: AgentConnect(
        t,
        *_agent_common(m.headers),
        _int(m.headers.get("HoldTime")),
        float(_int(m.headers.get("RingTime"))),
    ),
    "AgentComplete": lambda m, t: AgentComplete(
        t,
        *_agent_common(m.headers),
        _int(m.headers.get("HoldTime")),
        _int(m.headers.get("TalkTime")),
        m.headers.get("Reason", ""),
    ),
    # RingTime of AgentRingNoAnswer is in milliseconds (b3: 10000 for the 10 s timeout).
    "AgentRingNoAnswer": lambda m, t: AgentRingNoAnswer(
        t, *_agent_common(m.headers), _int(m.headers.get("RingTime")) / 1000.0
    ),
    "QueueMemberStatus": _member(QueueMemberStatus),
    "QueueMemberAdded": _member(QueueMemberAdded),
    "QueueMemberRemoved": _member(QueueMemberRemoved),
    "QueueMemberPause": _member(QueueMemberPause),
    "QueueMemberPenalty": _member(QueueMemberPenalty),
    "QueueMemberRinginuse": _member(QueueMemberRinginuse),
    "QueueMember": _member(QueueMember),
    "QueueParams": lambda m, t: QueueParams(
        t,
        m.headers.get("Queue", ""),
        m.headers.get("Strategy", ""),
        _int(m.headers.get("Calls")),
        _int(m.headers.get("Holdtime")),
        _int(m.headers.get("TalkTime")),
        _int(m.headers.get("Completed")),
        _int(m.headers.get("Abandoned")),
    ),
    "QueueEntry": lambda m, t: QueueEntry(
        t,
        m.headers.get("Queue", ""),
        _int(m.headers.get("Position")),
        m.headers.get("Channel", ""),
        m.headers.get("Uniqueid", ""),
        _int(m.headers.get("Wait")),
    ),
    "QueueSummary": lambda m, t: QueueSummary(
        t,
        m.headers.get("Queue", ""),
        _int(m.headers.get("LoggedIn")),
        _int(m.headers.get("Available")),
        _int(m.headers.get("Callers")),
        _int(m.headers.get("HoldTime")),
        _int(m.headers.get("TalkTime")),
        _int(m.headers.get("LongestHoldTime")),
    ),
    "CoreShowChannel": lambda m, t: CoreShowChannel(
        t,
        _chan(m.headers),
        m.headers.get("Application", ""),
        m.headers.get("ApplicationData", ""),
        m.headers.get("Duration", ""),
        m.headers.get("BridgeId", ""),
    ),
    "Status": _status,
}

NOISE_EVENTS: frozenset[str] = frozenset(
    ("VarSet", "Newexten", "NewCallerid", "NewConnectedLine", "NewAccountCode", "RTCPSent",
     "RTCPReceived")
)
"""Events dropped before decoding unless asked for (VarSet is about half the stream)."""


def decode_event(message: Message, received_at: float) -> AmiEvent:
    """The typed event for an `Event:` message; `UnknownEvent` for names without a class."""
    name = message.headers.get("Event", "")
    decoder = DECODERS.get(name)
    if decoder is None:
        if name.endswith("Complete") and "EventList" in message.headers:
            return ListComplete(received_at, name, _int(message.headers.get("ListItems")))
        return UnknownEvent(received_at, name, dict(message.headers))
    return decoder(message, received_at)


# -- session facts (made by the client, not sent by Asterisk) -------------------------------


@dataclass(slots=True)
class Connected(AmiEvent):
    """A session is logged in; `session` counts connections (1 for the first)."""

    session: int
    version: str


@dataclass(slots=True)
class Disconnected(AmiEvent):
    """The session ended; events may have been missed until the next `Resynced`."""

    session: int
    reason: str


@dataclass(slots=True)
class Resynced(AmiEvent):
    """What Asterisk reported right after (re)login: every channel and every device's state
    (`DeviceStateList`; app_queue is not asked, the engine does not use it)."""

    session: int
    channels: list[CoreShowChannel]
    device_states: list[DeviceStateChange] = field(default_factory=list)
