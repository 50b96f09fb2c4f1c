"""What a report's rows are: `GroupBy`.

Its own module, without SQLAlchemy, because the CLI offers it as the type of `--by`
(Typer needs the enum when it builds the command line). `cdr.reports.aggregate` re-exports it.
"""

from __future__ import annotations

from enum import StrEnum


class GroupBy(StrEnum):
    """What a report's rows are."""

    INTERVAL = "interval"  # KpiSettings.interval_s, 15 minutes by default
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"
    QUEUE = "queue"
    AGENT = "agent"
    CALL_TYPE = "call-type"

    @property
    def is_time(self) -> bool:
        """True when rows are time buckets."""
        return self not in (GroupBy.QUEUE, GroupBy.AGENT, GroupBy.CALL_TYPE)
