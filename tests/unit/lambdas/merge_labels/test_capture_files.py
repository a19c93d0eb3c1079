"""The merge on capture files as they really arrive: gzip, BOM, NaN, unreadable objects.

Invariant checked throughout: records in the window + outside it + quarantined == read.
"""

from __future__ import annotations

import gzip
import json

import pytest

from tests.unit.lambdas.merge_labels.helpers import BUCKET, ENDPOINT, VARIANT
from tests.unit.lambdas.merge_labels.test_merge import (
    NAMES,
    read_manifest,
    read_quarantine,
    read_table,
    run,
    traffic,
)
from workflow.offline.capture_writer import capture_line

HOUR = f"datacapture/{ENDPOINT}/{VARIANT}/2026/11/25/13/"


def lines_of(invocations) -> bytes:
    return ("\n".join(capture_line(inv, NAMES) for inv in invocations) + "\n").encode()


def put(s3, name: str, body: bytes) -> str:
    s3.put_object(Bucket=BUCKET, Key=HOUR + name, Body=body)
    return f"s3://{BUCKET}/{HOUR}{name}"


def assert_counts_add_up(counts):
    assert counts["capture_lines"] == (
        counts["records_in_window"]
        + counts["records_outside_window"]
        + counts["malformed_capture_lines"]
    )


def test_a_gzip_compressed_capture_file_is_read_in_full(s3, config):
    _, _, _, invocations = traffic(200)
    put(s3, "10-00-000-gz.jsonl", gzip.compress(lines_of(invocations)))

    result = run(s3, config)

    assert result["merged_row_count"] == 200 and result["quarantined_line_count"] == 0
    counts = read_manifest(s3)["counts"]
    assert counts["capture_lines"] == counts["records_in_window"] == 200
    assert_counts_add_up(counts)


def test_a_byte_order_mark_does_not_cost_the_first_record(s3, config):
    _, _, _, invocations = traffic(20)
    put(s3, "10-00-000-bom.jsonl", b"\xef\xbb\xbf" + lines_of(invocations))

    result = run(s3, config)

    assert result["merged_row_count"] == 20 and result["quarantined_line_count"] == 0
    ids = read_table(s3)["inference_id"].to_pylist()
    assert ids[0] == invocations[0].row_ids()[0]


def test_an_unreadable_file_is_one_quarantined_item_with_key_size_and_reason(s3, config):
    _, _, _, invocations = traffic(30)
    good = put(s3, "10-00-000-a.jsonl", lines_of(invocations[:20]))
    broken = gzip.compress(lines_of(invocations[20:]))[:-20]  # truncated upload
    bad = put(s3, "10-30-000-b.jsonl", broken)

    result = run(s3, config)

    assert result["merged_row_count"] == 20
    assert result["quarantined_line_count"] == 1  # one item, not invented lines
    (entry,) = read_quarantine(s3)
    assert entry["kind"] == "capture" and entry["source"] == bad and entry["line"] == 0
    assert f"({len(broken)} bytes)" in entry["reason"]
    assert "gzip-compressed but does not decompress" in entry["reason"]
    manifest = read_manifest(s3)
    counts = manifest["counts"]
    assert counts["capture_lines"] == 21 and counts["malformed_capture_lines"] == 1
    assert_counts_add_up(counts)
    quality = manifest["capture_quality"]
    assert quality["records_read"] == 21 and quality["records_quarantined"] == 1
    assert manifest["files_read"]["capture"]["uris"] == [good, bad]


def test_textual_nan_is_a_missing_value_not_a_quarantined_record(s3, config):
    _, _, _, invocations = traffic(3)
    text = lines_of(invocations).decode().splitlines()
    record = json.loads(text[1])
    fields = record["captureData"]["endpointInput"]["data"].rstrip("\n").split(",")
    fields[0] = "NaN"  # age
    record["captureData"]["endpointInput"]["data"] = ",".join(fields) + "\n"
    text[1] = json.dumps(record)
    put(s3, "10-00-000-nan.jsonl", ("\n".join(text) + "\n").encode())

    result = run(s3, config)

    assert result["merged_row_count"] == 3 and result["quarantined_line_count"] == 0
    assert read_table(s3)["age"].to_pylist()[1] is None


def test_unreadable_label_files_are_quarantined_too(s3, config):
    _, _, _, invocations = traffic(5)
    put(s3, "10-00-000-a.jsonl", lines_of(invocations))
    s3.put_object(
        Bucket=BUCKET,
        Key=f"ground-truth/{ENDPOINT}/2026/11/25/14/labels.jsonl",
        Body=b"\x00\x01binary",
    )

    result = run(s3, config)

    assert result["merged_row_count"] == 5 and result["labeled_row_count"] == 0
    (entry,) = read_quarantine(s3)
    assert entry["kind"] == "label" and "binary content" in entry["reason"]


def test_real_endpoint_outputs_are_merged_not_quarantined(s3, config):
    """predict_proba JSON, "label,score" CSV and {"probabilities": [...]} (the issue's three)."""
    _, _, outputs, invocations = traffic(3)
    bodies = [
        ("application/json", json.dumps({"predictions": [[1 - outputs[0], outputs[0]]]})),
        ("text/csv", f"{int(outputs[1] >= 0.5)},{outputs[1]}"),
        ("application/json", json.dumps({"probabilities": [outputs[2]]})),
    ]
    text = []
    for line, (content_type, body) in zip(
        lines_of(invocations).decode().splitlines(), bodies, strict=True
    ):
        record = json.loads(line)
        record["captureData"]["endpointOutput"].update(
            observedContentType=content_type,
            data=body,
            encoding="JSON" if "json" in content_type else "CSV",
        )
        text.append(json.dumps(record))
    put(s3, "10-00-000-real.jsonl", ("\n".join(text) + "\n").encode())

    result = run(s3, config)

    assert result["merged_row_count"] == 3 and result["quarantined_line_count"] == 0
    assert read_table(s3)["score"].to_pylist() == pytest.approx(outputs)
