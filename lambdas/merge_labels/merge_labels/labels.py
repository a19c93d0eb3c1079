"""Parse one ground-truth line (aws-contracts §2.2) into its join key and 0/1 label.

Labels are 0/1 ("1", "1.0", JSON ``1``), or class names when ``schema.json`` has
``label_classes`` (``">50K"``, ``"fraud"``): then only those names are labels, and a record
with any other label is rejected (quarantined) with that reason.
"""

from __future__ import annotations

from orjson import JSONDecodeError
from orjson import loads as json_loads

from capture_format import RecordError, class_index, json_object_line


def parse_label(line: bytes | str, classes: tuple[str, str] | None = None) -> tuple[str, int]:
    """(eventId, label) of a ground-truth record; ``eventId`` is the capture's join key.

    ``classes``: the schema's ``label_classes`` (names of class 0 and class 1), or None for 0/1.
    """
    record = json_object_line(line, "ground-truth")
    meta = record.get("eventMetadata")
    key = meta.get("eventId") if isinstance(meta, dict) else None
    if not isinstance(key, str) or not key:
        raise RecordError("eventMetadata.eventId missing or empty")
    truth = record.get("groundTruthData")
    if not isinstance(truth, dict) or "data" not in truth:
        raise RecordError("missing groundTruthData.data")
    encoding = str(truth.get("encoding", "CSV")).upper()
    if encoding not in ("CSV", "JSON"):
        raise RecordError(f"groundTruthData.encoding {truth.get('encoding')!r} is not CSV or JSON")
    data = truth["data"]
    if encoding == "JSON" and isinstance(data, str):
        try:
            data = json_loads(data)
        except JSONDecodeError as exc:
            raise RecordError(f"groundTruthData.data is not JSON ({exc})") from None
    if isinstance(data, str):
        data = data.strip()
    return key, class_index(data, classes, "groundTruthData.data label", "label_classes")
