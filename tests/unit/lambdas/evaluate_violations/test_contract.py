"""The input and output shapes match the EvaluateViolations section of docs/contracts.md."""

from __future__ import annotations

import json
import re
from pathlib import Path

from evaluate_violations.app import handle
from evaluate_violations.config import EvaluateConfig
from evaluate_violations.models import EvaluateEvent, EvaluationResult
from tests.unit.lambdas.evaluate_violations.conftest import (
    BUCKET,
    NOW,
    accuracy_violation,
    drift_violation,
    lambda_context,
    statistics,
    write_reports,
)

CONTRACTS = Path(__file__).resolve().parents[4] / "docs" / "contracts.md"


def contract_json(heading: str) -> dict:
    """The first ```json block under a ``## heading`` of docs/contracts.md."""
    text = CONTRACTS.read_text(encoding="utf-8")
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```json\n(.*?)```", section, re.S)
    assert block, f"no JSON example under '## {heading}'"
    return json.loads(block.group(1))


def test_the_documented_merge_payload_is_a_valid_input():
    merge = contract_json("MergeLabels → (state) → Analyse / EvaluateViolations")
    parsed = EvaluateEvent.model_validate({"merge": merge, "processing_job_name": "drift-x"})
    assert parsed.merge.run_id == merge["run_id"]
    assert parsed.merge.report_uri == merge["report_uri"]


def test_output_has_exactly_the_documented_keys_and_types(s3):
    documented = contract_json("EvaluateViolations")
    assert set(EvaluationResult.model_fields) == set(documented)

    merge = contract_json("MergeLabels → (state) → Analyse / EvaluateViolations")
    merge["report_uri"] = merge["report_uri"].replace("s3://bucket/", f"s3://{BUCKET}/")
    write_reports(
        s3,
        violations=[accuracy_violation(0.7088), drift_violation("age", 0.23)],
        stats=statistics(drifted=["age", "hours-per-week"]),
    )
    image = documented["image_uri"].replace(":monitor-v1", "@" + documented["image_digest"])
    output = handle(
        {"merge": merge, "processing_job_name": "drift-x", "image_uri": image},
        lambda_context(),
        config=EvaluateConfig.from_env({"DATA_BUCKET": BUCKET}),
        s3=s3,
        clock=lambda: NOW,
    )

    assert set(output) == set(documented)
    for key, example in documented.items():
        assert isinstance(output[key], type(example)), key
    assert output["decision"] in {"retrain", "notify", "healthy"}
    assert output["report_html_uri"] == output["report_uri"] + "report.html"
    assert output["top_drifted_features"] == ["age", "hours-per-week"]
    assert len(output["subject"]) <= 100
    assert output["subject"].isascii()
