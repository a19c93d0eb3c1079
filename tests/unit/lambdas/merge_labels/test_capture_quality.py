"""Capture quality in the merge: reasons and shares, the loud nothing_mergeable outcome, and
re-runs that keep the earlier merge when they would write fewer rows."""

from __future__ import annotations

import json
from datetime import timedelta

from merge_labels import app
from merge_labels.quarantine import Quarantine, reason_key
from tests.unit.lambdas.merge_labels.helpers import BUCKET, ENDPOINT, VARIANT, event
from tests.unit.lambdas.merge_labels.test_app import (  # noqa: F401 (autouse fixture)
    CONTEXT,
    ENV,
    emf_documents,
    fresh_powertools_logger,
)
from tests.unit.lambdas.merge_labels.test_merge import (
    MERGED_KEY,
    NAMES,
    NOW,
    PREFIX,
    START,
    put_lines,
    read_manifest,
    read_table,
    run,
    traffic,
    upload,
    upload_labels,
)
from workflow.offline.capture_writer import capture_line

HOUR_FOLDER = f"datacapture/{ENDPOINT}/{VARIANT}/2026/11/25/13/"
REPORT = f"reports/{ENDPOINT}/20261125T1300Z-20261125T1400Z/"


def _lines(invocations, extra_column_from: int | None = None) -> list[str]:
    lines = []
    for index, invocation in enumerate(invocations):
        record = json.loads(capture_line(invocation, NAMES))
        if extra_column_from is not None and index >= extra_column_from:
            payload = record["captureData"]["endpointInput"]
            payload["data"] = "".join(f"{row},x\n" for row in payload["data"].splitlines())
        lines.append(json.dumps(record))
    return lines


def _assert_counts_add_up(manifest: dict) -> None:
    counts, quality = manifest["counts"], manifest["capture_quality"]
    assert quality["records_read"] == counts["capture_lines"]
    assert quality["records_quarantined"] == counts["malformed_capture_lines"]
    assert (
        counts["records_in_window"]
        + counts["records_outside_window"]
        + quality["records_quarantined"]
        == counts["capture_lines"]
    )


def test_reason_keys_blank_positions_and_rank_by_count():
    assert reason_key("endpointInput row 3: expected 14 fields") == (
        "endpointInput row N: expected 14 fields"
    )
    quarantine = Quarantine()
    for row in range(3):
        quarantine.add("capture", "s3://b/k", row, f"endpointInput row {row}: bad", "x")
    quarantine.add("capture", "s3://b/k", 9, "invalid JSON: oops", "x")
    quarantine.add("label", "s3://b/l", 1, "label 'maybe' is not 0/1", "x")
    assert quarantine.top_reasons(kind="capture") == [
        {"kind": "capture", "reason": "endpointInput row N: bad", "count": 3},
        {"kind": "capture", "reason": "invalid JSON: oops", "count": 1},
    ]
    assert len(quarantine.top_reasons()) == 3
    quarantine.close()


def test_share_reasons_and_counts_of_a_window_with_a_column_added_midway(s3, config):
    _, _, _, invocations = traffic(40)
    put_lines(s3, HOUR_FOLDER + "00-00-000-a.jsonl", _lines(invocations, extra_column_from=19))

    result = run(s3, config)

    assert result["outcome"] == "merged"
    assert result["merged_row_count"] == 19
    assert result["capture_record_count"] == 40
    assert result["quarantined_record_count"] == 21
    assert result["quarantined_share"] == 0.525
    [reason] = result["quarantine_reasons"]
    assert reason["kind"] == "capture" and reason["count"] == 21
    assert "expected 14 fields" in reason["reason"] and "got 15" in reason["reason"]
    assert result["alert"] is None and result["superseded"] is None
    manifest = read_manifest(s3)
    assert manifest["capture_quality"]["quarantined_share"] == 0.525
    assert manifest["capture_quality"]["top_reasons"] == result["quarantine_reasons"]
    _assert_counts_add_up(manifest)


def test_records_outside_the_window_count_in_the_invariant(s3, config):
    _, _, _, inside = traffic(10)
    _, _, _, outside = traffic(
        5, start=START - timedelta(hours=1), end=START, id_prefix="early", seed=2
    )
    late_folder = f"datacapture/{ENDPOINT}/{VARIANT}/2026/11/25/13/"
    put_lines(s3, late_folder + "x.jsonl", _lines(inside, extra_column_from=7) + _lines(outside))

    result = run(s3, config)

    manifest = read_manifest(s3)
    assert manifest["counts"]["records_outside_window"] == 5
    assert result["capture_record_count"] == 15 and result["quarantined_record_count"] == 3
    _assert_counts_add_up(manifest)


def test_a_window_whose_records_are_all_rejected_is_nothing_mergeable(s3, config):
    _, _, _, invocations = traffic(12)
    put_lines(s3, HOUR_FOLDER + "00-00-000-a.jsonl", _lines(invocations, extra_column_from=0))

    result = run(s3, config)

    assert result["outcome"] == "nothing_mergeable"
    assert result["merged_row_count"] == 0 and result["quarantined_share"] == 1.0
    alert = result["alert"]
    assert alert["subject"] == f"Drift: {ENDPOINT} 2026-11-25 13:00-14:00 -> nothing mergeable"
    assert "All 12 capture records read in this window were quarantined" in alert["message"]
    assert "  - 12 x endpointInput row N: expected 14 fields" in alert["message"]
    assert f"s3://{BUCKET}/{PREFIX}quarantine.jsonl" in alert["message"]
    assert "Earlier data" not in alert["message"]  # there was no earlier merge


def test_an_empty_window_stays_no_data(s3, config):
    result = run(s3, config)
    assert result["outcome"] == "no_data" and result["alert"] is None
    assert result["capture_record_count"] == 0 and result["quarantined_share"] == 0.0


def test_a_smaller_rerun_keeps_the_earlier_merge_manifest_and_report(s3, config):
    _, labels, _, invocations = traffic(30)
    upload(s3, invocations)
    upload_labels(s3, invocations, labels)
    first = run(s3, config, execution_name="first")
    first_parquet = s3.get_object(Bucket=BUCKET, Key=MERGED_KEY)["Body"].read()
    first_manifest = s3.get_object(Bucket=BUCKET, Key=PREFIX + "manifest.json")["Body"].read()
    s3.put_object(Bucket=BUCKET, Key=REPORT + "constraint_violations.json", Body=b"{}")
    s3.put_object(Bucket=BUCKET, Key=REPORT + "report.html", Body=b"<html/>")
    for key in [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]:
        if key.startswith("datacapture/"):
            s3.delete_object(Bucket=BUCKET, Key=key)
    put_lines(s3, HOUR_FOLDER + "00-00-000-a.jsonl", _lines(invocations[:10]))

    second = run(s3, config, execution_name="second")

    assert second["merged_row_count"] == 10 and second["outcome"] == "merged"
    kept_prefix = f"{PREFIX}previous/{first['run_id']}/"
    assert second["superseded"] == {
        "run_id": first["run_id"],
        "merged_at": read_manifest_at(s3, kept_prefix)["merged_at"],
        "merged_row_count": 30,
        "labeled_row_count": 30,
        "kept_uri": f"s3://{BUCKET}/{kept_prefix}",
    }
    body = s3.get_object(Bucket=BUCKET, Key=kept_prefix + "merged.parquet.kept")["Body"].read()
    assert body == first_parquet
    kept_manifest = s3.get_object(Bucket=BUCKET, Key=kept_prefix + "manifest.json")["Body"]
    assert kept_manifest.read() == first_manifest
    assert s3.get_object(Bucket=BUCKET, Key=kept_prefix + "report/report.html")["Body"].read() == (
        b"<html/>"
    )
    assert read_table(s3).num_rows == 10
    manifest = read_manifest(s3)
    [entry] = manifest["superseded"]
    assert entry["run_id"] == first["run_id"] and entry["replaced_by_run_id"] == second["run_id"]
    assert entry["merged_row_count"] == 30 and entry["replaced_with_row_count"] == 10
    assert entry["report_objects_kept"] == 2

    # A re-run of the unchanged (smaller) window keeps nothing more and stays idempotent.
    third_manifest_before = s3.get_object(Bucket=BUCKET, Key=PREFIX + "manifest.json")["Body"]
    third_before = third_manifest_before.read()
    third = run(s3, config, execution_name="second")
    assert third["superseded"] is None
    after = s3.get_object(Bucket=BUCKET, Key=PREFIX + "manifest.json")["Body"].read()
    assert after == third_before  # the superseded list is carried over unchanged
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=PREFIX + "previous/")["Contents"]
    assert len({o["Key"].split("/")[4] for o in listed}) == 1


def test_a_rerun_with_as_many_rows_keeps_nothing(s3, config):
    _, labels, _, invocations = traffic(20)
    upload(s3, invocations)
    run(s3, config, execution_name="first")
    upload_labels(s3, invocations, labels)
    second = run(s3, config, execution_name="second")
    assert second["superseded"] is None
    assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET, Prefix=PREFIX + "previous/")
    assert read_manifest(s3)["superseded"] == []


def read_manifest_at(s3, prefix: str) -> dict:
    return json.loads(s3.get_object(Bucket=BUCKET, Key=prefix + "manifest.json")["Body"].read())


def test_the_handler_emits_the_quarantined_share_and_records(s3, capsys):
    _, _, _, invocations = traffic(8)
    put_lines(s3, HOUR_FOLDER + "00-00-000-a.jsonl", _lines(invocations, extra_column_from=6))
    handler = app.build_handler(ENV, s3=s3, clock=lambda: NOW)

    handler(event(execution_name="metrics"), CONTEXT)

    [document] = [d for d in emf_documents(capsys.readouterr().out) if "QuarantinedShare" in d]
    assert document["QuarantinedShare"] in (0.25, [0.25])
    assert document["QuarantinedRecords"] in (2.0, [2.0])
    assert document["Endpoint"] == ENDPOINT and document["service"] == "merge_labels"
    [directive] = document["_aws"]["CloudWatchMetrics"]
    assert directive["Dimensions"] == [["Endpoint", "service"]]
