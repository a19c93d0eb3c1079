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


def load_config(
    argv: list[str], environ: Mapping[str, str], *, now: datetime | None = None
) -> Config:
    """Resolve the settings of a job command line; raises InputError naming the bad setting."""
    # Imported here: drift_monitor.arguments reads this module's defaults for its help text.
    from drift_monitor.arguments import JOB_COMMANDS, UsageError, parse_arguments

    try:
        args = parse_arguments(argv)
    except UsageError as exc:  # argparse already printed usage
        raise InputError(f"bad arguments {argv!r}: {exc} (see usage above)") from exc
    if args is None or args.command not in JOB_COMMANDS:
        raise InputError(f"bad arguments {argv!r}: not a {'/'.join(JOB_COMMANDS)} job")
    return config_from_args(args, environ, now=now)


def config_from_args(
    args: argparse.Namespace, environ: Mapping[str, str], *, now: datetime | None = None
) -> Config:
    """The job's settings: arguments first, then the environment, then the job's defaults."""
    ml_root = ml_root_from(environ)
    env = merged_environment(environ, ml_root)
    mode = args.command
    start = parse_time(getattr(args, "start", None) or env.get("start_time"), "start_time")
    end = parse_time(getattr(args, "end", None) or env.get("end_time"), "end_time")
    if start and end and start >= end:
        raise InputError(f"start_time {start.isoformat()} is not before end_time {end.isoformat()}")
    metric_time = (
        parse_time(env.get("metric_time"), "metric_time") or end or (now or datetime.now(UTC))
    )
    output = args.output or env.get("output_path")
    schema = args.schema or env.get("schema_path")
    stats, constraints = env.get("baseline_statistics"), env.get("baseline_constraints")
    return Config(
        mode=mode,
        threads=args.threads or parse_threads(env.get("DRIFT_MONITOR_THREADS")),
        ml_root=ml_root,
        dataset_source=_dataset(mode, args.dataset, env, ml_root),
        dataset_format=parse_dataset_format(args.dataset_format or env.get("dataset_format")),
        output_path=Path(output) if output else reroot(DEFAULT_OUTPUT, ml_root),
        baseline_dir=_baseline_dir(args, env, ml_root) if mode == "monitor" else None,
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


def _dataset(mode: str, argument: str | None, env: Mapping[str, str], ml_root: Path) -> Path:
    if mode == "baseline":
        return Path(argument) if argument else reroot(DEFAULT_BASELINE_DATASET, ml_root)
    source = argument or env.get("dataset_source")
    return Path(source) if source else reroot(DEFAULT_MONITOR_DATASET, ml_root)


def _baseline_dir(args: argparse.Namespace, env: Mapping[str, str], ml_root: Path) -> Path:
    """--baseline, else the folder of baseline_statistics, else of baseline_constraints."""
    if args.baseline:
        return Path(args.baseline)
    located = env.get("baseline_statistics") or env.get("baseline_constraints")
    return Path(located).parent if located else reroot(DEFAULT_BASELINE_DIR, ml_root)


def parse_threads(value: str | None) -> int:
    """DRIFT_MONITOR_THREADS (default 1; below 1 counts as 1)."""
    try:
        return max(int(value or "1"), 1)
    except ValueError as exc:
        raise InputError(f"DRIFT_MONITOR_THREADS={value!r} is not an integer") from exc


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
