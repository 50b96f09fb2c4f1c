"""Voicemail e-mail through a real SMTP server (aiosmtpd on a free local port): what arrives,
the attachment and its size cap, login with the password from the environment, and every
failure reported as NotifyError naming the server."""

from __future__ import annotations

import asyncio
import io
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from callcenter.agi import free_port
from callcenter.notify import NotifyError, SmtpSettings, send_voicemail_email
from cdr.callers.voicemail import VoicemailMessage, VoicemailReason

controller_module = pytest.importorskip(
    "aiosmtpd.controller", reason="aiosmtpd is not installed (pip install aiosmtpd)")
smtp_module = pytest.importorskip("aiosmtpd.smtp", reason="aiosmtpd is not installed")

T0 = 1_762_128_000.0  # 2025-11-03 00:00 UTC = 01:00 CET
BERLIN = ZoneInfo("Europe/Berlin")
USER, SECRET, SECRET_ENV = "engine", "s3cret", "TEST_CC_SMTP_PASSWORD"


@dataclass
class Inbox:
    """What the server received: (envelope recipients, parsed message) per mail."""

    mails: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    delay_s: float = 0.0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.mails.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"


@dataclass
class Server:
    port: int
    inbox: Inbox


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                  auth_data: Any) -> Any:
    ok = auth_data.login == USER.encode() and auth_data.password == SECRET.encode()
    # handled=False: the server answers 535 itself (True means the hook already replied).
    return smtp_module.AuthResult(success=ok, handled=False)


def _serve(**options: Any) -> Iterator[Server]:
    """Run aiosmtpd in its own thread (its own event loop) on a free port."""
    inbox = Inbox()
    port = free_port()
    controller = controller_module.Controller(inbox, hostname="127.0.0.1", port=port,
                                              **options)
    controller.start()
    try:
        yield Server(port, inbox)
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[Server]:
    yield from _serve()


@pytest.fixture
def auth_server() -> Iterator[Server]:
    yield from _serve(authenticator=_authenticate, auth_require_tls=False, auth_required=True)


def settings(port: int, **changes: Any) -> SmtpSettings:
    fields: dict[str, Any] = {
        "host": "127.0.0.1", "port": port, "starttls": False, "sender": "pbx@example.com",
        "recipients": ["ops@example.com"],
        "box_recipients": {"sales": ["sales@example.com", "lead@example.com"]},
        "timeout_s": 5.0,
    }
    fields.update(changes)
    return SmtpSettings.model_validate(fields)


def voicemail(path: Path, **changes: Any) -> VoicemailMessage:
    fields: dict[str, Any] = {
        "uniqueid": "1762128000.42", "box": "sales", "recorded_at": T0, "duration_s": 72.4,
        "path": str(path), "reason": VoicemailReason.CLOSED, "caller": "+4930123456",
        "caller_name": "Ada Lovelace", "language": "de", "call_id": "c42",
    }
    fields.update(changes)
    return VoicemailMessage(**fields)


def wav_file(path: Path, seconds: float = 0.5) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * int(8000 * seconds))
    path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


async def test_the_box_recipients_get_who_called_when_and_how_long(
    smtp_server: Server, tmp_path: Path
) -> None:
    await send_voicemail_email(settings(smtp_server.port), voicemail(tmp_path / "vm.wav"),
                               attach=False, zone=BERLIN)
    ((rcpt, mail),) = smtp_server.inbox.mails
    assert rcpt == ["sales@example.com", "lead@example.com"]
    assert mail["Subject"] == "Voicemail in box sales from Ada Lovelace (+4930123456)"
    assert mail["From"] == "pbx@example.com"
    assert mail["X-Callcenter-Voicemail"] == "1762128000.42@sales"
    body = mail.get_content()
    assert "Received:  2025-11-03 01:00:00 CET (Europe/Berlin)" in body
    assert "Duration:  1:12 (72.4 s)" in body
    assert "Reason:    closed" in body and "Call:      c42" in body
    assert not mail.is_multipart()


async def test_another_box_goes_to_the_default_list_and_withheld_is_said(
    smtp_server: Server, tmp_path: Path
) -> None:
    message = voicemail(tmp_path / "vm.wav", box="support", caller=None, caller_name=None)
    await send_voicemail_email(settings(smtp_server.port), message, attach=False)
    ((rcpt, mail),) = smtp_server.inbox.mails
    assert rcpt == ["ops@example.com"]
    assert mail["Subject"] == "Voicemail in box support from withheld number"
    assert "2025-11-03 00:00:00 UTC (UTC)" in mail.get_content()


async def test_the_wav_is_attached_under_the_cap(smtp_server: Server, tmp_path: Path) -> None:
    audio = tmp_path / "1762128000.42@sales.wav"
    data = wav_file(audio)
    await send_voicemail_email(settings(smtp_server.port), voicemail(audio), attach=True)
    ((_, mail),) = smtp_server.inbox.mails
    (part,) = list(mail.iter_attachments())
    assert part.get_filename() == audio.name
    assert part.get_content_maintype() == "audio"
    assert part.get_content() == data
    body = mail.get_body(("plain",))
    assert isinstance(body, EmailMessage)
    assert f"File:      {audio} (attached)" in body.get_content()


async def test_a_file_over_the_cap_or_missing_is_named_not_attached(
    smtp_server: Server, tmp_path: Path
) -> None:
    audio = tmp_path / "big.wav"
    size = len(wav_file(audio))
    capped = settings(smtp_server.port, attach_max_bytes=size - 1)
    await send_voicemail_email(capped, voicemail(audio), attach=True)
    await send_voicemail_email(capped, voicemail(tmp_path / "gone.wav"), attach=True)
    (_, big), (_, gone) = smtp_server.inbox.mails
    assert list(big.iter_attachments()) == [] and list(gone.iter_attachments()) == []
    assert f"not attached: {size} bytes, over the {size - 1}-byte limit" in big.get_content()
    assert "not attached: No such file or directory" in gone.get_content()


async def test_a_caller_name_cannot_add_headers(smtp_server: Server, tmp_path: Path) -> None:
    message = voicemail(tmp_path / "vm.wav", caller_name="Eve\r\nBcc: thief@example.net")
    await send_voicemail_email(settings(smtp_server.port), message, attach=False)
    ((rcpt, mail),) = smtp_server.inbox.mails
    assert "thief@example.net" not in rcpt and mail["Bcc"] is None
    assert mail["Subject"] == "Voicemail in box sales from Eve Bcc: thief@example.net " \
                              "(+4930123456)"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
async def test_login_reads_the_password_from_the_environment(
    auth_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = settings(auth_server.port, username=USER, password_env=SECRET_ENV)
    monkeypatch.delenv(SECRET_ENV, raising=False)
    with pytest.raises(NotifyError, match=f"environment variable {SECRET_ENV}, which is not"):
        await send_voicemail_email(config, voicemail(tmp_path / "vm.wav"), attach=False)
    monkeypatch.setenv(SECRET_ENV, "wrong")
    with pytest.raises(NotifyError, match=f"smtp 127.0.0.1:{auth_server.port}: "
                                          "SMTPAuthenticationError"):
        await send_voicemail_email(config, voicemail(tmp_path / "vm.wav"), attach=False)
    assert auth_server.inbox.mails == []
    monkeypatch.setenv(SECRET_ENV, SECRET)
    await send_voicemail_email(config, voicemail(tmp_path / "vm.wav"), attach=False)
    assert len(auth_server.inbox.mails) == 1


async def test_failures_name_the_server(smtp_server: Server, tmp_path: Path) -> None:
    closed = free_port()
    with pytest.raises(NotifyError, match=f"smtp 127.0.0.1:{closed}: ConnectionRefusedError"):
        await send_voicemail_email(settings(closed), voicemail(tmp_path / "vm.wav"),
                                   attach=False)
    tls = settings(smtp_server.port, starttls=True)
    with pytest.raises(NotifyError, match=f"smtp 127.0.0.1:{smtp_server.port}: .*STARTTLS"):
        await send_voicemail_email(tls, voicemail(tmp_path / "vm.wav"), attach=False)
    assert smtp_server.inbox.mails == []


async def test_a_slow_server_does_not_block_the_event_loop(
    smtp_server: Server, tmp_path: Path
) -> None:
    smtp_server.inbox.delay_s = 0.5
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.02)
            ticks += 1

    started = time.monotonic()
    async with asyncio.TaskGroup() as group:
        ticker = group.create_task(tick(), name="ticker")
        await send_voicemail_email(settings(smtp_server.port), voicemail(tmp_path / "vm.wav"),
                                   attach=False)
        ticker.cancel()
    assert time.monotonic() - started >= 0.5
    assert ticks >= 10  # the loop kept running while the mail server took its time
    assert len(smtp_server.inbox.mails) == 1


@pytest.mark.parametrize(
    ("changes", "wrong"),
    [({"username": "engine"}, "password_env"), ({"recipients": []}, "recipients"),
     ({"recipients": ["not an address"]}, "recipients"), ({"sender": "pbx"}, "sender"),
     ({"box_recipients": {"sales": ["x@"]}}, "box_recipients"), ({"timeout_s": 0}, "timeout_s"),
     ({"password": "plain"}, "password")],
)
def test_settings_refuse_what_cannot_work(changes: dict[str, Any], wrong: str) -> None:
    with pytest.raises(ValidationError, match=wrong):
        settings(25, **changes)
