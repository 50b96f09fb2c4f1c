"""The HTML report: one self-contained file (charts as embedded PNG), readable offline.

Charts: service level and volume per row, the abandon curve, agent occupancy and the wait
distribution. Drawn with matplotlib's object API (no pyplot, no GUI backend).
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping

from matplotlib.figure import Figure

from cdr.reports.render import columns_of, describe, fmt
from cdr.reports.report import Report

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; font-size: 12px; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
tr.total { font-weight: bold; background: #f3f3f3; }
img { max-width: 100%; border: 1px solid #eee; margin: 0.5em 0; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 1em; }
"""


def _png(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def service_level_chart(report: Report) -> Figure:
    """Offered/answered/abandoned bars per row with the service level line on a second axis."""
    rows = report.rows
    labels = [r.label for r in rows]
    x = list(range(len(rows)))
    fig = Figure(figsize=(9, 4))
    ax = fig.add_subplot()
    ax.bar(x, [r.calls.answered for r in rows], color="#4c78a8", label="answered")
    ax.bar(
        x,
        [r.calls.abandoned for r in rows],
        bottom=[r.calls.answered for r in rows],
        color="#e45756",
        label="abandoned",
    )
    ax.set_ylabel("calls offered")
    ax2 = ax.twinx()
    levels = [
        100 * r.calls.service_level if r.calls.service_level is not None else None for r in rows
    ]
    ax2.plot(
        x,
        [v if v is not None else float("nan") for v in levels],
        color="#54a24b",
        marker="o",
        markersize=3,
        label="service level",
    )
    ax2.set_ylim(0, 105)
    ax2.set_ylabel("service level %")
    step = max(1, len(rows) // 16)
    ax.set_xticks(x[::step], labels[::step], rotation=45, ha="right", fontsize=7)
    ax.set_title(f"Volume and service level by {report.by.value}")
    handles = ax.get_legend_handles_labels()
    handles2 = ax2.get_legend_handles_labels()
    ax.legend(handles[0] + handles2[0], handles[1] + handles2[1], loc="upper left", fontsize=8)
    return fig


def abandon_curve_chart(abandons: Mapping[int, int], offered: int) -> Figure:
    """Cumulative share of offered calls abandoned by seconds waited."""
    fig = Figure(figsize=(6, 4))
    ax = fig.add_subplot()
    seconds = sorted(abandons)
    cumulative: list[float] = []
    seen = 0
    for s in seconds:
        seen += abandons[s]
        cumulative.append(100 * seen / offered if offered else 0.0)
    ax.step([s + 1 for s in seconds], cumulative, where="post", color="#e45756")
    ax.set_xlabel("seconds waited")
    ax.set_ylabel("% of offered calls abandoned")
    ax.set_title("Abandon curve")
    ax.grid(alpha=0.3)
    return fig


def occupancy_chart(report: Report) -> Figure:
    """Occupancy and utilization per agent (up to 60 agents)."""
    every = [r for r in report.per_agent if r.agents is not None]
    agents = every[:60]
    fig = Figure(figsize=(9, 4))
    ax = fig.add_subplot()
    x = list(range(len(agents)))
    occ = [100 * (r.agents.occupancy or 0.0) if r.agents else 0.0 for r in agents]
    util = [100 * (r.agents.utilization or 0.0) if r.agents else 0.0 for r in agents]
    ax.bar([i - 0.2 for i in x], occ, width=0.4, color="#4c78a8", label="occupancy")
    ax.bar([i + 0.2 for i in x], util, width=0.4, color="#f58518", label="utilization")
    ax.set_xticks(x, [r.label for r in agents], rotation=90, fontsize=6)
    ax.set_ylim(0, 100)
    ax.set_ylabel("%")
    shown = f" (first 60 of {len(every)})" if len(every) > 60 else ""
    ax.set_title(f"Agent occupancy and utilization{shown}")
    ax.legend(fontsize=8)
    return fig


def wait_distribution_chart(histogram: Mapping[int, int]) -> Figure:
    """Calls by seconds waited (answered and abandoned), 5-second bars up to the 99th pct."""
    fig = Figure(figsize=(6, 4))
    ax = fig.add_subplot()
    total = sum(histogram.values())
    limit = 0
    seen = 0
    for s in sorted(histogram):
        seen += histogram[s]
        limit = s
        if seen >= 0.99 * total:
            break
    bins: dict[int, int] = {}
    for s, count in histogram.items():
        if s <= limit:
            bins[s // 5 * 5] = bins.get(s // 5 * 5, 0) + count
    keys = sorted(bins)
    ax.bar(keys, [bins[k] for k in keys], width=4.5, align="edge", color="#72b7b2")
    ax.set_xlabel("seconds waited (5 s bins, up to the 99th percentile)")
    ax.set_ylabel("calls")
    ax.set_title("Wait distribution")
    return fig


def charts(report: Report) -> dict[str, Figure]:
    """The report's charts by title."""
    out = {"Volume and service level": service_level_chart(report)}
    out["Abandon curve"] = abandon_curve_chart(report.abandon_histogram, report.total.calls.offered)
    if report.per_agent:
        out["Agent occupancy"] = occupancy_chart(report)
    out["Wait distribution"] = wait_distribution_chart(report.total.wait_histogram)
    return out


def to_html(report: Report, *, title: str = "Call center report") -> str:
    """The whole report as one self-contained HTML page."""
    cols = columns_of(report)
    head = "".join(f"<th>{html.escape(c.header)}</th>" for c in cols)
    body = []
    for row in [*report.rows, report.total]:
        cls = ' class="total"' if row is report.total else ""
        cells = "".join(f"<td>{html.escape(fmt(c.get(row), c.unit))}</td>" for c in cols)
        body.append(f"<tr{cls}><td>{html.escape(row.label)}</td>{cells}</tr>")
    images = "".join(
        f'<figure><img alt="{html.escape(name)}" src="data:image/png;base64,{_png(fig)}">'
        f"<figcaption>{html.escape(name)}</figcaption></figure>"
        for name, fig in charts(report).items()
    )
    return (
        '<!doctype html>\n<html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(describe(report))}</p>"
        f'<div class="charts">{images}</div>'
        f"<table><thead><tr><th>{html.escape(report.by.value)}</th>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></body></html>\n"
    )
