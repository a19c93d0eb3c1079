"""Batch transform capture as the merge's source: manifests -> paired input and output lines.

Layout (docs/contracts.md "Batch transform capture"): the job's ``DestinationS3Uri`` is
``{CAPTURE_S3_URI}/{endpoint}/batch-transform``; every object in its ``input/`` and
``output/`` hour folders is a manifest naming the job's input objects and output objects
(``{input key}.out``). Output line *i* is the model's answer to input line *i* (the job runs
with ``SplitType``/``AssembleWith`` ``Line``) and carries the inference id the labels join on.

Every record position is counted once: a line pair is merged, outside the window or
quarantined; an output or input line without its partner, an output object without an input,
or a manifest or object that cannot be read is quarantined with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from botocore.exceptions import ClientError

from capture_format import CaptureParser, RecordError
from capture_format.batch_transform import (
    OUTPUT_SUFFIX,
    Manifest,
    ManifestError,
    input_format,
    parse_manifest,
    parse_output_line,
)
from merge_labels.captures import WindowRows
from merge_labels.manifest import MergeStats
from merge_labels.quarantine import Quarantine
from merge_labels.s3io import S3Location, UnreadableObject, hour_prefix, list_keys, read_lines

BATCH_FOLDER = "batch-transform"  # {CAPTURE_S3_URI}/{endpoint}/batch-transform/{input,output}/


class _Unreadable(Exception):
    """An object the manifests name cannot be read; the message is the reason."""


def _lines(s3, uri: str) -> list[bytes]:
    bucket, _, key = uri[len("s3://") :].partition("/")
    try:
        return read_lines(s3, bucket, key)
    except UnreadableObject as exc:
        raise _Unreadable(f"unreadable object ({exc.size} bytes): {exc}") from None
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "error")
        raise _Unreadable(f"{uri} cannot be read ({code})") from None


@dataclass
class _Inputs:
    """The input objects named by the input manifests of the window's hours."""

    by_manifest: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> key -> uri
    by_key: dict[str, set[str]] = field(default_factory=dict)

    def add(self, name: str, manifest: Manifest) -> None:
        named = self.by_manifest.setdefault(name, {})
        for key in manifest.keys:
            named[key] = manifest.uri(key)
            self.by_key.setdefault(key, set()).add(manifest.uri(key))

    def match(self, manifest_name: str, output_key: str) -> tuple[str | None, str | None]:
        """(input uri, None), or (None, why there is none) for one output object's key."""
        key = output_key.removesuffix(OUTPUT_SUFFIX)
        same = self.by_manifest.get(manifest_name, {}).get(key)
        if same:
            return same, None
        found = sorted(self.by_key.get(key, ()))
        if len(found) == 1:
            return found[0], None
        if found:
            return None, (
                f"ambiguous input: input manifests of these hours name {key!r} at "
                f"{', '.join(found[:3])}; keep one transform job per capture manifest name"
            )
        return None, (
            f"no input object for this output: no input manifest under input/ of the window's "
            f"hours names {key!r} (the output {output_key!r} minus {OUTPUT_SUFFIX!r})"
        )


def _manifests(s3, root: S3Location, hours: list[datetime], stats, quarantine):
    """(name relative to ``root``, manifest) of every readable manifest in the hour folders;
    an unreadable one is quarantined and counted as one record read."""
    for hour in hours:
        for key in list_keys(s3, hour_prefix(root, hour)):
            uri = f"s3://{root.bucket}/{key}"
            stats.batch_manifests.append(uri)
            try:
                manifest = parse_manifest(b"\n".join(_lines(s3, uri)).decode("utf-8"))
            except (_Unreadable, ManifestError, UnicodeDecodeError) as exc:
                quarantine.add("capture", uri, 0, f"batch-transform manifest: {exc}", b"")
                stats.capture_lines += 1
                stats.records_quarantined += 1
                continue
            yield key[len(root.key) :], manifest


def read_batch_captures(
    s3,
    root: S3Location,
    hours: list[datetime],
    parser: CaptureParser,
    rows: WindowRows,
    stats: MergeStats,
    quarantine: Quarantine,
) -> None:
    """Read the batch-transform capture under ``root`` (``.../{endpoint}/batch-transform/``)."""
    inputs = _Inputs()
    for name, manifest in _manifests(s3, root.child("input/"), hours, stats, quarantine):
        inputs.add(name, manifest)
    pairs = _Pairs(s3, parser, rows, stats, quarantine)
    for name, manifest in _manifests(s3, root.child("output/"), hours, stats, quarantine):
        for key in manifest.keys:
            input_uri, problem = inputs.match(name, key)
            pairs.read(manifest.uri(key), input_uri, problem)


class _Pairs:
    """One output object and its input object, line by line, into the window's rows."""

    def __init__(self, s3, parser: CaptureParser, rows: WindowRows, stats, quarantine) -> None:
        self.s3, self.parser, self.rows = s3, parser, rows
        self.stats, self.quarantine = stats, quarantine

    def _reject(self, uri: str, number: int, reason: str, raw: bytes) -> None:
        self.quarantine.add("capture", uri, number, reason, raw)
        self.stats.records_quarantined += 1

    def _nonblank(self, lines: list[bytes]) -> list[tuple[int, bytes]]:
        kept = [(n, line) for n, line in enumerate(lines, 1) if line and not line.isspace()]
        self.stats.blank_lines += len(lines) - len(kept)
        return kept

    def read(self, output_uri: str, input_uri: str | None, problem: str | None) -> None:
        self.stats.capture_files.append(output_uri)
        try:
            outputs = self._nonblank(_lines(self.s3, output_uri))
        except _Unreadable as exc:
            self.stats.capture_lines += 1
            self._reject(output_uri, 0, f"batch-transform output: {exc}", b"")
            return
        inputs: list[tuple[int, bytes]] = []
        if input_uri is not None:
            try:
                inputs = self._nonblank(_lines(self.s3, input_uri))
            except _Unreadable as exc:
                problem = f"batch-transform input {input_uri}: {exc}"
        fmt = input_format(input_uri or "", inputs[0][1] if inputs else b"")
        for index in range(max(len(outputs), len(inputs))):
            self.stats.capture_lines += 1
            if index >= len(outputs):
                number, line = inputs[index]
                why = f"batch-transform input line {number} has no output line in {output_uri}"
                self._reject(input_uri or "", number, why, line)
            elif problem is not None:
                self._reject(output_uri, outputs[index][0], problem, outputs[index][1])
            elif index >= len(inputs):
                number, line = outputs[index]
                why = f"output line {number} has no input line in {input_uri} ({len(inputs)})"
                self._reject(output_uri, number, f"batch-transform {why}", line)
            else:
                self._pair(output_uri, outputs[index], inputs[index][1], fmt)

    def _pair(self, output_uri: str, output: tuple[int, bytes], model_input: bytes, fmt: str):
        number, line = output
        try:
            parsed = parse_output_line(line)
            text = model_input.decode("utf-8")
            record = self.parser.record(
                f"{output_uri}:{number}",
                parsed.inference_id,
                parsed.inference_time,
                (fmt, text),
                parsed.output,
            )
        except (RecordError, UnicodeDecodeError) as exc:
            self._reject(output_uri, number, str(exc), line)
            return
        if self.rows.take(record):
            self.stats.records_in_window += 1
        else:
            self.stats.records_outside_window += 1
