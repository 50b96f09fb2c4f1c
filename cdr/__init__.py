"""cdr: call records, the KPI definitions, their store, reports, and who calls.

Import from here (`from cdr import CallRecord, Database, build_report`); the modules behind:

- `cdr.kpis`: the KPI formulas and the one call tally, pure (the simulator uses them too).
- `cdr.records`: what the engine hands over (calls with segments, agent spans, sessions).
- `cdr.store`: the database (`db`, `db_url`), tables (`schema`), migrations (`migrate`,
  `migrations/`), the batched, idempotent, crash-safe `writer` with `rows`, `tally` and the
  interval roll-ups.
- `cdr.reports`: KPIs in SQL (`aggregate`), reports (`report`, `render`, `html_report`),
  exports (`exports`: queue_log, Master.csv), `grouping`.
- `cdr.callers`: the customer directory (`customers`), the `blacklist`, `voicemail`.
- `cdr.testing`: synthetic call records for tests and benchmarks.

Names load on first use (module `__getattr__`): `from cdr import kpis` or `cdr.CallTally`
does not pull in SQLAlchemy, which only `cdr.store` and what uses it import.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cdr.callers.blacklist import (
        BlacklistEntry as BlacklistEntry,
        BlacklistError as BlacklistError,
        add_to_blacklist as add_to_blacklist,
        blacklist_history as blacklist_history,
        find_block as find_block,
        import_blacklist as import_blacklist,
        list_blacklist as list_blacklist,
        parse_duration as parse_duration,
        parse_expires as parse_expires,
        remove_from_blacklist as remove_from_blacklist,
    )
    from cdr.callers.customers import (
        Contact as Contact,
        Customer as Customer,
        ImportResult as ImportResult,
        contact_history as contact_history,
        find_customer_by_id as find_customer_by_id,
        find_customer_by_phone as find_customer_by_phone,
        import_customers as import_customers,
    )
    from cdr.callers.voicemail import (
        list_voicemails as list_voicemails,
        mark_heard as mark_heard,
        mark_notified as mark_notified,
        store_voicemail as store_voicemail,
    )
    from cdr.callers.voicemail_model import (
        DEFAULT_LIMIT as DEFAULT_LIMIT,
        StoredVoicemail as StoredVoicemail,
        VoicemailMessage as VoicemailMessage,
    )
    from cdr.errors import (
        CdrError as CdrError,
        CustomerImportError as CustomerImportError,
        DatabaseBehindError as DatabaseBehindError,
        ReportInputError as ReportInputError,
    )
    from cdr.kpis import (
        DEFAULT_SHORT_ABANDON_S as DEFAULT_SHORT_ABANDON_S,
        DEFAULT_TARGET_S as DEFAULT_TARGET_S,
        WAIT_BIN_S as WAIT_BIN_S,
        AgentKpis as AgentKpis,
        AgentTally as AgentTally,
        CallKpis as CallKpis,
        CallTally as CallTally,
        ServiceLevelDefinition as ServiceLevelDefinition,
        abandon_rate as abandon_rate,
        agent_kpis as agent_kpis,
        aht as aht,
        answered_in_target as answered_in_target,
        asa as asa,
        call_kpis as call_kpis,
        merge_call_tallies as merge_call_tallies,
        service_level as service_level,
        short_abandon as short_abandon,
    )
    from cdr.records import (
        AgentActivity as AgentActivity,
        AgentSession as AgentSession,
        AgentStateSpan as AgentStateSpan,
        CallRecord as CallRecord,
        CdrItem as CdrItem,
        Direction as Direction,
        HangupBy as HangupBy,
        Outcome as Outcome,
        Recording as Recording,
        Segment as Segment,
        SegmentKind as SegmentKind,
        Survey as Survey,
    )
    from cdr.reports.aggregate import (
        KpiSettings as KpiSettings,
        ReportFilter as ReportFilter,
    )
    from cdr.reports.exports import (
        master_csv as master_csv,
        queue_log as queue_log,
    )
    from cdr.reports.grouping import (
        GroupBy as GroupBy,
    )
    from cdr.reports.html_report import (
        to_html as to_html,
    )
    from cdr.reports.render import (
        to_csv as to_csv,
        to_json as to_json,
        to_table as to_table,
    )
    from cdr.reports.report import (
        Report as Report,
        ReportRow as ReportRow,
        build_report as build_report,
    )
    from cdr.store.db import (
        Database as Database,
        normalize_url as normalize_url,
    )
    from cdr.store.db_url import (
        URL_ENV as URL_ENV,
        default_url as default_url,
    )
    from cdr.store.migrate import (
        current_revision as current_revision,
        ensure_current as ensure_current,
        head_revision as head_revision,
        upgrade as upgrade,
    )
    from cdr.store.schema import (
        AgentPresenceRow as AgentPresenceRow,
        Base as Base,
        CallRow as CallRow,
        QaScoreRow as QaScoreRow,
        RecordingRow as RecordingRow,
        SurveyRow as SurveyRow,
    )
    from cdr.store.writer import (
        CdrWriter as CdrWriter,
    )

_HOMES: dict[str, str] = {
    "AgentKpis": "cdr.kpis",
    "AgentTally": "cdr.kpis",
    "CallKpis": "cdr.kpis",
    "CallTally": "cdr.kpis",
    "DEFAULT_SHORT_ABANDON_S": "cdr.kpis",
    "DEFAULT_TARGET_S": "cdr.kpis",
    "ServiceLevelDefinition": "cdr.kpis",
    "WAIT_BIN_S": "cdr.kpis",
    "abandon_rate": "cdr.kpis",
    "agent_kpis": "cdr.kpis",
    "aht": "cdr.kpis",
    "answered_in_target": "cdr.kpis",
    "asa": "cdr.kpis",
    "call_kpis": "cdr.kpis",
    "merge_call_tallies": "cdr.kpis",
    "service_level": "cdr.kpis",
    "short_abandon": "cdr.kpis",
    "AgentActivity": "cdr.records",
    "AgentSession": "cdr.records",
    "AgentStateSpan": "cdr.records",
    "CallRecord": "cdr.records",
    "CdrItem": "cdr.records",
    "Direction": "cdr.records",
    "HangupBy": "cdr.records",
    "Outcome": "cdr.records",
    "Recording": "cdr.records",
    "Segment": "cdr.records",
    "SegmentKind": "cdr.records",
    "Survey": "cdr.records",
    "CdrError": "cdr.errors",
    "CustomerImportError": "cdr.errors",
    "DatabaseBehindError": "cdr.errors",
    "ReportInputError": "cdr.errors",
    "URL_ENV": "cdr.store.db_url",
    "default_url": "cdr.store.db_url",
    "Database": "cdr.store.db",
    "normalize_url": "cdr.store.db",
    "current_revision": "cdr.store.migrate",
    "ensure_current": "cdr.store.migrate",
    "head_revision": "cdr.store.migrate",
    "upgrade": "cdr.store.migrate",
    "AgentPresenceRow": "cdr.store.schema",
    "Base": "cdr.store.schema",
    "CallRow": "cdr.store.schema",
    "QaScoreRow": "cdr.store.schema",
    "RecordingRow": "cdr.store.schema",
    "SurveyRow": "cdr.store.schema",
    "CdrWriter": "cdr.store.writer",
    "GroupBy": "cdr.reports.grouping",
    "KpiSettings": "cdr.reports.aggregate",
    "ReportFilter": "cdr.reports.aggregate",
    "Report": "cdr.reports.report",
    "ReportRow": "cdr.reports.report",
    "build_report": "cdr.reports.report",
    "to_csv": "cdr.reports.render",
    "to_json": "cdr.reports.render",
    "to_table": "cdr.reports.render",
    "to_html": "cdr.reports.html_report",
    "master_csv": "cdr.reports.exports",
    "queue_log": "cdr.reports.exports",
    "Contact": "cdr.callers.customers",
    "Customer": "cdr.callers.customers",
    "ImportResult": "cdr.callers.customers",
    "contact_history": "cdr.callers.customers",
    "find_customer_by_id": "cdr.callers.customers",
    "find_customer_by_phone": "cdr.callers.customers",
    "import_customers": "cdr.callers.customers",
    "BlacklistEntry": "cdr.callers.blacklist",
    "BlacklistError": "cdr.callers.blacklist",
    "add_to_blacklist": "cdr.callers.blacklist",
    "blacklist_history": "cdr.callers.blacklist",
    "find_block": "cdr.callers.blacklist",
    "import_blacklist": "cdr.callers.blacklist",
    "list_blacklist": "cdr.callers.blacklist",
    "parse_duration": "cdr.callers.blacklist",
    "parse_expires": "cdr.callers.blacklist",
    "remove_from_blacklist": "cdr.callers.blacklist",
    "DEFAULT_LIMIT": "cdr.callers.voicemail_model",
    "StoredVoicemail": "cdr.callers.voicemail_model",
    "VoicemailMessage": "cdr.callers.voicemail_model",
    "list_voicemails": "cdr.callers.voicemail",
    "mark_heard": "cdr.callers.voicemail",
    "mark_notified": "cdr.callers.voicemail",
    "store_voicemail": "cdr.callers.voicemail",
}


__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    """Import a public name from its module the first time it is asked for."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'cdr' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value
