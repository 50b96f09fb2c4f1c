"""The `recording:` key of the engine's YAML: default off, mistakes named with file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.engine.config import ConfigError, load_config


def test_default_records_nothing(tmp_path: Path) -> None:
    path = tmp_path / "cc.yaml"
    path.write_text("queues: [{name: q}]\n")
    assert load_config(path).recording.policy.rules == []


@pytest.mark.parametrize(("text", "expected"), [
    ("recording: {policy: {rules: [{mode: sample}]}}",
     "recording.policy.rules.0: Value error, mode 'sample' needs percent"),
    ("recording: {policy: {rules: [{mode: all, queues: [nope]}]}}",
     "recording.policy.rules.0.queues: unknown queues nope"),
    ("recording: {directory: rec}", "recording.directory: Value error, expected an absolute"),
    ("recording: {naming: {template: '{queue}'}}", "recording.naming.template"),
    ("recording: {naming: {stereo: true}}", "stereo: true needs format: raw"),
    ("recording: {retention: {default_days: 0}}", "recording.retention.default_days"),
    ("recording: {retention: {queues: {nope: 5}}}",
     "recording.retention.queues: unknown queues nope"),
    ("recording: {qa: {criteria: [{name: a, weight: -1}]}}", "recording.qa.criteria.0.weight"),
    ("recording: {colour: red}", "recording.colour"),
])
def test_mistakes_name_the_key(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "cc.yaml"
    path.write_text("queues: [{name: q}]\n" + text + "\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(path) in str(error.value) and expected in str(error.value)


def test_the_example_in_docs_recording_md_is_valid(tmp_path: Path) -> None:
    doc = (Path(__file__).parents[3] / "docs" / "recording.md").read_text()
    block = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "cc.yaml"
    path.write_text("queues: [{name: billing}, {name: support}]\n" + block)
    recording = load_config(path).recording
    assert len(recording.policy.rules) == 5 and recording.retention.queues == {"billing": 730}
    assert [c.name for c in recording.qa.criteria] == ["greeting", "resolution"]
