"""Dataset normalisation: types, unparseable values, missing/extra columns, roles."""

import numpy as np
import pyarrow as pa
import pytest

from column_schema import parse_schema
from drift_monitor.dataset import from_table

SCHEMA = parse_schema(
    {"features": [{"name": "x", "type": "numerical"}, {"name": "c", "type": "categorical"}]}
)


def test_numeric_and_categorical_are_normalised():
    table = pa.table(
        {
            "x": pa.array([1, None, 3], pa.int64()),
            "c": pa.array(["a", None, "b"]),
            "score": pa.array([0.2, 0.7, None]),
            "label": pa.array([0, None, 1], pa.int64()),
        }
    )
    window = from_table(table, SCHEMA, source="t")
    np.testing.assert_array_equal(window.numeric("x"), [1.0, np.nan, 3.0])
    assert window.table.column("x").null_count == 1
    cat = window.categorical("c")
    assert pa.types.is_dictionary(cat.type) and cat.null_count == 1
    np.testing.assert_array_equal(window.predictions(), [0.0, 1.0, np.nan])  # from score >= 0.5
    np.testing.assert_array_equal(window.labels(), [0.0, np.nan, 1.0])
    assert window.ingest.original_types == {}
    frame = window.features_frame()
    assert list(frame.columns) == ["x", "c"] and str(frame["c"].dtype) == "category"


def test_unparseable_numbers_are_counted_not_dropped():
    table = pa.table({"x": pa.array(["1.5", "abc", "", " 2 ", "n/a"]), "c": ["a"] * 5})
    window = from_table(table, SCHEMA, source="t")
    np.testing.assert_array_equal(window.numeric("x"), [1.5, np.nan, np.nan, 2.0, np.nan])
    assert window.ingest.unparseable == {"x": 2}
    assert window.ingest.unparseable_examples["x"] == ["abc", "n/a"]
    assert window.ingest.original_types["x"] == "string"


def test_missing_and_extra_columns_are_recorded():
    table = pa.table({"c": ["a", "b"], "surprise": [1, 2], "inference_id": ["1", "2"]})
    window = from_table(table, SCHEMA, source="t")
    assert window.ingest.missing_columns == ["x"]
    assert window.ingest.extra_columns == ["surprise"]
    assert np.isnan(window.numeric("x")).all()
    assert window.scores() is None or np.isnan(window.scores()).all()
    assert np.isnan(window.labels()).all()


def test_categorical_stored_as_number_is_flagged_as_type_change():
    table = pa.table({"x": [1.0, 2.0], "c": pa.array([1, 2], pa.int64())})
    window = from_table(table, SCHEMA, source="t")
    assert window.ingest.original_types == {"c": "int64"}
    assert window.categorical("c").dictionary.to_pylist() == ["1", "2"]


@pytest.mark.parametrize("output_format", ["class"])
def test_class_only_output_has_no_scores(output_format):
    schema = parse_schema(
        {"features": [{"name": "x", "type": "numerical"}], "output_format": output_format}
    )
    window = from_table(pa.table({"x": [1.0], "prediction": [1]}), schema)
    assert window.scores() is None
    assert window.predictions().tolist() == [1.0]


def test_category_counts_are_counted_once_and_handed_out_as_copies():
    table = pa.table({"x": pa.array([1.0, 2.0, 3.0]), "c": pa.array(["a", None, "a"])})
    window = from_table(table, SCHEMA, source="t")
    counts = window.category_counts("c")
    assert counts == {"a": 2}
    counts["a"] = 99  # the caller's copy; the cached counts are unchanged
    assert window.category_counts("c") == {"a": 2}
    assert window.categorical("c") is window.categorical("c")


def test_parquet_read_a_few_columns_at_a_time_equals_the_whole_table(tmp_path):
    import pyarrow.parquet as pq

    from drift_monitor.readers.tabular import read_tabular

    rng = np.random.default_rng(0)
    n = 1000
    # columns out of schema order, an extra column, several row groups
    table = pa.table(
        {
            "label": pa.array(rng.integers(0, 2, n)),
            "extra": pa.array(rng.random(n)),
            "c": pa.array(rng.choice(["a", "b", None], n)),
            "score": pa.array(rng.random(n)),
            "x": pa.array(rng.integers(0, 9, n)),
        }
    )
    path = tmp_path / "w.parquet"
    pq.write_table(table, path, row_group_size=300)
    read = read_tabular([path], "parquet", SCHEMA, source="w")
    whole = from_table(pq.read_table(path, read_dictionary=["c"]), SCHEMA, source=str(path))
    assert read.table.equals(whole.table)
    assert read.ingest.extra_columns == whole.ingest.extra_columns == ["extra"]
