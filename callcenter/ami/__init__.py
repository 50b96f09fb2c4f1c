"""The Asterisk Manager Interface adapter: wire codec, typed events and the client.

The engine uses `AmiClient` (an async context manager) and the dataclasses of
`callcenter.ami.events`; nothing outside this package sees the wire format.
"""

from __future__ import annotations

from callcenter.ami import actions
from callcenter.ami.client import AmiClient, AmiConfig, ListResult, Response
from callcenter.ami.codec import FrameDecoder, Message, encode_action, parse_frame
from callcenter.ami.errors import (
    AmiActionError,
    AmiAuthenticationError,
    AmiConnectionError,
    AmiError,
    AmiNotConnectedError,
    AmiProtocolError,
    AmiTimeoutError,
)

__all__ = [
    "AmiActionError",
    "AmiAuthenticationError",
    "AmiClient",
    "AmiConfig",
    "AmiConnectionError",
    "AmiError",
    "AmiNotConnectedError",
    "AmiProtocolError",
    "AmiTimeoutError",
    "FrameDecoder",
    "ListResult",
    "Message",
    "Response",
    "actions",
    "encode_action",
    "parse_frame",
]
