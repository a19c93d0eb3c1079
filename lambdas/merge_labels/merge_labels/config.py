"""The merge function's settings, read once from explicit arguments, the environment, defaults.

Precedence is explicit argument > environment variable > default, so tests and the offline run
can pin a value without touching ``os.environ``. Nothing here runs at import time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from merge_labels.errors import ConfigError

ENV_DATA_BUCKET = "DATA_BUCKET"
ENV_CAPTURE_S3_URI = "CAPTURE_S3_URI"
ENV_GROUND_TRUTH_S3_URI = "GROUND_TRUTH_S3_URI"
ENV_DEFAULT_ENDPOINT_NAME = "DEFAULT_ENDPOINT_NAME"
ENV_DEFAULT_VARIANT_NAME = "DEFAULT_VARIANT_NAME"
ENV_WINDOW_MINUTES = "WINDOW_MINUTES"
ENV_LABEL_LAG_HOURS = "LABEL_LAG_HOURS"
ENV_LATE_LABEL_SCAN_HOURS = "LATE_LABEL_SCAN_HOURS"
ENV_MAX_WINDOW_HOURS = "MAX_WINDOW_HOURS"
ENV_OUTPUT_ROW_SEPARATOR = "OUTPUT_ROW_SEPARATOR"
ENV_CAPTURE_SOURCE = "CAPTURE_SOURCE"
ENV_BASELINE_PREFIX = "BASELINE_PREFIX"
DEFAULT_BASELINE_PREFIX = "baselines"
ENV_METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"

DEFAULT_VARIANT_NAME = "AllTraffic"
DEFAULT_WINDOW_MINUTES = 60
DEFAULT_LABEL_LAG_HOURS = 72
DEFAULT_LATE_LABEL_SCAN_HOURS = 24
DEFAULT_MAX_WINDOW_HOURS = 168  # 7 days: a longer window in the execution input is refused
DEFAULT_METRICS_NAMESPACE = "DriftPipeline"

# OUTPUT_ROW_SEPARATOR values: "auto" splits the model output of a batched request on newlines,
# or on commas when that gives one line but the input had several rows.
ROW_SEPARATORS = {"auto": "auto", "newline": "\n", "\\n": "\n", "\n": "\n", "comma": ",", ",": ","}
# CAPTURE_SOURCE values: which capture layouts the merge reads (docs/contracts.md): an
# endpoint's data capture, a batch transform job's capture manifests, or whichever is there.
CAPTURE_SOURCES = ("auto", "endpoint", "batch_transform")


@dataclass(frozen=True)
class MergeConfig:
    data_bucket: str
    capture_s3_uri: str
    ground_truth_s3_uri: str
    default_endpoint_name: str | None = None
    default_variant_name: str = DEFAULT_VARIANT_NAME
    window_minutes: int = DEFAULT_WINDOW_MINUTES
    label_lag_hours: int = DEFAULT_LABEL_LAG_HOURS
    late_label_scan_hours: int = DEFAULT_LATE_LABEL_SCAN_HOURS
    max_window_hours: int = DEFAULT_MAX_WINDOW_HOURS
    output_row_separator: str = "auto"  # "auto", "\n" or ","
    baseline_prefix: str = DEFAULT_BASELINE_PREFIX  # baselines at {prefix}/{endpoint}/
    capture_source: str = "auto"  # one of CAPTURE_SOURCES

    @property
    def reads_endpoint_capture(self) -> bool:
        return self.capture_source in ("auto", "endpoint")

    @property
    def reads_batch_transform_capture(self) -> bool:
        return self.capture_source in ("auto", "batch_transform")

    def __post_init__(self) -> None:
        if not self.data_bucket:
            raise ConfigError(f"{ENV_DATA_BUCKET} is required (the pipeline's S3 bucket)")
        for name, uri in (
            ("capture_s3_uri", self.capture_s3_uri),
            ("ground_truth_s3_uri", self.ground_truth_s3_uri),
        ):
            if not uri.startswith("s3://") or len(uri) <= len("s3://"):
                raise ConfigError(f"{name} must be an s3:// URI, got {uri!r}")
        if self.window_minutes <= 0 or 24 * 60 % self.window_minutes:
            raise ConfigError(
                f"{ENV_WINDOW_MINUTES} must divide a day (1440 minutes) so "
                f"windows align to UTC midnight; got {self.window_minutes}"
            )
        if self.label_lag_hours < 0 or self.late_label_scan_hours < 0:
            raise ConfigError(f"{ENV_LABEL_LAG_HOURS} and {ENV_LATE_LABEL_SCAN_HOURS} must be >= 0")
        if self.max_window_hours * 60 < self.window_minutes:
            raise ConfigError(
                f"{ENV_MAX_WINDOW_HOURS} must allow at least one {ENV_WINDOW_MINUTES} window; "
                f"got {self.max_window_hours}"
            )
        if not re.fullmatch(
            r"[A-Za-z0-9!_.*'()\-]+(/[A-Za-z0-9!_.*'()\-]+)*", self.baseline_prefix
        ):
            raise ConfigError(
                f"{ENV_BASELINE_PREFIX} must be an S3 key prefix without leading "
                f"or trailing '/', got {self.baseline_prefix!r}"
            )
        if self.output_row_separator not in ("auto", "\n", ","):
            raise ConfigError(
                f"{ENV_OUTPUT_ROW_SEPARATOR} must be one of "
                f"{sorted(ROW_SEPARATORS)}, got {self.output_row_separator!r}"
            )
        if self.capture_source not in CAPTURE_SOURCES:
            raise ConfigError(
                f"{ENV_CAPTURE_SOURCE} must be one of {', '.join(CAPTURE_SOURCES)} (endpoint data "
                f"capture, batch transform capture, or both), got {self.capture_source!r}"
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str], **overrides: Any) -> MergeConfig:
        """Build from ``env`` (normally ``os.environ``); ``overrides`` win over the environment."""

        def pick(key: str, env_name: str, default: Any = None) -> Any:
            if overrides.get(key) is not None:
                return overrides[key]
            value = env.get(env_name)
            return value if value not in (None, "") else default

        unknown = set(overrides) - {f for f in cls.__dataclass_fields__}
        if unknown:
            raise ConfigError(f"unknown merge settings {sorted(unknown)}")
        bucket = pick("data_bucket", ENV_DATA_BUCKET)
        if not bucket:
            raise ConfigError(f"{ENV_DATA_BUCKET} is required (the pipeline's S3 bucket)")
        separator = str(pick("output_row_separator", ENV_OUTPUT_ROW_SEPARATOR, "auto"))
        if separator not in ROW_SEPARATORS:
            raise ConfigError(
                f"{ENV_OUTPUT_ROW_SEPARATOR} must be one of "
                f"{sorted(ROW_SEPARATORS)}, got {separator!r}"
            )
        return cls(
            data_bucket=bucket,
            capture_s3_uri=str(
                pick("capture_s3_uri", ENV_CAPTURE_S3_URI, f"s3://{bucket}/datacapture")
            ).rstrip("/"),
            ground_truth_s3_uri=str(
                pick("ground_truth_s3_uri", ENV_GROUND_TRUTH_S3_URI, f"s3://{bucket}/ground-truth")
            ).rstrip("/"),
            default_endpoint_name=pick("default_endpoint_name", ENV_DEFAULT_ENDPOINT_NAME),
            default_variant_name=str(
                pick("default_variant_name", ENV_DEFAULT_VARIANT_NAME, DEFAULT_VARIANT_NAME)
            ),
            window_minutes=_int(
                pick("window_minutes", ENV_WINDOW_MINUTES, DEFAULT_WINDOW_MINUTES),
                ENV_WINDOW_MINUTES,
            ),
            label_lag_hours=_int(
                pick("label_lag_hours", ENV_LABEL_LAG_HOURS, DEFAULT_LABEL_LAG_HOURS),
                ENV_LABEL_LAG_HOURS,
            ),
            late_label_scan_hours=_int(
                pick(
                    "late_label_scan_hours",
                    ENV_LATE_LABEL_SCAN_HOURS,
                    DEFAULT_LATE_LABEL_SCAN_HOURS,
                ),
                ENV_LATE_LABEL_SCAN_HOURS,
            ),
            max_window_hours=_int(
                pick("max_window_hours", ENV_MAX_WINDOW_HOURS, DEFAULT_MAX_WINDOW_HOURS),
                ENV_MAX_WINDOW_HOURS,
            ),
            output_row_separator=ROW_SEPARATORS[separator],
            baseline_prefix=str(
                pick("baseline_prefix", ENV_BASELINE_PREFIX, DEFAULT_BASELINE_PREFIX)
            ),
            capture_source=str(pick("capture_source", ENV_CAPTURE_SOURCE, "auto")).strip().lower(),
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{name} must be an integer, got {value!r}") from exc
