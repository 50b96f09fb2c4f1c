"""The command line: db upgrade/status, report in every format, bad input, exports, import."""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cdr_helpers import NINE, answered, hand_checked_agent_time, hand_checked_calls
from conftest import DbTarget
from typer.testing import CliRunner

from callcenter.cli import app
from cdr.store.db import Database
from cdr.store.writer import CdrWriter
from cdr.testing import with_announcement

runner = CliRunner()


@pytest.fixture
def url(target: DbTarget) -> str:
    """A migrated database holding the hand-checked history, by URL."""
    result = runner.invoke(app, ["db", "upgrade", "--db", target.url])
    assert result.exit_code == 0, result.output

    async def fill() -> None:
        async with Database(target.url) as db, CdrWriter(db) as writer:
            for item in [*hand_checked_calls(), *hand_checked_agent_time()]:
                writer.submit(item)

    asyncio.run(fill())
    return target.url


def test_db_status_says_what_to_run_until_upgraded(target: DbTarget) -> None:
    behind = runner.invoke(app, ["db", "status", "--db", target.url])
    assert behind.exit_code == 1
    assert "callcenter db upgrade --db" in behind.output
    report = runner.invoke(app, ["report", "--db", target.url])
    assert report.exit_code == 1
    assert "callcenter db upgrade" in report.output
    assert runner.invoke(app, ["db", "upgrade", "--db", target.url]).exit_code == 0
    again = runner.invoke(app, ["db", "upgrade", "--db", target.url])
    assert "up to date" in again.output
    assert runner.invoke(app, ["db", "status", "--db", target.url]).exit_code == 0


def test_report_csv_and_json(url: str) -> None:
    args = ["report", "--db", url, "--from", "2025-11-03", "--to", "2025-11-04", "--by", "queue"]
    result = runner.invoke(app, [*args, "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = {r["queue"]: r for r in csv.DictReader(io.StringIO(result.output))}
    assert set(rows) == {"billing", "support", "total"}
    assert float(rows["billing"]["offered"]) == 5
    assert float(rows["total"]["offered"]) == 6
    doc = json.loads(runner.invoke(app, [*args, "--format", "json"]).output)
    assert doc["settings"]["service_level_definition"] == "offered"
    assert "answered within 20 s / offered" in doc["description"]
    billing = next(r for r in doc["rows"] if r["key"] == "billing")
    assert billing["service_level"] == pytest.approx(2 / 5)  # c1 and c5 (20 s) of 5


def test_report_table_names_its_service_level(url: str) -> None:
    result = runner.invoke(
        app, ["report", "--db", url, "--from", "2025-11-03", "--to", "2025-11-04",
              "--sl-definition", "excl-short"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2025-11-03" in result.output
    assert "offered - abandons" in result.output


def test_report_by_interval_shows_erlang_a(url: str) -> None:
    result = runner.invoke(
        app, ["report", "--db", url, "--from", "2025-11-03T09:00", "--to", "2025-11-03T10:00",
              "--by", "interval", "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    first = json.loads(result.output)["rows"][0]
    # 09:00-09:15: a1 and a2 both logged in and not paused all through: 2 agents.
    assert first["staffed_agents"] == pytest.approx(2.0)
    assert 0.0 <= first["erlang_a_sl"] <= 1.0
    assert 0.0 <= first["erlang_a_abandon"] <= 1.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "03/11/2025"], "--from: expected YYYY-MM-DD"),
        (["--to", "2025-13-40"], "--to"),
        (["--from", "2025-11-05", "--to", "2025-11-03"], "is not before --to"),
        (["--queue", "nope"], "unknown queue 'nope'"),
        (["--agent", "zz"], "unknown agent 'zz'"),
        (["--by", "fortnight"], "fortnight"),
    ],
)
def test_bad_input_exits_2_with_a_reason(url: str, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["report", "--db", url, "--from", "2025-11-01", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_html_report_is_self_contained_with_charts(url: str, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = runner.invoke(
        app, ["report", "--db", url, "--from", "2025-11-03", "--to", "2025-11-04", "--by",
              "interval", "--format", "html", "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert "http://" not in page and "https://" not in page  # opens offline
    images = re.findall(r'alt="([^"]+)" src="data:image/png;base64,([^"]+)"', page)
    assert [name for name, _ in images] == [
        "Volume and service level", "Abandon curve", "Agent occupancy", "Wait distribution",
    ]  # fmt: skip
    for name, data in images:
        png = base64.b64decode(data)
        assert png.startswith(b"\x89PNG") and len(png) > 5000, name
        (tmp_path / f"{name}.png").write_bytes(png)


def test_queue_log_export(url: str, tmp_path: Path) -> None:
    out = tmp_path / "queue_log"
    result = runner.invoke(
        app, ["export", "queue-log", "--db", url, "--from", "2025-11-03", "--to", "2025-11-04",
              "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    events = [line.split("|")[4] for line in lines]
    assert events.count("ENTERQUEUE") == 6
    assert events.count("CONNECT") == 4
    assert events.count("ABANDON") == 2
    assert events.count("COMPLETECALLER") == 3 and events.count("TRANSFER") == 1
    assert events.count("PAUSE") == 1 and events.count("UNPAUSE") == 1
    assert events.count("ADDMEMBER") == 4 and events.count("REMOVEMEMBER") == 4
    stamps = [int(line.split("|")[0]) for line in lines]
    assert stamps == sorted(stamps)
    abandon = next(line for line in lines if "|ABANDON|" in line and "c4" in line)
    assert abandon.split("|")[5:] == ["2", "2", "40"]  # position, original position, wait
    connect = next(line for line in lines if "|CONNECT|" in line and ".c2|" in line)
    assert connect.split("|")[3] == "a2" and connect.split("|")[5] == "30"
    # CONNECT: holdtime, the bridged (agent) channel's Uniqueid, ring time
    assert connect.split("|")[5:] == ["30", f"{NINE + 65 + 28:.0f}.c2-agent", "2"]
    transfer = next(line for line in lines if "|TRANSFER|" in line)
    # TRANSFER: extension, context, holdtime, call time, original position
    assert transfer.split("|")[5:] == ["2001", "from-internal", "20", "60", "1"]


def test_master_csv_export(url: str) -> None:
    result = runner.invoke(
        app, ["export", "master-csv", "--db", url, "--from", "2025-11-03", "--to", "2025-11-04"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert len(rows) == 6 and all(len(r) == 18 for r in rows)
    c2 = next(r for r in rows if r[16].endswith(".c2"))
    assert c2[7:9] == ["Queue", "billing"]
    # duration: IVR 5 + wait 30 + talk 200; billsec: talk
    assert (c2[12], c2[13], c2[14]) == ("235", "200", "ANSWERED")
    c3 = next(r for r in rows if r[16].endswith(".c3"))
    assert c3[14] == "NO ANSWER" and c3[13] == "0"
    shanghai = runner.invoke(app, ["export", "master-csv", "--db", url, "--from", "2025-11-03",
                                   "--to", "2025-11-04", "--time-zone", "Asia/Shanghai"])
    local = next(r for r in csv.reader(io.StringIO(shanghai.output)) if r[16].endswith(".c2"))
    start_utc = datetime.strptime(c2[9], "%Y-%m-%d %H:%M:%S")
    assert datetime.strptime(local[9], "%Y-%m-%d %H:%M:%S") - start_utc == timedelta(hours=8)
    bad = runner.invoke(app, ["export", "master-csv", "--db", url, "--time-zone", "Mars/Base"])
    assert bad.exit_code == 2 and "--time-zone" in bad.output


CUSTOMERS_CSV = """Account Number,Name,Phone,E-Mail,Tier,Favourite colour
1001,Ada Lovelace,+44 20 7946 0001,ada@example.org,VIP,green
1002,Alan Turing,+44 20 7946 0002,,normal,
1003,,+44 20 7946 0003,x@example.org,normal,
1004,Grace Hopper,not a number,grace@example.org,normal,
1001,Ada Again,+44 20 7946 0009,,normal,
1005,Edsger Dijkstra,,,gold,
"""


def test_customer_import_is_all_or_nothing(url: str, tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(CUSTOMERS_CSV)
    result = runner.invoke(app, ["customers", "import", str(path), "--db", url])
    assert result.exit_code == 2
    for row, reason in [(4, "name"), (5, "phone number"), (6, "repeats row 2"), (7, "tier")]:
        assert re.search(rf"row {row}: .*{reason}", result.output), result.output
    assert "nothing imported" in result.output
    skipped = runner.invoke(app, ["customers", "import", str(path), "--db", url,
                                  "--skip-bad-rows"])  # fmt: skip
    assert skipped.exit_code == 0, skipped.output
    assert "imported 2 customers, skipped 4 bad rows" in skipped.output


def test_customer_import_from_xlsx(url: str, tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["customer_id", "name", "tier"])
    sheet.append([2001, "Barbara Liskov", "vip"])
    sheet.append([2002, "Donald Knuth", None])
    path = tmp_path / "customers.xlsx"
    workbook.save(path)
    result = runner.invoke(app, ["customers", "import", str(path), "--db", url])
    assert result.exit_code == 0, result.output
    assert "imported 2 customers" in result.output


def test_an_announcement_hang_up_exports_as_connect_then_completecaller(
    target: DbTarget, tmp_path: Path
) -> None:
    # a2 answers c8 after 25 s (ring 2 s); the caller leaves 3 s into the agent-ID announcement.
    assert runner.invoke(app, ["db", "upgrade", "--db", target.url]).exit_code == 0
    call = with_announcement(
        answered("c8", "billing", NINE, 25.0, "a2", 200.0, wrap=10.0), 3.0, hung_up=True
    )

    async def fill() -> None:
        async with Database(target.url) as db, CdrWriter(db) as writer:
            writer.submit(call)

    asyncio.run(fill())
    period = ["--db", target.url, "--from", "2025-11-03", "--to", "2025-11-04"]
    out = tmp_path / "queue_log"
    result = runner.invoke(app, ["export", "queue-log", *period, "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = [line.split("|") for line in out.read_text().splitlines()]
    assert [line[4] for line in lines] == ["ENTERQUEUE", "CONNECT", "COMPLETECALLER"]
    connect, complete = lines[1], lines[2]
    assert connect[3] == complete[3] == "a2"
    assert connect[5:] == ["25", f"{NINE + 5 + 25 - 2:.0f}.c8-agent", "2"]  # holdtime, peer, ring
    assert complete[5:] == ["25", "3", "1"]  # holdtime, call time, original position
    result = runner.invoke(app, ["export", "master-csv", *period])
    [row] = list(csv.reader(io.StringIO(result.output)))
    assert (row[13], row[14]) == ("3", "ANSWERED")  # billsec from the agent's answer


def test_db_commands_never_print_the_password() -> None:
    url = "postgresql://cc:s3cr3t-pw@127.0.0.1:1/callcenter"  # nothing listens on port 1
    for command in ("status", "upgrade"):
        result = runner.invoke(app, ["db", command, "--db", url])
        assert result.exit_code == 1, result.output
        assert "unreachable" in result.output and "postgresql+asyncpg://cc:***@127.0.0.1:1" in (
            result.output)
        assert "s3cr3t-pw" not in result.output
