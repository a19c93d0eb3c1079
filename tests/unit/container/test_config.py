"""Settings from env vars, processingjobconfig.json and arguments (real env wins)."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from drift_monitor.config import load_config, parse_time
from drift_monitor.errors import InputError


def test_schedule_env_and_processingjobconfig_mirror(tmp_path):
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    (config_dir / "processingjobconfig.json").write_text(
        json.dumps(
            {
                "Environment": {
                    "dataset_source": "/from/file",
                    "output_path": "/out/file",
                    "baseline_statistics": "/base/statistics.json",
                    "publish_cloudwatch_metrics": "Enabled",
                    "sagemaker_endpoint_name": "adult",
                    "start_time": "2026-11-25T13:00:00Z",
                    "end_time": "2026-11-25T14:00:00Z",
                }
            }
        )
    )
    env = {"DRIFT_MONITOR_ML_ROOT": str(tmp_path), "dataset_source": "/from/env"}
    config = load_config([], env)
    assert config.mode == "monitor"
    assert config.dataset_source == Path("/from/env")  # real env wins
    assert config.output_path == Path("/out/file")  # mirrored in the file
    assert config.baseline_dir == Path("/base")
    assert config.publish_cloudwatch_metrics and config.endpoint_name == "adult"
    assert config.metric_time == datetime(2026, 11, 25, 14, tzinfo=UTC)  # falls back to end
    assert config.cloudwatch_dir == tmp_path / "output" / "metrics" / "cloudwatch"


def test_processing_job_defaults_are_rerooted(tmp_path):
    config = load_config(["baseline"], {"DRIFT_MONITOR_ML_ROOT": str(tmp_path)})
    assert config.dataset_source == tmp_path / "processing/input/baseline_dataset_input"
    assert config.output_path == tmp_path / "processing/output"
    assert not config.publish_cloudwatch_metrics


def test_arguments_override_env(tmp_path):
    config = load_config(
        [
            "monitor",
            "--dataset",
            "/a",
            "--output",
            "/b",
            "--baseline",
            "/c",
            "--schema",
            "/d/schema.json",
        ],
        {
            "DRIFT_MONITOR_ML_ROOT": str(tmp_path),
            "dataset_source": "/x",
            "baseline_statistics": "/y/statistics.json",
        },
    )
    assert (config.dataset_source, config.output_path, config.baseline_dir, config.schema_path) == (
        Path("/a"),
        Path("/b"),
        Path("/c"),
        Path("/d/schema.json"),
    )


def test_lenient_times_and_bad_settings(tmp_path):
    assert parse_time("2019-12-01T15: 20: 00Z", "t") == datetime(2019, 12, 1, 15, 20, tzinfo=UTC)
    root = {"DRIFT_MONITOR_ML_ROOT": str(tmp_path)}
    with pytest.raises(InputError, match="start_time"):
        load_config([], {**root, "start_time": "yesterday"})
    with pytest.raises(InputError, match="not before"):
        load_config(
            [], {**root, "start_time": "2026-01-02T00:00:00Z", "end_time": "2026-01-01T00:00:00Z"}
        )
    with pytest.raises(InputError, match="unsupported format 'avro'"):
        load_config([], {**root, "dataset_format": '{"avro": {}}'})
    with pytest.raises(InputError, match="not JSON"):
        load_config([], {**root, "dataset_format": "{parquet"})
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "processingjobconfig.json").write_text("{broken")
    with pytest.raises(InputError, match=r"processingjobconfig\.json"):
        load_config([], root)


def test_command_line_options_beat_the_environment(tmp_path):
    env = {
        "DRIFT_MONITOR_ML_ROOT": str(tmp_path),
        "DRIFT_MONITOR_THREADS": "3",
        "start_time": "2026-11-25T13:00:00Z",
        "end_time": "2026-11-25T14:00:00Z",
        "dataset_format": '{"parquet": {}}',
    }
    config = load_config(
        ["--threads", "2", "--start", "2026-11-25T13:30:00Z", "--format", "jsonl"], env
    )
    assert config.mode == "monitor" and config.threads == 2
    assert config.start_time == datetime(2026, 11, 25, 13, 30, tzinfo=UTC)
    assert config.end_time == datetime(2026, 11, 25, 14, tzinfo=UTC)  # from the environment
    assert config.dataset_format == {"sagemakerCaptureJson": {}}
    assert load_config([], env).threads == 3
    assert load_config(["baseline", "--format", "csv"], env).dataset_format == {
        "csv": {"header": True}
    }


def test_threads_and_non_job_commands(tmp_path):
    root = {"DRIFT_MONITOR_ML_ROOT": str(tmp_path)}
    assert load_config([], {**root, "DRIFT_MONITOR_THREADS": "0"}).threads == 1
    with pytest.raises(InputError, match="DRIFT_MONITOR_THREADS='many' is not an integer"):
        load_config([], {**root, "DRIFT_MONITOR_THREADS": "many"})
    with pytest.raises(InputError, match="not a monitor/baseline job"):
        load_config(["infer-schema", "data.csv"], root)
    with pytest.raises(InputError, match=r"bad arguments .*unknown format 'avro'"):
        load_config(["--format", "avro"], root)
