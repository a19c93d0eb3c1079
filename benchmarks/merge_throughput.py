"""Throughput and memory of the merge Lambda on one day of realistic capture (moto S3).

Generates once (not timed): 1,000,000 capture records (invocations) over a 24-hour window,
~3,000 records per file (14 files per hour, 336 files), ~10 % batched requests of 2-4 rows,
mostly CSV with some JSON and BASE64 hours, some hours without inferenceId (eventId matching),
and 600,000 ground-truth records (those of ~570,000 captured rows, uploaded 1-48 h after the
inference, plus labels whose capture is not in the window). Rows come from the adult
``labeled.csv`` resampled with a fixed seed.

Then runs ``merge_window`` ``--runs`` times, each in a forked child of the generating process
(the child sees the same in-process moto S3), and reports per run the wall time of
``merge_window`` and the child's peak RSS (``resource.getrusage``) together with its RSS when
the merge started, so the merge's own growth is visible. moto keeps small objects in memory;
``MOTO_S3_DEFAULT_KEY_BUFFER_SIZE`` is lowered so the stored objects live in temporary files,
as S3's data would not live in the Lambda's memory.

Command: ``.venv/bin/python -m benchmarks.merge_throughput`` (writes
benchmarks/results/merge_throughput.md).
"""

from __future__ import annotations

import argparse
import csv
import gc
import math
import multiprocessing
import os
import platform
import random
import resource
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for extra in ("common", "lambdas/merge_labels"):
    if str(ROOT / extra) not in sys.path:
        sys.path.insert(0, str(ROOT / extra))
# Before moto is imported: object bodies go to temporary files, not the process's heap.
os.environ.setdefault("MOTO_S3_DEFAULT_KEY_BUFFER_SIZE", str(64 * 1024))
for name, value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}.items():
    os.environ.setdefault(name, value)

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

from benchmarks._results import publish  # noqa: E402
from column_schema import parse_schema  # noqa: E402
from examples.adult import LABELED_CSV  # noqa: E402
from merge_labels.config import MergeConfig  # noqa: E402
from merge_labels.merge import merge_window  # noqa: E402
from workflow.offline.capture_writer import (  # noqa: E402
    GroundTruth,
    PayloadOptions,
    write_capture_files,
    write_ground_truth_files,
)
from workflow.offline.traffic import (  # noqa: E402
    invocations_from_rows,
    typed_rows,
)

SCHEMA_JSON = ROOT / "examples" / "adult" / "schema.json"
RESULTS = ROOT / "benchmarks" / "results" / "merge_throughput.md"
BUCKET, ENDPOINT, VARIANT = "bench-data", "adult-income", "AllTraffic"
START = datetime(2026, 11, 24, tzinfo=UTC)
HOURS = 24
END = START + timedelta(hours=HOURS)
NOW = END + timedelta(hours=50)
TIME_LIMIT_S, MEMORY_LIMIT_MB = 60.0, 1536.0


def _score(values: list, index: dict[str, int]) -> float:
    """A fixed logistic stand-in for the model, so scores depend on the features."""
    edu, age, gain = (values[index[n]] or 0 for n in ("educational-num", "age", "capital-gain"))
    z = 0.35 * (edu - 10) + 0.04 * (age - 40) + 0.00025 * gain
    return round(1.0 / (1.0 + math.exp(-z)), 6)


def _rss_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def generate(s3, records: int, labels_total: int, seed: int) -> dict:
    """Write the window's capture and ground truth into moto S3; returns what was written."""
    schema_text = SCHEMA_JSON.read_text()
    schema = parse_schema(__import__("json").loads(schema_text))
    s3.put_object(Bucket=BUCKET, Key=f"baselines/{ENDPOINT}/schema.json", Body=schema_text.encode())
    with LABELED_CSV.open(newline="") as handle:
        raw = list(csv.DictReader(handle))
    pool = typed_rows(raw, schema.feature_names, set(schema.numerical))
    pool_labels = [1 if r["income"].strip() == ">50K" else 0 for r in raw]
    index = {n: i for i, n in enumerate(schema.feature_names)}
    rng = random.Random(seed)
    expected_rows = records * 1.19  # mean batch size of the weights below
    keep = (labels_total * 0.95) / expected_rows
    per_hour = [records // HOURS + (1 if h < records % HOURS else 0) for h in range(HOURS)]
    truth: list[GroundTruth] = []
    rows_total = files = 0
    for hour, count in enumerate(per_hour):
        start = START + timedelta(hours=hour)
        picks = [rng.randrange(len(pool)) for _ in range(int(count * 1.35))]
        rows = [pool[i] for i in picks]
        invocations = invocations_from_rows(
            rows,
            [_score(r, index) for r in rows],
            start=start,
            end=start + timedelta(hours=1),
            rng=rng,
            batch_sizes=(1, 2, 3, 4),
            batch_weights=(0.9, 0.04, 0.03, 0.03),
            with_inference_id=hour % 5 != 4,
            id_prefix=f"h{hour:02d}",
        )[:count]
        options = (
            PayloadOptions(input_format="json")
            if hour % 6 == 5
            else PayloadOptions(base64=True)
            if hour % 8 == 3
            else PayloadOptions()
        )
        files += len(
            write_capture_files(
                s3,
                f"s3://{BUCKET}/datacapture",
                ENDPOINT,
                VARIANT,
                invocations,
                schema.feature_names,
                options=options,
                records_per_file=3000,
                rng=rng,
            )
        )
        position = 0
        for invocation in invocations:
            for row_id in invocation.row_ids():
                if rng.random() < keep:
                    delay = timedelta(hours=rng.randint(1, 48), minutes=rng.randrange(60))
                    truth.append(
                        GroundTruth(
                            row_id, pool_labels[picks[position]], invocation.inference_time + delay
                        )
                    )
                position += 1
        rows_total += position
    matched = len(truth)
    for n in range(max(0, labels_total - matched)):
        truth.append(
            GroundTruth(
                f"orphan-{n:07d}", n % 2, START + timedelta(hours=rng.randrange(HOURS + 48))
            )
        )
    label_files = len(
        write_ground_truth_files(
            s3, f"s3://{BUCKET}/ground-truth", ENDPOINT, truth, records_per_file=5000, rng=rng
        )
    )
    return {
        "records": sum(per_hour),
        "rows": rows_total,
        "capture_files": files,
        "labels": len(truth),
        "matching_labels": matched,
        "label_files": label_files,
    }


def _merge_child(config: MergeConfig, connection) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    gc.collect()
    rss_start = _rss_mb()
    event = {
        "input": {
            "endpoint_name": ENDPOINT,
            "window_start": START.isoformat(),
            "window_end": END.isoformat(),
        },
        "execution_name": "bench",
        "execution_start_time": NOW.isoformat(),
    }
    load_before = os.getloadavg()[0]
    cpu_before = time.process_time()
    began = time.perf_counter()
    result = merge_window(event, config, s3, NOW)
    wall = time.perf_counter() - began
    cpu = time.process_time() - cpu_before
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    connection.send(
        {
            "wall_s": wall,
            "cpu_s": cpu,
            "peak_rss_mb": peak,
            "rss_start_mb": rss_start,
            "load": (load_before, os.getloadavg()[0]),
            "result": result,
        }
    )
    connection.close()


def run_merge(config: MergeConfig) -> dict:
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_merge_child, args=(config, sender))
    child.start()
    sender.close()
    outcome = receiver.recv()
    child.join()
    if child.exitcode:
        raise RuntimeError(f"merge child failed with exit code {child.exitcode}")
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--labels", type=int, default=600_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        began = time.perf_counter()
        written = generate(s3, args.records, args.labels, args.seed)
        generation_s = time.perf_counter() - began
        print(f"generated {written} in {generation_s:.1f} s", flush=True)
        gc.collect()
        config = MergeConfig.from_env(
            {}, data_bucket=BUCKET, window_minutes=HOURS * 60, label_lag_hours=72
        )
        runs = []
        for number in range(args.runs):
            outcome = run_merge(config)
            runs.append(outcome)
            print(
                f"run {number + 1}: {outcome['wall_s']:.1f} s (CPU {outcome['cpu_s']:.1f} s), "
                f"peak RSS "
                f"{outcome['peak_rss_mb']:.0f} MB (at start {outcome['rss_start_mb']:.0f} MB)",
                flush=True,
            )
    result = runs[0]["result"]
    if result["merged_row_count"] != written["rows"]:
        raise SystemExit(f"merged {result['merged_row_count']} rows, expected {written['rows']}")
    if result["labeled_row_count"] != written["matching_labels"]:
        raise SystemExit(
            f"labeled {result['labeled_row_count']}, expected {written['matching_labels']}"
        )
    write_report(args, written, generation_s, runs)
    median = statistics.median(r["wall_s"] for r in runs)
    peak = max(r["peak_rss_mb"] for r in runs)
    ok = median < TIME_LIMIT_S and peak < MEMORY_LIMIT_MB
    print(f"median {median:.1f} s, max peak RSS {peak:.0f} MB -> {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


def write_report(args, written: dict, generation_s: float, runs: list[dict]) -> None:
    walls = [r["wall_s"] for r in runs]
    median = statistics.median(walls)
    peak = max(r["peak_rss_mb"] for r in runs)
    result = runs[0]["result"]
    lines = [
        "# merge_labels throughput",
        "",
        "Command: `.venv/bin/python -m benchmarks.merge_throughput`"
        + (
            f" (with `--records {args.records} --labels {args.labels} --runs {args.runs}`)"
            if (args.records, args.labels, args.runs) != (1_000_000, 600_000, 3)
            else ""
        ),
        "",
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.machine()}. S3 = moto `mock_aws` in-process (object bodies spilled to "
        "temporary files). Each run is `merge_window` in a fresh forked child of the process "
        "that generated the data; generation is not timed.",
        "",
        "| input | value |",
        "|---|---|",
        f"| capture records (lines) | {written['records']:,} |",
        f"| model-input rows (batched requests give several) | {written['rows']:,} |",
        f"| capture files (24 hourly folders) | {written['capture_files']:,} |",
        f"| ground-truth records | {written['labels']:,} "
        f"({written['matching_labels']:,} for captured rows) |",
        f"| ground-truth files | {written['label_files']:,} |",
        f"| generation time (not part of the measurement) | {generation_s:.1f} s |",
        "",
        "| run | merge wall time (s) | merge CPU time (s) | peak RSS (MB) | "
        "RSS when merge started (MB) | merge's growth (MB) | 1-min load average before / after |",
        "|---|---|---|---|---|---|---|",
    ]
    for number, run in enumerate(runs, 1):
        lines.append(
            f"| {number} | {run['wall_s']:.1f} | {run['cpu_s']:.1f} | "
            f"{run['peak_rss_mb']:.0f} | "
            f"{run['rss_start_mb']:.0f} | "
            f"{run['peak_rss_mb'] - run['rss_start_mb']:.0f} | "
            f"{run['load'][0]:.1f} / {run['load'][1]:.1f} |"
        )
    lines += [
        "",
        f"**Median wall time {median:.1f} s** over {len(runs)} runs (limit {TIME_LIMIT_S:.0f} s); "
        f"**max peak RSS {peak:.0f} MB** (limit {MEMORY_LIMIT_MB:.0f} MB); "
        f"throughput {written['records'] / median:,.0f} records/s; median CPU time "
        f"{statistics.median(r['cpu_s'] for r in runs):.1f} s (wall time minus CPU time is "
        "mostly waiting for a CPU on the shared machine).",
        "",
        f"Merged rows {result['merged_row_count']:,}, labelled {result['labeled_row_count']:,}, "
        f"quarantined {result['quarantined_line_count']}; both counts checked against what was "
        "generated.",
        "",
        f"The machine has {os.cpu_count()} CPUs shared with other work; the load average "
        "column shows how contended it was (a load above the CPU count slows the "
        "single-threaded merge roughly in proportion).",
        "",
        "Peak RSS is the whole child process (interpreter, pyarrow, boto3, moto's bookkeeping "
        "inherited from the generating parent) — the last column is what the merge itself "
        "added.",
        "",
    ]
    publish("\n".join(lines), args.output)


if __name__ == "__main__":
    raise SystemExit(main())
