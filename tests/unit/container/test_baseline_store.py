"""The baseline store: one error format for every baseline artefact."""

from __future__ import annotations

import pyarrow as pa
import pytest

from drift_monitor.baseline_store import BaselineStore
from drift_monitor.errors import InputError


def test_json_and_tables_round_trip(tmp_path):
    store = BaselineStore(tmp_path / "baseline")
    store.write_json("doc.json", {"a": 1, "b": [1.5, float("nan")]})
    assert store.read_json("doc.json", "test document") == {"a": 1, "b": [1.5, None]}
    table = pa.table({"x": [1.0, 2.0]})
    store.write_table("t.parquet", table)
    assert store.read_table("t.parquet", "test table").equals(table)


@pytest.mark.parametrize(
    "content, problem",
    [
        (None, "test document not found"),
        ("{broken", "test document is not valid JSON"),
        ("[1, 2]", "test document must be a JSON object, got list"),
    ],
)
def test_json_errors_name_the_file_and_the_fix(tmp_path, content, problem):
    if content is not None:
        (tmp_path / "doc.json").write_text(content)
    with pytest.raises(InputError) as caught:
        BaselineStore(tmp_path).read_json("doc.json", "test document")
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'doc.json'}: {problem}")
    assert message.endswith(
        "rebuild the baseline (python -m drift_monitor baseline) and keep "
        "its whole output folder together"
    )


@pytest.mark.parametrize(
    "content, problem",
    [(None, "test table not found"), ("not parquet", "test table is not readable as Parquet")],
)
def test_table_errors_name_the_file_and_the_fix(tmp_path, content, problem):
    if content is not None:
        (tmp_path / "t.parquet").write_text(content)
    with pytest.raises(InputError, match="rebuild the baseline") as caught:
        BaselineStore(tmp_path).read_table("t.parquet", "test table")
    assert str(caught.value).startswith(f"{tmp_path / 't.parquet'}: {problem}")


def test_an_absolute_name_is_read_where_it_is(tmp_path):
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text('{"features": []}')
    assert BaselineStore(tmp_path / "baseline").read_json(elsewhere, "x") == {"features": []}


def test_invalid_uses_the_same_format(tmp_path):
    error = BaselineStore(tmp_path).invalid("a.json", "an artefact", "has no column 'x'")
    assert str(error).startswith(f"{tmp_path / 'a.json'}: an artefact has no column 'x'; rebuild")
