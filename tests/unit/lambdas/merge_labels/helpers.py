"""Shared fixtures' building blocks: the adult data, a deterministic scorer, moto S3 setup."""

from __future__ import annotations

import csv
import json
import math
from datetime import UTC, datetime

from column_schema import parse_schema
from examples.adult import LABELED_CSV, SCHEMA_JSON
from workflow.offline.traffic import (
    typed_rows,
)

BUCKET = "drift-data"
ENDPOINT = "adult-income"
VARIANT = "AllTraffic"
START = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
END = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
CAPTURE_URI = f"s3://{BUCKET}/datacapture"
GROUND_TRUTH_URI = f"s3://{BUCKET}/ground-truth"


def schema_dict() -> dict:
    return json.loads(SCHEMA_JSON.read_text())


def adult_schema():
    return parse_schema(schema_dict())


def adult_rows(limit: int) -> tuple[list[list], list[int]]:
    """The first ``limit`` rows of labeled.csv as typed feature lists, and their 0/1 labels."""
    schema = adult_schema()
    with LABELED_CSV.open(newline="") as handle:
        raw = [row for _, row in zip(range(limit), csv.DictReader(handle), strict=False)]
    rows = typed_rows(raw, schema.feature_names, set(schema.numerical))
    labels = [1 if row["income"].strip() == ">50K" else 0 for row in raw]
    return rows, labels


def score(row: list, names: list[str]) -> float:
    """A fixed logistic 'model' so scores vary with the features (deterministic)."""
    values = dict(zip(names, row, strict=True))
    z = (
        0.35 * ((values["educational-num"] or 9) - 10)
        + 0.04 * ((values["age"] or 38) - 40)
        + 0.00025 * (values["capital-gain"] or 0)
        + (1.2 if values["relationship"] in ("Husband", "Wife") else -0.8)
    )
    return round(1.0 / (1.0 + math.exp(-z)), 6)


def put_schema(s3, document: dict | None = None, endpoint: str = ENDPOINT) -> None:
    s3.put_object(
        Bucket=BUCKET,
        Key=f"baselines/{endpoint}/schema.json",
        Body=json.dumps(document or schema_dict()).encode(),
    )


def event(
    execution_name: str = "exec-1", start_time: str = "2026-11-25T14:05:00.123Z", **execution_input
) -> dict:
    return {
        "input": execution_input,
        "execution_name": execution_name,
        "execution_start_time": start_time,
    }
