"""capture_writer produces the AWS capture and ground-truth formats and key layouts."""

from __future__ import annotations

import base64
import json
import random
import re
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws

from workflow.offline.capture_writer import (
    GroundTruth,
    Invocation,
    PayloadOptions,
    capture_key,
    capture_line,
    capture_record,
    ground_truth_line,
    write_capture_files,
    write_ground_truth_files,
)
from workflow.offline.traffic import (
    ground_truth_for,
    invocations_from_rows,
    typed_rows,
)

NAMES = ["age", "workclass", "hours"]
T0 = datetime(2026, 11, 25, 13, 27, 31, tzinfo=UTC)
ONE = Invocation(
    rows=[[34, "Private", 40]],
    outputs=[0.1873],
    inference_time=T0,
    event_id="6f1f0c2e-3b7a-4e59-9a63-2f8f0b7d2c11",
    inference_id="order-000123",
)
BATCH = Invocation(
    rows=[[34, None, 12.5], {"age": 51, "workclass": "State-gov", "hours": 3}],
    outputs=[0.18, 0.77],
    inference_time=T0,
    event_id="d2c4",
    inference_id=None,
)


def test_single_csv_record_matches_the_documented_shape():
    record = capture_record(ONE, NAMES)
    assert record == {
        "captureData": {
            "endpointInput": {
                "observedContentType": "text/csv",
                "mode": "INPUT",
                "data": "34,Private,40\n",
                "encoding": "CSV",
            },
            "endpointOutput": {
                "observedContentType": "text/csv; charset=utf-8",
                "mode": "OUTPUT",
                "data": "0.1873",
                "encoding": "CSV",
            },
        },
        "eventMetadata": {
            "eventId": ONE.event_id,
            "inferenceId": "order-000123",
            "inferenceTime": "2026-11-25T13:27:31Z",
        },
        "eventVersion": "0",
    }
    assert "\n" not in capture_line(ONE, NAMES)


def test_batched_record_without_inference_id_and_row_ids():
    record = capture_record(BATCH, NAMES, PayloadOptions(output_separator=","))
    assert record["captureData"]["endpointInput"]["data"] == "34,,12.5\n51,State-gov,3\n"
    assert record["captureData"]["endpointOutput"]["data"] == "0.18,0.77"
    assert "inferenceId" not in record["eventMetadata"]
    assert BATCH.row_ids() == ["d2c4:0", "d2c4:1"] and ONE.row_ids() == ["order-000123"]


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        (
            "instances",
            {"instances": [{"features": [34, None, 12.5]}, {"features": [51, "State-gov", 3]}]},
        ),
        ("instances_lists", {"instances": [[34, None, 12.5], [51, "State-gov", 3]]}),
        ("rows", [[34, None, 12.5], [51, "State-gov", 3]]),
        (
            "objects",
            [
                {"age": 34, "workclass": None, "hours": 12.5},
                {"age": 51, "workclass": "State-gov", "hours": 3},
            ],
        ),
    ],
)
def test_json_payload_styles_are_double_encoded(style, expected):
    record = capture_record(
        BATCH, NAMES, PayloadOptions(input_format="json", json_style=style, output_format="json")
    )
    data = record["captureData"]["endpointInput"]
    assert data["observedContentType"] == "application/json" and data["encoding"] == "JSON"
    assert json.loads(data["data"]) == expected
    output = json.loads(record["captureData"]["endpointOutput"]["data"])
    assert output == {"predictions": [{"score": 0.18}, {"score": 0.77}]}


def test_base64_payloads_decode_to_the_plain_ones():
    plain = capture_record(ONE, NAMES)["captureData"]
    encoded = capture_record(ONE, NAMES, PayloadOptions(base64=True))["captureData"]
    for side in ("endpointInput", "endpointOutput"):
        assert encoded[side]["encoding"] == "BASE64"
        assert base64.b64decode(encoded[side]["data"]).decode() == plain[side]["data"]


def test_ground_truth_line():
    assert json.loads(ground_truth_line("order-000123", 1)) == {
        "groundTruthData": {"data": "1", "encoding": "CSV"},
        "eventMetadata": {"eventId": "order-000123"},
        "eventVersion": "0",
    }


def test_invalid_invocations_and_options_are_rejected():
    with pytest.raises(ValueError, match="1 rows but 2 outputs"):
        Invocation(rows=[[1, "a", 2]], outputs=[0.1, 0.2], inference_time=T0, event_id="e")
    with pytest.raises(ValueError, match="timezone-aware"):
        Invocation(
            rows=[[1, "a", 2]], outputs=[0.1], inference_time=T0.replace(tzinfo=None), event_id="e"
        )
    with pytest.raises(ValueError, match="json_style"):
        PayloadOptions(json_style="columns")
    with pytest.raises(ValueError, match="2 values for 3 features"):
        capture_line(
            Invocation(rows=[[1, 2]], outputs=[0.1], inference_time=T0, event_id="e"), NAMES
        )


def test_capture_key_layout():
    bucket, key = capture_key(
        "s3://acme/datacapture/",
        "churn",
        "AllTraffic",
        T0.replace(microsecond=931000),
        random.Random(0),
    )
    assert bucket == "acme"
    assert re.fullmatch(
        r"datacapture/churn/AllTraffic/2026/11/25/13/27-31-931-"
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
        r"\.jsonl",
        key,
    )


def test_invocations_from_rows_is_seeded_and_covers_every_row():
    rows = [[i, "x", i] for i in range(50)]
    start, end = T0.replace(minute=0, second=0), T0.replace(minute=0, second=0) + timedelta(hours=1)
    first = invocations_from_rows(
        rows, [0.5] * 50, start=start, end=end, rng=random.Random(4), batch_sizes=(1, 5)
    )
    again = invocations_from_rows(
        rows, [0.5] * 50, start=start, end=end, rng=random.Random(4), batch_sizes=(1, 5)
    )
    assert first == again
    assert [r for inv in first for r in inv.rows] == rows
    assert all(start <= inv.inference_time < end for inv in first)
    assert [inv.inference_time for inv in first] == sorted(inv.inference_time for inv in first)
    assert first[0].inference_id == "req-00000000"


def test_typed_rows_and_ground_truth_for():
    typed = typed_rows([{"age": "39", "workclass": "", "hours": "12.5"}], NAMES, {"age", "hours"})
    assert typed == [[39, None, 12.5]]
    labels = ground_truth_for([ONE, BATCH], [1, None, 0], lambda inv: T0)
    assert labels == [GroundTruth("order-000123", 1, T0), GroundTruth("d2c4:1", 0, T0)]
    with pytest.raises(ValueError, match="2 entries, fewer than the rows"):
        ground_truth_for([ONE, BATCH], [1, 0], lambda inv: T0)


def test_files_are_split_by_hour_and_size_in_moto_s3(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="acme")
        invocations = [
            Invocation(
                rows=[[i, "x", 1]],
                outputs=[0.5],
                inference_time=T0 + timedelta(minutes=10 * i),
                event_id=f"e{i}",
            )
            for i in range(6)
        ]
        uris = write_capture_files(
            s3,
            "s3://acme/datacapture",
            "churn",
            "AllTraffic",
            invocations,
            NAMES,
            records_per_file=2,
        )
        hours = [uri.split("/")[-2] for uri in uris]
        assert hours == ["13", "13", "14"]  # 13:27 13:37 / 13:47 13:57 / 14:07 14:17
        total = 0
        for uri in uris:
            key = uri.removeprefix("s3://acme/")
            lines = s3.get_object(Bucket="acme", Key=key)["Body"].read().decode().splitlines()
            total += len(lines)
            for line in lines:
                record = json.loads(line)
                assert record["eventMetadata"]["inferenceTime"][11:13] == key.split("/")[6]
        assert total == 6
        labels = [GroundTruth(f"e{i}", i % 2, T0 + timedelta(hours=i)) for i in range(3)]
        label_uris = write_ground_truth_files(s3, "s3://acme/ground-truth", "churn", labels)
        assert [u.split("/")[4:9] for u in label_uris] == [
            ["churn", "2026", "11", "25", h] for h in ("13", "14", "15")
        ]
