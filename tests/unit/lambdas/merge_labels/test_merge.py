"""merge_window against moto S3 with capture files written by workflow.offline.capture_writer."""

from __future__ import annotations

import base64
import io
import json
import random
from datetime import timedelta

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from merge_labels.config import MergeConfig
from merge_labels.errors import BaselineSchemaError, MergeInputError
from merge_labels.merge import merge_window
from merge_labels.merged_table import merged_arrow_schema
from tests.unit.lambdas.merge_labels.helpers import (
    BUCKET,
    CAPTURE_URI,
    END,
    ENDPOINT,
    GROUND_TRUTH_URI,
    START,
    VARIANT,
    adult_rows,
    adult_schema,
    event,
    put_schema,
    schema_dict,
    score,
)
from workflow.offline.capture_writer import (
    GroundTruth,
    Invocation,
    PayloadOptions,
    capture_line,
    ground_truth_line,
    write_capture_files,
    write_ground_truth_files,
)
from workflow.offline.traffic import (
    ground_truth_for,
    invocations_from_rows,
)

SLUG = "20261125T1300Z-20261125T1400Z"
PREFIX = f"merged/{ENDPOINT}/{SLUG}/"
DATA_PREFIX = PREFIX + "data/"  # the analysis job's input: only the dataset
MERGED_KEY = DATA_PREFIX + "merged.parquet"
NOW = END + timedelta(hours=6)
NAMES = adult_schema().feature_names


def traffic(
    n_rows: int,
    *,
    seed: int = 7,
    batch_sizes=(1,),
    with_inference_id=True,
    start=START,
    end=END,
    id_prefix="req",
):
    rows, labels = adult_rows(n_rows)
    outputs = [score(row, NAMES) for row in rows]
    invocations = invocations_from_rows(
        rows,
        outputs,
        start=start,
        end=end,
        rng=random.Random(seed),
        batch_sizes=batch_sizes,
        with_inference_id=with_inference_id,
        id_prefix=id_prefix,
    )
    return rows, labels, outputs, invocations


def upload(s3, invocations, options=None, records_per_file=100, seed=3):
    return write_capture_files(
        s3,
        CAPTURE_URI,
        ENDPOINT,
        VARIANT,
        invocations,
        NAMES,
        options=options,
        records_per_file=records_per_file,
        rng=random.Random(seed),
    )


def upload_labels(s3, invocations, labels, hours_after_end=1, seed=5):
    truth = ground_truth_for(
        invocations, labels, lambda inv: END + timedelta(hours=hours_after_end, minutes=10)
    )
    write_ground_truth_files(s3, GROUND_TRUTH_URI, ENDPOINT, truth, rng=random.Random(seed))
    return truth


def put_lines(s3, key, lines):
    s3.put_object(Bucket=BUCKET, Key=key, Body=("\n".join(lines) + "\n").encode())


def read_table(s3):
    body = s3.get_object(Bucket=BUCKET, Key=MERGED_KEY)["Body"].read()
    return pq.read_table(io.BytesIO(body))


def read_manifest(s3):
    return json.loads(s3.get_object(Bucket=BUCKET, Key=PREFIX + "manifest.json")["Body"].read())


def read_quarantine(s3):
    body = s3.get_object(Bucket=BUCKET, Key=PREFIX + "quarantine.jsonl")["Body"].read()
    return [json.loads(line) for line in body.decode().splitlines()]


def run(s3, config, now=NOW, **execution_input):
    return merge_window(event(**execution_input), config, s3, now)


def test_happy_path_realistic_capture_joins_labels_and_keeps_values(s3, config):
    rows, labels, outputs, invocations = traffic(400, batch_sizes=(1, 1, 1, 4))
    assert any(len(inv.rows) > 1 for inv in invocations)
    known = [label if index % 3 else None for index, label in enumerate(labels)]  # 1/3 pending
    upload(s3, invocations)
    upload_labels(s3, invocations, known)

    result = run(s3, config)

    table = read_table(s3)
    assert table.schema == merged_arrow_schema(adult_schema())
    assert result["merged_row_count"] == table.num_rows == 400
    expected_labeled = sum(label is not None for label in known)
    assert result["labeled_row_count"] == expected_labeled
    assert result["quarantined_line_count"] == 0
    # Row order follows the (time-sorted) capture files, which is the invocation order here.
    ids = [row_id for inv in invocations for row_id in inv.row_ids()]
    assert table["inference_id"].to_pylist() == ids
    assert table["age"].to_pylist() == [float(r[0]) if r[0] is not None else None for r in rows]
    assert table["workclass"].to_pylist() == [r[1] for r in rows]
    assert table["score"].to_pylist() == outputs
    assert table["prediction"].to_pylist() == [int(s >= 0.5) for s in outputs]
    assert table["label"].to_pylist() == known
    times = table["inference_time"].to_pylist()
    assert all(START <= t < END for t in times)
    assert table.schema.field("inference_time").type == pa.timestamp("ms", tz="UTC")
    manifest = read_manifest(s3)
    counts = manifest["counts"]
    assert counts["rows"] == 400 and counts["labeled"] == expected_labeled
    assert counts["unlabeled"] == 400 - expected_labeled
    assert counts["capture_lines"] == counts["records_in_window"] == len(invocations)
    assert manifest["labels_without_capture"]["count"] == 0
    assert manifest["files_read"]["capture"]["count"] == len(invocations) // 100 + (
        1 if len(invocations) % 100 else 0
    )
    assert manifest["empty"] is False and manifest["quarantine_uri"] is None


def test_malformed_lines_are_quarantined_with_reason_source_and_line(s3, config):
    _, _, _, invocations = traffic(3)
    good = [capture_line(inv, NAMES) for inv in invocations]
    wrong_width = json.loads(good[0])
    wrong_width["captureData"]["endpointInput"]["data"] = "39,Private,1234\n"
    wrong_width["eventMetadata"]["inferenceId"] = "short-row"
    key = f"datacapture/{ENDPOINT}/{VARIANT}/2026/11/25/13/10-00-000-bad.jsonl"
    put_lines(
        s3,
        key,
        [
            good[0],
            '{"captureData": {"endpointInput": ',
            good[1],
            json.dumps(wrong_width),
            "",
            good[2],
        ],
    )

    result = run(s3, config)

    assert result["merged_row_count"] == 3
    assert result["quarantined_line_count"] == 2
    entries = read_quarantine(s3)
    assert [(e["line"], e["kind"]) for e in entries] == [(2, "capture"), (4, "capture")]
    assert entries[0]["source"] == f"s3://{BUCKET}/{key}"
    assert entries[0]["reason"].startswith("invalid JSON")
    assert "expected 14 fields" in entries[1]["reason"] and "got 3" in entries[1]["reason"]
    counts = read_manifest(s3)["counts"]
    assert counts["malformed_capture_lines"] == 2 and counts["blank_lines"] == 1


def test_wrong_content_type_and_bad_values_are_quarantined(s3, config):
    _, _, _, invocations = traffic(4)
    npy = json.loads(capture_line(invocations[0], NAMES, PayloadOptions(base64=True)))
    npy["captureData"]["endpointInput"]["observedContentType"] = "application/x-npy"
    xml = json.loads(capture_line(invocations[1], NAMES))
    xml["captureData"]["endpointInput"]["encoding"] = "XML"
    bad_age = json.loads(capture_line(invocations[2], NAMES))
    bad_age["captureData"]["endpointInput"]["data"] = (
        "abc" + bad_age["captureData"]["endpointInput"]["data"][2:]
    )
    bad_score = json.loads(capture_line(invocations[3], NAMES))
    bad_score["captureData"]["endpointOutput"]["data"] = "1.7"
    key = f"datacapture/{ENDPOINT}/{VARIANT}/2026/11/25/13/20-00-000-mixed.jsonl"
    put_lines(s3, key, [json.dumps(r) for r in (npy, xml, bad_age, bad_score)])

    result = run(s3, config)

    assert result["merged_row_count"] == 0 and result["quarantined_line_count"] == 4
    reasons = [e["reason"] for e in read_quarantine(s3)]
    assert "unsupported content type 'application/x-npy'" in reasons[0]
    assert "'XML' is not one of CSV, JSON, BASE64" in reasons[1]
    assert "feature 'age'" in reasons[2] and "is not a number" in reasons[2]
    assert "outside [0, 1]" in reasons[3]


def test_base64_and_json_payloads_give_the_same_rows_as_csv(s3, config):
    _, labels, outputs, invocations = traffic(60, batch_sizes=(1, 3))
    options = [
        PayloadOptions(base64=True),
        PayloadOptions(input_format="json", json_style="instances"),
        PayloadOptions(input_format="json", json_style="instances_lists", output_format="json"),
        PayloadOptions(input_format="json", json_style="rows", base64=True, output_format="json"),
        PayloadOptions(input_format="json", json_style="objects", output_separator=","),
    ]
    for index, option in enumerate(options):
        upload(s3, invocations[index :: len(options)], option, seed=index)
    upload_labels(s3, invocations, labels)
    run(s3, config)
    mixed = read_table(s3).sort_by("inference_id")

    s3.delete_objects(
        Bucket=BUCKET,
        Delete={
            "Objects": [
                {"Key": o["Key"]}
                for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="datacapture/")["Contents"]
            ]
        },
    )
    upload(s3, invocations)
    run(s3, config)
    plain = read_table(s3).sort_by("inference_id")

    assert mixed.num_rows == 60
    assert mixed.equals(plain)
    assert sorted(mixed["score"].to_pylist()) == sorted(outputs)


def test_batched_requests_get_row_indexed_ids_and_comma_separated_outputs(s3, config):
    _, labels, outputs, invocations = traffic(12, batch_sizes=(4,))
    upload(s3, invocations, PayloadOptions(output_separator=","))
    upload_labels(s3, invocations, labels)

    result = run(s3, config)

    table = read_table(s3)
    assert result["merged_row_count"] == 12 and result["labeled_row_count"] == 12
    assert table["inference_id"].to_pylist()[:4] == [f"req-00000000:{i}" for i in range(4)]
    assert table["event_id"].to_pylist()[:4] == [invocations[0].event_id] * 4
    assert table["label"].to_pylist() == labels
    assert table["score"].to_pylist() == outputs


def test_output_count_not_matching_batched_rows_is_quarantined(s3, config):
    _, _, _, invocations = traffic(3, batch_sizes=(3,))
    record = json.loads(capture_line(invocations[0], NAMES))
    record["captureData"]["endpointOutput"]["data"] = "0.1\n0.2"
    put_lines(s3, f"datacapture/{ENDPOINT}/{VARIANT}/2026/11/25/13/x.jsonl", [json.dumps(record)])
    result = run(s3, config)
    assert result["quarantined_line_count"] == 1
    assert "2 values for 3 input rows" in read_quarantine(s3)[0]["reason"]


def test_event_id_matching_without_inference_id(s3, config):
    _, labels, _, invocations = traffic(30, with_inference_id=False, batch_sizes=(1, 2))
    assert all(inv.inference_id is None for inv in invocations)
    upload(s3, invocations)
    upload_labels(s3, invocations, labels)

    result = run(s3, config)

    table = read_table(s3)
    assert result["labeled_row_count"] == 30
    first = invocations[0]
    assert table["inference_id"].to_pylist()[0] == first.row_ids()[0]
    assert first.row_ids()[0].startswith(first.event_id)
    assert table["label"].to_pylist() == labels


def test_labels_for_unknown_ids_and_duplicates_are_counted(s3, config):
    _, labels, _, invocations = traffic(20)
    upload(s3, invocations)
    # The same request id captured twice (first capture wins).
    repeat = Invocation(
        rows=invocations[0].rows,
        outputs=[0.99],
        inference_time=invocations[0].inference_time + timedelta(seconds=1),
        event_id="evt-repeat",
        inference_id=invocations[0].inference_id,
    )
    upload(s3, [repeat], seed=11)
    truth = upload_labels(s3, invocations, labels)
    first_id = truth[0].event_id
    flipped = 1 - truth[0].label
    write_ground_truth_files(
        s3,
        GROUND_TRUTH_URI,
        ENDPOINT,
        [
            GroundTruth(first_id, flipped, END + timedelta(hours=2)),  # later: last label wins
            GroundTruth("nobody-1", 1, END + timedelta(hours=2)),
            GroundTruth("nobody-2", 0, END + timedelta(hours=2)),
        ],
        rng=random.Random(9),
    )

    result = run(s3, config)

    table = read_table(s3)
    assert result["merged_row_count"] == 20
    assert table["event_id"].to_pylist()[0] == invocations[0].event_id
    assert table["score"].to_pylist()[0] != 0.99
    assert table["label"].to_pylist()[0] == flipped
    manifest = read_manifest(s3)
    assert manifest["duplicate_capture_ids"] == {"count": 1, "sample": [first_id]}
    assert manifest["duplicate_labels"] == {"count": 1, "sample": [first_id]}
    assert manifest["labels_without_capture"] == {"count": 2, "sample": ["nobody-1", "nobody-2"]}


def test_malformed_label_lines_are_quarantined(s3, config):
    _, labels, _, invocations = traffic(2)
    upload(s3, invocations)
    key = f"ground-truth/{ENDPOINT}/2026/11/25/15/labels.jsonl"
    put_lines(
        s3,
        key,
        [
            ground_truth_line(invocations[0].key, labels[0]),
            "not json",
            ground_truth_line(invocations[1].key, 7),
        ],
    )
    result = run(s3, config)
    assert result["labeled_row_count"] == 1 and result["quarantined_line_count"] == 2
    entries = read_quarantine(s3)
    assert [(e["kind"], e["line"]) for e in entries] == [("label", 2), ("label", 3)]
    assert "'7' is not 0 or 1" in entries[1]["reason"]


def test_empty_window_writes_an_empty_valid_parquet(s3, config):
    result = run(s3, config)
    table = read_table(s3)
    assert result["merged_row_count"] == 0 and result["labeled_row_count"] == 0
    assert table.num_rows == 0
    assert table.schema == merged_arrow_schema(adult_schema())
    manifest = read_manifest(s3)
    assert manifest["empty"] is True and manifest["files_read"]["capture"]["count"] == 0


def test_labels_arriving_in_later_hour_folders_are_joined(s3, config):
    _, labels, _, invocations = traffic(30)
    upload(s3, invocations)
    upload_labels(s3, invocations[:10], labels[:10], hours_after_end=0)
    upload_labels(s3, invocations[10:20], labels[10:20], hours_after_end=30, seed=6)
    upload_labels(s3, invocations[20:], labels[20:], hours_after_end=71, seed=8)
    early = run(s3, config, now=END + timedelta(hours=2))
    assert early["labeled_row_count"] == 10
    manifest = read_manifest(s3)
    assert manifest["label_cutoff"] == "2026-11-25T16:00:00Z"
    assert manifest["labels_past_lag"]["scanned_hours"] == {"from": None, "to": None}
    late = run(s3, config, now=END + timedelta(hours=80))
    assert late["labeled_row_count"] == 30
    assert read_manifest(s3)["label_cutoff"] == "2026-11-28T14:00:00Z"


def test_labels_past_the_lag_are_ignored_and_counted(s3):
    config = MergeConfig.from_env(
        {"LABEL_LAG_HOURS": "2"}, data_bucket=BUCKET, default_endpoint_name=ENDPOINT
    )
    _, labels, _, invocations = traffic(10)
    upload(s3, invocations)
    upload_labels(s3, invocations[:6], labels[:6], hours_after_end=1)
    upload_labels(s3, invocations[6:], labels[6:], hours_after_end=5, seed=6)

    result = run(s3, config, now=END + timedelta(hours=12))

    assert result["labeled_row_count"] == 6
    late = read_manifest(s3)["labels_past_lag"]
    assert late["count"] == 4
    assert late["sample"] == [inv.key for inv in invocations[6:]]
    assert late["scanned_hours"] == {"from": "2026-11-25T16:00:00Z", "to": "2026-11-26T02:00:00Z"}


def test_only_window_folders_are_listed_and_records_are_filtered_by_time(s3):
    config = MergeConfig.from_env(
        {"WINDOW_MINUTES": "30"}, data_bucket=BUCKET, default_endpoint_name=ENDPOINT
    )
    _, _, _, invocations = traffic(
        40, start=START - timedelta(minutes=30), end=END + timedelta(minutes=30)
    )
    upload(s3, invocations)
    result = run(s3, config, window_start="2026-11-25T13:30:00Z", window_end="2026-11-25T14:00:00Z")
    table = pq.read_table(
        io.BytesIO(
            s3.get_object(
                Bucket=BUCKET,
                Key=f"merged/{ENDPOINT}/20261125T1330Z-20261125T1400Z/data/merged.parquet",
            )["Body"].read()
        )
    )
    inside = [
        inv for inv in invocations if START + timedelta(minutes=30) <= inv.inference_time < END
    ]
    in_hour_13 = [inv for inv in invocations if inv.inference_time.hour == 13]
    assert result["merged_row_count"] == len(inside) == table.num_rows > 0
    manifest = json.loads(
        s3.get_object(
            Bucket=BUCKET, Key=f"merged/{ENDPOINT}/20261125T1330Z-20261125T1400Z/manifest.json"
        )["Body"].read()
    )
    assert manifest["counts"]["capture_lines"] == len(in_hour_13)
    assert manifest["counts"]["records_outside_window"] == len(in_hour_13) - len(inside)


def test_rerun_is_idempotent_and_clears_a_stale_quarantine(s3, config):
    _, labels, _, invocations = traffic(50, batch_sizes=(1, 2))
    upload(s3, invocations)
    upload_labels(s3, invocations, labels)
    bad_key = f"datacapture/{ENDPOINT}/{VARIANT}/2026/11/25/13/zz-bad.jsonl"
    put_lines(s3, bad_key, ["{oops"])
    first = run(s3, config)
    first_bytes = s3.get_object(Bucket=BUCKET, Key=MERGED_KEY)["Body"].read()
    assert first["quarantined_line_count"] == 1

    first_manifest = s3.get_object(Bucket=BUCKET, Key=PREFIX + "manifest.json")["Body"].read()

    second = run(s3, config)
    second_bytes = s3.get_object(Bucket=BUCKET, Key=MERGED_KEY)["Body"].read()
    second_manifest = s3.get_object(Bucket=BUCKET, Key=PREFIX + "manifest.json")["Body"].read()
    assert second == first and second_bytes == first_bytes
    assert second_manifest == first_manifest
    table = read_table(s3)
    assert table.num_rows == 50
    assert len(set(table["inference_id"].to_pylist())) == 50
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=PREFIX)["Contents"]]
    assert sorted(keys) == [
        PREFIX + n for n in ("data/merged.parquet", "manifest.json", "quarantine.jsonl")
    ]

    s3.delete_object(Bucket=BUCKET, Key=bad_key)
    third = run(s3, config)
    assert third["quarantined_line_count"] == 0
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=PREFIX)["Contents"]]
    assert PREFIX + "quarantine.jsonl" not in keys


def test_the_merged_data_prefix_holds_only_the_dataset(s3, config):
    _, labels, _, invocations = traffic(20)
    upload(s3, invocations)
    upload_labels(s3, invocations, labels)
    put_lines(s3, f"datacapture/{ENDPOINT}/{VARIANT}/2026/11/25/13/zz-bad.jsonl", ["{oops"])

    result = run(s3, config)

    assert result["merged_data_uri"] == f"s3://{BUCKET}/{DATA_PREFIX}"
    assert result["manifest_uri"] == f"s3://{BUCKET}/{PREFIX}manifest.json"
    assert result["quarantined_line_count"] == 1  # so a quarantine file exists, beside the data
    data = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=DATA_PREFIX)["Contents"]]
    assert data == [MERGED_KEY]
    manifest = read_manifest(s3)
    assert manifest["merged_parquet_uri"] == f"s3://{BUCKET}/{MERGED_KEY}"
    assert manifest["quarantine_uri"] == f"s3://{BUCKET}/{PREFIX}quarantine.jsonl"
    assert "merged_uri" not in manifest


def test_a_rerun_removes_the_parquet_of_the_earlier_layout(s3, config):
    # Before manifest version 2 the Parquet sat beside the manifest; the retraining channel
    # reads all of merged/{endpoint}/, so a window must not be there twice.
    _, _, _, invocations = traffic(10)
    upload(s3, invocations)
    s3.put_object(Bucket=BUCKET, Key=PREFIX + "merged.parquet", Body=b"old layout")
    run(s3, config)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=PREFIX)["Contents"]]
    assert sorted(keys) == [MERGED_KEY, PREFIX + "manifest.json"]
    assert read_manifest(s3)["manifest_version"] == 2


def test_a_failed_run_leaves_earlier_results_intact(s3, config):
    _, _, _, invocations = traffic(10)
    upload(s3, invocations)
    run(s3, config)
    before = s3.get_object(Bucket=BUCKET, Key=MERGED_KEY)["Body"].read()
    put_schema(s3, {"features": []})  # a broken schema makes the next run fail
    with pytest.raises(BaselineSchemaError, match="'features' must be a non-empty list"):
        run(s3, config)
    after = s3.get_object(Bucket=BUCKET, Key=MERGED_KEY)["Body"].read()
    assert after == before


def test_missing_schema_is_a_clear_error(s3, config):
    s3.delete_object(Bucket=BUCKET, Key=f"baselines/{ENDPOINT}/schema.json")
    with pytest.raises(
        BaselineSchemaError, match=f"s3://{BUCKET}/baselines/{ENDPOINT}/schema.json: cannot read"
    ):
        run(s3, config)


def test_class_only_output_format(s3, config):
    document = schema_dict() | {"output_format": "class"}
    put_schema(s3, document)
    rows, _, _, _ = traffic(6)
    classes = [1, 0, 1, 1, 0, 0]
    invocations = invocations_from_rows(rows, classes, start=START, end=END, rng=random.Random(1))
    upload(s3, invocations, PayloadOptions(class_output=True, output_format="json"))
    run(s3, config)
    table = read_table(s3)
    assert "score" not in table.column_names
    assert table["prediction"].to_pylist() == classes


@pytest.mark.parametrize(
    ("execution_input", "message"),
    [
        (
            {"window_start": "2026-11-25T13:00:00Z", "window_end": "yesterday"},
            "input.window_end: 'yesterday' is not an ISO-8601 time",
        ),
        (
            {"window_start": "2026-11-25T14:00:00Z", "window_end": "2026-11-25T13:00:00Z"},
            "must be after input.window_start",
        ),
        ({"endpoint_name": "bad_name!"}, "'bad_name!' is not a valid SageMaker name"),
        ({"window_start": "2026-11-25T13:00:30Z"}, "must be a whole minute"),
    ],
)
def test_invalid_execution_input_is_rejected_before_reading(s3, config, execution_input, message):
    with pytest.raises(MergeInputError, match=message):
        run(s3, config, **execution_input)


def test_base64_payload_with_charset_is_decoded(s3, config):
    _, _, _, invocations = traffic(1)
    record = json.loads(capture_line(invocations[0], NAMES))
    text = record["captureData"]["endpointInput"]["data"]
    record["captureData"]["endpointInput"] |= {
        "observedContentType": "text/csv; charset=latin-1",
        "encoding": "BASE64",
        "data": base64.b64encode(text.encode("latin-1")).decode(),
    }
    put_lines(s3, f"datacapture/{ENDPOINT}/{VARIANT}/2026/11/25/13/b64.jsonl", [json.dumps(record)])
    assert run(s3, config)["merged_row_count"] == 1
