"""`callcenter recordings …` and `callcenter qa …` on a small database with real files."""

from __future__ import annotations

import asyncio
import csv
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from callcenter.cli import app
from cdr.records import CallRecord, Outcome, Recording, Survey
from cdr.store.db import Database
from cdr.store.migrate import upgrade
from cdr.store.writer import CdrWriter
from recording.metadata import file_facts

runner = CliRunner()
DAY = 86_400.0
NOW = time.time()


@pytest.fixture
def site(tmp_path: Path) -> tuple[str, Path, Path]:
    """Four recorded calls (two agents, two queues), 2 and 400 days old; the YAML config."""
    root = tmp_path / "rec"
    url = f"sqlite+aiosqlite:///{tmp_path / 'cc.db'}"
    items: list[CallRecord | Recording] = []
    for n, (agent, queue, age, csat) in enumerate(
        [("1001", "support", 2, 5), ("1001", "billing", 2, 2), ("1002", "support", 2, None),
         ("1002", "support", 400, 4)]
    ):
        start = NOW - age * DAY
        call_id = f"c{n}"
        path = root / queue / f"{call_id}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f"audio of {call_id}".encode())
        facts = file_facts(path)
        items.append(CallRecord(call_id, start - 30, start + 60, Outcome.ANSWERED,
                                queue=queue, agent_id=agent, answered_at=start,
                                recording=str(path),
                                survey=Survey(csat=csat) if csat else None))
        items.append(Recording(call_id, call_id, str(path), start, start + 60,
                               size_bytes=facts.size_bytes, sha256=facts.sha256, queue=queue,
                               agent_id=agent, pauses=((start + 10, start + 20),)))

    async def build() -> None:
        async with Database(url) as db:
            await upgrade(db)
            async with CdrWriter(db) as writer:
                for item in items:
                    writer.submit(item)

    asyncio.run(build())
    config = tmp_path / "cc.yaml"
    config.write_text(
        "queues: [{name: support}, {name: billing}]\n"
        f"recording:\n  directory: {root}\n  archive_directory: {tmp_path / 'archive'}\n"
        "  retention: {default_days: 365, queues: {billing: 1}}\n"
        "  qa:\n    per_agent: 1\n    seed: 3\n"
        "    criteria: [{name: greeting, weight: 1}, {name: resolution, weight: 3}]\n")
    return url, root, config


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_list_with_filters_and_show(site: tuple[str, Path, Path]) -> None:
    url, _, _ = site
    frm = time.strftime("%Y-%m-%d", time.gmtime(NOW - 1000 * DAY))
    code, out, _ = run("recordings", "list", "--db", url, "--from", frm)
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == ["c3", "c0", "c1",
                                                                            "c2"]
    _, out, _ = run("recordings", "list", "--db", url, "--agent", "1001", "--csat-below", "3")
    assert [line.split()[0] for line in out.splitlines()] == ["c1"]
    _, out, _ = run("recordings", "list", "--db", url, "--queue", "support")
    assert [line.split()[0] for line in out.splitlines()] == ["c0", "c2"]  # c3: > 30 days
    code, out, _ = run("recordings", "show", "c0", "--db", url)
    assert code == 0 and "pauses: " in out and "(10.0s)" in out and "csat: 5" in out
    assert run("recordings", "show", "nope", "--db", url)[0] == 1


def test_verify_reports_missing_and_corrupt_files(site: tuple[str, Path, Path]) -> None:
    url, root, _ = site
    assert run("recordings", "verify", "--db", url)[0] == 0
    (root / "support" / "c0.wav").write_bytes(b"tampered")
    (root / "billing" / "c1.wav").unlink()
    code, out, err = run("recordings", "verify", "--db", url)
    assert code == 1
    assert sorted(line.split()[:2] for line in out.splitlines()) == [
        ["CORRUPT", "c0"], ["MISSING", "c1"]]
    assert "3 recordings checked: 1 ok, 2 problems" in err


def test_export_copies_files_with_a_manifest(site: tuple[str, Path, Path],
                                             tmp_path: Path) -> None:
    url, _, config = site
    code, _, err = run("recordings", "export", "--dest", str(tmp_path / "out"), "--queue",
                       "support", "--config", str(config), "--db", url)
    assert code == 0, err
    with (tmp_path / "out" / "manifest.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["recording_id"] for r in rows] == ["c0", "c2"]
    assert (tmp_path / "out" / rows[0]["file"]).read_bytes() == b"audio of c0"
    assert rows[0]["file"] == "support/c0.wav" and rows[0]["csat"] == "5"


def test_archive_then_purge(site: tuple[str, Path, Path], tmp_path: Path) -> None:
    url, root, config = site
    code, _, err = run("recordings", "archive", "--config", str(config), "--db", url)
    assert code == 0 and "archived 4 recordings" in err
    assert (tmp_path / "archive" / "support" / "c3.wav").read_bytes() == b"audio of c3"
    (tmp_path / "archive" / "support" / "c2.wav").write_bytes(b"bit rot")
    code, out, _ = run("recordings", "verify", "--db", url)
    assert code == 1 and out.split()[:2] == ["CORRUPT", "c2"] and "archive" in out
    code, out, err = run("recordings", "purge", "--dry-run", "--config", str(config),
                         "--db", url)
    assert code == 0
    assert [line.split()[2] for line in out.splitlines()] == ["c3", "c1"]  # oldest first
    assert (root / "support" / "c3.wav").exists()  # a dry run deletes nothing
    assert run("recordings", "purge", "--config", str(config), "--db", url)[0] == 2
    code, _, err = run("recordings", "purge", "--yes", "--config", str(config), "--db", url)
    assert code == 0 and "purged 2 recordings" in err
    assert not (root / "support" / "c3.wav").exists()
    assert (tmp_path / "archive" / "support" / "c3.wav").exists()
    _, out, _ = run("recordings", "purge", "--dry-run", "--config", str(config), "--db", url)
    assert out == ""


def test_qa_sample_score_and_report(site: tuple[str, Path, Path]) -> None:
    url, _, config = site
    date = time.strftime("%Y-%m-%d", time.gmtime(NOW - 2 * DAY))
    args = ("qa", "sample", "--date", date, "--config", str(config), "--db", url)
    code, first, _ = run(*args)
    assert code == 0 and [line.split()[0] for line in first.splitlines()] == ["1001", "1002"]
    assert run(*args)[1] == first  # same seed, same sample
    code, out, _ = run("qa", "score", "c0", "--reviewer", "lead", "-p", "greeting=5",
                       "-p", "resolution=3", "--config", str(config), "--db", url)
    assert code == 0 and "70.0 / 100" in out
    code, _, err = run("qa", "score", "c0", "--reviewer", "lead", "-p", "greeting=5",
                       "--config", str(config), "--db", url)
    assert code == 2 and "criteria not scored: resolution" in err
    code, out, _ = run("qa", "report", "--by", "day", "--db", url)
    lines = out.splitlines()
    assert lines[0] == "agent,period,scored,qa_mean,answered,csat_mean,csat_answers"
    assert f"1001,{date},1,70.0,2,3.50,2" in lines
    assert f"1002,{date},0,,1,,0" in lines
