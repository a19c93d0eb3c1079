"""After a deploy: the wait for the endpoint (serving, not yet, rolled back, failed, too long)
and the baseline's switch (old copy kept, owner's thresholds carried, stale files removed)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest

from retraining.app import activate_baseline, check_deployment
from retraining.baseline_refresh import DeploymentError, activate, deployment_state
from retraining.config import RetrainingConfig
from retraining.lock import RetrainLock
from tests.unit.lambdas.retraining.conftest import BUCKET

ENDPOINT = "adult-income"
STARTED = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
LIVE = f"s3://{BUCKET}/baselines/{ENDPOINT}/"
CANDIDATE = f"s3://{BUCKET}/retraining/{ENDPOINT}/run-1/baseline/"
REPLACED = f"s3://{BUCKET}/retraining/{ENDPOINT}/run-1/replaced-baseline/"


def _sagemaker(status: str, config: str, reason: str | None = None) -> mock.Mock:
    described = {"EndpointStatus": status, "EndpointConfigName": config}
    if reason:
        described["FailureReason"] = reason
    return mock.Mock(describe_endpoint=mock.Mock(return_value=described))


def _state(sagemaker, minutes: float = 5):
    return deployment_state(
        sagemaker,
        endpoint=ENDPOINT,
        endpoint_config="adult-income-run-1",
        started_at=STARTED,
        now=STARTED + timedelta(minutes=minutes),
        timeout_minutes=60,
    )


def test_the_endpoint_serves_the_challenger_once_in_service_on_its_config():
    state = _state(_sagemaker("InService", "adult-income-run-1"), minutes=7)
    assert state.as_dict() == {"serving": True, "status": "InService", "waited_minutes": 7.0}


@pytest.mark.parametrize("status", ["Updating", "SystemUpdating", "Creating"])
def test_a_rollout_in_progress_is_not_serving_yet(status):
    assert _state(_sagemaker(status, "champion")).serving is False


def test_a_rolled_back_update_fails_with_sagemakers_reason():
    sagemaker = _sagemaker("InService", "champion", "The primary container failed ping")
    with pytest.raises(DeploymentError, match=r"rolled back.*champion.*failed ping"):
        _state(sagemaker)


def test_a_failed_endpoint_fails_with_its_reason():
    with pytest.raises(DeploymentError, match="is Failed after UpdateEndpoint: capacity"):
        _state(_sagemaker("Failed", "adult-income-run-1", "capacity"))


def test_a_rollout_past_the_timeout_fails():
    with pytest.raises(
        DeploymentError, match=r"still Updating 61 min.*DeploymentTimeoutMinutes 60"
    ):
        _state(_sagemaker("Updating", "adult-income-run-1"), minutes=61)


def _put(s3, uri: str, files: dict[str, object]) -> None:
    prefix = uri.split(BUCKET + "/", 1)[1]
    for name, body in files.items():
        text = body if isinstance(body, str) else json.dumps(body)
        s3.put_object(Bucket=BUCKET, Key=prefix + name, Body=text.encode())


def _read(s3, uri: str, name: str) -> str:
    prefix = uri.split(BUCKET + "/", 1)[1]
    return s3.get_object(Bucket=BUCKET, Key=prefix + name)["Body"].read().decode()


OWNERS_CONSTRAINTS = {
    "features": [{"name": "age", "completeness": 1.0}],
    "binary_classification_constraints": {"accuracy": {"threshold": 0.82}},
    "monitoring_config": {"minimum_rows": 80},
}
NEW_CONSTRAINTS = {
    "features": [{"name": "age", "completeness": 0.98}],
    "binary_classification_constraints": {"accuracy": {"threshold": 0.741}},
    "monitoring_config": {"minimum_rows": 50},
}


@pytest.fixture
def baselines(aws):
    s3 = aws.client("s3")
    _put(
        s3,
        LIVE,
        {
            "constraints.json": OWNERS_CONSTRAINTS,
            "statistics.json": "old statistics",
            "projection_feature_calibration.json": "old trees",
        },
    )
    _put(s3, CANDIDATE, {"constraints.json": NEW_CONSTRAINTS, "statistics.json": "new statistics"})
    return s3


def test_activation_keeps_the_old_copy_the_owners_thresholds_and_drops_stale_files(baselines):
    s3 = baselines
    activation = activate(s3, candidate_uri=CANDIDATE, baseline_uri=LIVE, replaced_uri=REPLACED)

    live = json.loads(_read(s3, LIVE, "constraints.json"))
    assert live["features"] == NEW_CONSTRAINTS["features"]  # the data's, from the new baseline
    assert live["binary_classification_constraints"]["accuracy"]["threshold"] == 0.82
    assert live["monitoring_config"] == {"minimum_rows": 80}
    assert _read(s3, LIVE, "statistics.json") == "new statistics"
    with pytest.raises(s3.exceptions.NoSuchKey):  # it would describe the old model
        _read(s3, LIVE, "projection_feature_calibration.json")
    assert json.loads(_read(s3, REPLACED, "constraints.json")) == OWNERS_CONSTRAINTS
    assert _read(s3, REPLACED, "projection_feature_calibration.json") == "old trees"
    assert activation.removed == ["projection_feature_calibration.json"]
    assert activation.carried_over == ["binary_classification_constraints", "monitoring_config"]


def test_a_candidate_without_constraints_is_refused_and_the_live_baseline_untouched(aws):
    s3 = aws.client("s3")
    _put(s3, LIVE, {"constraints.json": OWNERS_CONSTRAINTS})
    _put(s3, CANDIDATE, {"statistics.json": "half a baseline"})
    with pytest.raises(DeploymentError, match=r"no constraints\.json: not activated"):
        activate(s3, candidate_uri=CANDIDATE, baseline_uri=LIVE, replaced_uri=REPLACED)
    assert json.loads(_read(s3, LIVE, "constraints.json")) == OWNERS_CONSTRAINTS


def test_the_activate_action_releases_the_lock_and_completes_the_message(
    baselines, aws, start_execution
):
    execution = start_execution()
    lock = RetrainLock(baselines, aws.client("stepfunctions"), BUCKET)
    lock.acquire(ENDPOINT, execution, STARTED)
    promotion = {"decision": "deployed", "message": "The challenger won and now serves it."}
    outcome_key = f"state/{ENDPOINT}/retrainings/w-1.json"
    baselines.put_object(Bucket=BUCKET, Key=outcome_key, Body=b'{"baseline_refreshed": false}')
    event = {
        "window_slug": "w-1",
        "endpoint_name": ENDPOINT,
        "run_id": "run-1",
        "execution_id": execution,
        "baseline_uri": LIVE,
        "refreshed_baseline_uri": CANDIDATE,
        "promotion": promotion,
        "deployment_state": {"serving": True, "status": "InService", "waited_minutes": 8.0},
    }
    result = activate_baseline(event, RetrainingConfig(data_bucket=BUCKET), baselines, lock)

    assert result["decision"] == "deployed"
    assert result["baseline_refresh"]["replaced_copy_uri"] == REPLACED
    assert result["message"].startswith(promotion["message"])
    assert "served the challenger after 8 min" in result["message"]
    assert (
        REPLACED in result["message"] and "binary_classification_constraints" in result["message"]
    )
    with pytest.raises(baselines.exceptions.NoSuchKey):
        baselines.get_object(Bucket=BUCKET, Key=f"retraining/{ENDPOINT}/lock.json")
    outcome = json.loads(baselines.get_object(Bucket=BUCKET, Key=outcome_key)["Body"].read())
    assert outcome == {"baseline_refreshed": True, "baseline_uri": LIVE}


@pytest.mark.parametrize(
    ("action", "missing"),
    [
        ("check_deployment", "promotion.deployment.started_at"),
        ("activate", "refreshed_baseline_uri"),
    ],
)
def test_an_event_without_a_field_names_it_and_touches_nothing(baselines, action, missing):
    event = {
        "endpoint_name": ENDPOINT,
        "run_id": "run-1",
        "execution_id": "arn:execution",
        "baseline_uri": LIVE,
        "refreshed_baseline_uri": CANDIDATE,
        "promotion": {"deployment": {"endpoint_config_name": "adult-income-run-1"}},
        "deployment_state": {"waited_minutes": 0.0},
    }
    if action == "activate":
        del event["refreshed_baseline_uri"]
    config = RetrainingConfig(data_bucket=BUCKET)
    with pytest.raises(ValueError, match=rf"BaselineRefresh {action} event lacks {missing}$"):
        if action == "check_deployment":
            check_deployment(event, config, _sagemaker("InService", "x"), now=STARTED)
        else:
            activate_baseline(event, config, baselines, mock.Mock())
    assert json.loads(_read(baselines, LIVE, "constraints.json")) == OWNERS_CONSTRAINTS
