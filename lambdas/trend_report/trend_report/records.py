"""Window records (written by evaluate_violations) → the typed points the trend page plots.

A record that is not JSON or lacks what the page needs is never dropped silently: it becomes a
``Rejected`` entry with its key and the reason, and the page lists it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

DECISIONS = ("healthy", "notify", "retrain", "no_data", "failed")
DATA_QUALITY_CHECKS = frozenset(
    {
        "data_type_check",
        "completeness_check",
        "missing_column_check",
        "extra_column_check",
        "categorical_values_check",
    }
)


@dataclass(frozen=True)
class Estimate:
    """An accuracy with its interval; ``value`` is None when there is no verdict worth plotting
    (e.g. fewer labelled rows than the container's minimum: status not ``ok``)."""

    value: float | None
    interval: tuple[float, float] | None
    status: str | None


@dataclass(frozen=True)
class FeatureScore:
    name: str
    score: float | None
    threshold: float | None
    drifted: bool


@dataclass(frozen=True)
class WindowPoint:
    start: datetime
    end: datetime
    slug: str
    decision: str
    reasons: tuple[str, ...]
    report_html_uri: str
    row_count: int
    labeled_row_count: int
    label_coverage: float | None
    accuracy_threshold: float | None
    accuracy: Estimate
    projected: Estimate
    dataset_auc: float | None
    dataset_auc_threshold: float | None
    dataset_drifted: bool | None
    features: tuple[FeatureScore, ...]
    violations: dict[str, int]

    @property
    def data_quality_violations(self) -> int:
        return sum(n for check, n in self.violations.items() if check in DATA_QUALITY_CHECKS)

    @property
    def drifted_features(self) -> list[str]:
        return [f.name for f in self.features if f.drifted]


@dataclass(frozen=True)
class Rejected:
    key: str
    reason: str


class RecordError(ValueError):
    """The record lacks a field the page needs, or has a wrong type."""


def parse_record(key: str, body: bytes) -> WindowPoint | Rejected:
    try:
        document = json.loads(body.decode("utf-8"))
        if not isinstance(document, dict):
            raise RecordError(f"expected a JSON object, got {type(document).__name__}")
        return _point(document)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Rejected(key, f"not JSON text: {exc}")
    except RecordError as exc:
        return Rejected(key, str(exc))


def _point(doc: dict[str, Any]) -> WindowPoint:
    window = _require(doc, "window", dict)
    decision = _require(doc, "decision", str)
    if decision not in DECISIONS:
        raise RecordError(f"decision {decision!r} is not one of {', '.join(DECISIONS)}")
    dataset = doc.get("dataset_drift") or {}
    return WindowPoint(
        start=_time(window, "start"),
        end=_time(window, "end"),
        slug=_require(window, "slug", str),
        decision=decision,
        reasons=tuple(str(r) for r in doc.get("reasons") or []),
        report_html_uri=str(doc.get("report_html_uri") or ""),
        row_count=int(_number(doc.get("row_count")) or 0),
        labeled_row_count=int(_number(doc.get("labeled_row_count")) or 0),
        label_coverage=_number(doc.get("label_coverage")),
        accuracy_threshold=_number(doc.get("accuracy_threshold")),
        accuracy=_estimate(doc.get("accuracy")),
        projected=_estimate(doc.get("projected_accuracy")),
        dataset_auc=_number(dataset.get("auc")),
        dataset_auc_threshold=_number(dataset.get("auc_threshold")),
        dataset_drifted=dataset.get("drifted"),
        features=tuple(_feature(f) for f in doc.get("features") or []),
        violations={str(k): int(v) for k, v in (doc.get("violations") or {}).items()},
    )


def _require(doc: dict[str, Any], key: str, kind: type) -> Any:
    value = doc.get(key)
    if not isinstance(value, kind):
        raise RecordError(f"{key!r} missing or not a {kind.__name__}")
    return value


def _time(window: dict[str, Any], key: str) -> datetime:
    text = _require(window, key, str)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RecordError(f"window.{key} {text!r} is not an ISO-8601 time") from None
    if moment.tzinfo is None:
        raise RecordError(f"window.{key} {text!r} has no timezone")
    return moment


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return None if math.isnan(value) or math.isinf(value) else float(value)


def _estimate(doc: Any) -> Estimate:
    doc = doc if isinstance(doc, dict) else {}
    status = doc.get("status")
    value = _number(doc.get("value"))
    interval = doc.get("interval")
    pair = None
    if isinstance(interval, list) and len(interval) == 2:
        low, high = _number(interval[0]), _number(interval[1])
        if low is not None and high is not None:
            pair = (low, high)
    if status not in (None, "ok"):
        value, pair = None, None  # "insufficient_data", "no_labels": no verdict, no point
    return Estimate(value=value, interval=pair, status=status)


def _feature(doc: Any) -> FeatureScore:
    if not isinstance(doc, dict) or not isinstance(doc.get("name"), str):
        raise RecordError("a features entry has no name")
    return FeatureScore(
        name=doc["name"],
        score=_number(doc.get("score")),
        threshold=_number(doc.get("threshold")),
        drifted=bool(doc.get("drifted")),
    )
