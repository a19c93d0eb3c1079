"""Console links a person can click from a notification, in the region the pipeline runs in.

The region comes from the execution's ARN (``arn:aws:states:<region>:...``), so a stack in any
region links to its own console; an S3 object's console page is region-agnostic but takes the
bucket's region as a parameter.
"""

from __future__ import annotations

from urllib.parse import quote


def region_of(arn: str | None) -> str | None:
    parts = (arn or "").split(":")
    return parts[3] if len(parts) > 3 and parts[0] == "arn" and parts[3] else None


def s3_console_url(uri: str, region: str) -> str | None:
    """``s3://bucket/key`` → the S3 console's page of that object (or folder, for ``.../``)."""
    if not uri.startswith("s3://") or "/" not in uri[5:]:
        return None
    bucket, _, key = uri[5:].partition("/")
    page = "buckets" if key.endswith("/") or not key else "object"
    return (
        f"https://{region}.console.aws.amazon.com/s3/{page}/{quote(bucket)}"
        f"?region={region}&prefix={quote(key)}"
    )


def execution_console_url(arn: str) -> str | None:
    region = region_of(arn)
    if region is None:
        return None
    return (
        f"https://{region}.console.aws.amazon.com/states/home?region={region}"
        f"#/v2/executions/details/{arn}"
    )
