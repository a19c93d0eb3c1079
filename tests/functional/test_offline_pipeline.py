"""Full executions of the deployed state machine on the embedded AWS, as ``make run`` does.

These run the real handlers, the analysis container's code as a Processing process and the
trainer as a Training process; nothing is stubbed. They take a minute or two.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from workflow.offline import demo, engine, stack
from workflow.offline.run import run_demo

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    output = tmp_path_factory.mktemp("offline-run")
    log = io.StringIO()
    reports = run_demo(output, out=log)
    return output, reports, log.getvalue()


def test_every_window_execution_succeeds(demo_run):
    _, reports, log = demo_run
    assert [r.result.status for r in reports] == ["SUCCEEDED"] * len(demo.DEFAULT_PLAN), log


def test_the_run_takes_the_healthy_retrain_deploy_and_no_data_paths(demo_run):
    """The demo's story: healthy hours, drift, a retrain that wins and is deployed, and the
    hours after it scored by the new model and judged against its refreshed baseline."""
    _, reports, _ = demo_run
    outcomes = [r.outcome for r in reports]
    assert outcomes[:3] == ["healthy", "healthy", "retrain"], outcomes
    idle = demo.DEFAULT_PLAN.index(demo.WindowPlan("endpoint idle: no requests", 0))
    assert outcomes[idle] == "no data"
    promotion = reports[2].result.output["promotion"]
    assert promotion["decision"] == "deployed", promotion["reason"]
    deployed_model = promotion["deployment"]["model_name"]
    assert [r.window.served_by for r in reports[:3]] == ["adult-income-champion"] * 3
    after = [r for r in reports[3:] if r.window.rows]
    assert after and all(r.window.served_by == deployed_model for r in after)
    assert after[0].outcome == "healthy", after[0].evaluation.get("reasons")
    refresh = promotion["baseline_refresh"]
    assert refresh["baseline_uri"] == reports[3].merge["baseline_uri"]


def test_the_trend_page_rings_the_window_that_retrained_with_its_outcome(demo_run):
    output, reports, _ = demo_run
    page = (output / "reports" / "adult-income" / "trend.html").read_text()
    assert page.count('<circle class="r-deployed"') == 1
    assert "Retrainings (1, newest first)" in page
    slug = reports[2].merge["window"]["slug"]
    assert f'href="{slug}/report.html">' in page.split("Retrainings (1, newest first)")[1]


def test_healthy_windows_are_not_sent_to_retraining(demo_run):
    _, reports, _ = demo_run
    for report in reports:
        if report.window.plan.drift_severity == 0 and report.window.rows:
            assert report.outcome != "retrain", report.evaluation.get("reasons")


def test_retraining_produced_a_model_and_a_notification(demo_run):
    _, reports, _ = demo_run
    retrained = [r for r in reports if r.outcome == "retrain"]
    for report in retrained:
        training = report.result.output["training"]
        assert training["TrainingJobStatus"] == "Completed"
        assert training["ModelArtifacts"]["S3ModelArtifacts"].endswith("output/model.tar.gz")
        assert any("retrain" in n["subject"] for n in report.notifications)


def test_reasons_name_checks_and_reports_are_exported(demo_run):
    output, reports, _ = demo_run
    for report in reports:
        if report.outcome in ("notify", "retrain"):
            assert report.evaluation["reasons"], report.evaluation
            html = report.evaluation["report_html_uri"]
            key = html.split("/", 3)[3]
            assert (output / key).is_file(), key
    summary = (output / "summary.txt").read_text()
    assert "retrain" in summary and "no data" in summary


def test_every_analysed_window_records_the_image_digest_that_ran(demo_run):
    output, reports, _ = demo_run
    analysed = [r for r in reports if r.outcome in ("healthy", "notify", "retrain")]
    assert analysed
    for report in analysed:
        evaluation = report.evaluation
        assert evaluation["image_uri"] == stack.MONITOR_IMAGE
        assert evaluation["image_digest"].startswith("sha256:"), evaluation
        key = evaluation["report_uri"].split("/", 3)[3] + "provenance.json"
        record = json.loads((output / key).read_text())
        assert (record["image_digest"], record["digest_source"]) == (
            evaluation["image_digest"],
            "ecr",
        )
        assert record["run_id"] == report.merge["run_id"]


def test_progress_shows_window_state_and_duration(demo_run):
    _, _, log = demo_run
    assert "Window 1/" in log
    assert ". MergeLabels" in log and ". Analyse" in log and " s" in log


def _job_input_files(output: Path, job_name: str) -> list[str]:
    """The files the offline Processing job received in its dataset input folder."""
    from processing_paths import DATASET_DIR, ML_ROOT

    roots = list(output.glob(f"work/jobs/{job_name}/opt/ml"))
    assert len(roots) == 1, roots
    folder = roots[0] / DATASET_DIR[len(ML_ROOT) + 1 :]
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def _corrupt_baseline(session, stack, window):
    # constraints.json: the monitor reads it (it no longer reads the baseline statistics.json)
    session.client("s3").put_object(
        Bucket=stack.bucket, Key="baselines/adult-income/constraints.json", Body=b"{not json"
    )


def test_a_failing_processing_job_ends_in_the_failure_notification(tmp_path):
    plan = (demo.WindowPlan("healthy traffic", 300),)
    log = io.StringIO()
    [report] = run_demo(tmp_path, out=log, plan=plan, before_window=_corrupt_baseline)
    assert report.result.status == "FAILED"
    assert report.outcome == "FAILED"
    path = report.result.path
    assert path[-6:] == [
        "FailedAnalyse",
        "FormatFailure",
        "NotifyFailure",
        "FailedWindowKnown",
        "RecordFailedWindow",
        "PipelineFailed",
    ], path
    [notification] = report.notifications
    assert notification["subject"].startswith("Drift pipeline FAILED: adult-income ")
    assert notification["subject"].endswith(" in Analyse")
    assert "constraints.json" in notification["message"].splitlines()[0]


def test_rerunning_a_window_is_idempotent_and_a_failed_rerun_keeps_earlier_results(tmp_path):
    plan = (demo.WindowPlan("healthy traffic", 300),)
    results = {}

    def twice_then_corrupt(session, stack, window):
        s3 = session.client("s3")
        first = engine.run_execution(
            session, stack.state_machine_arn, window.execution_input("adult-income"), name="first"
        )
        key = first.output["merge"]["merged_data_uri"].split("/", 3)[3] + "merged.parquet"
        report_key = first.output["merge"]["report_uri"].split("/", 3)[3]
        results["first_job"] = first.output["analysis"]["ProcessingJobName"]
        results["run_id"] = first.output["merge"]["run_id"]
        results["job_inputs"] = _job_input_files(tmp_path / "again", results["first_job"])
        results["merged"] = s3.get_object(Bucket=stack.bucket, Key=key)["Body"].read()
        results["violations"] = s3.get_object(
            Bucket=stack.bucket, Key=report_key + "constraint_violations.json"
        )["Body"].read()
        second = engine.run_execution(
            session, stack.state_machine_arn, window.execution_input("adult-income"), name="second"
        )
        results["second_status"] = second.status
        results["merged_again"] = s3.get_object(Bucket=stack.bucket, Key=key)["Body"].read()
        _corrupt_baseline(session, stack, window)
        third = engine.run_execution(
            session, stack.state_machine_arn, window.execution_input("adult-income"), name="third"
        )
        results["third_status"] = third.status
        results["violations_after_failure"] = s3.get_object(
            Bucket=stack.bucket, Key=report_key + "constraint_violations.json"
        )["Body"].read()

    run_demo(tmp_path / "again", out=io.StringIO(), plan=plan, before_window=twice_then_corrupt)
    assert results["second_status"] == "SUCCEEDED"
    assert results["merged_again"] == results["merged"], "a re-run must rewrite the same rows"
    assert results["third_status"] == "FAILED"
    assert results["first_job"] == f"analysis-{results['run_id']}"
    # The analysis job's dataset input held only the merged data (no manifest, no quarantine).
    assert results["job_inputs"] == ["merged.parquet"], results["job_inputs"]
    assert json.loads(results["violations_after_failure"]) == json.loads(results["violations"])


def test_the_set_up_says_what_it_is_doing_with_durations(demo_run):
    _, _, log = demo_run
    for step in ("trained the demo model (", "baseline job (the analysis"):
        [line] = [line for line in log.splitlines() if step in line]
        assert re.search(r"\(\d+\.\d s\)$", line), line
    windows = [line for line in log.splitlines() if re.search(r"\] Window \d/", line)]
    assert len(windows) == len(demo.DEFAULT_PLAN)
    assert all(re.search(r"requests rows scored by \S+, \d+ labels arrived", w) for w in windows)
