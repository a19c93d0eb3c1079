"""Which analysis image ran for a window: its URI and the content digest behind it.

The state machine starts the Processing job with a tag (``repo:monitor-v3``) unless the user
pins a digest (``repo@sha256:…``). ECR tags in this stack are immutable, so the tag's digest read
after the job is the one that ran; it is resolved here with ``ecr:DescribeImages`` and written
beside the window's reports as ``provenance.json``, so a result can always be traced to the
exact image. An image this function may not describe (another account's repository, a
non-ECR registry) is recorded with the reason the digest is missing, never guessed, and never
fails the window.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

PROVENANCE_FILE = "provenance.json"

# <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>(:<tag>|@sha256:<hex>)
_ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
    r"(?P<repository>[a-z0-9][a-z0-9._/-]*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})|@(?P<digest>sha256:[0-9a-f]{64}))$"
)
_PINNED = re.compile(r"@(?P<digest>sha256:[0-9a-f]{64})$")


@dataclass(frozen=True)
class ImageProvenance:
    """``image_digest`` is None only with a ``digest_note`` saying why."""

    image_uri: str
    image_digest: str | None
    digest_source: str  # "pinned" (in the URI), "ecr" (DescribeImages) or "unresolved"
    digest_note: str | None = None


def resolve_image(ecr: Any, image_uri: str) -> ImageProvenance:
    """The digest of ``image_uri``: from the URI when pinned, else from ECR."""
    pinned = _PINNED.search(image_uri)
    if pinned:
        return ImageProvenance(image_uri, pinned.group("digest"), "pinned")
    match = _ECR_IMAGE.match(image_uri)
    if match is None or match.group("tag") is None:
        return _unresolved(image_uri, "not an Amazon ECR image URI with a tag; pin it by digest")
    try:
        response = ecr.describe_images(
            registryId=match.group("account"),
            repositoryName=match.group("repository"),
            imageIds=[{"imageTag": match.group("tag")}],
        )
    except ClientError as exc:
        error = exc.response.get("Error", {})
        return _unresolved(
            image_uri, f"ecr:DescribeImages failed: {error.get('Code')}: {error.get('Message')}"
        )
    except BotoCoreError as exc:
        return _unresolved(image_uri, f"ecr:DescribeImages failed: {exc}")
    details = response.get("imageDetails") or []
    if len(details) != 1 or not details[0].get("imageDigest"):
        return _unresolved(image_uri, f"ECR returned {len(details)} images for the tag")
    return ImageProvenance(image_uri, details[0]["imageDigest"], "ecr")


def _unresolved(image_uri: str, note: str) -> ImageProvenance:
    return ImageProvenance(image_uri, None, "unresolved", note)


def provenance_record(
    image: ImageProvenance, *, run_id: str, processing_job_name: str | None, recorded_at: datetime
) -> bytes:
    """The bytes of ``provenance.json`` (one object, keys sorted, so re-runs diff cleanly)."""
    record = {
        **asdict(image),
        "run_id": run_id,
        "processing_job_name": processing_job_name,
        "recorded_at": recorded_at.isoformat(),
    }
    return (json.dumps(record, indent=2, sort_keys=True) + "\n").encode()
