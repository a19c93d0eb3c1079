"""Ground-truth labels as class names (schema.json label_classes), in the parser and the merge."""

from __future__ import annotations

import json

import pytest

from capture_format import RecordError
from merge_labels.labels import parse_label
from tests.unit.lambdas.merge_labels.helpers import put_schema, schema_dict
from tests.unit.lambdas.merge_labels.test_merge import (
    put_lines,
    read_manifest,
    read_quarantine,
    read_table,
    run,
    traffic,
    upload,
)

CLASSES = ("<=50K", ">50K")


def label_line(data, encoding="CSV"):
    return json.dumps(
        {"groundTruthData": {"data": data, "encoding": encoding}, "eventMetadata": {"eventId": "r"}}
    )


@pytest.mark.parametrize(
    ("data", "encoding", "expected"),
    [(">50K", "CSV", 1), (" <=50K\n", "CSV", 0), ('">50K"', "JSON", 1)],
)
def test_class_names_map_to_0_1(data, encoding, expected):
    assert parse_label(label_line(data, encoding), CLASSES) == ("r", expected)


def test_labels_outside_the_known_classes_are_rejected_with_the_setting():
    with pytest.raises(
        RecordError,
        match=r"label '>50k' is not one of \['<=50K', '>50K'\]; class names are set by label_cl",
    ):
        parse_label(label_line(">50k"), CLASSES)
    with pytest.raises(RecordError, match=r"label '1' is not one of"):  # names only, then
        parse_label(label_line("1"), CLASSES)
    with pytest.raises(RecordError, match=r"'fraud' is not 0 or 1; .* label_classes"):
        parse_label(label_line("fraud"))  # no label_classes: 0/1


def test_merge_with_string_labels_quarantines_unknown_classes(s3, config):
    put_schema(s3, {**schema_dict(), "label_classes": {"positive": ">50K", "negative": "<=50K"}})
    _, labels, _, invocations = traffic(6)
    upload(s3, invocations)
    ids = [row_id for inv in invocations for row_id in inv.row_ids()]
    names = [CLASSES[label] for label in labels[:5]] + ["unknown"]
    lines = [
        json.dumps(
            {
                "groundTruthData": {"data": name, "encoding": "CSV"},
                "eventMetadata": {"eventId": row_id},
                "eventVersion": "0",
            }
        )
        for row_id, name in zip(ids, names, strict=True)
    ]
    put_lines(s3, "ground-truth/adult-income/2026/11/25/15/labels.jsonl", lines)

    result = run(s3, config)

    assert result["merged_row_count"] == 6 and result["labeled_row_count"] == 5
    assert read_table(s3)["label"].to_pylist() == [*labels[:5], None]
    (entry,) = read_quarantine(s3)
    assert entry["kind"] == "label" and entry["line"] == 6
    assert "'unknown' is not one of ['<=50K', '>50K']" in entry["reason"]
    assert read_manifest(s3)["counts"]["malformed_label_lines"] == 1
