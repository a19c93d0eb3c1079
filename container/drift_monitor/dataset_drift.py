"""Dataset-level drift: a classifier two-sample test, so a joint shift no single feature shows
is still caught (Lopez-Paz & Oquab 2017, "Revisiting classifier two-sample tests").

A HistGradientBoostingClassifier learns to tell reference rows (0) from window rows (1) on
a bounded subsample (at most ``max_rows_per_side`` rows from each side); it is trained on one
half and scored on the held-out half. The halves are split by a hash of the row's content,
so duplicated rows never straddle them (a model could otherwise "recognise" them). The
held-out AUC is the effect size; its p-value is the one-sided Mann–Whitney U test of
held-out window scores against held-out reference scores — the U statistic is AUC·n₁·n₀,
and with the model fixed by the training half the held-out scores are exchangeable under
"no drift", so the p-value is valid without permutations.
Flagged (``dataset_drift_check``) when p < significance_level AND AUC ≥ auc_threshold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy import stats
from sklearn.ensemble import HistGradientBoostingClassifier

from drift_monitor.baseline_store import BaselineStore
from drift_monitor.constraints import enabled, feature_settings, number
from drift_monitor.dataset import Dataset
from drift_monitor.report import dataset_drift as report
from drift_monitor.sections import SectionResult
from monitoring_contract import CheckType, SectionName, SectionStatus, Violation

REFERENCE_FILE = "dataset_drift_reference.parquet"
MAX_REFERENCE_ROWS = 20_000
MAX_NATIVE_CATEGORIES = 250  # HistGradientBoosting's native categorical limit (max_bins 255)
# significance 0.01: this test runs beside the 14 per-feature tests (BH at 0.05), so the
# chance that a window with no drift raises any drift alarm stays near 5 % + 1 %.
DEFAULTS = {
    "enabled": True,
    "auc_threshold": 0.55,
    "significance_level": 0.01,
    "max_rows_per_side": 5000,
}


def _design(
    reference: pd.DataFrame, current: pd.DataFrame, categorical: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Numeric matrix of both frames; categories coded on their union (NaN = missing)."""
    columns, is_cat = [], []
    for name in reference.columns:
        if name in categorical:
            both = pd.concat(
                [reference[name].astype("string"), current[name].astype("string")],
                ignore_index=True,
            )
            codes = pd.Categorical(both).codes.astype(np.float64)
            codes[codes < 0] = np.nan
            columns.append(codes)
            is_cat.append(int(np.nanmax(codes, initial=0)) < MAX_NATIVE_CATEGORIES)
        else:
            columns.append(
                np.concatenate(
                    [reference[name].to_numpy(np.float64), current[name].to_numpy(np.float64)]
                )
            )
            is_cat.append(False)
    return np.column_stack(columns), np.asarray(is_cat)


class DatasetDriftSection:
    name = str(SectionName.DATASET_DRIFT)

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def fit_baseline(self, reference: Dataset, baseline_dir: Path) -> dict:
        frame = reference.features_frame()
        if len(frame) > MAX_REFERENCE_ROWS:
            frame = frame.sample(MAX_REFERENCE_ROWS, random_state=self.seed)
        for name in reference.schema.categorical:
            frame[name] = frame[name].astype("string")
        BaselineStore(baseline_dir).write_table(
            REFERENCE_FILE, pa.Table.from_pandas(frame, preserve_index=False)
        )
        return {"dataset_drift": dict(DEFAULTS)}

    def analyse(self, window: Dataset, baseline_dir: Path, constraints: dict) -> SectionResult:
        config = {**DEFAULTS, **(constraints.get("dataset_drift") or {})}
        min_rows = int(
            number(feature_settings(constraints, ""), "minimum_rows", "monitoring_config")
        )
        if not enabled(config["enabled"]):
            # "status" stays within the contract's values (ok/insufficient_data/no_labels).
            return _result(
                {
                    "status": SectionStatus.OK,
                    "enabled": False,
                    "drifted": False,
                    "reason": "disabled in constraints.json (dataset_drift)",
                }
            )
        if window.n_rows < min_rows:
            return _result(
                {
                    "status": SectionStatus.INSUFFICIENT_DATA,
                    "reason": f"{window.n_rows} rows, fewer than minimum_rows={min_rows}",
                }
            )
        ref, cur = self._samples(window, baseline_dir, int(config["max_rows_per_side"]))
        x, is_cat = _design(
            ref.reset_index(drop=True), cur.reset_index(drop=True), window.schema.categorical
        )
        y = np.r_[np.zeros(len(ref)), np.ones(len(cur))]
        held_out = self._held_out(x)
        if _too_few(y[held_out]) or _too_few(y[~held_out]):
            return _result(
                {
                    "status": SectionStatus.INSUFFICIENT_DATA,
                    "reason": "fewer than 10 distinct rows per side in a half",
                }
            )
        auc, p_value = self._classifier_test(x, y, held_out, is_cat)
        return _judge(auc, p_value, config, n_ref=len(ref), n_cur=len(cur))

    def _samples(
        self, window: Dataset, baseline_dir: Path, cap: int
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """At most ``cap`` reference rows and ``cap`` window rows, of the features present."""
        store = BaselineStore(baseline_dir)
        what = "dataset-drift reference sample"
        reference = store.read_table(REFERENCE_FILE, what).to_pandas()
        names = [n for n in window.schema.feature_names if n not in window.ingest.missing_columns]
        absent = [n for n in names if n not in reference.columns]
        if absent:
            raise store.invalid(
                REFERENCE_FILE, what, f"has no column(s) {absent} (built for another schema)"
            )
        n_cur = int(min(cap, window.n_rows))
        n_ref = int(min(cap, len(reference)))
        rng = np.random.default_rng(self.seed)
        rows = np.sort(rng.choice(window.n_rows, n_cur, replace=False))
        # Take the rows in Arrow first: never build a DataFrame of the whole window.
        sample = Dataset(
            schema=window.schema, table=window.table.take(pa.array(rows)), n_rows=n_cur
        )
        cur = sample.features_frame()[names]
        # The reference rows are drawn afresh for each window (seeded by the window's own
        # content, so a re-run is identical): a two-sample test's false-alarm rate is alpha on
        # average over both samples, and a reference subsample frozen across windows would
        # make it alpha only on average over baselines. Using up to ``cap`` reference rows
        # (not just as many as the window has) also shrinks the reference's share of noise.
        content = int(pd.util.hash_pandas_object(cur, index=False).sum())
        ref_rng = np.random.default_rng([self.seed, content % (2**63)])
        ref = reference[names].iloc[np.sort(ref_rng.choice(len(reference), n_ref, replace=False))]
        return ref, cur

    def _held_out(self, x: np.ndarray) -> np.ndarray:
        """Rows of the held-out half, by a hash of their content.

        Identical rows (repeat customers, resampled data) all go to the same half, so the
        held-out AUC measures distribution differences, not memorised duplicates.
        """
        hashes = pd.util.hash_pandas_object(pd.DataFrame(x), index=False).to_numpy()
        return (hashes ^ np.uint64(self.seed)) % np.uint64(2) == 1

    def _classifier_test(
        self, x: np.ndarray, y: np.ndarray, held_out: np.ndarray, is_cat: np.ndarray
    ) -> tuple[float, float]:
        """Held-out AUC of a baseline-vs-current classifier and its Mann–Whitney p-value."""
        model = HistGradientBoostingClassifier(
            max_iter=60,
            max_leaf_nodes=15,
            learning_rate=0.1,
            early_stopping=False,
            categorical_features=is_cat if is_cat.any() else None,
            random_state=self.seed,
        )
        model.fit(x[~held_out], y[~held_out])
        scores = model.predict_proba(x[held_out])[:, 1]
        y_test = y[held_out]
        s_cur, s_ref = scores[y_test == 1], scores[y_test == 0]
        test = stats.mannwhitneyu(s_cur, s_ref, alternative="greater")
        return float(test.statistic) / (len(s_cur) * len(s_ref)), float(test.pvalue)


def _too_few(y: np.ndarray) -> bool:
    return bool(min(np.bincount(y.astype(int), minlength=2)) < 10)


def _judge(auc: float, p_value: float, config: dict, *, n_ref: int, n_cur: int) -> SectionResult:
    """Drifted when p < significance_level AND AUC >= auc_threshold."""
    auc_threshold = float(config["auc_threshold"])
    drifted = bool(p_value < float(config["significance_level"]) and auc >= auc_threshold)
    summary: dict[str, Any] = {
        "status": SectionStatus.OK,
        "auc": round(auc, 4),
        "p_value": p_value,
        "drifted": drifted,
        "auc_threshold": auc_threshold,
        "rows": {"reference": n_ref, "current": n_cur},
    }
    violations = []
    if drifted:
        description = (
            f"A classifier tells current rows from baseline rows with "
            f"held-out AUC {auc:.3f} >= {auc_threshold} (Mann-Whitney "
            f"p={p_value:.2g}; {n_ref} baseline and {n_cur} current rows)"
        )
        violations.append(
            Violation(
                "__dataset__",
                CheckType.DATASET_DRIFT,
                description,
                observed=round(auc, 6),
                threshold=auc_threshold,
            ).to_json()
        )
    metrics = [{"MetricName": "dataset_drift_auc", "Value": auc, "Unit": "None"}]
    return _result(summary, violations, metrics)


def _result(
    summary: dict[str, Any],
    violations: list[dict[str, Any]] | None = None,
    metrics: list[dict[str, Any]] | None = None,
) -> SectionResult:
    return SectionResult(
        statistics={"drift": {"dataset": summary}},
        violations=violations or [],
        metrics=metrics or [],
        report_html=report.render(summary),
        summary=summary,
    )
