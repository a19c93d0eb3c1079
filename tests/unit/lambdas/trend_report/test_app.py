"""The trend Lambda against moto S3, and the command on a local folder of records."""

from __future__ import annotations

import json

import pytest

from tests.unit.lambdas.trend_report.conftest import BUCKET
from tests.unit.lambdas.trend_report.helpers import body, record, slug_of
from trend_report.__main__ import main
from trend_report.app import TrendEventError, handle, locations_from_env


def put_record(s3, index: int, decision: str) -> None:
    key = f"state/adult-income/windows/{slug_of(index)}.json"
    s3.put_object(Bucket=BUCKET, Key=key, Body=body(record(index, decision)))


def test_the_handler_reads_the_records_and_writes_the_page_beside_the_reports(s3):
    for index, decision in enumerate(["healthy", "retrain", "notify"]):
        put_record(s3, index, decision)
    s3.put_object(Bucket=BUCKET, Key="state/adult-income/windows/broken.json", Body=b"{")
    s3.put_object(Bucket=BUCKET, Key="state/adult-income/retrain.json", Body=b"{}")  # not a window
    where = locations_from_env({"DATA_BUCKET": BUCKET})

    result = handle({"endpoint_name": "adult-income"}, None, where=where, s3=s3)

    assert result == {
        "trend_uri": f"s3://{BUCKET}/reports/adult-income/trend.html",
        "window_count": 3,
        "rejected_count": 1,
    }
    page = s3.get_object(Bucket=BUCKET, Key="reports/adult-income/trend.html")
    assert page["ContentType"] == "text/html; charset=utf-8"
    html = page["Body"].read().decode()
    assert f'href="{slug_of(2)}/report.html"><rect class="d-notify"' in html
    assert "state/adult-income/windows/broken.json" in html


def test_the_handler_needs_an_endpoint_and_a_bucket(s3):
    where = locations_from_env({"DATA_BUCKET": BUCKET})
    with pytest.raises(TrendEventError, match="endpoint_name"):
        handle({}, None, where=where, s3=s3)
    with pytest.raises(TrendEventError, match="DATA_BUCKET"):
        locations_from_env({})


def test_the_command_renders_a_local_folder_of_records(tmp_path, capsys):
    folder = tmp_path / "windows"
    folder.mkdir()
    for index, decision in enumerate(["healthy", "notify"]):
        (folder / f"{slug_of(index)}.json").write_bytes(body(record(index, decision)))
    output = tmp_path / "trend.html"

    assert (
        main(["--endpoint", "adult-income", "--records", str(folder), "--output", str(output)]) == 0
    )

    assert "2 windows, 0 unreadable records" in capsys.readouterr().out
    assert "Drift trend: adult-income" in output.read_text(encoding="utf-8")


def test_the_command_refuses_a_missing_folder(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        main(
            [
                "--endpoint",
                "e",
                "--records",
                str(tmp_path / "nope"),
                "--output",
                str(tmp_path / "t"),
            ]
        )
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert "no such folder of window records" in error
    assert "Traceback" not in error
    assert not (tmp_path / "t").exists()


def emf_metrics(output: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Metric name → [(dimensions, value)] of the EMF lines printed."""
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for line in output.splitlines():
        if '"_aws"' not in line:
            continue
        document = json.loads(line)
        for directive in document["_aws"]["CloudWatchMetrics"]:
            assert directive["Namespace"] == "DriftPipeline"
            for metric in directive["Metrics"]:
                dims = {name: document[name] for group in directive["Dimensions"] for name in group}
                value = document[metric["Name"]]
                found.setdefault(metric["Name"], []).append(
                    (dims, value[0] if isinstance(value, list) else value)
                )
    return found


def test_the_windows_metrics_are_published_for_the_dashboard_and_alarms(s3, capsys):
    for index, decision in enumerate(["healthy", "notify"]):
        put_record(s3, index, decision)
    where = locations_from_env({"DATA_BUCKET": BUCKET})
    capsys.readouterr()

    handle({"endpoint_name": "adult-income", "window_slug": slug_of(1)}, None, where=where, s3=s3)

    metrics = emf_metrics(capsys.readouterr().out)
    endpoint = {"Endpoint": "adult-income"}
    assert metrics["AccuracyFloor"] == [(endpoint, 0.82)]
    assert metrics["AccuracyUpper"] == [(endpoint, 0.87)]
    assert metrics["ProjectedAccuracyUpper"] == [(endpoint, 0.88)]
    assert metrics["LabelCoverage"] == [(endpoint, 0.625)]
    assert metrics["DatasetDriftAUC"] == [(endpoint, 0.52)]
    assert metrics["WindowDecisions"] == [({**endpoint, "Decision": "notify"}, 1.0)]
    assert sorted(metrics["FeatureDriftScore"], key=str) == [
        ({**endpoint, "Feature": "age"}, 0.9),
        ({**endpoint, "Feature": "workclass"}, 0.02),
    ]


def test_without_a_window_slug_no_metric_is_published(s3, capsys):
    put_record(s3, 0, "healthy")
    capsys.readouterr()
    handle(
        {"endpoint_name": "adult-income"},
        None,
        where=locations_from_env({"DATA_BUCKET": BUCKET}),
        s3=s3,
    )
    assert emf_metrics(capsys.readouterr().out) == {}


def test_a_window_with_no_data_gets_its_record_and_a_mark_without_a_link(s3):
    put_record(s3, 0, "healthy")
    window = {"start": "2026-11-25T06:00:00Z", "end": "2026-11-25T07:00:00Z", "slug": slug_of(1)}
    no_data = {"window": window, "run_id": "run-1", "manifest_uri": "s3://b/merged/m.json"}
    where = locations_from_env({"DATA_BUCKET": BUCKET})

    result = handle(
        {"endpoint_name": "adult-income", "window_slug": slug_of(1), "no_data": no_data},
        None,
        where=where,
        s3=s3,
    )

    assert result["window_count"] == 2
    key = f"state/adult-income/windows/{slug_of(1)}.json"
    assert json.loads(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())["decision"] == "no_data"
    html = (
        s3.get_object(Bucket=BUCKET, Key="reports/adult-income/trend.html")["Body"].read().decode()
    )
    strip = html.split('class="strip"')[1]
    assert '<rect class="d-no_data"' in strip
    assert f'href="{slug_of(1)}/report.html"' not in html  # it has no report to link to
    assert "1 no data, 1 healthy" in html
    with pytest.raises(TrendEventError, match=r"no_data\.window"):
        handle({"endpoint_name": "e", "no_data": {"window": {}}}, None, where=where, s3=s3)


def test_the_lambda_handler_is_traced_and_builds_its_dependencies(s3, monkeypatch):
    from trend_report import app

    monkeypatch.setenv("DATA_BUCKET", BUCKET)
    put_record(s3, 0, "healthy")
    assert app.tracer.disabled  # outside Lambda; on AWS the template's Tracing: Active applies
    app._s3_client.cache_clear()
    result = app.lambda_handler({"endpoint_name": "adult-income"}, None)
    app._s3_client.cache_clear()
    assert result["trend_uri"] == f"s3://{BUCKET}/reports/adult-income/trend.html"


def _failed_event(index: int) -> dict:
    window = record(index)["window"]
    return {
        "endpoint_name": "adult-income",
        "failed": {
            "window": window,
            "run_id": f"run-{index}",
            "state": "Analyse",
            "subject": "Drift pipeline FAILED: adult-income 2026-11-25 09:00-10:00 in Analyse",
        },
    }


def test_a_failed_run_marks_its_window_failed_unless_it_has_a_record(s3):
    put_record(s3, 0, "healthy")
    where = locations_from_env({"DATA_BUCKET": BUCKET})
    handle(_failed_event(0), None, where=where, s3=s3)  # a failed re-run of a healthy window
    handle(_failed_event(1), None, where=where, s3=s3)  # a window that never got evaluated

    def decision(index: int) -> str:
        key = f"state/adult-income/windows/{slug_of(index)}.json"
        return json.loads(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())["decision"]

    assert (decision(0), decision(1)) == ("healthy", "failed")
    html = s3.get_object(Bucket=BUCKET, Key="reports/adult-income/trend.html")["Body"].read()
    assert b'<rect class="d-failed"' in html
    assert b"the run failed in Analyse: Drift pipeline FAILED" in html


def test_a_failed_event_without_its_window_is_refused(s3):
    where = locations_from_env({"DATA_BUCKET": BUCKET})
    with pytest.raises(TrendEventError, match=r"failed\.window needs start, end and slug"):
        handle({"endpoint_name": "adult-income", "failed": {}}, None, where=where, s3=s3)
