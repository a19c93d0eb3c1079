"""Lambda entry points of the retraining branch.

``prepare_handler`` (RetrainDataFunction): ``{"action": "acquire", ...}`` claims the endpoint's
retraining lock; ``{"action": "assemble", ...}`` writes the dataset version and says whether
there are enough fresh labelled rows. ``promote_handler`` (PromoteChallengerFunction): the gate,
the registry, the optional deploy and the notification text. ``refresh_handler``
(BaselineRefreshFunction): after a deploy, the wait for the endpoint and the baseline's switch.
Errors propagate: the state machine's catch sends them to the failure notification with this
message.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import boto3
from aws_lambda_powertools import Tracer

from retraining import baseline_refresh, notice, outcome_record
from retraining.config import RetrainingConfig
from retraining.dataset import assemble
from retraining.dataset_store import DatasetStore
from retraining.lock import RetrainLock
from retraining.promotion import PromotionRequest, promote

# X-Ray (Tracing: Active in template.yaml): the invocation and its AWS calls (boto3 patched).
# Outside Lambda (tests, the offline run) Powertools disables it.
tracer = Tracer(service="retraining")


@tracer.capture_lambda_handler
def prepare_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    config = RetrainingConfig.from_env(os.environ)
    lock = RetrainLock(_client("s3"), _client("stepfunctions"), config.data_bucket)
    action = event.get("action")
    if action == "acquire":
        return acquire(event, lock, now=datetime.now(UTC))
    if action == "assemble":
        return assemble_dataset(event, config, DatasetStore(_client("s3")), lock)
    raise ValueError(f"unknown action {action!r}: use 'acquire' or 'assemble'")


@tracer.capture_lambda_handler
def promote_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    config = RetrainingConfig.from_env(os.environ)
    return promote(
        PromotionRequest.from_event(event),
        config=config,
        s3=_client("s3"),
        sagemaker=_client("sagemaker"),
        lock=RetrainLock(_client("s3"), _client("stepfunctions"), config.data_bucket),
        now=datetime.now(UTC),
    )


@tracer.capture_lambda_handler
def refresh_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """BaselineRefreshFunction: ``{"action": "check_deployment", ...}`` says whether the endpoint
    serves the challenger yet; ``{"action": "activate", ...}`` makes the refreshed baseline live,
    releases the lock and completes the promotion's message."""
    config = RetrainingConfig.from_env(os.environ)
    action = event.get("action")
    if action == "check_deployment":
        return check_deployment(event, config, _client("sagemaker"), now=datetime.now(UTC))
    if action == "activate":
        lock = RetrainLock(_client("s3"), _client("stepfunctions"), config.data_bucket)
        return activate_baseline(event, config, _client("s3"), lock)
    raise ValueError(f"unknown action {action!r}: use 'check_deployment' or 'activate'")


def _fields(event: dict[str, Any], action: str, *paths: str) -> list[Any]:
    """The event's values at dotted ``paths``, or a ValueError naming the first one missing
    (the state machine passes them; a hand-made event learns what it lacks)."""
    values = []
    for path in paths:
        value: Any = event
        for key in path.split("."):
            if not isinstance(value, dict) or value.get(key) in (None, ""):
                raise ValueError(f"BaselineRefresh {action} event lacks {path}")
            value = value[key]
        values.append(value)
    return values


def check_deployment(
    event: dict[str, Any], config: RetrainingConfig, sagemaker: Any, *, now: datetime
) -> dict[str, Any]:
    endpoint, config_name, started = _fields(
        event,
        "check_deployment",
        "endpoint_name",
        "promotion.deployment.endpoint_config_name",
        "promotion.deployment.started_at",
    )
    state = baseline_refresh.deployment_state(
        sagemaker,
        endpoint=endpoint,
        endpoint_config=config_name,
        started_at=datetime.fromisoformat(str(started).replace("Z", "+00:00")),
        now=now,
        timeout_minutes=config.deployment_timeout_minutes,
    )
    return state.as_dict()


def activate_baseline(
    event: dict[str, Any], config: RetrainingConfig, s3: Any, lock: RetrainLock
) -> dict[str, Any]:
    endpoint, run_id, execution_id, promotion, candidate, live, waited = _fields(
        event,
        "activate",
        "endpoint_name",
        "run_id",
        "execution_id",
        "promotion",
        "refreshed_baseline_uri",
        "baseline_uri",
        "deployment_state.waited_minutes",
    )
    activation = baseline_refresh.activate(
        s3,
        candidate_uri=candidate,
        baseline_uri=live,
        replaced_uri=f"s3://{config.data_bucket}/retraining/{endpoint}/{run_id}/replaced-baseline/",
    )
    if slug := event.get("window_slug"):
        key = outcome_record.record_key(config.state_prefix, endpoint, slug)
        outcome_record.mark_baseline_refreshed(s3, config.data_bucket, key, live)
    lock.release(endpoint, execution_id)
    lines = notice.baseline_refreshed_lines(activation.as_dict(), float(waited))
    return {
        **promotion,
        "baseline_refresh": activation.as_dict(),
        "message": promotion["message"] + "\n" + "\n".join(lines),
    }


def acquire(event: dict[str, Any], lock: RetrainLock, *, now: datetime) -> dict[str, Any]:
    endpoint = event["endpoint_name"]
    outcome = lock.acquire(endpoint, event["execution_id"], now)
    message = (
        f"Retraining of {endpoint} was wanted by run {event['run_id']} but another retraining "
        f"is running ({outcome.holder}); this run did not start a second one. The running one "
        f"will report its result. Lock: {outcome.lock_uri}"
    )
    return {
        **outcome.as_dict(),
        "subject": notice.subject(f"{endpoint}: retrain skipped, another retraining is running"),
        "message": message,
        "message_attributes": notice.attributes(endpoint, "skipped_busy", "warning"),
    }


def assemble_dataset(
    event: dict[str, Any], config: RetrainingConfig, store: DatasetStore, lock: RetrainLock
) -> dict[str, Any]:
    merge = event["merge"]
    endpoint, run_id = merge["endpoint_name"], merge["run_id"]
    window_end = datetime.fromisoformat(merge["window"]["end"].replace("Z", "+00:00"))
    schema = store.schema(merge["baseline_uri"])
    files, arrow_schema = store.merged_files(merge["recent_data_uri"])
    assembly = assemble(
        store.original_rows(merge["training_data_uri"]),
        files,
        schema,
        window_end=window_end,
        lookback_hours=config.lookback_hours,
        holdout_share=config.holdout_share,
    )
    base = f"s3://{config.data_bucket}/retraining/{endpoint}/{run_id}"
    manifest = {
        "endpoint_name": endpoint,
        "run_id": run_id,
        "window_end": merge["window"]["end"],
        "lookback_hours": config.lookback_hours,
        "holdout_share": config.holdout_share,
        "holdout_starts_at": assembly.holdout_start,
        "counts": assembly.counts,
        "merged_files": [f.uri for f in files],
        "original_training_data": merge["training_data_uri"],
    }
    uris = store.write_version(f"{base}/dataset/", assembly, schema, arrow_schema, manifest)
    fresh = assembly.counts["fresh_labelled_rows"]
    enough = fresh >= config.min_fresh_labeled_rows
    if not enough:
        lock.release(endpoint, event["execution_id"])
    return {
        **uris,
        "comparison_uri": f"{base}/comparison/",
        "refreshed_baseline_uri": f"{base}/baseline/",
        "counts": assembly.counts,
        "enough": enough,
        "hyperparameters": dict(config.hyperparameters or {}),
        "subject": notice.subject(f"{endpoint}: retrain skipped, too few fresh labels"),
        "message": (
            f"Retraining of {endpoint} (run {run_id}) did not start: {fresh} fresh labelled rows "
            f"in the last {config.lookback_hours:g} h, fewer than MinFreshLabeledRows "
            f"({config.min_fresh_labeled_rows}). The champion keeps serving. Dataset version: "
            f"{uris['manifest_uri']}"
        ),
        "message_attributes": notice.attributes(endpoint, "skipped_too_few_labels", "warning"),
    }


@lru_cache(maxsize=4)
def _client(name: str) -> Any:
    """Created on first use (never at import), reused by warm invocations."""
    return boto3.client(name)
