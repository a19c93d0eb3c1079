"""Parse and validate ``schema.json``: features and their types, and the model's output roles.

Format (all keys but ``features`` optional, defaults shown)::

    {
      "version": 1,
      "problem_type": "BinaryClassification",
      "features": [{"name": "age", "type": "numerical"},
                   {"name": "workclass", "type": "categorical"}],
      "score": "score",            # model probability of the positive class, or null
      "prediction": "prediction",  # predicted class (0/1); derived from score if absent
      "label": "label",            # ground truth (0/1), null where it has not arrived
      "positive_class": 1,
      "decision_threshold": 0.5,
      "output_format": "probability",  # or "class": the endpoint returns only a class
      "label_classes": null,           # class names of the labels (io_spec.py), else 0/1
      "output": null,                  # where score/prediction are in the response (io_spec)
      "input": null                    # where the rows are in a JSON request (io_spec)
    }

Feature order is the order of fields in the endpoint's CSV request body.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from column_schema.io_spec import (
    InputSpec,
    OutputSpec,
    SpecError,
    classes_to_dict,
    parse_classes,
    parse_input,
    parse_output,
)

FEATURE_TYPES = ("numerical", "categorical")
OUTPUT_FORMATS = ("probability", "class")
SUPPORTED_PROBLEM_TYPES = ("BinaryClassification",)
_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,128}$")


class SchemaError(ValueError):
    """Raised when ``schema.json`` is missing, unreadable or inconsistent."""


@dataclass(frozen=True)
class Feature:
    name: str
    type: str  # "numerical" | "categorical"

    @property
    def is_numerical(self) -> bool:
        return self.type == "numerical"


@dataclass(frozen=True)
class ColumnSchema:
    features: tuple[Feature, ...]
    score: str | None = "score"
    prediction: str = "prediction"
    label: str = "label"
    positive_class: int = 1
    decision_threshold: float = 0.5
    output_format: str = "probability"
    problem_type: str = "BinaryClassification"
    label_classes: tuple[str, str] | None = None  # names of class 0 and class 1; None: 0/1
    output: OutputSpec | None = None
    input: InputSpec | None = None

    @property
    def output_classes(self) -> tuple[str, str] | None:
        """The class names the model writes: ``output.classes``, else ``label_classes``."""
        if self.output and self.output.classes:
            return self.output.classes
        return self.label_classes

    @property
    def feature_names(self) -> list[str]:
        return [f.name for f in self.features]

    @property
    def numerical(self) -> list[str]:
        return [f.name for f in self.features if f.type == "numerical"]

    @property
    def categorical(self) -> list[str]:
        return [f.name for f in self.features if f.type == "categorical"]

    def to_dict(self) -> dict[str, Any]:
        optional: dict[str, Any] = {}
        if self.label_classes:
            optional["label_classes"] = classes_to_dict(self.label_classes, self.positive_class)
        if self.output:
            optional["output"] = self.output.to_dict(self.positive_class)
        if self.input:
            optional["input"] = self.input.to_dict()
        return {
            "version": 1,
            "problem_type": self.problem_type,
            "features": [{"name": f.name, "type": f.type} for f in self.features],
            "score": self.score,
            "prediction": self.prediction,
            "label": self.label,
            "positive_class": self.positive_class,
            "decision_threshold": self.decision_threshold,
            "output_format": self.output_format,
            **optional,
        }


def parse_schema(raw: dict[str, Any], *, source: str = "schema.json") -> ColumnSchema:
    """Validate a decoded schema document; every error names ``source`` and the bad key."""
    if not isinstance(raw, dict):
        raise SchemaError(f"{source}: expected a JSON object, got {type(raw).__name__}")
    features = _parse_features(raw.get("features"), source)
    output_format, problem_type = _parse_kind(raw, source)
    score = raw.get("score", "score")
    if output_format == "class":
        score = None
    threshold, positive_class = _parse_decision(raw, source)
    prediction, label = raw.get("prediction", "prediction"), raw.get("label", "label")
    _check_roles((score, prediction, label), [f.name for f in features], source)
    try:
        label_classes = (
            parse_classes(raw["label_classes"], "label_classes", positive_class)
            if raw.get("label_classes") is not None
            else None
        )
        output = parse_output(raw.get("output"), output_format, positive_class)
        input_spec = parse_input(raw.get("input"))
    except SpecError as exc:
        raise SchemaError(f"{source}: {exc}") from None
    return ColumnSchema(
        features=features,
        score=score,
        prediction=str(prediction),
        label=str(label),
        positive_class=positive_class,
        decision_threshold=threshold,
        output_format=output_format,
        problem_type=problem_type,
        label_classes=label_classes,
        output=output,
        input=input_spec,
    )


def _parse_features(features_raw: Any, source: str) -> tuple[Feature, ...]:
    if not isinstance(features_raw, list) or not features_raw:
        raise SchemaError(f"{source}: 'features' must be a non-empty list")
    features: list[Feature] = []
    for index, item in enumerate(features_raw):
        if not isinstance(item, dict) or "name" not in item or "type" not in item:
            raise SchemaError(f"{source}: features[{index}] needs 'name' and 'type'")
        name, ftype = str(item["name"]), str(item["type"])
        if not _NAME.match(name):
            raise SchemaError(f"{source}: features[{index}] has an invalid name {name!r}")
        if ftype not in FEATURE_TYPES:
            raise SchemaError(
                f"{source}: feature {name!r} has type {ftype!r}; expected one of {FEATURE_TYPES}"
            )
        features.append(Feature(name, ftype))
    names = [f.name for f in features]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SchemaError(f"{source}: duplicate feature names {duplicates}")
    return tuple(features)


def _parse_kind(raw: dict[str, Any], source: str) -> tuple[str, str]:
    """``output_format`` and ``problem_type``."""
    output_format = raw.get("output_format", "probability")
    if output_format not in OUTPUT_FORMATS:
        raise SchemaError(f"{source}: 'output_format' must be one of {OUTPUT_FORMATS}")
    problem_type = raw.get("problem_type", "BinaryClassification")
    if problem_type not in SUPPORTED_PROBLEM_TYPES:
        raise SchemaError(
            f"{source}: problem_type {problem_type!r} is not supported yet "
            f"(supported: {SUPPORTED_PROBLEM_TYPES})"
        )
    return output_format, problem_type


def _parse_decision(raw: dict[str, Any], source: str) -> tuple[float, int]:
    """``decision_threshold`` in (0, 1) and ``positive_class``."""
    try:
        threshold = float(raw.get("decision_threshold", 0.5))
        positive_class = int(raw.get("positive_class", 1))
    except (TypeError, ValueError) as exc:
        raise SchemaError(f"{source}: decision_threshold/positive_class: {exc}") from exc
    if not 0.0 < threshold < 1.0:
        raise SchemaError(f"{source}: decision_threshold must be in (0, 1), got {threshold}")
    if positive_class not in (0, 1):
        raise SchemaError(f"{source}: positive_class must be 0 or 1, got {positive_class}")
    return threshold, positive_class


def _check_roles(columns: tuple[Any, ...], names: list[str], source: str) -> None:
    """score/prediction/label: distinct from each other and from the features."""
    roles = [r for r in columns if r]
    clash = sorted(set(roles) & set(names))
    if clash or len(set(roles)) != len(roles):
        raise SchemaError(
            f"{source}: score/prediction/label columns must be distinct from "
            f"each other and from the features (clash: {clash or roles})"
        )


def load_schema(path: str | Path) -> ColumnSchema:
    """Read ``schema.json`` from a local path."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SchemaError(f"{path}: schema file not found") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SchemaError(f"{path}: not readable as JSON ({exc})") from exc
    return parse_schema(raw, source=str(path))
