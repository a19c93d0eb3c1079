"""Retraining outcomes on the trend page: the record the retraining branch writes is the one the
page reads (written here by ``retraining.outcome_record`` itself), shown as a ring on the
window's mark and a row of the retrainings table; an unreadable record is listed."""

from __future__ import annotations

import json

from retraining.outcome_record import promotion_record, record_key
from tests.unit.lambdas.trend_report.conftest import BUCKET
from tests.unit.lambdas.trend_report.helpers import body, record, slug_of
from tests.unit.lambdas.trend_report.test_page import points
from trend_report.app import handle, locations_from_env
from trend_report.page import render_page
from trend_report.records import Rejected
from trend_report.retrainings import RetrainingMark, parse_retraining

COMPARISON = {
    "rows": 598,
    "champion": {"accuracy": 0.753},
    "challenger": {"accuracy": 0.809},
    "differences": {"accuracy": {"estimate": 0.057, "ci_low": 0.023, "ci_high": 0.092}},
}


def _outcome(index: int, outcome: str, **changes) -> dict:
    window = record(index)["window"]
    document = promotion_record(
        endpoint="adult-income",
        window=window,
        run_id=f"run-{index}",
        outcome=outcome,
        verdict="wins" if outcome != "kept_champion" else "not_significant",
        reason="accuracy +0.057 (95% CI +0.023 to +0.092), all above the margin 0.000",
        metric="accuracy",
        comparison=COMPARISON,
        package_arn="arn:aws:sagemaker:us-east-1:1:model-package/adult-income/1",
        package_status="Approved",
        deployment={"model_name": "adult-income-run-2"} if outcome == "deployed" else None,
    )
    return {**document, **changes}


def test_the_branchs_record_is_the_pages_mark():
    mark = parse_retraining("k", body(_outcome(2, "deployed", baseline_refreshed=True)))
    assert isinstance(mark, RetrainingMark)
    assert (mark.slug, mark.decision, mark.holdout_rows) == (slug_of(2), "deployed", 598)
    assert mark.summary == (
        "retraining: challenger deployed; accuracy +0.057 (95% CI +0.023 to +0.092) on 598 "
        "rows; baseline refreshed"
    )


def test_a_deploy_whose_baseline_was_not_refreshed_says_so():
    mark = parse_retraining("k", body(_outcome(2, "deployed")))
    html = render_page(
        "adult-income", points(["healthy", "healthy", "retrain"]), retrainings=[mark]
    )
    assert "not refreshed: still the previous model" in html
    assert mark.summary.endswith("baseline NOT refreshed")


def test_the_ring_sits_on_the_windows_mark_and_the_table_lists_it():
    marks = [
        parse_retraining("a", body(_outcome(2, "deployed", baseline_refreshed=True))),
        parse_retraining("b", body(_outcome(4, "kept_champion"))),
    ]
    html = render_page(
        "adult-income",
        points(["healthy", "healthy", "retrain", "notify", "retrain"]),
        retrainings=marks,  # type: ignore[arg-type]
    )
    assert html.count('<circle class="r-deployed"') == 1
    assert html.count('<circle class="r-kept_champion"') == 1
    assert 'data-retrainings="2"' in html
    assert "Retrainings (2, newest first)" in html
    table = html.split("Retrainings (2, newest first)")[1]
    assert table.index(slug_of(4)) < table.index(slug_of(2))  # newest first
    assert "refreshed for adult-income-run-2" in table and "champion kept" in table


def test_an_unreadable_retraining_record_is_rejected_with_its_reason():
    assert isinstance(parse_retraining("k", b"{"), Rejected)
    wrong = parse_retraining("k", body(_outcome(1, "deployed", decision="promoted")))
    assert isinstance(wrong, Rejected) and "'promoted' is not one of" in wrong.reason
    partial = {k: v for k, v in _outcome(1, "deployed").items() if k != "ci_low"}
    assert "not a retraining record" in parse_retraining("k", body(partial)).reason  # type: ignore[union-attr]


def test_the_handler_reads_the_retraining_records_beside_the_windows(s3):
    for index, decision in enumerate(["healthy", "healthy", "retrain"]):
        key = f"state/adult-income/windows/{slug_of(index)}.json"
        s3.put_object(Bucket=BUCKET, Key=key, Body=body(record(index, decision)))
    key = record_key("state", "adult-income", slug_of(2))
    s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(_outcome(2, "deployed")).encode())
    s3.put_object(Bucket=BUCKET, Key=record_key("state", "adult-income", "x"), Body=b"[]")

    result = handle(
        {"endpoint_name": "adult-income"},
        None,
        where=locations_from_env({"DATA_BUCKET": BUCKET}),
        s3=s3,
    )
    assert result["rejected_count"] == 1
    html = s3.get_object(Bucket=BUCKET, Key="reports/adult-income/trend.html")["Body"].read()
    assert b'<circle class="r-deployed"' in html and b"retrainings/x.json" in html
