"""The end of the retraining branch: gate, registry, optional deploy, lock release, notice."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from retraining import notice, outcome_record, registry
from retraining.config import RetrainingConfig
from retraining.dataset_store import DatasetSourceError, split_uri
from retraining.gate import GateSettings, decide
from retraining.lock import RetrainLock


@dataclass(frozen=True)
class PromotionRequest:
    endpoint_name: str
    run_id: str
    execution_id: str
    model_artifact_uri: str
    comparison_uri: str  # prefix holding comparison.json and holdout_scored.parquet
    dataset_manifest_uri: str
    why_retrained: list[str]
    window: dict[str, str] | None = None  # the window that retrained: the trend page's record

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> PromotionRequest:
        try:
            return cls(
                endpoint_name=event["endpoint_name"],
                run_id=event["run_id"],
                execution_id=event["execution_id"],
                model_artifact_uri=event["model_artifact_uri"],
                comparison_uri=event["comparison_uri"],
                dataset_manifest_uri=event["dataset_manifest_uri"],
                why_retrained=list(event.get("why_retrained") or []),
                window=event.get("window"),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"PromoteChallenger event lacks {exc}") from None


def read_comparison(s3: Any, comparison_uri: str) -> dict[str, Any]:
    bucket, prefix = split_uri(comparison_uri)
    key = f"{prefix.rstrip('/')}/comparison.json"
    try:
        return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    except Exception as exc:
        raise DatasetSourceError(f"s3://{bucket}/{key} could not be read: {exc}") from None


def promote(
    request: PromotionRequest,
    *,
    config: RetrainingConfig,
    s3: Any,
    sagemaker: Any,
    lock: RetrainLock,
    now: datetime,
) -> dict[str, Any]:
    comparison = read_comparison(s3, request.comparison_uri)
    decision = decide(
        comparison,
        GateSettings(config.promotion_metric, config.promotion_margin, config.min_holdout_rows),
    )
    champion = registry.champion_of(sagemaker, request.endpoint_name)
    status = (
        ("Approved" if config.auto_approve else "PendingManualApproval")
        if decision.promote
        else "Rejected"
    )
    package_arn = registry.register(
        sagemaker,
        group=request.endpoint_name,
        image=champion.image,
        model_data_url=request.model_artifact_uri,
        status=status,
        description=f"{decision.verdict}: {decision.reason}",
        metadata=_metadata(comparison, decision.verdict, request),
    )
    deployment = None
    if decision.promote and config.auto_deploy and status == "Approved":
        deployment = registry.deploy(
            sagemaker,
            endpoint=request.endpoint_name,
            champion=champion,
            model_data_url=request.model_artifact_uri,
            suffix=request.run_id,
        )
        deployment["started_at"] = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    outcome = "deployed" if deployment else ("registered" if decision.promote else "kept_champion")
    locations = {
        "Challenger artefact": request.model_artifact_uri,
        "Dataset version": request.dataset_manifest_uri,
        "Comparison": f"{request.comparison_uri.rstrip('/')}/comparison.json",
        "Holdout scored by the challenger": (
            f"{request.comparison_uri.rstrip('/')}/holdout_scored.parquet"
        ),
    }
    if request.window:
        record = outcome_record.promotion_record(
            endpoint=request.endpoint_name,
            window=request.window,
            run_id=request.run_id,
            outcome=outcome,
            verdict=decision.verdict,
            reason=decision.reason,
            metric=config.promotion_metric,
            comparison=comparison,
            package_arn=package_arn,
            package_status=status,
            deployment=deployment,
        )
        key = outcome_record.record_key(
            config.state_prefix, request.endpoint_name, request.window["slug"]
        )
        outcome_record.write(s3, config.data_bucket, key, record)
    if not deployment:  # a deploy keeps the lock until its baseline is refreshed
        lock.release(request.endpoint_name, request.execution_id)
    message = notice.promotion_message(
        endpoint=request.endpoint_name,
        decision=decision,
        outcome=outcome,
        comparison=comparison,
        package_arn=package_arn,
        package_status=status,
        locations=locations,
        deployment=deployment,
        why_retrained=request.why_retrained,
    )
    title = {
        "deployed": "challenger deployed",
        "registered": "challenger registered, awaiting approval",
        "kept_champion": "champion kept",
    }[outcome]
    return {
        "decision": outcome,
        "verdict": decision.verdict,
        "reason": decision.reason,
        "model_package_arn": package_arn,
        "model_package_status": status,
        "deployment": deployment,
        "comparison": comparison,
        "subject": notice.subject(f"{request.endpoint_name}: retrain result, {title}"),
        "message": message,
        "message_attributes": notice.attributes(
            request.endpoint_name, outcome, "info" if decision.promote else "warning"
        ),
    }


def _metadata(comparison: dict[str, Any], verdict: str, request: PromotionRequest) -> dict:
    values = {"verdict": verdict, "run_id": request.run_id, "holdout_rows": comparison["rows"]}
    for side in ("champion", "challenger"):
        for metric, value in comparison[side].items():
            values[f"{side}_{metric}"] = f"{value:.4f}"
    return {k: str(v)[:256] for k, v in values.items()}
