"""Time of the model_quality + projection sections' ``analyse()`` on 1M and 5M rows.

The hourly monitor job may spend only a few seconds on them. Synthetic rows (two numeric and
one categorical feature, a calibrated score, labels on 30 % of the rows) go through the real
sections against a baseline of 20,000 rows; each size is timed three times, the median quoted.
The projection runs with ``feature_calibration = "always"``: the feature-aware calibration's
stored trees score a 10,000-row sample of every window (and of its labelled rows), its most
expensive path.
Run: ``PYTHONPATH=.:common:container .venv/bin/python -m benchmarks.performance_speed``
(writes benchmarks/results/performance_speed.md).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from benchmarks._results import publish
from column_schema import parse_schema
from drift_monitor.dataset import from_table
from drift_monitor.model_quality import ModelQualitySection
from drift_monitor.projection import ProjectionSection, ProjectionSettings

RESULTS = Path(__file__).resolve().parent / "results" / "performance_speed.md"
SCHEMA = parse_schema(
    {
        "features": [
            {"name": "x1", "type": "numerical"},
            {"name": "x2", "type": "numerical"},
            {"name": "colour", "type": "categorical"},
        ]
    }
)


def synthetic(n: int, shift: float, label_share: float, seed: int):
    rng = np.random.default_rng(seed)
    x1 = rng.normal(shift, 1.0, n)
    x2 = rng.normal(0.0, 1.0, n)
    colour = np.array(["red", "green", "blue"])[rng.integers(0, 3, n)]
    p = 1.0 / (1.0 + np.exp(-(1.5 * x1 - 0.7 * x2)))
    label = (rng.uniform(size=n) < p).astype(np.int64)
    labelled = rng.uniform(size=n) < label_share
    table = pa.table(
        {
            "x1": x1,
            "x2": x2,
            "colour": pa.array(colour).dictionary_encode(),
            "score": p,
            "prediction": (p >= 0.5).astype(np.int64),
            "label": pa.array(label, mask=~labelled),
        }
    )
    return from_table(table, SCHEMA, source=f"synthetic-{n}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    sections = [
        ModelQualitySection(),
        ProjectionSection(ProjectionSettings(feature_calibration="always")),
    ]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        baseline_dir = Path(tmp)
        constraints: dict = {}
        reference = synthetic(20_000, 0.0, 1.0, seed=1)
        for section in sections:
            constraints.update(section.fit_baseline(reference, baseline_dir))
        for n in args.sizes:
            window = synthetic(n, 0.5, 0.3, seed=2)
            per_section = {s.name: [] for s in sections}
            totals = []
            for _ in range(args.runs):
                total = 0.0
                for section in sections:
                    started = time.perf_counter()
                    section.analyse(window, baseline_dir, constraints)
                    elapsed = time.perf_counter() - started
                    per_section[section.name].append(elapsed)
                    total += elapsed
                totals.append(total)
            rows.append(
                (
                    n,
                    {k: statistics.median(v) for k, v in per_section.items()},
                    statistics.median(totals),
                )
            )
            print(f"{n:,} rows: {rows[-1]}", file=sys.stderr)
    lines = [
        "# Speed of model_quality + projection analyse()",
        "",
        "Command: `PYTHONPATH=.:common:container .venv/bin/python -m "
        "benchmarks.performance_speed`. Synthetic window (3 features, calibrated score, "
        "labels on 30 % of rows, mean-shifted feature), baseline of 20,000 labelled rows; "
        'projection with feature_calibration = "always" (the feature-aware model '
        "scores a 10,000-row sample of each window, the most expensive path); "
        f"median of {args.runs} runs, 2-core machine. Window loading is not included "
        "(it is shared by all sections).",
        "",
        "| rows | model_quality (s) | projection (s) | both (s) |",
        "|---:|---:|---:|---:|",
    ]
    for n, per_section, total in rows:
        lines.append(
            f"| {n:,} | {per_section['model_quality']:.2f} | "
            f"{per_section['projection']:.2f} | {total:.2f} |"
        )
    text = "\n".join(lines) + "\n"
    publish(text, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
