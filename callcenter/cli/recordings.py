"""`callcenter recordings list|show|verify|export|archive|purge` and `callcenter qa
sample|score|report`: the recording files, their metadata and quality reviews.

Every missing or corrupt file is printed and makes the exit code 1; bad input exits with 2.
File work runs in a thread (`asyncio.to_thread`), database work through the async driver.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import typer
from sqlalchemy import delete, func, insert, select, update

from callcenter.cli.app import app
from callcenter.cli.dbopts import DB_OPTION, fail, parse_when, period, run_on_database
from callcenter.engine.config import ConfigError, EngineConfig, load_config
from callcenter.recording_index import recording_meta, recording_query
from cdr.db import Database
from cdr.schema import CallRow, QaScoreRow, RecordingRow, SurveyRow
from recording.metadata import RecordingMetadata
from recording.qa import ScoreError, sample_per_agent, weighted_score
from recording.retention import purge_plan
from recording.settings import RecordingSettings
from recording.storage import CopyError, FileCheck, FileStatus, check_file, copy_verified
from recording.storage import relative_to_root as below_root

recordings_app = typer.Typer(help="Recording files: list, check, copy, purge.",
                             no_args_is_help=True)
app.add_typer(recordings_app, name="recordings")
qa_app = typer.Typer(help="Quality review: sample calls, score them, report per agent.",
                     no_args_is_help=True)
app.add_typer(qa_app, name="qa")

AnyRow = Any  # SQLAlchemy rows and selects of several columns (variadic generics)
AnySelect = Any
CONFIG = typer.Option(None, "--config", "-c", help="The engine's YAML (recording: settings).")
FROM = typer.Option(None, "--from", help="Recorded from, YYYY-MM-DD[THH:MM]; default 30 days ago.")
TO = typer.Option(None, "--to", help="Recorded before (a bare date includes the day).")
AGENT = typer.Option([], "--agent", help="Only these agents (repeatable).")
QUEUE = typer.Option([], "--queue", help="Only these queues (repeatable).")
OUTCOME = typer.Option([], "--outcome", help="Only calls with this outcome (repeatable).")
CSAT_BELOW = typer.Option(None, "--csat-below", min=1, max=6,
                          help="Only calls whose CSAT (1-5) is below N.")


@dataclass(frozen=True, slots=True)
class Listed:
    meta: RecordingMetadata
    outcome: str | None
    csat: int | None


def _settings(config: Path | None) -> RecordingSettings:
    if config is None:
        return RecordingSettings()
    try:
        engine: EngineConfig = load_config(config)
    except ConfigError as error:
        fail(str(error))
    return engine.recording



def _stamp(db: str | None, recording_ids: list[str], **stamp: float) -> None:
    """Set a time column (verified_at, purged_at) on these recordings' rows."""
    if not recording_ids:
        return

    async def mark(database: Database) -> None:
        async with database.engine.begin() as conn:
            await conn.execute(update(RecordingRow)
                               .where(RecordingRow.recording_id.in_(recording_ids))
                               .values(**stamp))

    run_on_database(db, mark)


_meta = recording_meta  # callcenter.recording_index: shared with the HTTP API
_query = recording_query


def _select(db: str | None, start: str | None, end: str | None, agents: list[str],
            queues: list[str], outcomes: list[str], csat_below: int | None,
            *, include_purged: bool = True) -> list[Listed]:
    frm, to = period(start, end)
    query = _query(frm, to, agents, queues, outcomes, csat_below)
    if not include_purged:
        query = query.where(RecordingRow.purged_at.is_(None))

    async def work(database: Database) -> list[Listed]:
        async with database.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [Listed(_meta(r), r.call_outcome, r.csat_value) for r in rows]

    return run_on_database(db, work)


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "-"
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@recordings_app.command("list")
def list_recordings(start: str | None = FROM, end: str | None = TO, agent: list[str] = AGENT,
                    queue: list[str] = QUEUE, outcome: list[str] = OUTCOME,
                    csat_below: int | None = CSAT_BELOW, db: str | None = DB_OPTION) -> None:
    """One line per recording: id, start, queue, agent, duration, outcome, CSAT, pauses, file."""
    rows = _select(db, start, end, agent, queue, outcome, csat_below)
    for item in rows:
        m = item.meta
        duration = f"{m.duration_s:.0f}s" if m.duration_s is not None else "-"
        state = " purged" if m.purged_at is not None else ""
        typer.echo(f"{m.recording_id}  {_when(m.started_at)}  {m.queue or '-'}  "
                   f"{m.agent_id or '-'}  {duration}  {item.outcome or '-'}  "
                   f"csat={item.csat if item.csat is not None else '-'}  "
                   f"pauses={len(m.pauses)}  {m.path}{state}")
    typer.echo(f"{len(rows)} recordings", err=True)


@recordings_app.command("show")
def show(recording_id: str, db: str | None = DB_OPTION) -> None:
    """Everything stored about one recording."""

    async def work(database: Database) -> AnyRow | None:
        query = _query(0.0, 1e12, [], [], [], None).where(
            RecordingRow.recording_id == recording_id)
        async with database.engine.connect() as conn:
            return (await conn.execute(query)).first()

    row = run_on_database(db, work)
    if row is None:
        fail(f"no recording {recording_id!r}", code=1)
    m = _meta(row)
    fields = {
        "recording": m.recording_id, "call": m.call_id, "queue": m.queue, "agent": m.agent_id,
        "started": _when(m.started_at), "ended": _when(m.ended_at),
        "duration_s": None if m.duration_s is None else round(m.duration_s, 1),
        "format": m.format, "size_bytes": m.size_bytes, "sha256": m.sha256,
        "pauses": ", ".join(f"{_when(p.start)}..{_when(p.end)} ({p.end - p.start:.1f}s)"
                            for p in m.pauses) or "none",
        "file": m.path, "archive": m.archive_path, "verified": _when(m.verified_at),
        "purged": _when(m.purged_at), "why recorded": m.reason,
        "call outcome": row.call_outcome, "csat": row.csat_value,
    }
    for key, value in fields.items():
        typer.echo(f"{key:>13}: {'-' if value is None else value}")


def _report(checks: list[FileCheck]) -> int:
    problems = [c for c in checks if c.status is not FileStatus.OK]
    for check in problems:
        typer.echo(f"{check.status.value.upper():10} {check.recording_id}  {check.path}"
                   f"  {check.detail}")
    return len(problems)


@recordings_app.command("verify")
def verify(start: str | None = FROM, end: str | None = TO, agent: list[str] = AGENT,
           queue: list[str] = QUEUE, db: str | None = DB_OPTION) -> None:
    """Recompute every file's SHA-256 (and its archive copy's); list missing, unreadable,
    corrupt and unhashed files (exit code 1 if any). Good files get `verified_at`."""
    rows = [r.meta for r in _select(db, start, end, agent, queue, [], None,
                                     include_purged=False)]

    def check_all() -> tuple[list[FileCheck], list[str]]:
        checks: list[FileCheck] = []
        verified: list[str] = []
        for meta in rows:
            primary = check_file(meta)
            checks.append(primary)
            archive_ok = True
            if meta.archive_path is not None:
                archived = check_file(meta, meta.archive_path)
                checks.append(archived)
                archive_ok = archived.status is FileStatus.OK
            if primary.status is FileStatus.OK and archive_ok:
                verified.append(meta.recording_id)
        return checks, verified

    checks, verified = asyncio.run(asyncio.to_thread(check_all))
    _stamp(db, verified, verified_at=time.time())
    problems = _report(checks)
    typer.echo(f"{len(rows)} recordings checked: {len(verified)} ok, {problems} problems",
               err=True)
    if problems:
        raise typer.Exit(1)


MANIFEST = ("recording_id", "call_id", "file", "sha256", "size_bytes", "started_at",
            "ended_at", "duration_s", "queue", "agent_id", "outcome", "csat", "pauses")


@recordings_app.command("export")
def export(target: Path = typer.Option(..., "--dest", help="Directory to copy the files into."),
           start: str | None = FROM, end: str | None = TO, agent: list[str] = AGENT,
           queue: list[str] = QUEUE, outcome: list[str] = OUTCOME,
           csat_below: int | None = CSAT_BELOW, config: Path | None = CONFIG,
           db: str | None = DB_OPTION) -> None:
    """Copy the selected recordings (checksum-verified) into a directory with manifest.csv.
    Files that are missing or do not match their checksum are listed, not copied (exit 1)."""
    settings = _settings(config)
    root = settings.read_directory or settings.directory
    rows = _select(db, start, end, agent, queue, outcome, csat_below, include_purged=False)

    def copy_all() -> tuple[list[list[object]], list[FileCheck]]:
        manifest: list[list[object]] = []
        bad: list[FileCheck] = []
        for item in rows:
            meta = item.meta
            check = check_file(meta)
            if check.status not in (FileStatus.OK, FileStatus.UNHASHED) or check.sha256 is None:
                bad.append(check)
                continue
            relative = below_root(meta.path, root)
            try:
                copy_verified(meta.path, target / relative, check.sha256)
            except (CopyError, OSError) as error:
                bad.append(FileCheck(meta.recording_id, meta.path, FileStatus.UNREADABLE,
                                     str(error)))
                continue
            manifest.append([meta.recording_id, meta.call_id, relative, check.sha256,
                             check.size_bytes, _when(meta.started_at), _when(meta.ended_at),
                             meta.duration_s, meta.queue, meta.agent_id, item.outcome,
                             item.csat, json.dumps([[p.start, p.end] for p in meta.pauses])])
        target.mkdir(parents=True, exist_ok=True)
        with (target / "manifest.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(MANIFEST)
            writer.writerows(manifest)
        return manifest, bad

    manifest, bad = asyncio.run(asyncio.to_thread(copy_all))
    problems = _report(bad)
    typer.echo(f"exported {len(manifest)} recordings to {target} (manifest.csv);"
               f" {problems} not exported", err=True)
    if problems:
        raise typer.Exit(1)


@recordings_app.command("archive")
def archive(target: Path | None = typer.Option(
                None, "--dest", help="Archive directory; default recording.archive_directory."),
            config: Path | None = CONFIG, db: str | None = DB_OPTION) -> None:
    """Copy every recording without an archive copy to the second location, verify the
    copy's SHA-256, and store where it is. Problems are listed (exit 1)."""
    settings = _settings(config)
    where = target or (Path(settings.archive_directory) if settings.archive_directory else None)
    if where is None:
        fail("no archive directory: give --dest or set recording.archive_directory")
    root = settings.read_directory or settings.directory

    async def pending(database: Database) -> list[RecordingMetadata]:
        query = select(RecordingRow).where(RecordingRow.archive_path.is_(None),
                                           RecordingRow.purged_at.is_(None))
        async with database.engine.connect() as conn:
            return [_meta(r) for r in (await conn.execute(query)).all()]

    rows = run_on_database(db, pending)

    def copy_all() -> tuple[dict[str, str], list[FileCheck]]:
        done: dict[str, str] = {}
        bad: list[FileCheck] = []
        for meta in rows:
            check = check_file(meta)
            if check.status is not FileStatus.OK or check.sha256 is None:
                bad.append(check)
                continue
            copy = where / below_root(meta.path, root)
            try:
                copy_verified(meta.path, copy, check.sha256)
            except (CopyError, OSError) as error:
                bad.append(FileCheck(meta.recording_id, str(copy), FileStatus.UNREADABLE,
                                     str(error)))
                continue
            done[meta.recording_id] = str(copy)
        return done, bad

    done, bad = asyncio.run(asyncio.to_thread(copy_all))
    now = time.time()

    async def store(database: Database) -> None:
        async with database.engine.begin() as conn:
            for recording_id, copy in done.items():
                await conn.execute(update(RecordingRow)
                                   .where(RecordingRow.recording_id == recording_id)
                                   .values(archive_path=copy, verified_at=now))

    run_on_database(db, store)
    problems = _report(bad)
    typer.echo(f"archived {len(done)} recordings to {where}; {problems} problems", err=True)
    if problems:
        raise typer.Exit(1)


@recordings_app.command("purge")
def purge(dry_run: bool = typer.Option(False, "--dry-run", help="Only list what would go."),
          yes: bool = typer.Option(False, "--yes", help="Really delete the files."),
          config: Path | None = CONFIG, db: str | None = DB_OPTION) -> None:
    """Delete the files past their retention (recording.retention); the rows stay, marked
    purged. `--dry-run` lists them; deleting needs `--yes`. Archive copies are not touched."""
    if dry_run == yes:
        fail("give exactly one of --dry-run (list) or --yes (delete)")
    settings = _settings(config)
    if config is None:
        fail("purge needs --config: the retention policy is in the engine's YAML")

    async def load(database: Database) -> list[RecordingMetadata]:
        async with database.engine.connect() as conn:
            rows = (await conn.execute(select(RecordingRow)
                                       .where(RecordingRow.purged_at.is_(None)))).all()
        return [_meta(r) for r in rows]

    plan = purge_plan(run_on_database(db, load), settings.retention, time.time())
    for held in plan.held:
        typer.echo(f"HELD       {held.recording.recording_id}  {held.recording.path}  {held.why}")
    for item in plan.due:
        typer.echo(f"{'WOULD PURGE' if dry_run else 'PURGE':11} {item.recording.recording_id}"
                   f"  {item.recording.path}  {item.age_days:.0f} days old"
                   f" (keep {item.keep_days})")
    if dry_run:
        typer.echo(f"{len(plan.due)} recordings would be purged, {len(plan.held)} held",
                   err=True)
        return

    def remove() -> tuple[list[str], list[str]]:
        gone, failed = [], []
        for item in plan.due:
            try:
                os.remove(item.recording.path)
                gone.append(item.recording.recording_id)
            except FileNotFoundError:
                gone.append(item.recording.recording_id)  # already gone: say so below
                typer.echo(f"MISSING    {item.recording.recording_id}  {item.recording.path}")
            except OSError as error:
                failed.append(item.recording.recording_id)
                typer.echo(f"FAILED     {item.recording.recording_id}  {error}")
        return gone, failed

    gone, failed = asyncio.run(asyncio.to_thread(remove))
    _stamp(db, gone, purged_at=time.time())
    typer.echo(f"purged {len(gone)} recordings, {len(failed)} failed", err=True)
    if failed:
        raise typer.Exit(1)


# ----------------------------------------------------------------------------- QA


def _day(value: str | None) -> tuple[float, float, str]:
    """The [start, end) of a day (UTC); default yesterday."""
    if value is None:
        day = datetime.now(UTC).date() - timedelta(days=1)
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    else:
        start = parse_when(value, "--date")
    return start.timestamp(), (start + timedelta(days=1)).timestamp(), start.date().isoformat()


@qa_app.command("sample")
def qa_sample(date: str | None = typer.Option(None, "--date", help="YYYY-MM-DD; default"
                                                                     " yesterday (UTC)."),
              per_agent: int | None = typer.Option(None, "--per-agent", min=1,
                                                   help="Default recording.qa.per_agent."),
              seed: int | None = typer.Option(None, "--seed", help="Default recording.qa.seed."),
              all_calls: bool = typer.Option(False, "--all-calls",
                                             help="Also calls without a recording."),
              config: Path | None = CONFIG, db: str | None = DB_OPTION) -> None:
    """A reproducible random sample of one day's answered calls per agent, for review."""
    qa = _settings(config).qa
    frm, to, label = _day(date)
    count = per_agent or qa.per_agent
    chosen_seed = qa.seed if seed is None else seed
    query = (select(CallRow.call_id, CallRow.agent_id, RecordingRow.path)
             .outerjoin(RecordingRow, RecordingRow.call_id == CallRow.call_id)
             .where(CallRow.arrived_at >= frm, CallRow.arrived_at < to,
                    CallRow.outcome == "answered", CallRow.agent_id.is_not(None)))
    if not all_calls:
        query = query.where(RecordingRow.path.is_not(None), RecordingRow.purged_at.is_(None))

    async def work(database: Database) -> list[AnyRow]:
        async with database.engine.connect() as conn:
            return list((await conn.execute(query)).all())

    rows = run_on_database(db, work)
    paths = {r.call_id: r.path for r in rows}
    sample = sample_per_agent(((r.call_id, r.agent_id) for r in rows), count, chosen_seed)
    for agent, calls in sample.items():
        for call_id in calls:
            typer.echo(f"{agent}  {call_id}  {paths.get(call_id) or '-'}")
    typer.echo(f"{label}: {sum(len(c) for c in sample.values())} calls for {len(sample)}"
               f" agents (seed {chosen_seed}, {count} per agent)", err=True)


@qa_app.command("score")
def qa_score(call_id: str,
             reviewer: str = typer.Option(..., "--reviewer", help="Who scored it."),
             points: list[str] = typer.Option(..., "--points", "-p",
                                              help="criterion=points (repeat for each)."),
             comment: str | None = typer.Option(None, "--comment"),
             config: Path | None = CONFIG, db: str | None = DB_OPTION) -> None:
    """Score a call with the form of recording.qa (every criterion); a reviewer's new score
    of the same call replaces the old one."""
    qa = _settings(config).qa
    given: dict[str, int] = {}
    for part in points:
        name, sep, value = part.partition("=")
        if not sep or not value.strip().lstrip("-").isdigit():
            fail(f"--points: expected criterion=points, got {part!r}")
        given[name.strip()] = int(value)
    try:
        score = weighted_score(qa, given)
    except ScoreError as error:
        fail(str(error))

    async def work(database: Database) -> str | None:
        async with database.engine.begin() as conn:
            agent = (await conn.execute(select(CallRow.agent_id)
                                        .where(CallRow.call_id == call_id))).first()
            if agent is None:
                return None
            await conn.execute(delete(QaScoreRow).where(QaScoreRow.call_id == call_id,
                                                        QaScoreRow.reviewer == reviewer))
            await conn.execute(insert(QaScoreRow).values(
                call_id=call_id, reviewer=reviewer, agent_id=agent.agent_id,
                scored_at=time.time(), score=score, points=json.dumps(given), comment=comment))
            return str(agent.agent_id)

    agent_id = run_on_database(db, work)
    if agent_id is None:
        fail(f"no call {call_id!r}", code=1)
    typer.echo(f"call {call_id} (agent {agent_id}): {score:.1f} / 100")


@qa_app.command("report")
def qa_report(start: str | None = FROM, end: str | None = TO,
              by: str = typer.Option("week", "--by", help="day or week (ISO, UTC)."),
              agent: list[str] = AGENT, db: str | None = DB_OPTION) -> None:
    """Per agent and period: calls scored, mean QA score, answered calls, mean CSAT."""
    if by not in ("day", "week"):
        fail(f"--by: expected day or week, got {by!r}")
    frm, to = period(start, end)

    def bucket(epoch: float) -> str:
        moment = datetime.fromtimestamp(epoch, UTC)
        if by == "day":
            return moment.date().isoformat()
        year, week, _ = moment.isocalendar()
        return f"{year}-W{week:02d}"

    async def work(database: Database) -> tuple[list[AnyRow], list[AnyRow]]:
        scores = (select(QaScoreRow.agent_id, CallRow.arrived_at, QaScoreRow.score)
                  .join(CallRow, CallRow.call_id == QaScoreRow.call_id)
                  .where(CallRow.arrived_at >= frm, CallRow.arrived_at < to))
        csat = func.coalesce(SurveyRow.csat, CallRow.csat).label("csat_value")
        calls = (select(CallRow.agent_id, CallRow.arrived_at, csat)
                 .outerjoin(SurveyRow, SurveyRow.call_id == CallRow.call_id)
                 .where(CallRow.arrived_at >= frm, CallRow.arrived_at < to,
                        CallRow.outcome == "answered", CallRow.agent_id.is_not(None)))
        if agent:
            scores = scores.where(QaScoreRow.agent_id.in_(agent))
            calls = calls.where(CallRow.agent_id.in_(agent))
        async with database.engine.connect() as conn:
            return (list((await conn.execute(scores)).all()),
                    list((await conn.execute(calls)).all()))

    scores, calls = run_on_database(db, work)
    qa: dict[tuple[str, str], list[float]] = defaultdict(list)
    answered: dict[tuple[str, str], int] = defaultdict(int)
    csats: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in scores:
        qa[(row.agent_id, bucket(row.arrived_at))].append(row.score)
    for row in calls:
        key = (row.agent_id, bucket(row.arrived_at))
        answered[key] += 1
        if row.csat_value is not None:
            csats[key].append(row.csat_value)
    typer.echo("agent,period,scored,qa_mean,answered,csat_mean,csat_answers")
    for key in sorted(set(qa) | set(answered)):
        q, c = qa.get(key, []), csats.get(key, [])
        typer.echo(",".join([
            key[0], key[1], str(len(q)), f"{sum(q) / len(q):.1f}" if q else "",
            str(answered.get(key, 0)), f"{sum(c) / len(c):.2f}" if c else "", str(len(c)),
        ]))
