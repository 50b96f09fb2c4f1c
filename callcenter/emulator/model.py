"""The emulator's data: channels and bridges, and the header blocks Asterisk prints for them.

Block layouts are those of the transcripts; Asterisk builds them with
`ast_manager_build_channel_state_string_prefix` (main/manager_channels.c) and
`ast_manager_build_bridge_state_string_prefix`, with a prefix such as `Dest`,
`LocalOne`, `Spyer` for the second channel of an event.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

STATE_DESC = {0: "Down", 4: "Ring", 5: "Ringing", 6: "Up"}
DOWN, RING, RINGING, UP = 0, 4, 5, 6

# ast_cause2str (main/channel.c causes[]).
CAUSE_TXT = {
    0: "Unknown",
    3: "No route to destination",
    4: "",
    16: "Normal Clearing",
    17: "User busy",
    18: "No user responding",
    19: "User alerting, no answer",
    21: "Call Rejected",
    26: "Answered elsewhere",
}

Pairs = list[tuple[str, str]]

# ast_devstate_to_extenstate (main/pbx.c): device state → extension state bits.
EXTENSION_STATE = {
    "NOT_INUSE": 0, "UNKNOWN": 0, "INUSE": 1, "BUSY": 2, "UNAVAILABLE": 4, "INVALID": 4,
    "RINGING": 8, "RINGINUSE": 9, "ONHOLD": 16,
}
# extension_states[] (main/pbx.c), what ast_extension_state2str returns.
EXTENSION_STATE_TEXT = {
    -1: "Unknown", 0: "Idle", 1: "InUse", 2: "Busy", 4: "Unavailable", 8: "Ringing",
    9: "InUse&Ringing", 16: "Hold", 17: "InUse&Hold",
}

CHANNEL_BUCKETS = 1567
"""AST_NUM_CHANNEL_BUCKETS (include/asterisk/channel.h, without LOW_MEMORY)."""


def case_hash(text: str) -> int:
    """ast_str_case_hash (include/asterisk/strings.h): djb2 with `hash * 33 ^ c` over the
    lower-cased bytes, restricted to a non-negative int (ast_str_hash_restrict)."""
    value = 5381
    for byte in text.lower().encode("utf-8"):
        value = ((value * 33) & 0xFFFFFFFF) ^ byte
    return value & 0x7FFFFFFF


def channel_bucket(name: str) -> int:
    """The bucket of a channel in Asterisk's channel container and in the snapshot cache
    by name: `ast_str_case_hash(name) % 1567` (main/channelstorage_ao2_legacy.c hash_cb,
    main/stasis_channels.c channel_snapshot_hash_cb). Iterating either container walks the
    buckets in order (main/astobj2_hash.c), a bucket's channels in insertion order, which
    is the order of `Status`, `CoreShowChannels` and `core show channels`."""
    return case_hash(name) % CHANNEL_BUCKETS


def _hashtab_hash(text: str) -> int:
    """ast_hashtab_hash_string (main/hashtab.c): `total * 13 + c` over the bytes."""
    total = 0
    for byte in text.encode("utf-8"):
        total = (total * 13 + byte) & 0xFFFFFFFF
    return total


_DEVSTATE_TYPE_HASH = _hashtab_hash("ast_device_state_message_type")
CACHE_BUCKETS = 563
"""NUM_CACHE_BUCKETS of main/stasis_cache.c (without LOW_MEMORY)."""


def devstate_bucket(device: str) -> int:
    """The bucket of a device's entry in the device-state stasis cache, which
    `DeviceStateList` dumps in bucket order: the key hash is the message type's hash plus
    the id's (cache_entry_compute_hash, main/stasis_cache.c), taken as a C int, and
    main/astobj2_hash.c uses `abs(hash % n_buckets)` (h3: trunk, 1001, ..., 1005)."""
    value = (_DEVSTATE_TYPE_HASH + _hashtab_hash(device)) & 0xFFFFFFFF
    signed = value - (1 << 32) if value >= 1 << 31 else value
    remainder = abs(signed) % CACHE_BUCKETS  # C's % truncates towards zero
    return remainder


@dataclass(eq=False)
class EChannel:
    """One emulated channel; `peer` is the other half of a Local pair."""

    name: str
    uniqueid: str
    linkedid: str
    context: str
    exten: str
    priority: int = 1
    state: int = DOWN
    cid_num: str = "<unknown>"
    cid_name: str = "<unknown>"
    conn_num: str = "<unknown>"
    conn_name: str = "<unknown>"
    half: int = 0
    """1 or 2 for Local halves, 0 otherwise."""
    peer: EChannel | None = None
    bridge: EBridge | None = None
    variables: dict[str, str] = field(default_factory=dict)
    created: float = 0.0
    answered: float | None = None
    app: str = ""
    app_data: str = ""
    hungup: bool = False
    hangup_cause: int = 16
    dialed: bool = False
    """Created by Dial/Queue (no CDR row of its own for the ;1 half)."""
    interrupt: asyncio.Event = field(default_factory=asyncio.Event)
    soft_hangup: bool = False
    redirect_to: tuple[str, str, int] | None = None
    task: asyncio.Task[None] | None = None
    cdr_rows: list[str] = field(default_factory=list)
    moh: bool = False
    spies: list[EChannel] = field(default_factory=list)
    language: str = "en"
    devcat: str = ""
    """PJSIP channels: the device-state category this channel counts in (phones.py)."""
    on_hold: bool = False
    watch: asyncio.Event | None = None
    """Set on every bridge enter/leave and on hangup (scripted parties wait on it)."""
    call_id: str = ""
    """PJSIP channels: the SIP Call-ID chan_pjsip's get_pvt_uniqueid returns (the
    `BRIDGEPVTCALLID` of its bridge peer); empty for Local channels, which have none."""

    def snapshot(self, prefix: str = "") -> Pairs:
        p = prefix
        return [
            (p + "Channel", self.name),
            (p + "ChannelState", str(self.state)),
            (p + "ChannelStateDesc", STATE_DESC.get(self.state, "Unknown")),
            (p + "CallerIDNum", self.cid_num),
            (p + "CallerIDName", self.cid_name),
            (p + "ConnectedLineNum", self.conn_num),
            (p + "ConnectedLineName", self.conn_name),
            (p + "Language", self.language),
            (p + "AccountCode", ""),
            (p + "Context", self.context),
            (p + "Exten", self.exten),
            (p + "Priority", str(self.priority)),
            (p + "Uniqueid", self.uniqueid),
            (p + "Linkedid", self.linkedid),
        ]

    @property
    def device(self) -> str:
        """`Local/1001@agents` for `Local/1001@agents-00000001;1`."""
        name = self.name[:-2] if self.half else self.name
        dash = name.rfind("-")
        return name[:dash] if dash > 0 else name


@dataclass(eq=False)
class EBridge:
    uniqueid: str
    members: list[EChannel] = field(default_factory=list)
    technology: str = "simple_bridge"

    def snapshot(self) -> Pairs:
        return [
            ("BridgeUniqueid", self.uniqueid),
            ("BridgeType", "basic"),
            ("BridgeTechnology", self.technology),
            ("BridgeCreator", "<unknown>"),
            ("BridgeName", "<unknown>"),
            ("BridgeNumChannels", str(len(self.members))),
            ("BridgeVideoSourceMode", "none"),
        ]
