"""column_schema: the accepted document, and every error branch with its message."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from column_schema import ColumnSchema, Feature, SchemaError, load_schema, parse_schema

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "adult" / "schema.json"


def doc(**overrides) -> dict:
    raw = {
        "features": [
            {"name": "age", "type": "numerical"},
            {"name": "workclass", "type": "categorical"},
        ]
    }
    raw.update(overrides)
    return raw


def test_defaults_and_round_trip():
    schema = parse_schema(doc())
    assert schema.features == (Feature("age", "numerical"), Feature("workclass", "categorical"))
    assert (schema.score, schema.prediction, schema.label) == ("score", "prediction", "label")
    assert (schema.positive_class, schema.decision_threshold) == (1, 0.5)
    assert (schema.output_format, schema.problem_type) == ("probability", "BinaryClassification")
    assert (schema.numerical, schema.categorical) == (["age"], ["workclass"])
    assert parse_schema(schema.to_dict()) == schema


def test_class_output_has_no_score_column():
    schema = parse_schema(doc(output_format="class", score="score"))
    assert schema.score is None
    # without a score column, "score" may then be a feature's name
    assert parse_schema(
        doc(output_format="class", features=[{"name": "score", "type": "numerical"}])
    )


def test_the_demo_schema_loads():
    schema = load_schema(EXAMPLE)
    assert isinstance(schema, ColumnSchema)
    assert schema.feature_names


def _raises(raw, message: str, source: str = "schema.json"):
    with pytest.raises(SchemaError, match=re.escape(f"{source}: {message}")):
        parse_schema(raw, source=source)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([1, 2], "expected a JSON object, got list"),
        ("{}", "expected a JSON object, got str"),
        ({}, "'features' must be a non-empty list"),
        (doc(features=[]), "'features' must be a non-empty list"),
        (doc(features={"age": "numerical"}), "'features' must be a non-empty list"),
        (doc(features=["age"]), "features[0] needs 'name' and 'type'"),
        (doc(features=[{"name": "age"}]), "features[0] needs 'name' and 'type'"),
        (
            doc(features=[{"name": "age", "type": "numerical"}, {"type": "numerical"}]),
            "features[1] needs 'name' and 'type'",
        ),
        (
            doc(features=[{"name": "a b", "type": "numerical"}]),
            "features[0] has an invalid name 'a b'",
        ),
        (doc(features=[{"name": "", "type": "numerical"}]), "features[0] has an invalid name ''"),
        (
            doc(features=[{"name": "x" * 129, "type": "numerical"}]),
            "features[0] has an invalid name 'xxx",
        ),
        (
            doc(features=[{"name": "age", "type": "integer"}]),
            "feature 'age' has type 'integer'; expected one of ('numerical', 'categorical')",
        ),
        (
            doc(
                features=[{"name": "b", "type": "numerical"}, {"name": "b", "type": "categorical"}]
            ),
            "duplicate feature names ['b']",
        ),
        (doc(output_format="label"), "'output_format' must be one of ('probability', 'class')"),
        (
            doc(problem_type="Regression"),
            "problem_type 'Regression' is not supported yet (supported: ('BinaryClassification',))",
        ),
        (doc(decision_threshold="half"), "decision_threshold/positive_class: could not convert"),
        (doc(decision_threshold=None), "decision_threshold/positive_class: float() argument"),
        (doc(positive_class="yes"), "decision_threshold/positive_class: invalid literal for int()"),
        (doc(decision_threshold=0), "decision_threshold must be in (0, 1), got 0.0"),
        (doc(decision_threshold=1.0), "decision_threshold must be in (0, 1), got 1.0"),
        (
            doc(label="age"),
            "score/prediction/label columns must be distinct from each other and from the "
            "features (clash: ['age'])",
        ),
        (
            doc(prediction="score"),
            "score/prediction/label columns must be distinct from each other and from the "
            "features (clash: ['score', 'score', 'label'])",
        ),
    ],
)
def test_each_error_names_the_source_and_the_problem(raw, message):
    _raises(raw, message, source="s3://b/baselines/e/schema.json")


def test_load_schema_missing_file(tmp_path):
    path = tmp_path / "schema.json"
    with pytest.raises(SchemaError, match=re.escape(f"{path}: schema file not found")):
        load_schema(path)


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b'{"features": [', "Expecting value"),
        (b"\xff\xfe{}", "codec can't decode"),
    ],
)
def test_load_schema_unreadable_json(tmp_path, content, detail):
    path = tmp_path / "schema.json"
    path.write_bytes(content)
    with pytest.raises(SchemaError, match=re.escape(f"{path}: not readable as JSON (")) as info:
        load_schema(path)
    assert detail in str(info.value)


def test_load_schema_that_is_a_directory(tmp_path):
    with pytest.raises(SchemaError, match=re.escape(f"{tmp_path}: not readable as JSON (")):
        load_schema(tmp_path)


def test_load_schema_validates_with_the_path_as_source(tmp_path):
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(doc(output_format="label")), encoding="utf-8")
    with pytest.raises(SchemaError, match=re.escape(f"{path}: 'output_format' must be one of")):
        load_schema(path)
