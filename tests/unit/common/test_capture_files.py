"""Capture files as they arrive: gzip (by content), a UTF-8 BOM, NaN, unreadable objects."""

import bz2
import gzip
import json

import pytest

from capture_format import CaptureParser, FileError, RecordError, file_lines
from column_schema import parse_schema

SCHEMA = parse_schema(
    {"features": [{"name": "age", "type": "numerical"}, {"name": "job", "type": "categorical"}]}
)


def record(data: str, output: str = "0.7", event_id: str = "e-1", **input_extra) -> str:
    return json.dumps(
        {
            "captureData": {
                "endpointInput": {
                    "observedContentType": "text/csv",
                    "mode": "INPUT",
                    "data": data,
                    "encoding": "CSV",
                    **input_extra,
                },
                "endpointOutput": {
                    "observedContentType": "text/csv",
                    "mode": "OUTPUT",
                    "data": output,
                    "encoding": "CSV",
                },
            },
            "eventMetadata": {"eventId": event_id, "inferenceTime": "2026-11-25T13:05:00Z"},
            "eventVersion": "0",
        }
    )


BODY = ("\n".join(record(f"{30 + i},a", event_id=f"e-{i}") for i in range(5)) + "\n").encode()


def test_plain_gzip_and_bom_give_the_same_lines():
    plain = file_lines(BODY)
    assert len(plain) == 5
    assert file_lines(gzip.compress(BODY)) == plain
    assert file_lines(b"\xef\xbb\xbf" + BODY) == plain
    assert file_lines(gzip.compress(b"\xef\xbb\xbf" + BODY)) == plain
    # concatenated gzip members (appending to a .gz file) are one stream
    assert file_lines(gzip.compress(BODY[:10]) + gzip.compress(BODY[10:])) == plain
    parser = CaptureParser(SCHEMA)
    assert parser.parse(file_lines(b"\xef\xbb\xbf" + BODY)[0]).rows == [(30.0, "a")]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (gzip.compress(BODY)[:-12], "gzip-compressed but does not decompress"),
        (b"\x1f\x8b" + b"\x00" * 40, "gzip-compressed but does not decompress"),
        (bz2.compress(BODY), "bzip2-compressed; expected plain or gzip-compressed UTF-8"),
        (BODY.decode().encode("utf-16"), "UTF-16 text"),
        (b'{"a": 1}\x00\x00\x00', "binary content"),
        (b"\xff\xfa\x80 not text\n" + BODY, "not UTF-8 text (byte 0xff at offset 0)"),
    ],
)
def test_unreadable_objects_raise_one_reason(data, reason):
    with pytest.raises(FileError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        file_lines(data)


def test_one_undecodable_line_is_left_to_the_line_parser():
    lines = file_lines(BODY + b'{"captureData": "caf\xe9"}\n')
    assert len(lines) == 6
    with pytest.raises(RecordError, match="invalid JSON"):
        CaptureParser(SCHEMA).parse(lines[-1])


@pytest.mark.parametrize("text", ["NaN", "nan", " NaN ", "-nan"])
def test_textual_nan_in_a_numerical_csv_field_is_missing(text):
    parsed = CaptureParser(SCHEMA).parse(record(f"{text},a\n31,b", "0.1\n0.9"))
    assert parsed.rows == [(None, "a"), (31.0, "b")]


def test_nan_in_json_payloads_is_missing_and_infinity_still_rejected():
    parser = CaptureParser(SCHEMA)

    def json_record(payload: str) -> str:
        line = json.loads(record(""))
        line["captureData"]["endpointInput"].update(
            data=payload, encoding="JSON", observedContentType="application/json"
        )
        return json.dumps(line)

    # Python's json.dumps writes NaN, which orjson refuses; the parser falls back
    assert parser.parse(json_record(json.dumps([float("nan"), "a"]))).rows == [(None, "a")]
    assert parser.parse(json_record('[{"age": "NaN", "job": "a"}]')).rows == [(None, "a")]
    with pytest.raises(RecordError, match="not a finite number"):
        parser.parse(json_record(json.dumps([float("inf"), "a"])))
    with pytest.raises(RecordError, match="not a finite number"):
        parser.parse(record("inf,a"))
