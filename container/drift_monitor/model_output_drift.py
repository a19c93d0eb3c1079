"""Drift of the model's output: the score distribution and the predicted-class mix.

Why a section of its own: a shift in what the model answers is the first sign a person can
act on before labels arrive, and it can show when no single input feature drifts enough to
be flagged (many small input shifts that add up inside the model). It is judged exactly as
an input feature is (:mod:`drift_monitor.feature_drift`): the score by KS and Wasserstein
over the baseline's standard deviation, the predicted class by chi-square and Jensen–Shannon;
an output is flagged only when its test's BH-adjusted p-value is below ``significance_level``
AND its effect size reaches its threshold. The level is 0.01 (not the features' 0.04): this
runs beside the per-feature and dataset-drift tests, so a window with no drift at all keeps
its chance of any drift alarm near the features' 4 % plus about 1 % per extra section
(``benchmarks/false_alarms.py``: this check fired on 1.0 % of exact-null 100-row windows).

A baseline built before this section existed has no model-output artefacts: the section then
says so (``evaluated`` false, with the reason) instead of failing the window.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from drift_monitor.baseline_store import BaselineStore
from drift_monitor.constraints import enabled, feature_settings, number
from drift_monitor.counting import category_counts
from drift_monitor.dataset import Dataset
from drift_monitor.feature_drift import judge, measure
from drift_monitor.feature_drift.baseline import (
    MAX_REFERENCE_ROWS,
    categorical_entry,
    numeric_entry,
)
from drift_monitor.report import model_output_drift as report
from drift_monitor.report.feature_drift import counts_chart
from drift_monitor.sections import SectionResult
from monitoring_contract import CheckType, SectionName, SectionStatus

BASELINE_FILE = "model_output_baseline.json"
REFERENCE_FILE = "model_output_reference.parquet"
ARTEFACT_VERSION = 1
WHAT = "model-output baseline"
REFERENCE_WHAT = "model-output reference scores"
SETTINGS = "model_output_drift"  # the constraints.json block, named in errors
DEFAULTS = {
    "enabled": True,
    "significance_level": 0.01,
    "score_threshold": 0.1,  # Wasserstein / baseline standard deviation, as for features
    "prediction_threshold": 0.1,  # Jensen–Shannon distance of the predicted-class mix
}


def predicted_classes(dataset: Dataset) -> pa.DictionaryArray:
    """The predicted class as categories ("0"/"1"), null where the model gave none.

    Dictionary-encoded from the codes: a string per row would cost ~80 bytes a row (400 MB at
    5M rows) for two distinct values.
    """
    predictions = dataset.predictions()
    present = ~np.isnan(predictions)
    classes, codes = np.unique(predictions[present].astype(np.int64), return_inverse=True)
    indices = np.zeros(predictions.size, dtype=np.int32)
    indices[present] = codes
    return pa.DictionaryArray.from_arrays(
        pa.array(indices, mask=~present), pa.array([str(c) for c in classes], pa.string())
    )


def _present_scores(dataset: Dataset) -> np.ndarray | None:
    scores = dataset.scores()
    return None if scores is None or np.isnan(scores).all() else scores


class ModelOutputDriftSection:
    name = str(SectionName.MODEL_OUTPUT_DRIFT)

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def fit_baseline(self, reference: Dataset, baseline_dir: Path) -> dict:
        classes = predicted_classes(reference)
        scores = _present_scores(reference)
        document = {
            "version": ARTEFACT_VERSION,
            "n_rows": reference.n_rows,
            "score": None if scores is None else numeric_entry(scores),
            "prediction": categorical_entry(classes, category_counts(classes)),
        }
        store = BaselineStore(baseline_dir)
        store.write_json(BASELINE_FILE, document)
        sample = np.empty(0) if scores is None else scores[~np.isnan(scores)]
        if sample.size > MAX_REFERENCE_ROWS:
            rng = np.random.default_rng(self.seed)
            sample = np.sort(rng.choice(sample, MAX_REFERENCE_ROWS, replace=False))
        store.write_table(REFERENCE_FILE, pa.table({"score": pa.array(sample, pa.float64())}))
        return {SETTINGS: dict(DEFAULTS)}

    def analyse(self, window: Dataset, baseline_dir: Path, constraints: dict) -> SectionResult:
        config = {**DEFAULTS, **(constraints.get(SETTINGS) or {})}
        store = BaselineStore(baseline_dir)
        if not enabled(config["enabled"]):
            return _not_evaluated("disabled in constraints.json (model_output_drift)")
        if not store.path(BASELINE_FILE).exists():
            return _not_evaluated(
                f"the baseline has no {BASELINE_FILE} (built before model-output drift "
                "existed): rebuild the baseline to judge the model's output"
            )
        document = store.read_json(BASELINE_FILE, WHAT)
        if document.get("version") != ARTEFACT_VERSION:
            raise store.invalid(BASELINE_FILE, WHAT, f"is not a version-{ARTEFACT_VERSION} one")
        min_rows = int(
            number(feature_settings(constraints, ""), "minimum_rows", "monitoring_config")
        )
        results, charts = self._measure(window, document, store, config)
        judge.adjust(results)
        enough = window.n_rows >= min_rows
        for result in results:
            judge.decide(result, enough)
        summary = _summary(window, results, enough, min_rows)
        return SectionResult(
            statistics={"model_output_drift": {"outputs": results}},
            violations=[
                judge.violation(r, CheckType.MODEL_OUTPUT_DRIFT) for r in results if r["drifted"]
            ],
            metrics=[
                {"MetricName": f"model_output_drift_{r['output']}", "Value": r["effect_size"]}
                for r in results
                if np.isfinite(r["effect_size"])
            ],
            report_html=report.render(results, charts, summary),
            summary=summary,
        )

    def _measure(
        self, window: Dataset, document: dict, store: BaselineStore, config: dict
    ) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """Each output the baseline and the window both have: its result and its chart."""
        settings = {"significance_level": number(config, "significance_level", SETTINGS)}
        results, charts = [], {}
        scores = _present_scores(window)
        if document.get("score") is not None and scores is not None:
            reference = store.read_table(REFERENCE_FILE, REFERENCE_WHAT)
            if "score" not in reference.column_names:
                raise store.invalid(REFERENCE_FILE, REFERENCE_WHAT, "has no column 'score'")
            name = window.schema.score or "score"
            rng = np.random.default_rng(self.seed)
            result, counts = measure.numeric(
                name, scores, document["score"], reference.column("score").to_numpy(), rng
            )
            distribution = {"comparison_threshold": number(config, "score_threshold", SETTINGS)}
            judge.settle(result, True, {**settings, "distribution_constraints": distribution})
            results.append({**result, "output": "score"})
            charts[name] = counts_chart(name, True, counts)
        classes = predicted_classes(window)
        if len(classes) > classes.null_count:
            name = window.schema.prediction
            result, counts = measure.categorical(name, classes, document["prediction"])
            threshold = number(config, "prediction_threshold", SETTINGS)
            distribution = {"categorical_comparison_threshold": threshold}
            judge.settle(result, False, {**settings, "distribution_constraints": distribution})
            results.append({**result, "output": "prediction"})
            charts[name] = counts_chart(name, False, counts)
        return results, charts


def _not_evaluated(reason: str) -> SectionResult:
    summary = {"status": SectionStatus.OK, "evaluated": False, "drifted": False, "reason": reason}
    return SectionResult(summary=summary, report_html=report.render([], {}, summary))


def _summary(
    window: Dataset, results: list[dict[str, Any]], enough: bool, min_rows: int
) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "status": SectionStatus.OK if enough else SectionStatus.INSUFFICIENT_DATA,
        "evaluated": bool(results) and enough,
        "drifted": any(r["drifted"] for r in results),
        "drifted_outputs": [r["output"] for r in results if r["drifted"]],
    }
    if not enough:
        summary["reason"] = (
            f"{window.n_rows} rows, fewer than minimum_rows={min_rows}: no output is flagged"
        )
    elif not results:
        summary["reason"] = "the window has neither a score nor a predicted class"
    return summary
