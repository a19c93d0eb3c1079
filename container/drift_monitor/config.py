"""The job's settings, resolved once from arguments, the environment and processingjobconfig.json.

Model Monitor passes everything as environment variables (also mirrored in
``{ML_ROOT}/config/processingjobconfig.json`` under ``"Environment"``; the real environment
wins); a plain Processing job may pass arguments instead. ``DRIFT_MONITOR_ML_ROOT`` re-roots
``/opt/ml`` for local runs.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from drift_monitor.errors import InputError
from processing_paths import BASELINE_DATASET_DIR, BASELINE_DIR, DATASET_DIR, ML_ROOT, OUTPUT_DIR

# The Processing job's paths, shared with the job requests (common/processing_paths).
DEFAULT_ML_ROOT = ML_ROOT
DEFAULT_BASELINE_DATASET = BASELINE_DATASET_DIR
DEFAULT_MONITOR_DATASET = DATASET_DIR
DEFAULT_OUTPUT = OUTPUT_DIR
DEFAULT_BASELINE_DIR = BASELINE_DIR


@dataclass(frozen=True)
class Config:
    mode: str  # "monitor" | "baseline"
    ml_root: Path
    dataset_source: Path
    dataset_format: dict[str, Any]
    output_path: Path
    baseline_dir: Path | None  # monitor: folder of baseline_statistics
    baseline_statistics: Path | None
    baseline_constraints: Path | None
    schema_path: Path | None
    publish_cloudwatch_metrics: bool
    start_time: datetime | None
    end_time: datetime | None
    metric_time: datetime
    endpoint_name: str | None
    schedule_name: str | None
    accuracy_threshold: float | None = None  # overrides constraints.json when set
    threads: int = 1  # native threads for numpy/sklearn (DRIFT_MONITOR_THREADS)

    @property
    def cloudwatch_dir(self) -> Path:
        return self.ml_root / "output" / "metrics" / "cloudwatch"


def ml_root_from(environ: Mapping[str, str]) -> Path:
    return Path(environ.get("DRIFT_MONITOR_ML_ROOT") or DEFAULT_ML_ROOT)


def reroot(path: str, ml_root: Path) -> Path:
    """Map an ``/opt/ml/...`` default onto ``ml_root`` (identity when ml_root is /opt/ml)."""
    if path.startswith(DEFAULT_ML_ROOT + "/"):
        return ml_root / path[len(DEFAULT_ML_ROOT) + 1 :]
    return Path(path)


def merged_environment(environ: Mapping[str, str], ml_root: Path) -> dict[str, str]:
    """processingjobconfig.json ``Environment`` overlaid by the real environment."""
    env: dict[str, str] = {}
    for candidate in (
        ml_root / "config" / "processingjobconfig.json",
        ml_root / "processing" / "processingjobconfig.json",
    ):
        if candidate.is_file():
            try:
                document = json.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise InputError(f"{candidate}: not readable as JSON ({exc})") from exc
            block = document.get("Environment") if isinstance(document, dict) else None
            if isinstance(block, dict):
                env.update({str(k): str(v) for k, v in block.items()})
            break
    env.update(environ)
    return env


def parse_time(value: str | None, name: str) -> datetime | None:
    """Lenient ISO-8601 UTC (AWS samples show stray spaces, e.g. ``2019-12-01T15: 20: 00Z``)."""
    if value is None or not value.strip():
        return None
    text = value.replace(" ", "").replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"environment {name}={value!r} is not an ISO-8601 time") from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_dataset_format(value: str | None) -> dict[str, Any]:
    """``dataset_format`` JSON; ``{}`` when unset (the reader then guesses from the file names)."""
    if value:
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError as exc:
            raise InputError(f"environment dataset_format={value!r} is not JSON ({exc})") from exc
        if not isinstance(parsed, dict) or len(parsed) != 1:
            raise InputError(
                f"environment dataset_format={value!r}: expected one key, e.g. "
                '{"parquet": {}} / {"csv": {"header": true}} / '
                '{"sagemakerCaptureJson": {}}'
            )
        kind = next(iter(parsed))
        if kind not in ("parquet", "csv", "sagemakerCaptureJson"):
            raise InputError(
                f"environment dataset_format: unsupported format {kind!r} "
                "(supported: parquet, csv, sagemakerCaptureJson)"
            )
        return parsed
    return {}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m drift_monitor", description=__doc__)
    parser.add_argument("mode", nargs="?", default="monitor", choices=("monitor", "baseline"))
    parser.add_argument("--dataset", help="dataset file or directory (overrides dataset_source)")
    parser.add_argument(
        "--schema",
        help="schema.json (baseline: required unless in the dataset "
        "folder; monitor: overrides the baseline's copy)",
    )
    parser.add_argument("--output", help="output directory (overrides output_path)")
    parser.add_argument(
        "--baseline",
        help="monitor: baseline directory (overrides the folder of baseline_statistics)",
    )
    parser.add_argument(
        "--format",
        dest="dataset_format",
        help='dataset_format JSON, e.g. {"csv": {"header": true}}',
    )
    return parser


def load_config(
    argv: list[str], environ: Mapping[str, str], *, now: datetime | None = None
) -> Config:
    """Resolve the settings; raises InputError naming the bad setting."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse already printed usage
        raise InputError(f"bad arguments {argv!r} (see usage above)") from exc
    ml_root = ml_root_from(environ)
    env = merged_environment(environ, ml_root)

    if args.mode == "baseline":
        dataset = Path(args.dataset) if args.dataset else reroot(DEFAULT_BASELINE_DATASET, ml_root)
    else:
        source = args.dataset or env.get("dataset_source")
        dataset = Path(source) if source else reroot(DEFAULT_MONITOR_DATASET, ml_root)
    output = args.output or env.get("output_path")
    output_path = Path(output) if output else reroot(DEFAULT_OUTPUT, ml_root)

    stats = env.get("baseline_statistics")
    constraints = env.get("baseline_constraints")
    baseline_dir: Path | None = None
    if args.mode == "monitor":
        if args.baseline:
            baseline_dir = Path(args.baseline)
        elif stats:
            baseline_dir = Path(stats).parent
        elif constraints:
            baseline_dir = Path(constraints).parent
        else:
            baseline_dir = reroot(DEFAULT_BASELINE_DIR, ml_root)
    schema = args.schema or env.get("schema_path")

    start = parse_time(env.get("start_time"), "start_time")
    end = parse_time(env.get("end_time"), "end_time")
    if start and end and start >= end:
        raise InputError(f"start_time {start.isoformat()} is not before end_time {end.isoformat()}")
    metric_time = (
        parse_time(env.get("metric_time"), "metric_time") or end or (now or datetime.now(UTC))
    )
    try:
        threads = int(env.get("DRIFT_MONITOR_THREADS", "1"))
    except ValueError as exc:
        raise InputError(
            f"DRIFT_MONITOR_THREADS={env.get('DRIFT_MONITOR_THREADS')!r} is not an integer"
        ) from exc
    return Config(
        mode=args.mode,
        threads=max(threads, 1),
        ml_root=ml_root,
        dataset_source=dataset,
        dataset_format=parse_dataset_format(args.dataset_format or env.get("dataset_format")),
        output_path=output_path,
        baseline_dir=baseline_dir,
        baseline_statistics=Path(stats) if stats else None,
        baseline_constraints=Path(constraints) if constraints else None,
        schema_path=Path(schema) if schema else None,
        publish_cloudwatch_metrics=env.get("publish_cloudwatch_metrics", "Disabled") == "Enabled",
        start_time=start,
        end_time=end,
        metric_time=metric_time,
        endpoint_name=env.get("sagemaker_endpoint_name") or None,
        schedule_name=env.get("sagemaker_monitoring_schedule_name") or None,
        accuracy_threshold=parse_threshold(env.get("accuracy_threshold"), "accuracy_threshold"),
    )


def parse_threshold(value: str | None, name: str) -> float | None:
    """An optional threshold in (0, 1); empty means "use constraints.json"."""
    if value is None or not value.strip():
        return None
    try:
        number = float(value)
    except ValueError as exc:
        raise InputError(f"environment {name}={value!r} is not a number") from exc
    if not 0 < number < 1:
        raise InputError(f"environment {name}={value!r} must be between 0 and 1")
    return number
