import pytest

from merge_labels.config import MergeConfig
from merge_labels.errors import ConfigError


def test_defaults_derive_from_the_bucket():
    config = MergeConfig.from_env({"DATA_BUCKET": "bkt"})
    assert config.capture_s3_uri == "s3://bkt/datacapture"
    assert config.ground_truth_s3_uri == "s3://bkt/ground-truth"
    assert (config.window_minutes, config.label_lag_hours) == (60, 72)
    assert config.default_variant_name == "AllTraffic" and config.output_row_separator == "auto"
    assert config.baseline_prefix == "baselines"


def test_baseline_prefix_moves_where_schema_and_baseline_are_read():
    from merge_labels.merge import Locations
    from merge_labels.models import MergeEvent
    from merge_labels.window import resolve_target

    config = MergeConfig.from_env({"DATA_BUCKET": "bkt", "BASELINE_PREFIX": "monitoring/v2"})
    event = MergeEvent.model_validate(
        {
            "input": {
                "endpoint_name": "ep",
                "window_start": "2026-11-25T13:00:00Z",
                "window_end": "2026-11-25T14:00:00Z",
            },
            "execution_name": "x",
            "execution_start_time": "2026-11-25T14:05:00Z",
        }
    )
    target = resolve_target(event, config)
    locations = Locations(config, target)
    assert locations.baseline_uri == "s3://bkt/monitoring/v2/ep/"
    assert locations.schema.uri == "s3://bkt/monitoring/v2/ep/schema.json"


def test_explicit_argument_beats_environment():
    env = {
        "DATA_BUCKET": "env-bkt",
        "WINDOW_MINUTES": "30",
        "OUTPUT_ROW_SEPARATOR": "comma",
        "CAPTURE_S3_URI": "s3://other/capture/",
    }
    config = MergeConfig.from_env(env, window_minutes=15)
    assert config.data_bucket == "env-bkt" and config.window_minutes == 15
    assert config.output_row_separator == "," and config.capture_s3_uri == "s3://other/capture"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "DATA_BUCKET is required"),
        ({"DATA_BUCKET": "b", "WINDOW_MINUTES": "abc"}, "WINDOW_MINUTES must be an integer"),
        ({"DATA_BUCKET": "b", "WINDOW_MINUTES": "7"}, "must divide a day"),
        ({"DATA_BUCKET": "b", "LABEL_LAG_HOURS": "-1"}, "must be >= 0"),
        ({"DATA_BUCKET": "b", "OUTPUT_ROW_SEPARATOR": ";"}, "OUTPUT_ROW_SEPARATOR must be one of"),
        ({"DATA_BUCKET": "b", "CAPTURE_S3_URI": "/local/path"}, "must be an s3:// URI"),
        ({"DATA_BUCKET": "b", "BASELINE_PREFIX": "/baselines/"}, "BASELINE_PREFIX must be"),
    ],
)
def test_invalid_settings_are_named(env, message):
    with pytest.raises(ConfigError, match=message):
        MergeConfig.from_env(env)
