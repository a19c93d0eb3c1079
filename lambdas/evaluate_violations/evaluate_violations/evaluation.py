"""One evaluation, end to end, with every outside dependency passed in (S3 client, clock, config).

Read the reports → extract the window's facts → decide → when the decision is to retrain,
claim the cool-down record (conditional put) → write the window record (what the trend page
reads) → word the result. ``lambda_handler`` only builds
the dependencies and calls ``evaluate``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from evaluate_violations.config import EvaluateConfig
from evaluate_violations.cooldown import CooldownStateError, CooldownStore, StoredRecord, new_record
from evaluate_violations.facts import WindowFacts, capture_quality_violations, window_facts
from evaluate_violations.models import EvaluateEvent, EvaluationResult, Violation
from evaluate_violations.notification import message, message_attributes, subject
from evaluate_violations.policy import Verdict, decide
from evaluate_violations.provenance import (
    PROVENANCE_FILE,
    ImageProvenance,
    provenance_record,
    resolve_image,
)
from evaluate_violations.reports import read_reports, split_s3_uri
from evaluate_violations.window_record import build_window_record, write_window_record

MAX_CLAIM_ATTEMPTS = 3


@dataclass(frozen=True)
class Evaluation:
    """The contract result plus the counts that only the metrics need."""

    result: EvaluationResult
    endpoint_name: str
    violation_count: int
    drifted_feature_count: int


def evaluate(
    event: EvaluateEvent, *, s3: Any, config: EvaluateConfig, now: datetime, ecr: Any = None
) -> Evaluation:
    """``ecr`` resolves the analysis image's tag to its digest (only used with ``image_uri``)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (UTC)")
    merge = event.merge
    reports = read_reports(s3, merge.report_uri)
    image = _record_image(event, s3=s3, ecr=ecr, now=now)
    facts = window_facts(reports, merge)
    state_bucket = config.data_bucket or split_s3_uri(merge.report_uri)[0]
    store = CooldownStore(s3, state_bucket, config.state_prefix)

    violations = [*reports.violations, *capture_quality_violations(merge, config)]
    verdict = _decide_and_claim(event, violations, facts, config, store, now)
    result = EvaluationResult(
        decision=verdict.decision,
        reasons=verdict.reasons,
        report_uri=reports.report_uri,
        report_html_uri=reports.report_html_uri,
        actual_accuracy=facts.actual_accuracy,
        projected_accuracy=facts.projected_accuracy,
        labeled_row_count=facts.labeled_row_count,
        top_drifted_features=facts.top_drifted_features,
        subject=subject(merge, verdict.decision),
        message=message(
            merge=merge,
            decision=verdict.decision,
            reasons=verdict.reasons,
            facts=facts,
            report_html_uri=reports.report_html_uri,
            processing_job_name=event.processing_job_name,
            execution_arn=event.execution_arn,
        ),
        message_attributes=message_attributes(merge.endpoint_name, verdict.decision, violations),
        image_uri=image.image_uri if image else None,
        image_digest=image.image_digest if image else None,
    )
    record = build_window_record(
        merge=merge,
        reports=reports,
        facts=facts,
        violations=violations,
        decision=verdict.decision,
        reasons=verdict.reasons,
        processing_job_name=event.processing_job_name,
        decided_at=now,
    )
    write_window_record(s3, state_bucket, config.state_prefix, record)
    return Evaluation(
        result=result,
        endpoint_name=merge.endpoint_name,
        violation_count=verdict.violation_count,
        drifted_feature_count=facts.drifted_feature_count,
    )


def _decide_and_claim(
    event: EvaluateEvent,
    violations: list[Violation],
    facts: WindowFacts,
    config: EvaluateConfig,
    store: CooldownStore,
    now: datetime,
) -> Verdict:
    """Decide; a retrain only stands once this execution owns the cool-down record."""
    merge = event.merge
    stored = store.read(merge.endpoint_name)
    lost_race = False
    for _ in range(MAX_CLAIM_ATTEMPTS):
        verdict = decide(
            violations=violations,
            facts=facts,
            config=config,
            force_retrain=merge.force_retrain,
            last_retrain=stored.record,
            run_id=merge.run_id,
            now=now,
        )
        if lost_race and verdict.cooldown_until is not None:
            verdict = replace(
                verdict,
                reasons=[
                    verdict.reasons[0] + " (another execution claimed the retrain concurrently)",
                    *verdict.reasons[1:],
                ],
            )
        if verdict.decision != "retrain" or _already_ours(stored, merge.run_id):
            return verdict
        record = new_record(
            merge.endpoint_name,
            merge.run_id,
            merge.window.slug,
            now,
            forced=merge.force_retrain,
            reasons=verdict.reasons,
        )
        if merge.force_retrain or config.retrain_cooldown_hours == 0:
            store.overwrite(record)  # no exclusivity wanted: forced, or cool-down disabled
            return verdict
        if store.claim(record, stored):
            return verdict
        lost_race = True
        stored = store.read(merge.endpoint_name)
    raise CooldownStateError(
        f"{store.uri(merge.endpoint_name)}: could not claim the retrain after "
        f"{MAX_CLAIM_ATTEMPTS} conditional writes (the record keeps changing)"
    )


def _record_image(
    event: EvaluateEvent, *, s3: Any, ecr: Any, now: datetime
) -> ImageProvenance | None:
    """Write ``provenance.json`` beside the reports (same key on a re-run of the window)."""
    if event.image_uri is None:
        return None
    image = resolve_image(ecr, event.image_uri)
    bucket, prefix = split_s3_uri(event.merge.report_uri)
    s3.put_object(
        Bucket=bucket,
        Key=prefix + PROVENANCE_FILE,
        Body=provenance_record(
            image,
            run_id=event.merge.run_id,
            processing_job_name=event.processing_job_name,
            recorded_at=now,
        ),
        ContentType="application/json",
    )
    return image


def _already_ours(stored: StoredRecord, run_id: str) -> bool:
    return stored.record is not None and stored.record.run_id == run_id
