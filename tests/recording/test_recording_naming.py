"""File names: dated layout, safe parts, validated templates, stereo needs raw."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from recording.naming import NamingSettings

WHEN = datetime(2026, 3, 9, 14, 5, tzinfo=UTC)


def test_default_layout_is_dated_directories_per_queue() -> None:
    name = NamingSettings().relative_path(WHEN, "1700000000.42", "support", "1007")
    assert name == "2026/03/09/support/1700000000.42-1007.wav"


def test_values_from_outside_cannot_escape_the_directory() -> None:
    name = NamingSettings(template="{queue}/{call_id}").relative_path(
        WHEN, "../../etc/passwd", "a b;rm -rf", None)
    assert name == "a_b_rm_-rf/.._.._etc_passwd.wav"
    assert NamingSettings(template="{queue}/{call_id}").relative_path(
        WHEN, "c", "..", None) == "_/c.wav"


def test_stereo_uses_option_d_and_raw() -> None:
    naming = NamingSettings.model_validate({"format": "raw", "stereo": True})
    assert naming.mixmonitor_options() == "bD"
    assert naming.relative_path(WHEN, "c", "q", "a").endswith(".raw")


@pytest.mark.parametrize(("fields", "message"), [
    ({"template": "{date:%Y}/{caller}-{call_id}"}, "expected a template using only"),
    ({"template": "{date:%Y}/{queue}"}, "expected {call_id} in the template"),
    ({"template": "/abs/{call_id}"}, "expected a relative path"),
    ({"template": "{queue}/../{call_id}"}, "expected a relative path"),
    ({"template": "x y/{call_id}"}, "expected only letters"),
    ({"stereo": True}, "stereo: true needs format: raw"),
    ({"options": "bD"}, "D is set by stereo"),
    ({"format": "mp3"}, "'wav', 'wav16', 'gsm' or 'raw'"),
])
def test_bad_naming_settings_are_named(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        NamingSettings.model_validate(fields)
