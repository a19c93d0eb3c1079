"""schema.json's optional label_classes / output / input keys: parsing, round trip, errors."""

import json

import pytest

from column_schema import SchemaError, parse_schema
from examples.adult import SCHEMA_JSON

FEATURES = [{"name": "age", "type": "numerical"}]


def parse(**extra):
    return parse_schema({"features": FEATURES, **extra}, source="s3://b/schema.json")


def test_the_demo_schema_is_unchanged_and_has_none_of_the_new_keys():
    document = json.loads(SCHEMA_JSON.read_text())
    schema = parse_schema(document)
    assert schema.label_classes is None and schema.output is None and schema.input is None
    assert schema.to_dict() == document


def test_label_classes_as_mapping_or_list_and_positive_class():
    assert parse(label_classes={"positive": ">50K", "negative": "<=50K"}).label_classes == (
        "<=50K",
        ">50K",
    )
    assert parse(label_classes=["legit", "fraud"]).label_classes == ("legit", "fraud")
    flipped = parse(label_classes={"positive": "fraud", "negative": "legit"}, positive_class=0)
    assert flipped.label_classes == ("fraud", "legit")
    assert flipped.output_classes == ("fraud", "legit")


def test_new_keys_round_trip_through_to_dict():
    schema = parse(
        label_classes={"positive": "yes", "negative": "no"},
        output={
            "score": "predictions[*][1]",
            "prediction": "predictions[*].label",
            "classes": ["NEG", "POS"],
        },
        input={"rows": "body.rows"},
    )
    assert schema.output_classes == ("NEG", "POS")
    document = schema.to_dict()
    assert document["output"]["classes"] == {"positive": "POS", "negative": "NEG"}
    assert parse_schema(document) == schema


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"label_classes": ["a"]}, r"label_classes must be \{\"positive\""),
        ({"label_classes": {"pos": "a", "neg": "b"}}, r"got the keys \['neg', 'pos'\]"),
        ({"label_classes": ["a", "a"]}, "the two classes have the same name 'a'"),
        ({"label_classes": ["a", 1]}, "class names are non-empty strings"),
        ({"output": "predictions"}, "'output' must be an object with the keys"),
        ({"output": {"scores": "x"}}, r"'output' has unknown keys \['scores'\]"),
        ({"output": {"score": ""}}, "output.score must be a JMESPath expression"),
        (
            {"output": {"score": "predictions[*"}},
            "output.score: 'predictions\\[\\*' is not a valid JMESPath",
        ),
        ({"output": {"score": "a", "probabilities": "b"}}, "alternatives; give one"),
        ({"output_format": "class", "output": {"score": "a"}}, 'need output_format "probability"'),
        ({"output": {"classes": "POS"}}, "output.classes must be"),
        ({"input": {"row": "x"}}, r"'input' has unknown keys \['row'\]"),
        ({"input": {"rows": "a[["}}, "input.rows: 'a\\[\\[' is not a valid JMESPath"),
        ({"positive_class": 2}, "positive_class must be 0 or 1"),
    ],
)
def test_invalid_keys_name_the_source_and_the_key(extra, reason):
    with pytest.raises(SchemaError, match=r"^s3://b/schema\.json: .*" + reason):
        parse(**extra)
