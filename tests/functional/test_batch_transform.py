"""A batch transform job's capture goes through the deployed state machine like endpoint capture.

The demo hour is scored by one transform job with ``DataCaptureConfig`` (manifests under
``datacapture/{endpoint}/batch-transform/``, ``GenerateInferenceId`` on); the merge reads it
(``CAPTURE_SOURCE`` default ``auto``), joins the labels that have arrived on the inference
ids, and the analysis and evaluation run unchanged.
"""

from __future__ import annotations

import io
import json

import pyarrow.parquet as pq
import pytest

from tests.functional.demo_stack import deployed_demo_hour
from workflow.offline import demo
from workflow.offline.engine import run_execution

pytestmark = pytest.mark.slow

JOB_WINDOW = demo.WindowPlan("one batch transform job", 300, source="batch_transform")


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    work = tmp_path_factory.mktemp("batch-transform")
    with deployed_demo_hour(work, JOB_WINDOW) as (session, stack, window):
        result = run_execution(
            session, stack.state_machine_arn, window.execution_input("adult-income"), name="batch"
        )
        s3 = session.client("s3")

        def get(uri: str) -> bytes:
            bucket, _, key = uri[len("s3://") :].partition("/")
            return s3.get_object(Bucket=bucket, Key=key)["Body"].read()

        merge = result.output["merge"]
        yield {
            "result": result,
            "window": window,
            "manifest": json.loads(get(merge["manifest_uri"])),
            "statistics": json.loads(get(merge["report_uri"] + "statistics.json")),
            "endpoint_capture": s3.list_objects_v2(
                Bucket=stack.bucket, Prefix="datacapture/adult-income/AllTraffic/"
            ).get("KeyCount", 0),
            "table": pq.read_table(io.BytesIO(get(merge["merged_data_uri"] + "merged.parquet"))),
        }


def test_the_batch_window_is_merged_analysed_and_evaluated(executed):
    result, window = executed["result"], executed["window"]
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert "Analyse" in result.path and "EvaluateViolations" in result.path
    merge = result.output["merge"]
    assert executed["endpoint_capture"] == 0  # only the transform job's capture exists
    assert merge["outcome"] == "merged" and merge["merged_row_count"] == window.rows == 300
    assert merge["labeled_row_count"] == window.labels_written
    assert executed["statistics"]["summary"]["item_count"] == 300


def test_every_batch_record_is_counted_and_joined_on_its_inference_id(executed):
    manifest, table = executed["manifest"], executed["table"]
    counts = manifest["counts"]
    assert counts["capture_lines"] == counts["records_in_window"] == 300
    assert manifest["capture_quality"]["records_quarantined"] == 0
    assert manifest["files_read"]["batch_transform_manifests"]["count"] == 2
    ids = table.column("inference_id").to_pylist()
    assert len(set(ids)) == 300 and all(len(i) == 36 for i in ids)  # SageMaker's UUIDs
    assert table.column("event_id").to_pylist()[0].endswith(".csv.out:1")
