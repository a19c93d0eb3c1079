"""Section ``model_quality``: measured quality on the rows whose ground truth has arrived.

Accuracy, precision, recall, F1 and ROC AUC on the labelled rows of the window, each with a
confidence interval (methods and reasons in :mod:`drift_monitor.quality_intervals`), written in
Model Monitor's model-quality format (``binary_classification_metrics``) plus our keys
(``confidence_interval``, ``labeled_count``, ``label_coverage``). A ``model_quality_check``
violation is raised only when the *whole* interval is on the wrong side of a constraint's
threshold (for ``LessThanThreshold``: the upper end is below it — a one-sided test at level
(1 - confidence_level) / 2) and at least ``min_labeled_rows`` labelled rows support it; fewer
rows give status ``insufficient_data``, no labels at all ``no_labels``, never a verdict.
"""

from __future__ import annotations

import html
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from drift_monitor.baseline_store import BaselineStore
from drift_monitor.errors import InputError
from drift_monitor.quality_intervals import (
    bootstrap_f1,
    delong_auc,
    normal_interval,
    proportion_std,
    wilson_interval,
)
from drift_monitor.sections import SectionResult
from drift_monitor.window import WindowData

SECTION_NAME = "model_quality"
CONSTRAINTS_KEY = "binary_classification_constraints"
SETTINGS_KEY = "model_quality_settings"
BASELINE_FILE = "model_quality_baseline.json"
# Model Monitor reports a metric's standard deviation only from this many samples on.
MIN_ROWS_FOR_STD = 200
SUPPORTED_METRICS = ("accuracy", "precision", "recall", "f1", "auc")
OPERATORS = ("LessThanThreshold", "GreaterThanThreshold")


@dataclass(frozen=True)
class QualitySettings:
    """User-editable settings, stored in constraints.json under ``model_quality_settings``."""

    min_labeled_rows: int = 100  # below this: status insufficient_data, no verdict
    confidence_level: float = 0.95  # two-sided level of every interval
    accuracy_tolerance: float = 0.05  # threshold = baseline accuracy - tolerance
    bootstrap_resamples: int = 2000  # F1 bootstrap (multinomial, O(resamples))
    seed: int = 0

    @classmethod
    def from_constraints(cls, constraints: dict) -> QualitySettings:
        raw = constraints.get(SETTINGS_KEY) or {}
        if not isinstance(raw, dict):
            raise InputError(f"constraints.json: {SETTINGS_KEY} must be an object")
        known = {k: raw[k] for k in asdict(cls()) if k in raw}
        try:
            settings = cls(
                min_labeled_rows=int(known.get("min_labeled_rows", cls.min_labeled_rows)),
                confidence_level=float(known.get("confidence_level", cls.confidence_level)),
                accuracy_tolerance=float(known.get("accuracy_tolerance", cls.accuracy_tolerance)),
                bootstrap_resamples=int(known.get("bootstrap_resamples", cls.bootstrap_resamples)),
                seed=int(known.get("seed", cls.seed)),
            )
        except (TypeError, ValueError) as exc:
            raise InputError(f"constraints.json: {SETTINGS_KEY}: {exc}") from exc
        if settings.min_labeled_rows < 1:
            raise InputError(f"constraints.json: {SETTINGS_KEY}.min_labeled_rows must be >= 1")
        if not 0.5 <= settings.confidence_level < 1.0:
            raise InputError(
                f"constraints.json: {SETTINGS_KEY}.confidence_level must be in "
                f"[0.5, 1), got {settings.confidence_level}"
            )
        if not 0.0 <= settings.accuracy_tolerance < 1.0:
            raise InputError(
                f"constraints.json: {SETTINGS_KEY}.accuracy_tolerance must be in "
                f"[0, 1), got {settings.accuracy_tolerance}"
            )
        if settings.bootstrap_resamples < 100:
            raise InputError(f"constraints.json: {SETTINGS_KEY}.bootstrap_resamples must be >= 100")
        return settings


# --- pure metric computation ----------------------------------------------------------------


def binary_outcomes(values: np.ndarray, positive_class: int, what: str) -> np.ndarray:
    """Map 0/1 class values (NaN = absent) to booleans "is the positive class".

    Raises an InputError naming ``what`` when a present value is not 0 or 1.
    """
    present = values[~np.isnan(values)]
    bad = present[(present != 0) & (present != 1)]
    if bad.size:
        raise InputError(
            f"{what}: {bad.size} value(s) are not 0/1 (e.g. {bad[0]!r}); "
            f"labels and predicted classes must be integers 0 or 1"
        )
    return values == positive_class


def _metric(
    value: float, std: float, n: int, interval: tuple[float, float], level: float, method: str
) -> dict[str, Any]:
    return {
        "value": value,
        "standard_deviation": std if n >= MIN_ROWS_FOR_STD and not math.isnan(std) else "NaN",
        "confidence_interval": {
            "lower": interval[0],
            "upper": interval[1],
            "level": level,
            "method": method,
        },
        "sample_size": n,
    }


def binary_classification_metrics(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    scores: np.ndarray | None,
    *,
    positive_label: int = 1,
    level: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Metrics on labelled rows (booleans: is-positive), Model Monitor format plus intervals.

    ``scores`` are positive-class probabilities for the same rows (NaN allowed: those rows
    are left out of the AUC only), or None for a class-only model. Returns
    (metrics, undefined) where ``undefined`` names each metric that could not be computed
    and why (e.g. no predicted positives for precision).
    """
    y_true = np.asarray(y_true, dtype=bool)
    y_pred = np.asarray(y_pred, dtype=bool)
    n = int(y_true.size)
    tp = int(np.sum(y_true & y_pred))
    fp = int(np.sum(~y_true & y_pred))
    fn = int(np.sum(y_true & ~y_pred))
    tn = n - tp - fp - fn
    pos, neg = str(positive_label), str(1 - positive_label)
    metrics: dict[str, Any] = {
        "confusion_matrix": {pos: {pos: tp, neg: fn}, neg: {pos: fp, neg: tn}},
    }
    undefined: dict[str, str] = {}

    def proportion(name: str, successes: int, total: int, why_empty: str) -> None:
        if total == 0:
            undefined[name] = why_empty
            return
        metrics[name] = _metric(
            successes / total,
            proportion_std(successes, total),
            total,
            wilson_interval(successes, total, level),
            level,
            "wilson",
        )

    proportion("accuracy", tp + tn, n, "no labelled rows")
    proportion("precision", tp, tp + fp, "no predicted positives among the labelled rows")
    proportion("recall", tp, tp + fn, "no actual positives among the labelled rows")
    if 2 * tp + fp + fn == 0:
        undefined["f1"] = "no actual or predicted positives among the labelled rows"
    else:
        f1 = 2 * tp / (2 * tp + fp + fn)
        lower, upper, std = bootstrap_f1(
            tp, fp, fn, tn, level=level, resamples=resamples, seed=seed
        )
        metrics["f1"] = _metric(
            f1,
            std,
            n,
            (lower, upper),
            level,
            f"bootstrap-percentile ({resamples} multinomial resamples)",
        )
    if scores is None:
        undefined["auc"] = "the model outputs only a class (output_format 'class')"
    else:
        scored = ~np.isnan(scores)
        auc, variance = delong_auc(y_true[scored], scores[scored])
        if math.isnan(auc):
            undefined["auc"] = "the labelled rows hold only one class"
        else:
            std = math.sqrt(max(variance, 0.0))
            metrics["auc"] = _metric(
                auc, std, int(scored.sum()), normal_interval(auc, std, level), level, "delong"
            )
    if n:
        majority = max(tp + fn, fp + tn) / n
        metrics["accuracy_best_constant_classifier"] = {
            "value": majority,
            "standard_deviation": "NaN",
        }
    return metrics, undefined


def check_constraints(
    metrics: dict[str, Any], constraints: dict[str, Any], labeled_count: int
) -> list[dict[str, Any]]:
    """``model_quality_check`` violations: the metric's interval lies beyond its threshold.

    ``LessThanThreshold`` fires when the interval's upper end is below the threshold,
    ``GreaterThanThreshold`` when its lower end is above it.
    """
    violations = []
    for name, rule in constraints.items():
        if name not in SUPPORTED_METRICS:
            raise InputError(
                f"constraints.json: {CONSTRAINTS_KEY}.{name} is not a supported "
                f"metric (supported: {', '.join(SUPPORTED_METRICS)})"
            )
        if not isinstance(rule, dict) or "threshold" not in rule:
            raise InputError(f"constraints.json: {CONSTRAINTS_KEY}.{name} needs a 'threshold'")
        operator = rule.get("comparison_operator", "LessThanThreshold")
        if operator not in OPERATORS:
            raise InputError(
                f"constraints.json: {CONSTRAINTS_KEY}.{name}.comparison_operator "
                f"{operator!r} is not one of {OPERATORS}"
            )
        try:
            threshold = float(rule["threshold"])
        except (TypeError, ValueError) as exc:
            raise InputError(
                f"constraints.json: {CONSTRAINTS_KEY}.{name}.threshold is not a "
                f"number ({rule['threshold']!r})"
            ) from exc
        metric = metrics.get(name)
        if metric is None:
            continue
        ci = metric["confidence_interval"]
        below = operator == "LessThanThreshold"
        if (below and ci["upper"] < threshold) or (not below and ci["lower"] > threshold):
            side = "<" if below else ">"
            violations.append(
                {
                    "feature_name": name,
                    "constraint_check_type": "model_quality_check",
                    "description": (
                        f"{name} {metric['value']:.3f} {side} {threshold:.3f} on {labeled_count} "
                        f"labelled rows ({ci['level']:.0%} interval "
                        f"[{ci['lower']:.3f}, {ci['upper']:.3f}], {ci['method']}, lies entirely "
                        f"{'below' if below else 'above'} the threshold)"
                    ),
                    "observed": metric["value"],
                    "threshold": threshold,
                    "comparison_operator": operator,
                }
            )
    return violations


def accuracy_threshold(constraints: dict) -> float | None:
    """The accuracy threshold of constraints.json, or None when none is set."""
    rule = (constraints.get(CONSTRAINTS_KEY) or {}).get("accuracy")
    if not rule or rule.get("threshold") is None:
        return None
    try:
        return float(rule["threshold"])
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"constraints.json: {CONSTRAINTS_KEY}.accuracy.threshold is not a "
            f"number ({rule['threshold']!r})"
        ) from exc


# --- the section ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelledRows:
    """The window's labelled rows, as the metrics need them."""

    y_true: np.ndarray  # bool, is positive class
    y_pred: np.ndarray  # bool
    scores: np.ndarray | None  # positive-class probability, NaN allowed
    labeled_count: int  # labelled rows with a prediction
    label_coverage: float  # labelled rows / all rows
    without_prediction: int  # labelled rows whose prediction is missing (left out)


def labelled_rows(window: WindowData) -> LabelledRows:
    """Select the labelled rows; labelled rows without a prediction are counted, not scored."""
    schema = window.schema
    labels = window.labels()
    predictions = window.predictions()
    labeled = ~np.isnan(labels)
    usable = labeled & ~np.isnan(predictions)
    positive = schema.positive_class
    y_true = binary_outcomes(
        labels[usable], positive, f"{window.ingest.source or 'window'} column {schema.label!r}"
    )
    y_pred = binary_outcomes(
        predictions[usable],
        positive,
        f"{window.ingest.source or 'window'} column {schema.prediction!r}",
    )
    scores = window.scores()
    if scores is not None:
        scores = scores[usable]  # already P(positive class), per the schema
    n_labeled = int(labeled.sum())
    return LabelledRows(
        y_true=y_true,
        y_pred=y_pred,
        scores=scores,
        labeled_count=int(usable.sum()),
        label_coverage=n_labeled / window.n_rows if window.n_rows else 0.0,
        without_prediction=n_labeled - int(usable.sum()),
    )


class ModelQualitySection:
    """Measured quality on labelled rows; see the module docstring."""

    name = SECTION_NAME

    def __init__(self, settings: QualitySettings | None = None) -> None:
        self._settings = settings

    def fit_baseline(self, reference: WindowData, baseline_dir: Path) -> dict:
        """Measure the baseline and derive the accuracy threshold (accuracy - tolerance)."""
        settings = self._settings or QualitySettings()
        rows = labelled_rows(reference)
        result: dict[str, Any] = {SETTINGS_KEY: asdict(settings)}
        summary: dict[str, Any] = {
            "labeled_count": rows.labeled_count,
            "label_coverage": rows.label_coverage,
        }
        if rows.labeled_count:
            metrics, undefined = binary_classification_metrics(
                rows.y_true,
                rows.y_pred,
                rows.scores,
                positive_label=reference.schema.positive_class,
                level=settings.confidence_level,
                resamples=settings.bootstrap_resamples,
                seed=settings.seed,
            )
            summary.update(binary_classification_metrics=metrics, undefined_metrics=undefined)
        if rows.labeled_count >= settings.min_labeled_rows:
            baseline_accuracy = summary["binary_classification_metrics"]["accuracy"]["value"]
            threshold = max(0.0, baseline_accuracy - settings.accuracy_tolerance)
            result[CONSTRAINTS_KEY] = {
                "accuracy": {
                    "threshold": round(threshold, 6),
                    "comparison_operator": "LessThanThreshold",
                }
            }
            summary["status"] = "ok"
        else:
            # No threshold from too few labels: the user may still set one by hand.
            summary["status"] = "no_labels" if rows.labeled_count == 0 else "insufficient_data"
        BaselineStore(baseline_dir).write_json(BASELINE_FILE, summary)
        return result

    def analyse(self, window: WindowData, baseline_dir: Path, constraints: dict) -> SectionResult:
        settings = self._settings or QualitySettings.from_constraints(constraints)
        rows = labelled_rows(window)
        threshold = accuracy_threshold(constraints)
        summary: dict[str, Any] = {
            "labeled_count": rows.labeled_count,
            "label_coverage": round(rows.label_coverage, 6),
            "accuracy_threshold": threshold,
        }
        metric_lines = [
            {
                "MetricName": "model_quality_labeled_count",
                "Value": rows.labeled_count,
                "Unit": "Count",
            },
            {
                "MetricName": "model_quality_label_coverage",
                "Value": rows.label_coverage,
                "Unit": "None",
            },
        ]
        if rows.labeled_count == 0:
            summary["status"] = "no_labels"
            return SectionResult(
                statistics={},
                violations=[],
                metrics=metric_lines,
                report_html=_report(summary, None, {}, settings, rows),
                summary=summary,
            )
        metrics, undefined = binary_classification_metrics(
            rows.y_true,
            rows.y_pred,
            rows.scores,
            positive_label=window.schema.positive_class,
            level=settings.confidence_level,
            resamples=settings.bootstrap_resamples,
            seed=settings.seed,
        )
        block = dict(metrics, labeled_count=rows.labeled_count, label_coverage=rows.label_coverage)
        if undefined:
            block["undefined_metrics"] = undefined
        if rows.without_prediction:
            block["labeled_rows_without_prediction"] = rows.without_prediction
        enough = rows.labeled_count >= settings.min_labeled_rows
        summary["status"] = "ok" if enough else "insufficient_data"
        accuracy = metrics["accuracy"]
        summary["accuracy"] = accuracy["value"]
        summary["accuracy_ci"] = [
            accuracy["confidence_interval"]["lower"],
            accuracy["confidence_interval"]["upper"],
        ]
        violations = (
            check_constraints(metrics, constraints.get(CONSTRAINTS_KEY) or {}, rows.labeled_count)
            if enough
            else []
        )
        for name in SUPPORTED_METRICS:
            if name in metrics:
                metric_lines.append(
                    {
                        "MetricName": f"model_quality_{name}",
                        "Value": metrics[name]["value"],
                        "Unit": "None",
                    }
                )
        return SectionResult(
            statistics={"binary_classification_metrics": block},
            violations=violations,
            metrics=metric_lines,
            report_html=_report(summary, metrics, undefined, settings, rows),
            summary=summary,
        )


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) and not math.isnan(value) else "–"


def _report(
    summary: dict,
    metrics: dict | None,
    undefined: dict,
    settings: QualitySettings,
    rows: LabelledRows,
) -> str:
    status = summary["status"]
    head = (
        f"<h2>Model quality (labelled rows)</h2><p>Status: <b>{html.escape(status)}</b>. "
        f"{rows.labeled_count} labelled rows, label coverage "
        f"{rows.label_coverage:.1%}."
    )
    if status == "no_labels":
        return head + " No ground truth has arrived for this window yet.</p>"
    if status == "insufficient_data":
        head += (
            f" Fewer than {settings.min_labeled_rows} labelled rows: figures are shown, "
            f"but no verdict is drawn from them."
        )
    threshold = summary.get("accuracy_threshold")
    if threshold is not None:
        head += f" Accuracy threshold: {threshold:.3f}."
    head += "</p>"
    lines = [
        "<table><tr><th>metric</th><th>value</th><th>interval</th><th>method</th><th>rows</th></tr>"
    ]
    for name in SUPPORTED_METRICS:
        if metrics and name in metrics:
            m = metrics[name]
            ci = m["confidence_interval"]
            lines.append(
                f"<tr><td>{name}</td><td>{_fmt(m['value'])}</td>"
                f"<td>[{_fmt(ci['lower'])}, {_fmt(ci['upper'])}] "
                f"({ci['level']:.0%})</td><td>{html.escape(ci['method'])}</td>"
                f"<td>{m['sample_size']}</td></tr>"
            )
        elif name in undefined:
            lines.append(
                f"<tr><td>{name}</td><td colspan='4'>not defined: "
                f"{html.escape(undefined[name])}</td></tr>"
            )
    lines.append("</table>")
    if rows.without_prediction:
        lines.append(
            f"<p>{rows.without_prediction} labelled rows had no prediction and were left out.</p>"
        )
    return head + "".join(lines)
