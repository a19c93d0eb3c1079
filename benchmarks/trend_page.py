"""Trend page size and render time with a year of hourly windows (8,760 window records).

    .venv/bin/python -m benchmarks.trend_page [--windows 8760] [--runs 5]

The records are synthetic but shaped exactly as evaluate_violations writes them (14 features,
accuracy and projection with intervals, coverage, violations; drift episodes with notify and
retrain decisions), parsed from JSON bytes as the Lambda parses what it reads from S3. Timed:
parsing plus rendering (not the S3 reads). Results: benchmarks/results/trend_page.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

import workflow  # noqa: F401  (puts the Lambdas' roots on sys.path)
from benchmarks._results import RESULTS_DIR, publish
from trend_report.page import render_page
from trend_report.records import parse_record

FEATURES = [f"feature_{i:02d}" for i in range(14)]


def synthetic_record(index: int, start: datetime, rng: random.Random) -> bytes:
    begin = start + timedelta(hours=index)
    end = begin + timedelta(hours=1)
    slug = f"{begin:%Y%m%dT%H%MZ}-{end:%Y%m%dT%H%MZ}"
    drifting = (index // 240) % 6 == 5  # a drift episode of 10 days every 60 days
    accuracy = rng.gauss(0.78 if drifting else 0.85, 0.015)
    projected = accuracy + rng.gauss(0.0, 0.01)
    scores = {
        n: abs(rng.gauss(0.25 if drifting and i < 3 else 0.04, 0.02))
        for i, n in enumerate(FEATURES)
    }
    decision = "healthy" if not drifting else ("retrain" if index % 24 == 0 else "notify")
    record = {
        "record_version": 1,
        "endpoint_name": "bench",
        "window": {"start": begin.isoformat(), "end": end.isoformat(), "slug": slug},
        "run_id": f"bench-{index}",
        "decision": decision,
        "reasons": ["no violations"]
        if decision == "healthy"
        else [f"baseline_drift_check: {FEATURES[0]}"],
        "report_uri": f"s3://b/reports/bench/{slug}/",
        "report_html_uri": f"s3://b/reports/bench/{slug}/report.html",
        "row_count": 800,
        "labeled_row_count": 500,
        "label_coverage": rng.uniform(0.5, 0.8),
        "accuracy_threshold": 0.82,
        "accuracy": {
            "value": accuracy,
            "interval": [accuracy - 0.03, accuracy + 0.03],
            "status": "ok",
        },
        "projected_accuracy": {
            "value": projected,
            "interval": [projected - 0.035, projected + 0.035],
            "status": "ok",
        },
        "dataset_drift": {
            "auc": 0.75 if drifting else rng.uniform(0.48, 0.53),
            "auc_threshold": 0.55,
            "drifted": drifting,
            "status": "ok",
        },
        "features": [
            {"name": n, "score": s, "threshold": 0.1, "drifted": s > 0.1} for n, s in scores.items()
        ],
        "violations": {"baseline_drift_check": 3} if drifting else {},
    }
    return json.dumps(record).encode("utf-8")


def measure(windows: int, runs: int) -> dict[str, float]:
    rng = random.Random(7)
    start = datetime(2025, 12, 1, tzinfo=UTC)
    bodies = [synthetic_record(i, start, rng) for i in range(windows)]
    seconds, size = [], 0
    for _ in range(runs):
        began = time.perf_counter()
        points = [parse_record(f"k{i}", body) for i, body in enumerate(bodies)]
        html = render_page("bench", points, generated_at=start)  # type: ignore[arg-type]
        seconds.append(time.perf_counter() - began)
        size = len(html.encode("utf-8"))
    return {
        "windows": windows,
        "median_s": statistics.median(seconds),
        "min_s": min(seconds),
        "bytes": size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--windows", type=int, nargs="+", default=[24 * 7, 24 * 30, 8760])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows = [measure(n, args.runs) for n in args.windows]
    lines = [
        "# Trend page: size and render time",
        "",
        f"`python -m benchmarks.trend_page --runs {args.runs}` on Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs (load average "
        f"{os.getloadavg()[0]:.1f} at the end; the machine is shared). Synthetic hourly window "
        "records shaped as evaluate_violations writes them (14 features, a drift episode of 10 "
        "days every 60), parsed from JSON bytes and rendered; S3 reads not included (the Lambda "
        "reads the records with 32 parallel GETs).",
        "",
        "| windows | page size | render time (median of runs) | fastest run |",
        "|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['windows']:,} | {row['bytes'] / 1024:,.0f} KiB | {row['median_s']:.2f} s "
            f"| {row['min_s']:.2f} s |"
        )
    publish("\n".join(lines) + "\n", RESULTS_DIR / "trend_page.md")


if __name__ == "__main__":
    main()
