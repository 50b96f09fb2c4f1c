"""What a CRM reads: customers (by phone, account, name) with their history, the caller's call
records, and the reports as JSON and CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from api_engine import api_engine

from callcenter.emulator import InboundCaller, Softphone
from cdr.callers.customers import import_customers


async def test_customers_records_and_reports(tmp_path: Path) -> None:
    phones = {a: Softphone(f"PJSIP/{a}", ring_s=0.3, talk_s=1000.0)
              for a in ("1001", "1002", "1003")}
    async with api_engine(tmp_path, phones=phones) as live:
        customers = tmp_path / "customers.csv"
        customers.write_text("customer_id,name,phone,tier\nC1,Ada Lovelace,5550700,vip\n"
                             "C2,Alan Turing,5550701,normal\nC3,Grace 100%_Hopper,5550702,\n")
        await import_customers(live.db, customers)
        live.emulator.trunk.place(InboundCaller(number="5550700", did="4000", patience_s=100,
                                                talk_s=1.0))
        await live.wait_for(lambda: len(live.records) == 1, 20, "the call record")
        secret = await live.token("crm", "customers:read,calls:read,reports:read")
        crm = live.client(headers={"Authorization": f"Bearer {secret}"})
        by_phone = (await crm.get("/api/v1/customers", params={"phone": "5550700"})).json()
        assert [c["customer_id"] for c in by_phone] == ["C1"] and by_phone[0]["tier"] == "vip"
        by_name = (await crm.get("/api/v1/customers", params={"name": "turing"})).json()
        assert [c["customer_id"] for c in by_name] == ["C2"]
        literal = (await crm.get("/api/v1/customers", params={"name": "100%_"})).json()
        assert [c["customer_id"] for c in literal] == ["C3"]  # % and _ are not wildcards
        assert (await crm.get("/api/v1/customers", params={"account": "C2"})).json()[0][
            "name"] == "Alan Turing"
        assert (await crm.get("/api/v1/customers")).status_code == 422
        (record,) = live.records
        for _ in range(100):
            detail = (await crm.get("/api/v1/customers/C1")).json()
            if detail["history"]:
                break
            await live.wait_for(lambda: True, 0.1)
        assert [h["call_id"] for h in detail["history"]] == [record.call_id]
        history = (await crm.get("/api/v1/records", params={"caller": "5550700"})).json()
        assert [r["call_id"] for r in history] == [record.call_id]
        assert history[0]["customer_id"] == "C1" and history[0]["outcome"] == "answered"
        assert (await crm.get("/api/v1/customers/C9")).status_code == 404
        report = (await crm.get("/api/v1/reports", params={"by": "queue"})).json()
        assert report["schema"] == "callcenter.report/1" and report["by"] == "queue"
        assert [row["key"] for row in report["rows"]] == ["support"]
        assert report["total"]["offered"] == 1
        as_csv = await crm.get("/api/v1/reports", params={"by": "agent", "format": "csv"})
        assert as_csv.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(as_csv.text)))
        assert any(r.get("agent") == record.agent_id or record.agent_id in r.values()
                   for r in rows)
        bad = await crm.get("/api/v1/reports", params={"queue": "nowhere"})
        assert bad.status_code == 422 and "nowhere" in bad.json()["reason"]
        await crm.aclose()
