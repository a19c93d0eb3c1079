"""Reading the sources of a training dataset from S3 and writing the new dataset version.

Sources: the original training set (CSV with a header under ``training_data_uri``), every
window's current ``merged.parquet`` under ``recent_data_uri`` (merges kept under ``previous/``
are superseded and skipped) and ``schema.json`` under ``baseline_uri``. A version is written
under ``s3://{bucket}/retraining/{endpoint}/{run_id}/dataset/``: ``train/train.csv`` (the
training channel), ``holdout/holdout.parquet`` (the comparison's rows) and ``manifest.json``
(the counts, the sources and the settings that made it).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from botocore.exceptions import ClientError

from column_schema import ColumnSchema, SchemaError, parse_schema
from retraining.dataset import Assembly, MergedFile, Row

MERGED_FILE = "/data/merged.parquet"
SUPERSEDED = "/previous/"


class DatasetSourceError(RuntimeError):
    """A source of the training data is missing or unreadable; names the object."""


def split_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise DatasetSourceError(f"not an s3:// URI: {uri!r}")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


class DatasetStore:
    def __init__(self, s3: Any) -> None:
        self._s3 = s3

    def schema(self, baseline_uri: str) -> ColumnSchema:
        bucket, prefix = split_uri(baseline_uri)
        key = f"{prefix.rstrip('/')}/schema.json"
        try:
            raw = json.loads(self._get(bucket, key))
            return parse_schema(raw, source=f"s3://{bucket}/{key}")
        except (ValueError, SchemaError) as exc:
            raise DatasetSourceError(f"s3://{bucket}/{key}: {exc}") from None

    def original_rows(self, training_data_uri: str) -> list[Row]:
        bucket, prefix = split_uri(training_data_uri)
        keys = [k for k, _ in self._list(bucket, prefix) if k.endswith(".csv")]
        if not keys:
            raise DatasetSourceError(f"{training_data_uri}: no original training CSV")
        rows: list[Row] = []
        for key in keys:
            text = self._get(bucket, key).decode("utf-8")
            rows.extend(csv.DictReader(io.StringIO(text)))
        return rows

    def merged_files(self, recent_data_uri: str) -> tuple[list[MergedFile], pa.Schema | None]:
        bucket, prefix = split_uri(recent_data_uri)
        files, arrow_schema = [], None
        for key, modified in self._list(bucket, prefix):
            if not key.endswith(MERGED_FILE) or SUPERSEDED in key:
                continue
            table = pq.read_table(io.BytesIO(self._get(bucket, key)))
            arrow_schema = arrow_schema or table.schema
            files.append(MergedFile(f"s3://{bucket}/{key}", modified, table.to_pylist()))
        return files, arrow_schema

    def write_version(
        self,
        version_uri: str,
        assembly: Assembly,
        schema: ColumnSchema,
        arrow_schema: pa.Schema | None,
        manifest: dict[str, Any],
    ) -> dict[str, str]:
        bucket, prefix = split_uri(version_uri)
        prefix = prefix.rstrip("/")
        columns = [*schema.feature_names, schema.label]
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({c: "" if r[c] is None else r[c] for c in columns} for r in assembly.train)
        self._s3.put_object(Bucket=bucket, Key=f"{prefix}/train/train.csv", Body=text.getvalue())
        buffer = io.BytesIO()
        pq.write_table(pa.Table.from_pylist(assembly.holdout, schema=arrow_schema), buffer)
        self._s3.put_object(
            Bucket=bucket, Key=f"{prefix}/holdout/holdout.parquet", Body=buffer.getvalue()
        )
        self._s3.put_object(
            Bucket=bucket,
            Key=f"{prefix}/manifest.json",
            Body=json.dumps(manifest, indent=2, default=str).encode(),
        )
        base = f"s3://{bucket}/{prefix}"
        return {
            "dataset_uri": f"{base}/",
            "train_uri": f"{base}/train/",
            "holdout_uri": f"{base}/holdout/",
            "manifest_uri": f"{base}/manifest.json",
        }

    def _list(self, bucket: str, prefix: str) -> list[tuple[str, float]]:
        paginator = self._s3.get_paginator("list_objects_v2")
        found = []
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                found.append((item["Key"], item["LastModified"].timestamp()))
        return sorted(found)

    def _get(self, bucket: str, key: str) -> bytes:
        try:
            return self._s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            raise DatasetSourceError(f"s3://{bucket}/{key} could not be read: {code}") from None
