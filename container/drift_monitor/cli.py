"""Command line: parse, run the command, write the message file, return the exit code.

``baseline`` and ``monitor`` are the Processing job's two modes (the same functions whatever
the caller); ``infer-schema`` is a local helper. Bad input never ends in a traceback: it is
one ``Failed: <file or option>: <problem>`` line and exit 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Mapping
from pathlib import Path

from column_schema import SchemaError
from drift_monitor.arguments import INFER_SCHEMA, PROG, UsageError, parse_arguments
from drift_monitor.config import Config, config_from_args, ml_root_from
from drift_monitor.errors import InputError
from drift_monitor.steps import log, thread_limit

MAX_MESSAGE_BYTES = 1024


def write_message(path: Path, text: str) -> None:
    """{ML_ROOT}/output/message: the first KB becomes the job's ExitMessage (UTF-8)."""
    data = text.encode("utf-8")[:MAX_MESSAGE_BYTES].decode("utf-8", errors="ignore")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(data, encoding="utf-8")
    except OSError as exc:
        print(f"could not write {path}: {exc}", file=sys.stderr)


def _fail(message_path: Path | None, text: str) -> int:
    print(text, file=sys.stderr)
    if message_path is not None:
        write_message(message_path, text)
    return 1


def run_job(config: Config) -> str:
    """The Processing job's mode; the message line it ends with."""
    # The models fitted here are small (thousands of rows): one native thread is faster
    # than an OpenMP team, and far faster when the cores are shared (measured 0.26 s vs
    # 1.8 s for the dataset-drift classifier on a busy 2-core machine). thread_limit loads
    # the native libraries first: a limit does not reach a library loaded after it.
    with thread_limit(config.threads):
        if config.mode == "baseline":
            from drift_monitor.baseline_job import run_baseline

            return run_baseline(config)
        from drift_monitor.monitor_job import run_monitor

        return run_monitor(config)


def _job(args: argparse.Namespace, environ: Mapping[str, str], message_path: Path) -> int:
    try:
        message = run_job(config_from_args(args, environ))
    except (InputError, SchemaError) as exc:
        return _fail(message_path, f"Failed: {exc}")
    except Exception as exc:  # a bug, not bad input: keep the trace in the logs
        traceback.print_exc()
        write_message(message_path, f"Failed: internal error {type(exc).__name__}: {exc}")
        return 1
    print(message)
    write_message(message_path, message)
    return 0


def _infer_schema(args: argparse.Namespace) -> int:
    """A local helper, not a job: no message file."""
    from drift_monitor import schema_inference as inference

    dataset = Path(args.dataset)
    request = inference.Request(
        dataset=dataset,
        dataset_format=args.dataset_format,
        label=args.label,
        score=args.score,
        prediction=args.prediction,
        output_format=args.output_format,
        positive_class=args.positive_class,
        decision_threshold=args.decision_threshold,
        categorical=args.categorical,
        numerical=args.numerical,
        ignore=args.ignore,
    )
    try:
        inferred = inference.infer(request)
        for name, reason in inferred.reasons.items():
            log(f"{name}: {reason}")
        for warning in inferred.warnings:
            log(f"warning: {warning}")
        if args.output == "-":
            print(json.dumps(inferred.schema.to_dict(), indent=2))
            return 0
        output = Path(args.output) if args.output else inference.default_output(dataset)
        inference.write_schema(inferred.schema, output, force=args.force)
    except (InputError, SchemaError) as exc:
        return _fail(None, f"Failed: {exc}")
    print(inference.summary(inferred.schema, str(output)))
    return 0


def main(argv: list[str], environ: Mapping[str, str] | None = None, *, prog: str = PROG) -> int:
    environ = os.environ if environ is None else environ
    message_path = ml_root_from(environ) / "output" / "message"  # also when the config fails
    try:
        args = parse_arguments(argv, prog)
    except UsageError as exc:  # argparse already printed the usage line
        return _fail(message_path, f"Failed: bad arguments {argv!r}: {exc} (see usage above)")
    if args is None:  # --help
        return 0
    if args.command == INFER_SCHEMA:
        return _infer_schema(args)
    return _job(args, environ, message_path)


def run() -> None:
    """Console script ``drift-monitor``."""
    sys.exit(main(sys.argv[1:]))
