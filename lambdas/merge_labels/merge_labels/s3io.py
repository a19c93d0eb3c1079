"""S3 access the merge needs: hour-folder prefixes, paginated listing, line streaming.

Objects are streamed line by line (``StreamingBody.iter_lines``) so memory does not grow with
the number or size of the input files.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

LINE_CHUNK_BYTES = 1 << 20


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


def iter_lines(s3, bucket: str, key: str) -> Iterator[bytes]:
    """The lines of one object (without line endings), streamed."""
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    try:
        yield from body.iter_lines(chunk_size=LINE_CHUNK_BYTES)
    finally:
        body.close()
