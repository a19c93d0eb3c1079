"""Real endpoints' payloads: the framework containers' output shapes, schema.json "output"
and "input" expressions, class names, and JSON Lines / CSV-with-header inputs."""

from __future__ import annotations

import json

import pytest

from capture_format import CaptureParser, RecordError
from column_schema import parse_schema

FEATURES = [{"name": "age", "type": "numerical"}, {"name": "job", "type": "categorical"}]


def schema(**extra):
    return parse_schema({"features": FEATURES, **extra})


def line(data, output, *, input_type="text/csv", output_type="text/csv"):
    def side(payload, content_type, mode):
        encoding = "CSV" if "csv" in content_type else "JSON"
        if not isinstance(payload, str):
            payload = json.dumps(payload)
        return {
            "observedContentType": content_type,
            "mode": mode,
            "data": payload,
            "encoding": encoding,
        }

    return json.dumps(
        {
            "captureData": {
                "endpointInput": side(data, input_type, "INPUT"),
                "endpointOutput": side(output, output_type, "OUTPUT"),
            },
            "eventMetadata": {"eventId": "e-1", "inferenceTime": "2026-11-25T13:05:00Z"},
            "eventVersion": "0",
        }
    )


ONE = "34,Private"
TWO = "34,Private\n51,Self-emp"
JSON = "application/json"


@pytest.mark.parametrize(
    ("rows", "output", "output_type", "scores", "predictions"),
    [
        # scikit-learn: predict_proba as a JSON list and as CSV; predict as a score per line
        (ONE, [[0.27, 0.73]], JSON, [0.73], [1]),
        (TWO, [[0.27, 0.73], [0.9, 0.1]], JSON, [0.73, 0.1], [1, 0]),
        (ONE, "0.27,0.73", "text/csv", [0.73], [1]),
        (TWO, "0.27,0.73\n0.9,0.1\n", "text/csv", [0.73, 0.1], [1, 0]),
        # label and score in CSV (inference pipelines, custom scripts)
        (ONE, "1,0.73", "text/csv", [0.73], [1]),
        (TWO, "1,0.73\n0,0.2", "text/csv", [0.73, 0.2], [1, 0]),
        # XGBoost: CSV score per line (or comma-separated), JSON with score objects
        (TWO, "0.73\n0.12", "text/csv", [0.73, 0.12], [1, 0]),
        (TWO, "0.73,0.12", "text/csv", [0.73, 0.12], [1, 0]),
        (TWO, {"predictions": [{"score": 0.73}, {"score": 0.12}]}, JSON, [0.73, 0.12], [1, 0]),
        (ONE, {"predictions": [{"score": [0.27, 0.73]}]}, JSON, [0.73], [1]),
        # Linear Learner: score with its own predicted_label (wins over the threshold)
        (ONE, {"predictions": [{"score": 0.45, "predicted_label": 1}]}, JSON, [0.45], [1]),
        # TensorFlow Serving: {"predictions": ...} of scores, [score] or probabilities
        (ONE, {"predictions": [[0.27, 0.73]]}, JSON, [0.73], [1]),
        (TWO, {"predictions": [[0.73], [0.12]]}, JSON, [0.73, 0.12], [1, 0]),
        (ONE, {"predictions": [0.73]}, JSON, [0.73], [1]),
        # {"probabilities": ...}
        (ONE, {"probabilities": [0.73]}, JSON, [0.73], [1]),
        (ONE, {"probabilities": [0.27, 0.73]}, JSON, [0.73], [1]),
        # PyTorch TorchServe: a JSON list per request
        (TWO, [0.73, 0.12], JSON, [0.73, 0.12], [1, 0]),
        (ONE, [0.73], JSON, [0.73], [1]),
        # Hugging Face text classification: the score is the confidence of that label
        (ONE, [{"label": "LABEL_1", "score": 0.9}], JSON, [0.9], [1]),
        (ONE, [{"label": "LABEL_0", "score": 0.9}], JSON, [pytest.approx(0.1)], [0]),
        (
            TWO,
            [{"label": "LABEL_1", "score": 0.8}, {"label": "LABEL_0", "score": 0.7}],
            JSON,
            [0.8, pytest.approx(0.3)],
            [1, 0],
        ),
        # ... and with every class (top_k=None / return_all_scores)
        (
            ONE,
            [[{"label": "LABEL_0", "score": 0.35}, {"label": "LABEL_1", "score": 0.65}]],
            JSON,
            [0.65],
            [1],
        ),
    ],
)
def test_framework_output_shapes_without_configuration(
    rows, output, output_type, scores, predictions
):
    record = CaptureParser(schema()).parse(line(rows, output, output_type=output_type))
    assert record.scores == scores and record.predictions == predictions


def test_positive_class_zero_picks_the_first_probability():
    parser = CaptureParser(schema(positive_class=0))
    record = parser.parse(line(ONE, [[0.8, 0.2]], output_type=JSON))
    assert record.scores == [0.8] and record.predictions == [0]


def test_hugging_face_class_names_come_from_output_classes():
    parser = CaptureParser(
        schema(output={"classes": {"positive": "POSITIVE", "negative": "NEGATIVE"}})
    )
    record = parser.parse(line(ONE, [{"label": "NEGATIVE", "score": 0.75}], output_type=JSON))
    assert record.scores == [0.25] and record.predictions == [0]
    with pytest.raises(
        RecordError,
        match=r"'NEUTRAL' is not one of \['NEGATIVE', 'POSITIVE'\]; class names are set by output",
    ):
        parser.parse(line(ONE, [{"label": "NEUTRAL", "score": 0.75}], output_type=JSON))
    # without names, a named label says which setting to change
    with pytest.raises(
        RecordError, match=r"'POSITIVE' is not 0 or 1; class names are set by output\.classes"
    ):
        CaptureParser(schema()).parse(
            line(ONE, [{"label": "POSITIVE", "score": 0.7}], output_type=JSON)
        )


def test_class_output_with_names_and_pairs():
    parser = CaptureParser(
        schema(output_format="class", label_classes={"positive": ">50K", "negative": "<=50K"})
    )
    assert parser.parse(line(TWO, ">50K\n<=50K")).predictions == [1, 0]
    assert parser.parse(line(TWO, "1\n0")).predictions == [1, 0]  # a model may write 0/1
    assert parser.parse(
        line(ONE, {"predictions": [{"predicted_label": ">50K"}]}, output_type=JSON)
    ).predictions == [1]
    assert parser.parse(line(ONE, "1,0.73")).predictions == [1]
    custom = CaptureParser(schema(output_format="class", prediction="decision"))
    assert custom.parse(line(ONE, [{"decision": 1}], output_type=JSON)).predictions == [1]


@pytest.mark.parametrize(
    ("output_spec", "output", "scores", "predictions"),
    [
        ({"score": "result.p"}, {"result": {"p": 0.61}}, [0.61], [1]),
        ({"score": "data[*].prob"}, {"data": [{"prob": 0.2}, {"prob": 0.9}]}, [0.2, 0.9], [0, 1]),
        (
            {"probabilities": "out[*].probs"},
            {"out": [{"probs": [0.3, 0.7]}, {"probs": [0.6, 0.4]}]},
            [0.7, 0.4],
            [1, 0],
        ),
        (
            {"score": "data[*].prob", "prediction": "data[*].cls"},
            {"data": [{"prob": 0.2, "cls": 1}, {"prob": 0.9, "cls": 0}]},
            [0.2, 0.9],
            [1, 0],
        ),
        (
            {"prediction": "data[*].cls"},
            {"data": [{"cls": 1}, {"cls": 0}], "predictions": [0.4, 0.6]},
            [0.4, 0.6],
            [1, 0],
        ),
    ],
)
def test_output_expressions(output_spec, output, scores, predictions):
    rows = ONE if len(scores) == 1 else TWO
    record = CaptureParser(schema(output=output_spec)).parse(line(rows, output, output_type=JSON))
    assert record.scores == scores and record.predictions == predictions


def test_output_expression_on_a_csv_body_sees_rows_of_fields():
    parser = CaptureParser(schema(output={"score": "[*][2]", "prediction": "[*][0]"}))
    record = parser.parse(line(TWO, "1,x,0.4\n0,y,0.3"))
    assert record.scores == [0.4, 0.3] and record.predictions == [1, 0]


def test_expression_errors_name_the_setting():
    parser = CaptureParser(schema(output={"score": "data[*].prob"}))
    with pytest.raises(
        RecordError, match=r"output.score 'data\[\*\].prob' in schema.json found nothing"
    ):
        parser.parse(line(ONE, {"other": 1}, output_type=JSON))
    with pytest.raises(RecordError, match="gave 1 values for 2 input rows"):
        parser.parse(line(TWO, {"data": [{"prob": 0.3}]}, output_type=JSON))


@pytest.mark.parametrize(
    ("output", "output_type", "reason"),
    [
        (
            {"answer": "yes"},
            JSON,
            r"row 0: an object without any of the keys \['score'.*point \"output\" in schema.json",
        ),
        (
            [[0.2, 0.3, 0.5]],
            JSON,
            r"is not one score, two class probabilities.*point \"output\" in schema.json",
        ),
        (
            "maybe",
            "text/csv",
            r"'maybe' is not a probability \(expected a number in \[0, 1\]\).*schema.json",
        ),
        ("0.4,0.9", "text/csv", r"is not one score, two class probabilities"),
    ],
)
def test_unreadable_outputs_say_what_was_expected_and_what_to_set(output, output_type, reason):
    with pytest.raises(RecordError, match=reason):
        CaptureParser(schema()).parse(line(ONE, output, output_type=output_type))


# --- inputs ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ('{"age": 34, "job": "Private"}\n{"age": 51, "job": "Self-emp"}', "application/jsonlines"),
        ('[34, "Private"]\n[51, "Self-emp"]\n', "application/jsonlines"),
        ('{"features": [34, "Private"]}\n{"features": [51, "Self-emp"]}', JSON),  # lines, JSON type
        ({"inputs": [[34, "Private"], [51, "Self-emp"]]}, JSON),  # TensorFlow Serving rows
        ("age,job\n34,Private\n51,Self-emp\n", "text/csv"),  # CSV with a header
        ("job,age\nPrivate,34\nSelf-emp,51", "text/csv"),  # ... in any order
    ],
)
def test_input_shapes(data, content_type):
    record = CaptureParser(schema()).parse(line(data, "0.1\n0.9", input_type=content_type))
    assert record.rows == [(34.0, "Private"), (51.0, "Self-emp")]


def test_input_rows_expression_and_header_errors():
    parser = CaptureParser(schema(input={"rows": "body.records"}))
    payload = {"body": {"records": [{"age": 34, "job": "Private"}]}, "meta": 1}
    assert parser.parse(line(payload, "0.4", input_type=JSON)).rows == [(34.0, "Private")]
    with pytest.raises(
        RecordError, match=r"input.rows 'body.records' in schema.json found nothing"
    ):
        parser.parse(line({"rows": []}, "0.4", input_type=JSON))
    with pytest.raises(RecordError, match="CSV header"):
        CaptureParser(schema()).parse(line("age,zip\n1,2", "0.4"))
