"""Assembling the training data: each inference once, holdout by time, the leakage guard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from column_schema import parse_schema
from retraining.dataset import MergedFile, assemble, feature_key, latest_labelled

SCHEMA = parse_schema(
    {
        "features": [
            {"name": "age", "type": "numerical"},
            {"name": "workclass", "type": "categorical"},
        ],
        "label": "label",
    }
)
END = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


def row(i: int, minutes_before_end: int, age: float, label: int | None = 1, workclass="Private"):
    return {
        "inference_id": f"id-{i}",
        "inference_time": END - timedelta(minutes=minutes_before_end),
        "age": age,
        "workclass": workclass,
        "score": 0.7,
        "prediction": 1,
        "label": label,
    }


def test_each_inference_counts_once_and_the_latest_label_wins():
    early = MergedFile("s3://b/merged/a/w1/data/merged.parquet", 1.0, [row(1, 90, 30, label=0)])
    later = MergedFile("s3://b/merged/a/w1-4h/data/merged.parquet", 2.0, [row(1, 90, 30, 1)])
    rows, repeats = latest_labelled([later, early], SCHEMA)
    assert [r["label"] for r in rows] == [1] and repeats == 1


def test_unlabelled_rows_and_rows_outside_the_lookback_are_left_out():
    files = [
        MergedFile("u", 1.0, [row(1, 30, 30, label=None), row(2, 60 * 30, 31), row(3, 20, 32)])
    ]
    assembly = assemble([], files, SCHEMA, window_end=END, lookback_hours=24, holdout_share=0.5)
    assert assembly.counts["fresh_labelled_rows"] == 1
    assert assembly.counts["outside_lookback_rows"] == 1


def test_the_most_recent_rows_are_held_out():
    files = [MergedFile("u", 1.0, [row(i, 100 - i, 20 + i) for i in range(10)])]
    assembly = assemble([], files, SCHEMA, window_end=END, lookback_hours=24, holdout_share=0.3)
    assert [r["inference_id"] for r in assembly.holdout] == ["id-7", "id-8", "id-9"]
    assert len(assembly.train) == 7
    assert assembly.holdout_start == (END - timedelta(minutes=93)).isoformat()


def test_a_duplicate_of_a_held_out_row_never_reaches_training():
    # id-9 (held out) has the same features as id-1 (fresh, earlier) and an original CSV row.
    fresh = [row(i, 100 - i, 20 + i) for i in range(10)]
    fresh[1] = row(1, 99, 29)  # same age/workclass as id-9
    original = [
        {"age": "29", "workclass": "Private", "label": "1"},  # CSV strings: still a duplicate
        {"age": "29", "workclass": "Self-emp", "label": "0"},
        {"age": "", "workclass": "", "label": "0"},
    ]
    assembly = assemble(
        original,
        [MergedFile("u", 1.0, fresh)],
        SCHEMA,
        window_end=END,
        lookback_hours=24,
        holdout_share=0.1,
    )
    held = {feature_key(r, SCHEMA) for r in assembly.holdout}
    assert held == {(29.0, "Private")}
    assert all(feature_key(r, SCHEMA) not in held for r in assembly.train)
    assert assembly.counts["dropped_duplicates_of_holdout"] == 2
    assert assembly.counts["training_rows"] == 2 + 8  # 2 original rows + 8 earlier fresh rows


def test_missing_values_match_across_csv_and_parquet():
    assert feature_key({"age": "", "workclass": ""}, SCHEMA) == feature_key(
        {"age": float("nan"), "workclass": None}, SCHEMA
    )
