"""CaptureParser on hand-written lines in the AWS formats (aws-contracts §1.3-1.5)."""

import base64
import json

import pytest

from capture_format import CaptureParser, RecordError
from column_schema import parse_schema
from merge_labels.labels import parse_label

SCHEMA = parse_schema(
    {
        "features": [
            {"name": "age", "type": "numerical"},
            {"name": "job", "type": "categorical"},
            {"name": "hours", "type": "numerical"},
        ]
    }
)


def line(
    data,
    output="0.7",
    *,
    encoding="CSV",
    content_type="text/csv",
    output_encoding="CSV",
    output_type="text/csv",
    **meta,
):
    metadata = {"eventId": "evt-1", "inferenceTime": "2024-05-17T13:27:31Z", **meta}
    return json.dumps(
        {
            "captureData": {
                "endpointInput": {
                    "observedContentType": content_type,
                    "mode": "INPUT",
                    "data": data,
                    "encoding": encoding,
                },
                "endpointOutput": {
                    "observedContentType": output_type,
                    "mode": "OUTPUT",
                    "data": output,
                    "encoding": output_encoding,
                },
            },
            "eventMetadata": metadata,
            "eventVersion": "0",
        }
    )


def b64(text):
    return base64.b64encode(text.encode()).decode()


@pytest.fixture
def parser():
    return CaptureParser(SCHEMA)


def test_single_csv_row(parser):
    record = parser.parse(line("34,Private,40\n", inferenceId="order-1"))
    assert record.rows == [(34.0, "Private", 40.0)]
    assert record.scores == [0.7] and record.predictions == [1]
    assert record.row_ids() == ["order-1"] and record.event_id == "evt-1"


def test_empty_fields_are_null_and_quoted_commas_survive(parser):
    record = parser.parse(line('34,"Self-emp, inc",\n', "0.2"))
    assert record.rows == [(34.0, "Self-emp, inc", None)]
    assert record.predictions == [0] and record.row_ids() == ["evt-1"]


@pytest.mark.parametrize(
    "payload",
    [
        {"instances": [{"features": [34, "Private", 40]}, {"features": [50, None, 20]}]},
        {"instances": [[34, "Private", 40], [50, None, 20]]},
        [[34, "Private", 40], [50, "", 20]],
        [{"age": 34, "job": "Private", "hours": 40}, {"age": 50, "hours": 20}],
    ],
)
def test_json_payload_shapes(parser, payload):
    record = parser.parse(
        line(json.dumps(payload), "0.1\n0.9", encoding="JSON", content_type="application/json")
    )
    assert record.rows == [(34.0, "Private", 40.0), (50.0, None, 20.0)]
    assert record.row_ids() == ["evt-1:0", "evt-1:1"]


def test_base64_csv_and_json_are_decoded_by_content_type(parser):
    csv_record = parser.parse(
        line(b64("34,Private,40"), b64("0.3"), encoding="BASE64", output_encoding="BASE64")
    )
    json_record = parser.parse(
        line(
            b64(json.dumps([34, "Private", 40])),
            b64(json.dumps({"predictions": [{"score": 0.3}]})),
            encoding="BASE64",
            content_type="application/json",
            output_encoding="BASE64",
            output_type="application/json",
        )
    )
    assert csv_record.rows == json_record.rows == [(34.0, "Private", 40.0)]
    assert csv_record.scores == json_record.scores == [0.3]


@pytest.mark.parametrize(
    ("output", "separator"),
    [("0.1\n0.8", "auto"), ("0.1,0.8", "auto"), ("0.1,0.8", ","), ("0.1\n0.8\n", "\n")],
)
def test_batched_output_separators(output, separator):
    record = CaptureParser(SCHEMA, separator).parse(line("1,a,2\n3,b,4", output))
    assert record.scores == [0.1, 0.8] and record.predictions == [0, 1]


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"data": "1,a"}, "row 0: expected 3 fields"),
        ({"data": "1,a,2\n3,b", "output": "0.1\n0.2"}, "row 1: expected 3 fields"),
        ({"data": "x,a,2"}, "feature 'age': 'x' is not a number"),
        ({"data": "inf,a,2"}, "not a finite number"),
        ({"data": "1,a,2", "output": "yes"}, "'yes' is not a probability"),
        ({"data": "1,a,2\n1,a,2", "output": "0.1"}, "1 values for 2 input rows"),
        (
            {"data": b64("1,a,2"), "encoding": "BASE64", "content_type": "application/x-npy"},
            "unsupported content type 'application/x-npy'",
        ),
        ({"data": "!!notbase64", "encoding": "BASE64"}, "does not decode"),
        ({"data": '{"instances": 3}', "encoding": "JSON"}, "unsupported JSON payload"),
        ({"data": '[{"age": 1, "zip": 2}]', "encoding": "JSON"}, "unknown feature names"),
        ({"data": "1,a,2", "inferenceTime": "yesterday"}, "inferenceTime 'yesterday'"),
        (
            {
                "data": "",
            },
            "holds no rows",
        ),
    ],
)
def test_bad_records_raise_a_specific_reason(parser, kwargs, reason):
    data = kwargs.pop("data")
    output = kwargs.pop("output", "0.5")
    meta = {k: kwargs.pop(k) for k in list(kwargs) if k == "inferenceTime"}
    with pytest.raises(RecordError, match=reason):
        parser.parse(line(data, output, **kwargs, **meta))


def test_not_a_capture_record(parser):
    with pytest.raises(RecordError, match="must be a JSON object"):
        parser.parse("[1, 2]")
    with pytest.raises(RecordError, match="missing captureData"):
        parser.parse(json.dumps({"groundTruthData": {"data": "1"}}))
    batch = json.loads(line("1,a,2"))
    batch["captureData"] = {"batchTransformOutput": batch["captureData"]["endpointOutput"]}
    with pytest.raises(RecordError, match="batch-transform capture"):
        parser.parse(json.dumps(batch))


def test_missing_output_and_metadata(parser):
    record = json.loads(line("1,a,2"))
    del record["captureData"]["endpointOutput"]
    with pytest.raises(RecordError, match="endpointOutput is missing"):
        parser.parse(json.dumps(record))
    del record["eventMetadata"]["eventId"]
    with pytest.raises(RecordError, match="eventId missing"):
        parser.parse(json.dumps(record))


def test_class_output_schema():
    schema = parse_schema(
        {"features": [{"name": "age", "type": "numerical"}], "output_format": "class"}
    )
    parser = CaptureParser(schema)
    record = parser.parse(line("34", "1.0"))
    assert record.scores is None and record.predictions == [1]
    with pytest.raises(RecordError, match=r"predicted class '0\.4' is not 0 or 1"):
        parser.parse(line("34", "0.4"))


def test_forced_newline_separator_rejects_comma_outputs():
    with pytest.raises(RecordError, match="1 values for 2 input rows"):
        CaptureParser(SCHEMA, "\n").parse(line("1,a,2\n3,b,4", "0.1,0.8"))


def test_json_encoded_label():
    assert parse_label(
        json.dumps(
            {
                "groundTruthData": {"data": "0", "encoding": "JSON"},
                "eventMetadata": {"eventId": "r:1"},
            }
        )
    ) == ("r:1", 0)
    with pytest.raises(RecordError, match="encoding 'XML'"):
        parse_label(
            json.dumps(
                {
                    "groundTruthData": {"data": "0", "encoding": "XML"},
                    "eventMetadata": {"eventId": "r"},
                }
            )
        )


def test_parse_label():
    assert parse_label(
        json.dumps(
            {
                "groundTruthData": {"data": "1", "encoding": "CSV"},
                "eventMetadata": {"eventId": "order-1"},
                "eventVersion": "0",
            }
        )
    ) == ("order-1", 1)
    with pytest.raises(RecordError, match="eventId missing"):
        parse_label(json.dumps({"groundTruthData": {"data": "1"}, "eventMetadata": {}}))
    with pytest.raises(RecordError, match="'>50K' is not 0 or 1"):
        parse_label(
            json.dumps({"groundTruthData": {"data": ">50K"}, "eventMetadata": {"eventId": "x"}})
        )
