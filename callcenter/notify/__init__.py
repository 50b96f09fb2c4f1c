"""Notifications that leave the engine other than over MQTT: e-mail for a new voicemail."""

from __future__ import annotations

from callcenter.notify.email import (
    NotifyError,
    SmtpSettings,
    compose_voicemail_email,
    send_voicemail_email,
)

__all__ = ["NotifyError", "SmtpSettings", "compose_voicemail_email", "send_voicemail_email"]
