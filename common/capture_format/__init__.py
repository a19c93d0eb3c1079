"""SageMaker data-capture lines -> typed model-input rows and outputs (one parser, shared).

The merge Lambda (via the layer) and the analysis container (reading capture files directly,
as a plain Model Monitor schedule does) parse capture with this one package, so both accept
and reject the same records for the same reasons.
"""

from capture_format.capture import (
    CaptureParser,
    CaptureRecord,
    RecordError,
    decode_payload,
    parse_binary,
    parse_time,
)
from capture_format.errors import json_object_line
from capture_format.files import FileError, file_lines
from capture_format.outputs import class_index

__all__ = [
    "CaptureParser",
    "CaptureRecord",
    "FileError",
    "RecordError",
    "class_index",
    "decode_payload",
    "file_lines",
    "json_object_line",
    "parse_binary",
    "parse_time",
]
