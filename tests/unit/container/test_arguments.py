"""The parser: the job contract's shapes, the --format words, errors raised rather than exits."""

from __future__ import annotations

import json

import pytest

from drift_monitor.arguments import (
    UsageError,
    build_parser,
    format_argument,
    parse_arguments,
    with_command,
)


@pytest.mark.parametrize(
    "argv, expected",
    [
        ([], ["monitor"]),
        (["--dataset", "x"], ["monitor", "--dataset", "x"]),
        (["baseline"], ["baseline"]),
        (["--help"], ["--help"]),
        (["infer-schema", "d.csv"], ["infer-schema", "d.csv"]),
    ],
)
def test_no_command_means_monitor(argv, expected):
    assert with_command(argv) == expected


def test_help_returns_none_and_errors_raise(capsys):
    assert parse_arguments(["--help"]) is None
    assert parse_arguments(["baseline", "-h"]) is None
    capsys.readouterr()
    with pytest.raises(UsageError, match="unrecognized arguments: --bogus"):
        parse_arguments(["--bogus"])
    assert capsys.readouterr().err.startswith("usage: ")
    with pytest.raises(UsageError, match="the following arguments are required: DATA"):
        parse_arguments(["infer-schema"])


def test_baseline_still_accepts_the_unused_baseline_option():
    args = parse_arguments(["baseline", "--baseline", "/b"])
    assert args is not None and args.command == "baseline"


def test_format_words_and_json():
    assert json.loads(format_argument("csv")) == {"csv": {"header": True}}
    assert json.loads(format_argument("jsonl")) == {"sagemakerCaptureJson": {}}
    assert format_argument('{"parquet": {}}') == '{"parquet": {}}'
    with pytest.raises(Exception, match="unknown format 'avro'"):
        format_argument("avro")


def test_prog_names_the_command():
    assert build_parser("drift-monitor").format_usage().startswith("usage: drift-monitor")
