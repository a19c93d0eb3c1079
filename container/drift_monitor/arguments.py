"""The command line: ``baseline``, ``monitor`` (the default) and ``infer-schema``.

The job contract is kept as it was: no arguments means ``monitor`` configured by Model
Monitor's environment variables, and options without a command are ``monitor``'s. Help lists
every option with its default (most defaults come from the environment, so they are written
out in the help text rather than left to argparse).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import NoReturn

from drift_monitor.config import (
    DEFAULT_BASELINE_DATASET,
    DEFAULT_BASELINE_DIR,
    DEFAULT_ML_ROOT,
    DEFAULT_MONITOR_DATASET,
    DEFAULT_OUTPUT,
)

PROG = "drift-monitor"
JOB_COMMANDS = ("monitor", "baseline")
INFER_SCHEMA = "infer-schema"
COMMANDS = (*JOB_COMMANDS, INFER_SCHEMA)
# --format also takes these words for the dataset_format JSON they stand for.
FORMAT_WORDS = {
    "parquet": {"parquet": {}},
    "csv": {"csv": {"header": True}},
    "jsonl": {"sagemakerCaptureJson": {}},
    "sagemakerCaptureJson": {"sagemakerCaptureJson": {}},
}

DESCRIPTION = """\
Drift monitoring for a SageMaker endpoint: data quality, per-feature and dataset drift, model
quality on labelled rows and projected accuracy, written in Model Monitor's formats plus an
HTML report. The same code runs as a Model Monitor schedule, a Processing job and here."""

EPILOG = f"""\
Without a command the job is `monitor`, configured by Model Monitor's environment variables
(dataset_source, dataset_format, output_path, baseline_statistics, baseline_constraints,
start_time, end_time, publish_cloudwatch_metrics, ...); options override them.
Environment: DRIFT_MONITOR_ML_ROOT replaces {DEFAULT_ML_ROOT} (message file, CloudWatch
folder, processingjobconfig.json) for local runs; DRIFT_MONITOR_THREADS native threads
(default 1).
Exit codes: 0 completed (with or without violations), 1 bad input, bad settings or internal
error; the reason is also written to {{ML_ROOT}}/output/message.
Run `%(prog)s COMMAND --help` for a command's options."""


class UsageError(Exception):
    """Bad arguments; argparse has already printed the usage line."""


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so the job can write its message file."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        raise UsageError(f"{self.prog}: {message}")


def format_argument(value: str) -> str:
    """``--format``: a word (parquet, csv, jsonl) or dataset_format JSON, returned as JSON."""
    if value in FORMAT_WORDS:
        return json.dumps(FORMAT_WORDS[value])
    if value.lstrip().startswith("{"):
        return value  # validated with the environment's dataset_format (config)
    raise argparse.ArgumentTypeError(
        f"unknown format {value!r} (use {', '.join(FORMAT_WORDS)} or dataset_format JSON, "
        'e.g. \'{"csv": {"header": true}}\')'
    )


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return number


def _job_options(
    parser: argparse.ArgumentParser, dataset_default: str, schema_default: str
) -> None:
    parser.add_argument("--dataset", metavar="PATH", help=dataset_default)
    parser.add_argument("--schema", metavar="PATH", help=schema_default)
    parser.add_argument(
        "--output",
        metavar="DIR",
        help=f"where the outputs go (default: env output_path, else {DEFAULT_OUTPUT})",
    )
    parser.add_argument(
        "--format",
        dest="dataset_format",
        metavar="FORMAT",
        type=format_argument,
        help="parquet, csv, jsonl (data capture) or dataset_format JSON "
        "(default: env dataset_format, else guessed from the file names)",
    )
    parser.add_argument(
        "--threads",
        type=positive_int,
        metavar="N",
        help="native threads for NumPy/SciPy/scikit-learn "
        "(default: env DRIFT_MONITOR_THREADS, else 1)",
    )


def _add_baseline(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "baseline",
        help="make a baseline folder from a labelled reference CSV or Parquet file",
        description="Profile a reference dataset (features, score, prediction, label) and "
        "write a self-contained baseline folder: statistics.json, constraints.json, "
        "schema.json and each section's artefacts.",
    )
    _job_options(
        parser,
        f"reference CSV/Parquet file or directory (default: {DEFAULT_BASELINE_DATASET})",
        "schema.json (default: env schema_path, else schema.json next to the dataset)",
    )
    parser.add_argument("--baseline", help=argparse.SUPPRESS)  # accepted, unused (as before)


def _add_monitor(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "monitor",
        help="analyse one window (CSV, Parquet or capture JSONL) against a baseline "
        "(the default command)",
        description="Analyse one window against a baseline folder and write "
        "statistics.json, constraint_violations.json, report.html and the metric lines.",
    )
    _job_options(
        parser,
        "window: CSV/Parquet file or directory, or a data-capture JSONL tree "
        f"(default: env dataset_source, else {DEFAULT_MONITOR_DATASET})",
        "schema.json (default: env schema_path, else schema.json in the baseline folder)",
    )
    parser.add_argument(
        "--baseline",
        metavar="DIR",
        help="baseline folder (default: folder of env baseline_statistics, else of "
        f"baseline_constraints, else {DEFAULT_BASELINE_DIR})",
    )
    for name in ("start", "end"):
        parser.add_argument(
            f"--{name}",
            metavar="TIME",
            help=f"ISO-8601 UTC {name} of the window; capture records are kept in "
            f"[start, end) (default: env {name}_time, else unbounded)",
        )


def _add_infer_schema(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        INFER_SCHEMA,
        help="write a starting schema.json inferred from a CSV or Parquet file",
        description="Infer feature types (numerical vs categorical) from a data file and "
        "write a BinaryClassification schema.json to review before the first baseline.",
    )
    parser.add_argument("dataset", metavar="DATA", help="CSV or Parquet file, or a directory")
    parser.add_argument(
        "--output",
        metavar="PATH",
        help="where to write it, '-' for stdout (default: schema.json next to DATA)",
    )
    parser.add_argument(
        "--format",
        dest="dataset_format",
        choices=("csv", "parquet"),
        help="(default: guessed from the file names)",
    )
    for role, default in (("label", "label"), ("score", "score"), ("prediction", "prediction")):
        parser.add_argument(
            f"--{role}",
            default=default,
            metavar="COLUMN",
            help=f"the {role} column, not a feature (default: %(default)s)",
        )
    parser.add_argument(
        "--output-format",
        choices=("probability", "class"),
        default="probability",
        help="the endpoint returns a probability (score) or only a class (default: %(default)s)",
    )
    parser.add_argument(
        "--positive-class",
        type=int,
        default=1,
        metavar="CLASS",
        help="label/prediction value of the positive class (default: %(default)s)",
    )
    parser.add_argument(
        "--decision-threshold",
        type=float,
        default=0.5,
        metavar="P",
        help="score from which the prediction is positive (default: %(default)s)",
    )
    for kind in ("categorical", "numerical"):
        parser.add_argument(
            f"--{kind}",
            action="append",
            default=[],
            metavar="COLUMN",
            help=f"force a column to be {kind} (repeatable)",
        )
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="COLUMN",
        help="leave a column out of the features, e.g. an id (repeatable; "
        "inference_id, event_id, inference_time are always left out)",
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    parser = _Parser(
        prog=prog,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    _add_baseline(commands)
    _add_monitor(commands)
    _add_infer_schema(commands)
    return parser


def with_command(argv: Sequence[str]) -> list[str]:
    """The job contract: no command (nothing, or options only) means ``monitor``."""
    argv = list(argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        return ["monitor", *argv]
    return argv


def parse_arguments(argv: Sequence[str], prog: str = PROG) -> argparse.Namespace | None:
    """Parsed arguments, or None when help was printed; raises UsageError on bad arguments."""
    try:
        return build_parser(prog).parse_args(with_command(argv))
    except SystemExit as exc:  # only --help exits (errors raise UsageError)
        if exc.code in (0, None):
            return None
        raise UsageError(f"{prog}: exit {exc.code}") from exc
