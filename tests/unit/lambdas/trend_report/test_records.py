"""parse_record: a record becomes a point; a bad one is rejected with its key and reason."""

from __future__ import annotations

from tests.unit.lambdas.trend_report.helpers import body, record
from trend_report.records import Rejected, WindowPoint, parse_record


def test_a_record_becomes_a_point():
    point = parse_record("k", body(record(2, "retrain")))
    assert isinstance(point, WindowPoint)
    assert point.decision == "retrain"
    assert point.accuracy.value == 0.84 and point.accuracy.interval == (0.80, 0.87)
    assert point.drifted_features == ["age"]
    assert point.data_quality_violations == 2  # the drift violation is not data quality


def test_an_accuracy_without_a_verdict_is_not_plotted():
    document = record(0)
    document["accuracy"] = {"value": 1.0, "interval": [1.0, 1.0], "status": "insufficient_data"}
    point = parse_record("k", body(document))
    assert isinstance(point, WindowPoint)
    assert point.accuracy.value is None and point.accuracy.interval is None
    assert point.accuracy.status == "insufficient_data"


def test_bad_records_are_rejected_with_the_reason():
    assert parse_record("a", b"{not json") == Rejected("a", parse_record("a", b"{not json").reason)
    assert "not JSON" in parse_record("a", b"{not json").reason  # type: ignore[union-attr]
    unknown = parse_record("b", body(record(0, decision="maybe")))
    assert isinstance(unknown, Rejected) and "'maybe' is not one of" in unknown.reason
    naive = record(0)
    naive["window"]["start"] = "2026-11-25T05:00:00"
    rejected = parse_record("c", body(naive))
    assert isinstance(rejected, Rejected) and "has no timezone" in rejected.reason
    assert isinstance(parse_record("d", body({"decision": "healthy"})), Rejected)
