"""Dataset readers: Parquet/CSV files and directories, capture JSONL, bad files."""

import base64
import json
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from column_schema import parse_schema
from drift_monitor.errors import InputError
from drift_monitor.readers import detect_format, read_dataset

SCHEMA = parse_schema(
    {"features": [{"name": "x", "type": "numerical"}, {"name": "c", "type": "categorical"}]}
)
TABLE = pa.table(
    {
        "x": [1.0, 2.0, None],
        "c": ["1", None, "b"],
        "score": [0.1, 0.9, 0.5],
        "prediction": pa.array([0, 1, 1], pa.int64()),
        "label": pa.array([0, None, 1], pa.int64()),
    }
)


def test_parquet_file_and_directory(tmp_path):
    pq.write_table(TABLE, tmp_path / "a.parquet")
    window = read_dataset(tmp_path / "a.parquet", {"parquet": {}}, SCHEMA)
    assert window.n_rows == 3 and window.categorical("c").null_count == 1
    pq.write_table(TABLE, tmp_path / "b.parquet")
    window = read_dataset(tmp_path, {}, SCHEMA)
    assert window.n_rows == 6
    np.testing.assert_array_equal(window.labels(), [0, np.nan, 1, 0, np.nan, 1])


def test_csv_with_header_keeps_numeric_looking_categories_as_strings(tmp_path):
    pacsv.write_csv(TABLE, tmp_path / "w.csv")
    window = read_dataset(tmp_path / "w.csv", {"csv": {"header": True}}, SCHEMA)
    assert window.categorical("c").dictionary.to_pylist() == ["1", "b"]
    assert window.ingest.original_types == {}
    assert np.isnan(window.numeric("x")[2])


def test_csv_without_header_is_refused(tmp_path):
    pacsv.write_csv(TABLE, tmp_path / "w.csv")
    with pytest.raises(InputError, match="header"):
        read_dataset(tmp_path / "w.csv", {"csv": {"header": False}}, SCHEMA)


def test_corrupt_parquet_names_the_file(tmp_path):
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet at all")
    with pytest.raises(InputError, match=r"bad\.parquet"):
        read_dataset(bad, {"parquet": {}}, SCHEMA)


def test_empty_directory_and_missing_path(tmp_path):
    with pytest.raises(InputError, match="no parquet files"):
        read_dataset(tmp_path, {"parquet": {}}, SCHEMA)
    with pytest.raises(InputError, match="does not exist"):
        detect_format(tmp_path / "nope")


def _capture(when, data, output, inference_id="id", encoding="CSV"):
    return json.dumps(
        {
            "captureData": {
                "endpointInput": {
                    "observedContentType": "text/csv",
                    "mode": "INPUT",
                    "data": data,
                    "encoding": encoding,
                },
                "endpointOutput": {
                    "observedContentType": "text/csv",
                    "mode": "OUTPUT",
                    "data": output,
                    "encoding": "CSV",
                },
            },
            "eventMetadata": {
                "eventId": "e-" + inference_id,
                "inferenceId": inference_id,
                "inferenceTime": when,
            },
            "eventVersion": "0",
        }
    )


def test_capture_jsonl_tree_filters_window_splits_batches_and_counts_bad_lines(tmp_path):
    hour = tmp_path / "ep" / "AllTraffic" / "2026" / "11" / "25" / "13"
    hour.mkdir(parents=True)
    lines = [
        _capture("2026-11-25T13:05:00Z", "34,a\n", "0.2", "r1"),
        _capture("2026-11-25T13:06:00Z", "51,b\n27,\n", "0.8\n0.4", "batch"),
        _capture(
            "2026-11-25T13:07:00Z",
            base64.b64encode(b"40,a").decode(),
            "0.6",
            "r64",
            encoding="BASE64",
        ),
        _capture("2026-11-25T14:00:00Z", "99,a", "0.9", "late"),  # outside [start, end)
        _capture("2026-11-25T13:08:00Z", "1,2,3", "0.5", "wide"),  # wrong field count
        _capture("2026-11-25T13:09:00Z", "1,a\n2,b", "0.5", "short"),  # 2 rows, 1 output
        "{not json",
    ]
    (hour / "part.jsonl").write_text("\n".join(lines) + "\n")
    window = read_dataset(
        tmp_path,
        {"sagemakerCaptureJson": {}},
        SCHEMA,
        start=datetime(2026, 11, 25, 13, tzinfo=UTC),
        end=datetime(2026, 11, 25, 14, tzinfo=UTC),
    )
    assert window.n_rows == 4
    assert window.table.column("inference_id").to_pylist() == ["r1", "batch:0", "batch:1", "r64"]
    np.testing.assert_array_equal(window.numeric("x"), [34, 51, 27, 40])
    assert window.categorical("c").to_pylist() == ["a", "b", None, "a"]
    np.testing.assert_allclose(window.scores(), [0.2, 0.8, 0.4, 0.6])
    assert np.isnan(window.labels()).all()
    assert window.ingest.malformed_records == 3
    assert window.ingest.records_outside_window == 1
    # the merge Lambda's parser (capture_format) and its reasons
    assert any(
        "part.jsonl:5" in e and "expected 2 fields" in e and "got 3" in e
        for e in window.ingest.malformed_examples
    )
    assert any(
        "part.jsonl:6" in e and "1 values for 2 input rows" in e
        for e in window.ingest.malformed_examples
    )
    assert any("part.jsonl:7" in e for e in window.ingest.malformed_examples)


def _json_capture(when, data, output, inference_id):
    return json.dumps(
        {
            "captureData": {
                "endpointInput": {
                    "observedContentType": "application/json",
                    "mode": "INPUT",
                    "data": json.dumps(data),
                    "encoding": "JSON",
                },
                "endpointOutput": {
                    "observedContentType": "application/json",
                    "mode": "OUTPUT",
                    "data": json.dumps(output),
                    "encoding": "JSON",
                },
            },
            "eventMetadata": {
                "eventId": "e-" + inference_id,
                "inferenceId": inference_id,
                "inferenceTime": when,
            },
            "eventVersion": "0",
        }
    )


def test_capture_jsonl_with_json_payloads(tmp_path):
    hour = tmp_path / "ep" / "AllTraffic" / "2026" / "11" / "25" / "13"
    hour.mkdir(parents=True)
    lines = [
        _json_capture(
            "2026-11-25T13:05:00Z",
            {"instances": [{"features": [34, "a"]}]},
            {"predictions": [{"score": 0.3}]},
            "j1",
        ),
        _json_capture(
            "2026-11-25T13:06:00Z",
            [{"x": 51, "c": "b"}, {"x": 27}],
            {"predictions": [0.7, 0.1]},
            "jb",
        ),
        _json_capture(
            "2026-11-25T13:07:00Z", [{"x": 1, "colour": "b"}], {"predictions": [0.5]}, "bad-key"
        ),
    ]
    (hour / "part.jsonl").write_text("\n".join(lines) + "\n")
    window = read_dataset(tmp_path, {"sagemakerCaptureJson": {}}, SCHEMA)
    assert window.table.column("inference_id").to_pylist() == ["j1", "jb:0", "jb:1"]
    np.testing.assert_array_equal(window.numeric("x"), [34, 51, 27])
    assert window.categorical("c").to_pylist() == ["a", "b", None]
    np.testing.assert_allclose(window.scores(), [0.3, 0.7, 0.1])
    assert window.ingest.malformed_records == 1
    assert any("unknown feature names ['colour']" in e for e in window.ingest.malformed_examples)


def test_capture_single_file_keeps_five_examples_counts_all_and_skips_blank_lines(tmp_path):
    path = tmp_path / "one.jsonl"
    lines = [_capture("2026-11-25T12:59:59Z", "1,a", "0.1", "early")]  # before start
    lines += ["{bad"] * 7 + ["", "   "]
    lines += [_capture("2026-11-25T13:00:00Z", "2,b", "0.7", "first")]  # start is inside
    path.write_text("\n".join(lines) + "\n")
    window = read_dataset(
        path,
        {"sagemakerCaptureJson": {}},
        SCHEMA,
        start=datetime(2026, 11, 25, 13, tzinfo=UTC),
        end=datetime(2026, 11, 25, 14, tzinfo=UTC),
    )
    assert window.table.column("inference_id").to_pylist() == ["first"]
    assert window.table.column("event_id").to_pylist() == ["e-first"]
    assert window.ingest.records_outside_window == 1
    assert window.ingest.malformed_records == 7
    assert [e.split(": ", 1)[0] for e in window.ingest.malformed_examples] == [
        f"{path}:{n}" for n in range(2, 7)
    ]


def test_capture_without_time_bounds_and_missing_source(tmp_path):
    path = tmp_path / "one.jsonl"
    path.write_text(_capture("2020-01-01T00:00:00Z", "3,c", "0.3", "old") + "\n")
    window = read_dataset(path, {"sagemakerCaptureJson": {}}, SCHEMA)
    assert window.n_rows == 1 and window.ingest.records_outside_window == 0
    with pytest.raises(InputError, match="dataset_source does not exist"):
        read_dataset(tmp_path / "nope", {"sagemakerCaptureJson": {}}, SCHEMA)


def test_capture_gzip_bom_nan_and_an_unreadable_file(tmp_path):
    """Same file decoding as the merge Lambda: gzip by content, BOM, NaN, one bad file."""
    import gzip

    hour = tmp_path / "ep" / "AllTraffic" / "2026" / "11" / "25" / "13"
    hour.mkdir(parents=True)
    records = [
        _capture(f"2026-11-25T13:{minute:02d}:00Z", f"{minute},a", "0.4", f"r{minute}")
        for minute in range(10)
    ]
    body = ("\n".join(records) + "\n").encode()
    (hour / "a.jsonl").write_bytes(gzip.compress(body))  # compressed, plain name
    (hour / "b.jsonl").write_bytes(b"\xef\xbb\xbf" + body.replace(b'"0,a', b'"NaN,a'))
    broken = gzip.compress(body)[:-16]
    (hour / "c.jsonl").write_bytes(broken)

    window = read_dataset(tmp_path, {"sagemakerCaptureJson": {}}, SCHEMA)

    assert window.n_rows == 20  # a.jsonl and b.jsonl in full
    x = window.numeric("x")
    assert np.isnan(x[10]) and np.isnan(x).sum() == 1  # NaN in b.jsonl's first record
    assert window.ingest.malformed_records == 1  # c.jsonl, one item
    (example,) = window.ingest.malformed_examples
    assert "c.jsonl: unreadable file" in example and f"({len(broken)} bytes)" in example
    # records read (20 + 1 unreadable file) == rows + malformed + outside the window
    assert (
        window.n_rows + window.ingest.malformed_records + window.ingest.records_outside_window == 21
    )
