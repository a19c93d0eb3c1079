"""Missing label/score/prediction columns are said plainly, with what will not be computed."""

from __future__ import annotations

import pyarrow as pa
import pytest

from drift_monitor.dataset import from_table
from drift_monitor.errors import InputError
from drift_monitor.role_columns import (
    baseline_findings,
    check_roles,
    monitor_findings,
    require_some_column,
)


def _window(table: pa.Table, schema, source: str = "ref.parquet"):
    return from_table(table, schema, source=source)


def test_a_complete_reference_has_nothing_to_say(reference_table, adult_schema, capsys):
    assert check_roles(_window(reference_table, adult_schema), "baseline") == []
    assert capsys.readouterr().err == ""


def test_a_baseline_without_labels_says_what_will_not_be_built(reference_table, adult_schema):
    findings = baseline_findings(_window(reference_table.drop_columns(["label"]), adult_schema))
    assert [f.level for f in findings] == ["warning"]
    assert findings[0].text == (
        "no label column 'label' in ref.parquet: model quality and the projection's "
        "calibration will not be built; monitoring will report model quality as no_labels "
        "and the projection as not projectable"
    )


def test_an_empty_label_column_is_named_as_such(reference_table, adult_schema):
    table = reference_table.set_column(
        reference_table.schema.get_field_index("label"),
        "label",
        pa.nulls(reference_table.num_rows, pa.int64()),
    )
    (finding,) = baseline_findings(_window(table, adult_schema))
    assert finding.text.startswith("label column 'label' in ref.parquet has no values:")


def test_score_and_prediction(reference_table, adult_schema):
    no_score = baseline_findings(_window(reference_table.drop_columns(["score"]), adult_schema))
    assert len(no_score) == 1 and "class-only model" in no_score[0].text
    no_output = baseline_findings(
        _window(reference_table.drop_columns(["score", "prediction"]), adult_schema)
    )
    assert no_output[0].text.startswith(
        "neither score column 'score' nor prediction column 'prediction' has values in "
        "ref.parquet: model quality and the projection will not be built"
    )
    # the prediction alone is derived from the score: nothing to say
    assert (
        baseline_findings(_window(reference_table.drop_columns(["prediction"]), adult_schema)) == []
    )


def test_a_window_without_labels_is_a_note_not_a_warning(drifted_table, adult_schema, capsys):
    window = _window(drifted_table, adult_schema, source="window.parquet")
    assert [f.level for f in monitor_findings(window)] == ["note"]
    assert check_roles(window, "monitor") == []  # notes are logged, not returned
    assert capsys.readouterr().err.startswith(
        "note: no label column 'label' in window.parquet: model quality reports no_labels"
    )
    bare = _window(drifted_table.drop_columns(["score", "prediction"]), adult_schema)
    assert [f.level for f in monitor_findings(bare)] == ["warning", "note"]


def test_a_dataset_with_none_of_the_schema_columns_is_refused(adult_schema):
    window = _window(pa.table({"x": [1, 2], "y": [3, 4]}), adult_schema, source="other.csv")
    with pytest.raises(InputError, match=r"other\.csv: none of the schema's columns .*'x', 'y'"):
        require_some_column(window)
    empty = _window(pa.table({"x": pa.array([], pa.int64())}), adult_schema)
    require_some_column(empty)  # an empty window is insufficient data, not a wrong file
