"""infer-schema: types decided on the whole file, roles kept out, the result a valid schema."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from column_schema import load_schema
from drift_monitor.errors import InputError
from drift_monitor.schema_inference import (
    Request,
    column_type,
    data_kind,
    default_output,
    infer,
    write_schema,
)
from examples.adult import scored as _data


def test_the_adult_merged_dataset_gives_the_example_schema(tmp_path, reference_table):
    pq.write_table(reference_table, tmp_path / "reference.parquet")
    inferred = infer(Request(dataset=tmp_path / "reference.parquet"))
    assert inferred.schema == load_schema(_data.SCHEMA_JSON)
    assert inferred.warnings == []
    assert inferred.reasons["label"].startswith("not a feature")


def test_csv_types_come_from_the_whole_file_not_its_first_block(tmp_path):
    # pyarrow infers CSV types from the first block; a late text value must still count.
    rows = ["n,late_text,label"] + [f"{i},{i}" + ",1" for i in range(200_000)]
    rows.append("5,not-a-number,0")
    (tmp_path / "data.csv").write_text("\n".join(rows) + "\n")
    schema = infer(Request(dataset=tmp_path / "data.csv")).schema
    assert {f.name: f.type for f in schema.features} == {
        "n": "numerical",
        "late_text": "categorical",
    }


def test_overrides_ignore_and_metadata(tmp_path):
    table = pa.table(
        {
            "code": [1, 2, 3],
            "city": ["1", "2", "3"],
            "row_id": [10, 11, 12],
            "inference_id": ["a", "b", "c"],
            "y": [0, 1, 0],
        }
    )
    pq.write_table(table, tmp_path / "d.parquet")
    request = Request(
        dataset=tmp_path / "d.parquet",
        label="y",
        output_format="class",
        categorical=["code"],
        ignore=["row_id"],
    )
    inferred = infer(request)
    assert [(f.name, f.type) for f in inferred.schema.features] == [
        ("code", "categorical"),
        ("city", "numerical"),  # every value is a number: review it (--categorical)
    ]
    assert inferred.schema.score is None and inferred.schema.output_format == "class"
    assert inferred.reasons["code"] == "categorical: --categorical"
    assert any("prediction column 'prediction'" in w for w in inferred.warnings)


def test_column_types():
    assert column_type(pa.chunked_array([pa.array([1.5, None])]))[0] == "numerical"
    assert column_type(pa.chunked_array([pa.array([" 2 ", None, "3e2"])]))[0] == "numerical"
    assert column_type(pa.chunked_array([pa.array([True, False])]))[0] == "categorical"
    kind, reason = column_type(pa.chunked_array([pa.array([None, None], pa.string())]))
    assert kind == "categorical" and "check it" in reason
    encoded = pa.chunked_array([pa.array(["a", "b"]).dictionary_encode()])
    assert column_type(encoded)[0] == "categorical"


def test_missing_roles_are_warned(tmp_path):
    pq.write_table(pa.table({"x": [1.0, 2.0]}), tmp_path / "d.parquet")
    warnings = infer(Request(dataset=tmp_path / "d.parquet")).warnings
    assert len(warnings) == 3
    assert any(w.startswith("no label column 'label'") and "--label" in w for w in warnings)


@pytest.mark.parametrize(
    "files, fmt, expected",
    [
        ({}, None, "data file does not exist"),
        ({"d.txt": "a\n1\n"}, None, "cannot tell the format (suffix '.txt')"),
        ({"d.jsonl": "{}\n"}, None, "data capture carries no column names"),
        ({"d.csv": "a\n1\n"}, "csv", None),
    ],
)
def test_format_detection_and_its_errors(tmp_path, files, fmt, expected):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    path = tmp_path / (next(iter(files)) if files else "nowhere.csv")
    if expected is None:
        assert data_kind(path, fmt) == "csv"
        assert data_kind(tmp_path, None) == "csv"  # a directory, from its files
        return
    with pytest.raises(InputError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        data_kind(path, fmt)


def test_bad_requests_name_the_option_or_file(tmp_path):
    pq.write_table(pa.table({"x": [1.0], "label": [1]}), tmp_path / "d.parquet")
    data = tmp_path / "d.parquet"
    with pytest.raises(InputError, match=r"--categorical nope: no such column in .*d\.parquet"):
        infer(Request(dataset=data, categorical=["nope"]))
    with pytest.raises(InputError, match="both name x"):
        infer(Request(dataset=data, categorical=["x"], numerical=["x"]))
    with pytest.raises(InputError, match="no feature columns left"):
        infer(Request(dataset=data, ignore=["x"]))
    (tmp_path / "broken.parquet").write_bytes(b"not parquet")
    with pytest.raises(InputError, match=r"broken\.parquet: not a readable Parquet file"):
        infer(Request(dataset=tmp_path / "broken.parquet"))
    from column_schema import SchemaError

    with pytest.raises(SchemaError, match=r"schema inferred from .*decision_threshold"):
        infer(Request(dataset=data, decision_threshold=2.0))


def test_written_schema_loads_and_is_not_overwritten_silently(tmp_path, reference_table):
    pq.write_table(reference_table, tmp_path / "reference.parquet")
    schema = infer(Request(dataset=tmp_path / "reference.parquet")).schema
    output = default_output(tmp_path / "reference.parquet")
    assert output == tmp_path / "schema.json"
    write_schema(schema, output, force=False)
    assert load_schema(output) == schema
    assert json.loads(output.read_text())["problem_type"] == "BinaryClassification"
    with pytest.raises(InputError, match="exists; pass --force"):
        write_schema(schema, output, force=False)
    write_schema(schema, output, force=True)
