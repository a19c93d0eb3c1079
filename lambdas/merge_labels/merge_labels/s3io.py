"""S3 access the merge needs: hour-folder prefixes, paginated listing, reading objects' lines.

One object is read and decoded at a time (:func:`capture_format.file_lines`: gzip detected by
its magic bytes, a UTF-8 byte-order mark stripped), so memory grows with the largest input
file, not with their number; an object that is not JSON Lines text raises
:class:`UnreadableObject` before any of its lines is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from capture_format import FileError, file_lines


@dataclass(frozen=True)
class S3Location:
    bucket: str
    key: str  # no leading slash; a prefix ends with "/"

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def child(self, relative: str) -> S3Location:
        base = self.key if not self.key or self.key.endswith("/") else self.key + "/"
        return S3Location(self.bucket, base + relative)


def parse_s3_uri(uri: str) -> S3Location:
    if not uri.startswith("s3://"):
        raise ValueError(f"not an s3:// URI: {uri!r}")
    bucket, _, key = uri[len("s3://") :].partition("/")
    if not bucket:
        raise ValueError(f"s3 URI without a bucket: {uri!r}")
    return S3Location(bucket, key)


def hour_floor(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def hours_between(first: datetime, stop: datetime) -> list[datetime]:
    """Hour folders whose hour [h, h+1) overlaps ``[first, stop)``, in order."""
    hours: list[datetime] = []
    hour = hour_floor(first)
    while hour < stop:
        hours.append(hour)
        hour += timedelta(hours=1)
    return hours


def hour_prefix(root: S3Location, hour: datetime) -> S3Location:
    return root.child(f"{hour:%Y/%m/%d/%H}/")


def list_keys(s3, location: S3Location) -> Iterator[str]:
    """Every key under a prefix, in S3's (lexicographic) order, page by page."""
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=location.bucket, Prefix=location.key):
        for item in page.get("Contents", ()):
            yield item["Key"]


class UnreadableObject(FileError):
    """An object that is not JSON Lines text (corrupt gzip, other compression, binary bytes).

    The caller quarantines the object as one item: ``str(exc)`` is the reason, ``size`` the
    object's size in bytes.
    """

    def __init__(self, reason: str, size: int) -> None:
        super().__init__(reason)
        self.size = size


def read_lines(s3, bucket: str, key: str) -> list[bytes]:
    """The lines of one object (without line endings), decompressed and decoded as a whole."""
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    try:
        data = body.read()
    finally:
        body.close()
    try:
        return file_lines(data)
    except FileError as exc:
        raise UnreadableObject(str(exc), len(data)) from None


def iter_lines(s3, bucket: str, key: str) -> Iterator[bytes]:
    """:func:`read_lines` as an iterator (raises :class:`UnreadableObject` on the first step)."""
    yield from read_lines(s3, bucket, key)
