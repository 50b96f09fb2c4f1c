"""E-mail for a new voicemail: who called which box, when (in the center's time zone), how
long, optionally with the recording attached.

`smtplib` blocks, so composing (which may read the audio file) and sending run in a thread
(`asyncio.to_thread`); the event loop never waits on the mail server. Every failure - DNS,
connection refused, timeout, STARTTLS missing, login refused, every recipient refused - is
raised as `NotifyError` naming the server. The SMTP password is read from the environment
variable the settings name, never from the config file.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import os
import re
import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Annotated, Self
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from callcenter.errors import CallcenterError
from cdr import VoicemailMessage

log = logging.getLogger(__name__)

UTC_ZONE = ZoneInfo("UTC")
_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


class NotifyError(CallcenterError):
    """A notification could not be sent; the message names the server and what went wrong."""


def _check_addresses(values: list[str]) -> list[str]:
    for value in values:
        if not _ADDRESS.match(value):
            raise ValueError(f"expected an e-mail address like ops@example.com, got {value!r}")
    return values


class SmtpSettings(BaseModel):
    """Where voicemail e-mail goes and how to reach the mail server.

    `recipients` get every box's mail unless `box_recipients` names the box. With a
    `username`, the password comes from the environment variable `password_env`.
    A recording larger than `attach_max_bytes` is named in the mail but not attached.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: Annotated[str, Field(min_length=1)]
    port: Annotated[int, Field(ge=1, le=65535)] = 587
    starttls: bool = True
    username: str | None = None
    password_env: str | None = None  # the variable's name, e.g. CALLCENTER_SMTP_PASSWORD
    sender: str
    recipients: Annotated[list[str], Field(min_length=1)]
    box_recipients: dict[str, Annotated[list[str], Field(min_length=1)]] = {}
    timeout_s: Annotated[float, Field(gt=0)] = 30.0
    attach_max_bytes: Annotated[int, Field(ge=0)] = 10 * 1024 * 1024

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str) -> str:
        return _check_addresses([value])[0]

    @field_validator("recipients")
    @classmethod
    def _recipients(cls, value: list[str]) -> list[str]:
        return _check_addresses(value)

    @field_validator("box_recipients")
    @classmethod
    def _box_recipients(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for addresses in value.values():
            _check_addresses(addresses)
        return value

    @model_validator(mode="after")
    def _password_source(self) -> Self:
        if self.username and not self.password_env:
            raise ValueError("username is set: expected password_env, the name of the "
                             "environment variable holding the SMTP password")
        return self

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"

    def recipients_for(self, box: str) -> list[str]:
        """The addresses that get `box`'s mail."""
        return self.box_recipients.get(box, self.recipients)

    def password(self) -> str | None:
        """The SMTP password from the environment (None without a username); NotifyError
        naming the variable when it is not set."""
        if not self.username or not self.password_env:
            return None
        value = os.environ.get(self.password_env)
        if not value:
            raise NotifyError(f"smtp {self.server}: expected the password for "
                              f"{self.username} in environment variable {self.password_env}, "
                              f"which is not set")
        return value


def _clean(text: str) -> str:
    """One header-safe line: control characters (a CR/LF smuggled in a caller name) become
    spaces."""
    return _CONTROL.sub(" ", text).strip()


def _caller(message: VoicemailMessage) -> str:
    number = _clean(message.caller or "") or "withheld number"
    name = _clean(message.caller_name or "")
    return f"{name} ({number})" if name else number


def _duration(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def compose_voicemail_email(
    settings: SmtpSettings, message: VoicemailMessage, *, attach: bool,
    zone: ZoneInfo = UTC_ZONE,
) -> EmailMessage:
    """The e-mail for `message`, the recording attached when `attach` and the file is there
    and at most `attach_max_bytes`; otherwise the body says why not. Blocking (reads the file)."""
    when = datetime.fromtimestamp(message.recorded_at, UTC).astimezone(zone)
    caller = _caller(message)
    mail = EmailMessage()
    mail["Subject"] = f"Voicemail in box {message.box} from {caller}"
    mail["From"] = settings.sender
    mail["To"] = ", ".join(settings.recipients_for(message.box))
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2])
    mail["X-Callcenter-Voicemail"] = message.voicemail_id
    audio = Path(message.path)
    data, file_note = _attachment(audio, settings.attach_max_bytes) if attach else (None, "")
    lines = [
        f"A new voicemail in box {message.box}.",
        "",
        f"From:      {caller}",
        f"Received:  {when:%Y-%m-%d %H:%M:%S %Z} ({zone.key})",
        f"Duration:  {_duration(message.duration_s)} ({message.duration_s:.1f} s)",
        f"Reason:    {message.reason}",
        f"Language:  {message.language}",
        f"Message:   {message.voicemail_id}",
        f"File:      {message.path}{file_note}",
    ]
    if message.call_id:
        lines.append(f"Call:      {message.call_id}")
    mail.set_content("\n".join(lines) + "\n")
    if data is not None:
        kind = mimetypes.guess_type(audio.name)[0] or "application/octet-stream"
        maintype, _, subtype = kind.partition("/")
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=audio.name)
    return mail


def _attachment(audio: Path, cap: int) -> tuple[bytes | None, str]:
    """The file's bytes, or None and a note saying why it is not attached."""
    try:
        size = audio.stat().st_size
        if size > cap:
            return None, f" (not attached: {size} bytes, over the {cap}-byte limit)"
        return audio.read_bytes(), " (attached)"
    except OSError as error:
        log.warning("voicemail %s: cannot attach: %s", audio, error)
        return None, f" (not attached: {error.strerror or error})"


def _send(settings: SmtpSettings, mail: EmailMessage, password: str | None) -> None:
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.username and password is not None:
                smtp.login(settings.username, password)
            refused = smtp.send_message(mail)
    except (smtplib.SMTPException, OSError) as error:
        raise NotifyError(f"smtp {settings.server}: {type(error).__name__}: {error}") from None
    if refused:
        log.warning("smtp %s refused some recipients of %s: %s", settings.server,
                    mail["X-Callcenter-Voicemail"], ", ".join(sorted(refused)))


async def send_voicemail_email(
    settings: SmtpSettings, message: VoicemailMessage, *, attach: bool,
    zone: ZoneInfo = UTC_ZONE,
) -> None:
    """Mail `message` to its box's recipients, times shown in `zone`. Raises NotifyError
    naming the server when the mail could not be handed over (or the password variable is
    not set); a mail accepted for some recipients but not others is logged, not raised."""
    password = settings.password()

    def compose_and_send() -> None:
        _send(settings, compose_voicemail_email(settings, message, attach=attach, zone=zone),
              password)

    await asyncio.to_thread(compose_and_send)
