"""A site config rendered into a directory, for the render, check and CLI tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.cli.dialplan_input import render_input
from callcenter.engine.config import load_config
from dialplans.inputs import RenderInput
from dialplans.render import render, write_directory

SITE = Path(__file__).parent / "data" / "site.yaml"
SOURCE = "site.yaml"  # as written in the headers (the golden files do not depend on paths)
SECRETS = {"CC_TEST_AMI_SECRET": "ami-s3cret", "CALLCENTER_SIP_SECRET_1007": "pw-1007",
           "CALLCENTER_SIP_SECRET_1008": "pw-1008"}


@pytest.fixture
def site_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def site_input(site_env: None) -> RenderInput:
    inp, placeholders = render_input(load_config(SITE), SOURCE)
    assert placeholders == []
    return inp


@pytest.fixture
def rendered(site_input: RenderInput, tmp_path: Path) -> Path:
    out = tmp_path / "asterisk"
    write_directory(out, render(site_input))
    return out
