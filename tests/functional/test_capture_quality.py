"""Monitoring never goes dark silently: full offline executions of the deployed state machine.

A client that starts sending one extra column has every capture record quarantined: the window
ends in ``NothingMergeable`` with a notification that says how many and why, and the window's
earlier good merge and report are kept (``merged/{ep}/{slug}/previous/{run_id}/``). A column
added mid-window (about half the records quarantined) raises ``capture_quality_check`` and
notifies. A re-run that merges fewer rows keeps the earlier merge and says so.
"""

from __future__ import annotations

import io
import json
from datetime import datetime

import pyarrow.parquet as pq
import pytest

from workflow.offline import demo, engine
from workflow.offline.run import run_demo
from workflow.offline.stack import read_notifications

pytestmark = pytest.mark.slow

ENDPOINT = "adult-income"


def _capture_keys(s3, bucket: str, hour: datetime) -> list[str]:
    """The capture objects of the hour folder of ``hour`` (each demo window is one hour)."""
    prefix = f"datacapture/{ENDPOINT}/AllTraffic/{hour:%Y/%m/%d/%H}/"
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


def _add_a_column(s3, bucket: str, since: datetime, until: datetime) -> int:
    """Append one CSV field to every capture record inferred in ``[since, until)``."""
    changed = 0
    for key in _capture_keys(s3, bucket, since):
        lines = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode().splitlines()
        out = []
        for line in lines:
            record = json.loads(line)
            when = datetime.fromisoformat(record["eventMetadata"]["inferenceTime"])
            if since <= when < until:
                payload = record["captureData"]["endpointInput"]
                rows = payload["data"].splitlines()
                payload["data"] = "".join(f"{row},new-field\n" for row in rows)
                changed += 1
            out.append(json.dumps(record))
        s3.put_object(Bucket=bucket, Key=key, Body=("\n".join(out) + "\n").encode())
    return changed


def _get(s3, bucket: str, uri_or_key: str) -> bytes:
    key = uri_or_key.split("/", 3)[3] if uri_or_key.startswith("s3://") else uri_or_key
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def _keys_under(s3, bucket: str, prefix: str) -> list[str]:
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    return sorted(o["Key"][len(prefix) :] for o in listed)


def _assert_counts_add_up(manifest: dict) -> None:
    counts, quality = manifest["counts"], manifest["capture_quality"]
    assert quality["records_read"] == counts["capture_lines"]
    assert (
        counts["records_in_window"]
        + counts["records_outside_window"]
        + quality["records_quarantined"]
        == counts["capture_lines"]
    )
    assert quality["records_quarantined"] == counts["malformed_capture_lines"]


PLAN = (
    demo.WindowPlan("healthy traffic; the client then adds a column", 300),
    demo.WindowPlan("healthy traffic; a column appears mid-window", 300),
    demo.WindowPlan("healthy traffic; a third of its capture then goes missing", 300),
)


def _run(session, stack, window, name: str) -> dict:
    """One execution of ``window``: its result, notifications and a view of S3 right after."""
    result = engine.run_execution(
        session, stack.state_machine_arn, window.execution_input(ENDPOINT), name=name
    )
    return {"result": result, "notifications": read_notifications(session, stack)}


def _report_objects(s3, bucket: str, merge: dict) -> dict[str, bytes]:
    prefix = merge["report_uri"].split("/", 3)[3]
    return {name: _get(s3, bucket, prefix + name) for name in _keys_under(s3, bucket, prefix)}


def _schema_change(session, stack, window, seen: dict) -> None:
    s3 = session.client("s3")
    good = _run(session, stack, window, "schema-good")
    merge = good["result"].output["merge"]
    seen["first"] = merge
    seen["parquet"] = _get(s3, stack.bucket, merge["merged_data_uri"] + "merged.parquet")
    seen["report"] = _report_objects(s3, stack.bucket, merge)
    seen["changed"] = _add_a_column(s3, stack.bucket, since=window.start, until=window.end)
    seen["rerun"] = _run(session, stack, window, "schema-changed")
    rerun = seen["rerun"]["result"].output["merge"]
    kept_prefix = rerun["superseded"]["kept_uri"].split("/", 3)[3]
    seen["kept"] = {
        name: _get(s3, stack.bucket, kept_prefix + name)
        for name in _keys_under(s3, stack.bucket, kept_prefix)
    }
    seen["manifest"] = json.loads(_get(s3, stack.bucket, rerun["manifest_uri"]))
    seen["report_after"] = _report_objects(s3, stack.bucket, rerun)
    window_prefix = f"merged/{ENDPOINT}/{rerun['window']['slug']}/"
    seen["window_objects"] = _keys_under(s3, stack.bucket, window_prefix)


def _mid_window_column(session, stack, window, seen: dict) -> None:
    s3 = session.client("s3")
    middle = window.start + (window.end - window.start) / 2
    seen["changed"] = _add_a_column(s3, stack.bucket, since=middle, until=window.end)
    seen["run"] = _run(session, stack, window, "mid-window")
    merge = seen["run"]["result"].output["merge"]
    seen["manifest"] = json.loads(_get(s3, stack.bucket, merge["manifest_uri"]))


def _lost_file(session, stack, window, seen: dict) -> None:
    s3 = session.client("s3")
    full = _run(session, stack, window, "full")
    seen["first"] = full["result"].output["merge"]
    seen["parquet"] = _get(s3, stack.bucket, seen["first"]["merged_data_uri"] + "merged.parquet")
    [key] = _capture_keys(s3, stack.bucket, window.start)  # the demo writes one file an hour
    lines = _get(s3, stack.bucket, key).decode().splitlines()
    kept_lines = lines[: len(lines) * 2 // 3]  # the rest was lost (say, a bad upload)
    s3.put_object(Bucket=stack.bucket, Key=key, Body=("\n".join(kept_lines) + "\n").encode())
    seen["rerun"] = _run(session, stack, window, "file-lost")
    kept = seen["rerun"]["result"].output["merge"]["superseded"]
    seen["kept_parquet"] = _get(
        s3, stack.bucket, kept["kept_uri"].split("/", 3)[3] + "merged.parquet.kept"
    )


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory):
    seen: dict[int, dict] = {0: {}, 1: {}, 2: {}}
    starts: list[datetime] = []

    def hook(session, stack, window):
        starts.append(window.start)
        index = len(starts) - 1
        (_schema_change, _mid_window_column, _lost_file)[index](session, stack, window, seen[index])

    reports = run_demo(
        tmp_path_factory.mktemp("capture-quality"), out=io.StringIO(), plan=PLAN, before_window=hook
    )
    return seen, reports


def test_a_schema_change_on_rerun_is_nothing_mergeable_and_keeps_the_earlier_merge(scenarios):
    seen, reports = scenarios
    seen = seen[0]
    first = seen["first"]
    assert first["merged_row_count"] > 0 and first["outcome"] == "merged"
    records = first["capture_record_count"]
    assert seen["changed"] == records

    # A loud, distinct end state: not NoDataRecorded, no analysis.
    result = seen["rerun"]["result"]
    assert result.status == "SUCCEEDED"
    assert result.path[-3:] == ["HasData", "NotifyNothingMergeable", "NothingMergeable"]
    assert "Analyse" not in result.path
    merge = result.output["merge"]
    assert merge["outcome"] == "nothing_mergeable"
    assert merge["merged_row_count"] == 0
    assert merge["capture_record_count"] == merge["quarantined_record_count"] == records
    assert merge["quarantined_share"] == 1.0
    [reason] = merge["quarantine_reasons"]
    assert reason["count"] == records and "fields" in reason["reason"]

    [note] = seen["rerun"]["notifications"]
    assert note["subject"].startswith(f"Drift: {ENDPOINT} ")
    assert note["subject"].endswith("-> nothing mergeable")
    text = note["message"]
    assert f"All {records} capture records read in this window were quarantined" in text
    assert f"{records} x {reason['reason']}" in text
    kept = merge["superseded"]
    assert kept["run_id"] == first["run_id"]
    assert kept["merged_row_count"] == first["merged_row_count"]
    assert kept["kept_uri"] in text and "was not replaced" in text

    # S3: the earlier merge and report are kept, both recorded in the manifest.
    assert kept["kept_uri"].endswith(f"/previous/{first['run_id']}/")
    assert seen["kept"]["merged.parquet.kept"] == seen["parquet"]
    assert pq.read_table(io.BytesIO(seen["parquet"])).num_rows == first["merged_row_count"]
    kept_report = {
        name[len("report/") :]: body
        for name, body in seen["kept"].items()
        if name.startswith("report/")
    }
    assert kept_report == seen["report"] and "constraint_violations.json" in kept_report
    assert seen["report_after"] == seen["report"]  # no analysis ran: the report is untouched
    assert json.loads(seen["kept"]["manifest.json"])["run_id"] == first["run_id"]

    manifest = seen["manifest"]
    [entry] = manifest["superseded"]
    assert entry["run_id"] == first["run_id"]
    assert entry["merged_row_count"] == first["merged_row_count"]
    assert entry["replaced_by_run_id"] == merge["run_id"]
    assert entry["replaced_with_row_count"] == 0
    assert manifest["counts"]["rows"] == 0
    _assert_counts_add_up(manifest)
    # The retraining channel reads every *.parquet under merged/{endpoint}/: only data/ has one.
    parquet = [k for k in seen["window_objects"] if k.endswith(".parquet")]
    assert parquet == ["data/merged.parquet"]

    # The demo's own execution re-runs the changed window: the same loud outcome again.
    assert reports[0].outcome == "nothing mergeable"
    assert reports[0].merge["superseded"] is None  # nothing left to keep (0 rows -> 0 rows)


def test_a_column_added_mid_window_notifies_with_the_capture_quality_check(scenarios):
    seen, reports = scenarios
    seen = seen[1]
    result = seen["run"]["result"]
    merge = result.output["merge"]
    assert result.status == "SUCCEEDED"
    assert merge["outcome"] == "merged" and merge["merged_row_count"] > 0
    assert merge["quarantined_record_count"] == seen["changed"]
    share = merge["quarantined_share"]
    assert 0.3 < share < 0.7, share
    assert "Analyse" in result.path
    evaluation = result.output["evaluation"]
    assert evaluation["decision"] == "notify", evaluation["reasons"]
    [capture_reason] = [r for r in evaluation["reasons"] if r.startswith("capture_quality_check:")]
    records = merge["capture_record_count"]
    assert f"{seen['changed']} of {records} capture records quarantined" in capture_reason
    assert "MAX_QUARANTINED_SHARE=0.05" in capture_reason
    assert "expected" in capture_reason and "fields" in capture_reason
    [note] = seen["run"]["notifications"]
    assert note["subject"].endswith("-> notify")
    assert capture_reason in note["message"]
    assert f"Quarantined:        {seen['changed']} of {records} capture records" in note["message"]
    _assert_counts_add_up(seen["manifest"])
    assert seen["manifest"]["superseded"] == []
    # Re-running the unchanged window: same rows, nothing superseded, same decision.
    assert reports[1].outcome == "notify"
    assert reports[1].merge["merged_row_count"] == merge["merged_row_count"]
    assert reports[1].merge["superseded"] is None


def test_a_rerun_with_fewer_rows_keeps_the_earlier_merge_and_says_so(scenarios):
    seen, _ = scenarios
    seen = seen[2]
    first, merge = seen["first"], seen["rerun"]["result"].output["merge"]
    assert 0 < merge["merged_row_count"] < first["merged_row_count"]
    kept = merge["superseded"]
    assert kept["run_id"] == first["run_id"]
    assert kept["merged_row_count"] == first["merged_row_count"]
    assert seen["kept_parquet"] == seen["parquet"]
    evaluation = seen["rerun"]["result"].output["evaluation"]
    assert evaluation["decision"] == "notify", evaluation["reasons"]
    [note] = seen["rerun"]["notifications"]
    assert (
        f"this re-run merged {merge['merged_row_count']} rows, fewer than the "
        f"{first['merged_row_count']} of the earlier merge (run {first['run_id']}"
    ) in note["message"]
    assert kept["kept_uri"] in note["message"]
