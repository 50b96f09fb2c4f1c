"""Write a simulation report as files: JSON (everything), CSV tables, PNG charts."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt

from simulations.report import Estimate, SimulationReport


def write_outputs(report: SimulationReport, wait_histogram: list[int], out_dir: Path) -> list[Path]:
    """Write summary.json, calls.csv, agents.csv and charts into `out_dir`; return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [
        _write_json(report, out_dir / "summary.json"),
        _write_table(report.calls, out_dir / "calls.csv"),
        _write_table(report.agents, out_dir / "agents.csv"),
        _chart_by_interval(report, out_dir / "service_level_by_interval.png"),
        _chart_waits(wait_histogram, out_dir / "wait_distribution.png"),
    ]
    return written


def _write_json(report: SimulationReport, path: Path) -> Path:
    path.write_text(json.dumps(report.as_dict(), indent=2), encoding="utf-8")
    return path


def _write_table(rows: Mapping[str, Mapping[str, Estimate]], path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        metrics = list(next(iter(rows.values())).keys()) if rows else []
        header = ["breakdown"]
        for metric in metrics:
            header += [metric, f"{metric}_ci95"]
        writer.writerow(header)
        for key, row in rows.items():
            line: list[object] = [key]
            for metric in metrics:
                estimate = row[metric]
                line += [estimate.mean, estimate.half_width]
            writer.writerow(["" if v is None else v for v in line])
    return path


def _chart_by_interval(report: SimulationReport, path: Path) -> Path:
    queues = sorted(key.split(":", 1)[1] for key in report.calls if key.startswith("queue:"))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    for queue in queues:
        points = []
        for key, row in report.calls.items():
            parts = key.split(":")
            if parts[0] == "interval" and parts[2] == queue:
                points.append((int(parts[1]), row["sl_offered"]))
        points.sort()
        hours = [(i + 0.5) * report.interval_s / 3600 for i, _ in points]
        means = [e.mean if e.mean is not None else float("nan") for _, e in points]
        errors = [e.half_width or 0.0 for _, e in points]
        top.errorbar(hours, means, yerr=errors, marker="o", capsize=3, label=queue)
        lengths = sorted(
            (int(k.split(":")[1]), e)
            for k, e in report.max_queue_length.items()
            if k.startswith("interval:") and k.split(":")[2] == queue
        )
        starts = [i * report.interval_s / 3600 for i, _ in lengths]
        heights = [e.mean or 0.0 for _, e in lengths]
        if starts:  # draw the last interval to its end
            starts.append(starts[-1] + report.interval_s / 3600)
            heights.append(heights[-1])
        bottom.step(starts, heights, where="post", label=queue)
    top.set_ylabel("service level (answered in target / offered)")
    top.set_ylim(0, 1.05)
    top.legend()
    top.set_title(f"{report.scenario}: {report.replications} replication(s), 95 % CI")
    bottom.set_ylabel("max calls waiting")
    bottom.set_xlabel("hours from start")
    bottom.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _chart_waits(histogram: list[int], path: Path) -> Path:
    last = max((i for i, n in enumerate(histogram) if n), default=0)
    fig, ax = plt.subplots(figsize=(10, 4))
    ax.bar(range(last + 1), histogram[: last + 1], width=1.0)
    ax.set_xlabel("wait before answer or abandon, seconds")
    ax.set_ylabel("calls (all replications)")
    ax.set_title("Wait distribution")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
