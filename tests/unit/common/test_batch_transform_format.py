"""Batch-transform capture pieces: manifests, output lines with inference ids, input formats."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from capture_format import RecordError
from capture_format.batch_transform import (
    ManifestError,
    input_format,
    parse_manifest,
    parse_output_line,
)

WHEN = datetime(2022, 8, 30, 0, 49, 15, tzinfo=UTC)


def test_the_documented_manifest_and_its_json_lines_form():
    document = [{"prefix": "s3://in/jobs"}, "dummy_0.csv", "dir/dummy_1.csv"]
    for text in (json.dumps(document, indent=4), "\n".join(json.dumps(d) for d in document)):
        manifest = parse_manifest(text)
        assert manifest.keys == ("dummy_0.csv", "dir/dummy_1.csv")
        assert manifest.uri(manifest.keys[1]) == "s3://in/jobs/dir/dummy_1.csv"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("not json", "not JSON"),
        ("{}", "expected a JSON array"),
        ('[{"prefix": "in/"}, "a"]', "first entry must be"),
        ('[{"prefix": "s3://in/"}, 3]', "must be object keys"),
    ],
)
def test_a_bad_manifest_says_what_is_wrong(text, reason):
    with pytest.raises(ManifestError, match=reason):
        parse_manifest(text)


def test_csv_and_json_output_lines_as_documented():
    csv_line = parse_output_line(b"0, 1f1d57b1-2e6f-488c-8c30-db4e6d757861,2022-08-30T00:49:15Z")
    assert csv_line.inference_id == "1f1d57b1-2e6f-488c-8c30-db4e6d757861"
    assert csv_line.inference_time == WHEN and csv_line.output == ("csv", "0")
    pair = parse_output_line("1,0.73,id-2,2022-08-30T00:49:15Z")
    assert pair.output == ("csv", "1,0.73")
    wrapped = parse_output_line(
        '{"output": [0.27, 0.73], "SageMakerInferenceId": "i", "SageMakerInferenceTime": '
        '"2022-08-30T00:49:15Z"}'
    )
    assert wrapped.output == ("json", "[0.27, 0.73]") and wrapped.inference_id == "i"
    keyed = parse_output_line(
        '{"score": 0.4, "SageMakerInferenceId": "j", '
        '"SageMakerInferenceTime": "2022-08-30T00:49:15"}'
    )
    assert json.loads(keyed.output[1]) == {"score": 0.4} and keyed.inference_time == WHEN


@pytest.mark.parametrize("line", ["0.73", "1,0.73", '{"output": 1}', "0.2,0.3,0.5"])
def test_an_output_line_without_inference_id_names_the_setting(line):
    with pytest.raises(RecordError, match="GenerateInferenceId"):
        parse_output_line(line)


def test_input_format_by_suffix_then_content():
    assert input_format("a/b.csv", b"{") == "csv"
    assert input_format("a/b.jsonl.gz", b"1,2") == "json"
    assert input_format("a/b", b' {"age": 3}') == "json"
    assert input_format("a/b", b"39,Private") == "csv"
