"""Per-feature drift: a significance test AND an effect size, Benjamini–Hochberg across features.

Numerical features: two-sample KS (significance), Wasserstein distance divided by the
baseline standard deviation, PSI, Jensen–Shannon distance and L-infinity on baseline-quantile
bins (effect sizes). Categorical features: chi-square of homogeneity (significance),
Jensen–Shannon, PSI, L-infinity, share of unseen and list of vanished categories. Every
feature also gets its missing-rate change (Fisher's exact test).

A feature is flagged only when (comparison_method "Robust", the default) its BH-adjusted
p-value is below ``significance_level`` AND its chosen effect size reaches its threshold.
The test keeps small windows from alarming on noise; the effect size keeps huge windows from
alarming on trivial shifts. Where we subsample (KS and Wasserstein on at most
``MAX_TEST_ROWS`` window rows) the test stays valid — a simple random subsample of the window
is still a sample of the window's distribution — and only power drops, which the effect-size
gate makes irrelevant. Bins, PSI, JS and missing rates always use every row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from drift_monitor import drift_tests
from drift_monitor.baseline_store import BaselineStore
from drift_monitor.constraints import (
    CATEGORICAL_DRIFT_METHODS,
    NUMERICAL_DRIFT_METHODS,
    enabled,
    feature_settings,
    number,
)
from drift_monitor.counting import aligned_counts, category_counts
from drift_monitor.errors import InputError
from drift_monitor.report.html import bars_svg, esc
from drift_monitor.sections import SectionResult
from drift_monitor.window import WindowData

BASELINE_FILE = "feature_drift_baseline.json"
REFERENCE_FILE = "feature_drift_reference.parquet"
MAX_TEST_ROWS = 50_000  # window rows used by KS / Wasserstein (random subsample)
MAX_REFERENCE_ROWS = 50_000
N_BINS = 10
ARTEFACT_VERSION = 1


def _load_baseline(store: BaselineStore) -> tuple[dict, pa.Table]:
    document = store.read_json(BASELINE_FILE, "feature-drift baseline")
    if document.get("version") != ARTEFACT_VERSION or not isinstance(
        document.get("features"), dict
    ):
        raise store.invalid(
            BASELINE_FILE, "feature-drift baseline", f"is not a version-{ARTEFACT_VERSION} one"
        )
    return document, store.read_table(REFERENCE_FILE, "feature-drift reference sample")


def _effect(method: str, result: dict) -> float:
    key = {
        "Wasserstein": "wasserstein_normalised",
        "PSI": "psi",
        "JensenShannon": "js_distance",
        "LInfinity": "linf_distance",
    }[method]
    return float(result[key])


class FeatureDriftSection:
    name = "feature_drift"

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    # ---------------------------------------------------------------- baseline
    def fit_baseline(self, reference: WindowData, baseline_dir: Path) -> dict:
        rng = np.random.default_rng(self.seed)
        features: dict[str, Any] = {}
        sample_columns: dict[str, np.ndarray] = {}
        rows = (
            np.sort(rng.choice(reference.n_rows, MAX_REFERENCE_ROWS, replace=False))
            if reference.n_rows > MAX_REFERENCE_ROWS
            else None
        )
        for feature in reference.schema.features:
            if feature.is_numerical:
                values = reference.numeric(feature.name)
                present = values[~np.isnan(values)]
                edges = drift_tests.quantile_edges(present, N_BINS)
                features[feature.name] = {
                    "type": "numerical",
                    "n_present": int(present.size),
                    "n_missing": int(values.size - present.size),
                    "std": float(present.std()) if present.size else 0.0,
                    "bin_edges": edges.tolist(),
                    "bin_counts": drift_tests.bin_counts(present, edges).tolist(),
                }
                sample_columns[feature.name] = values if rows is None else values[rows]
            else:
                values = reference.categorical(feature.name)
                features[feature.name] = {
                    "type": "categorical",
                    "n_present": len(values) - values.null_count,
                    "n_missing": values.null_count,
                    "counts": category_counts(values),
                }
        document = {
            "version": ARTEFACT_VERSION,
            "n_rows": reference.n_rows,
            "spread": "standard deviation of the baseline",
            "bins": f"{N_BINS} baseline-quantile bins, duplicate edges merged",
            "features": features,
        }
        store = BaselineStore(baseline_dir)
        store.write_json(BASELINE_FILE, document)
        store.write_table(
            REFERENCE_FILE, pa.table(sample_columns) if sample_columns else pa.table({"_": [0]})
        )
        return {}

    # ---------------------------------------------------------------- monitor
    def analyse(self, window: WindowData, baseline_dir: Path, constraints: dict) -> SectionResult:
        store = BaselineStore(baseline_dir)
        baseline, reference = _load_baseline(store)
        rng = np.random.default_rng(self.seed)
        min_rows = int(
            number(feature_settings(constraints, ""), "minimum_rows", "monitoring_config")
        )
        enough = window.n_rows >= min_rows
        results: list[dict[str, Any]] = []
        charts: dict[str, str] = {}
        for feature in window.schema.features:
            name = feature.name
            base = baseline["features"].get(name)
            if base is None:
                raise store.invalid(
                    BASELINE_FILE,
                    "feature-drift baseline",
                    f"has no entry for feature {name!r} (built for another schema)",
                )
            if base["type"] != feature.type:
                raise store.invalid(
                    BASELINE_FILE,
                    "feature-drift baseline",
                    f"has feature {name!r} as {base['type']} but the schema as {feature.type}",
                )
            settings = feature_settings(constraints, name)
            dist = settings.get("distribution_constraints") or {}
            if name in window.ingest.missing_columns:
                continue
            if feature.is_numerical:
                if name not in reference.column_names:
                    raise store.invalid(
                        REFERENCE_FILE, "feature-drift reference sample", f"has no column {name!r}"
                    )
                result, chart = self._numeric(
                    name, window.numeric(name), base, reference.column(name).to_numpy(), rng
                )
                method = str(dist.get("numerical_drift_method", "Wasserstein"))
                allowed, key = NUMERICAL_DRIFT_METHODS, "comparison_threshold"
            else:
                result, chart = self._categorical(name, window.categorical(name), base)
                method = str(dist.get("categorical_drift_method", "JensenShannon"))
                allowed, key = CATEGORICAL_DRIFT_METHODS, "categorical_comparison_threshold"
            if method not in allowed:
                raise InputError(
                    f"constraints.json: feature {name!r} drift method {method!r} "
                    f"is not one of {allowed}"
                )
            result["effect_size_metric"] = method
            result["effect_size"] = _effect(method, result)
            result["threshold"] = number(dist, key, f"{name} distribution_constraints")
            result["comparison_method"] = str(dist.get("comparison_method", "Robust"))
            result["significance_level"] = number(settings, "significance_level", name)
            result["enabled"] = enabled(dist.get("perform_comparison", "Enabled"))
            results.append(result)
            charts[name] = chart

        tested = [r for r in results if r["enabled"] and r["n_current"] > 0]
        adjusted = drift_tests.benjamini_hochberg([r["p_value"] for r in tested])
        for result, p_adj in zip(tested, adjusted, strict=True):
            result["p_value_adjusted"] = p_adj
        violations: list[dict[str, Any]] = []
        metrics: list[dict[str, Any]] = []
        for result in results:
            effect = result["effect_size"]
            significant = result.get("p_value_adjusted", 1.0) < result["significance_level"]
            large = bool(np.isfinite(effect) and effect >= result["threshold"]) or effect == np.inf
            robust = result["comparison_method"] != "Simple"
            result["drifted"] = bool(
                enough and result["enabled"] and large and (significant or not robust)
            )
            result["severity"] = (
                float(effect / result["threshold"])
                if result["threshold"] > 0 and np.isfinite(effect)
                else (float("inf") if effect == np.inf else 0.0)
            )
            if np.isfinite(effect):
                metrics.append(
                    {
                        "MetricName": f"feature_baseline_drift_{result['name']}",
                        "Value": effect,
                        "Unit": "None",
                    }
                )
            if result["drifted"]:
                violation = {
                    "feature_name": result["name"],
                    "constraint_check_type": "baseline_drift_check",
                    "description": (
                        f"Baseline drift distance: {effect:.4g} ({result['effect_size_metric']}) "
                        f"exceeds threshold: {result['threshold']:g}; {result['test']} "
                        f"p={result['p_value']:.3g}, BH-adjusted "
                        f"{result.get('p_value_adjusted', 1.0):.3g}"
                    ),
                    "threshold": result["threshold"],
                }
                if np.isfinite(effect):
                    violation["observed"] = round(effect, 6)
                violations.append(violation)
        results.sort(key=lambda r: (not r["drifted"], -min(r["severity"], 1e9)))
        drifted = [r["name"] for r in results if r["drifted"]]
        metrics.append(
            {"MetricName": "drifted_feature_count", "Value": float(len(drifted)), "Unit": "Count"}
        )
        summary: dict[str, Any] = {
            "status": "ok" if enough else "insufficient_data",
            "drifted_features": drifted,
            "tested": len(tested),
        }
        if not enough:
            summary["reason"] = (
                f"{window.n_rows} rows, fewer than minimum_rows={min_rows}: no feature is flagged"
            )
        statistics = {
            "drift": {
                "features": [_jsonable(r) for r in results],
                "method": {
                    "significance": "KS (numerical), chi-square (categorical); "
                    "Benjamini-Hochberg across features",
                    "wasserstein_spread": "baseline standard deviation",
                    "bins": baseline.get("bins"),
                    "max_test_rows": MAX_TEST_ROWS,
                },
            }
        }
        return SectionResult(
            statistics=statistics,
            violations=violations,
            metrics=metrics,
            report_html=_report(results, charts, summary),
            summary=summary,
        )

    def _numeric(
        self,
        name: str,
        values: np.ndarray,
        base: dict,
        ref_values: np.ndarray,
        rng: np.random.Generator,
    ) -> tuple[dict, str]:
        present = values[~np.isnan(values)]
        ref_present = ref_values[~np.isnan(ref_values)]
        edges = np.asarray(base["bin_edges"], dtype=np.float64)
        ref_counts = np.asarray(base["bin_counts"], dtype=np.float64)
        cur_counts = drift_tests.bin_counts(present, edges)
        result: dict[str, Any] = {
            "name": name,
            "type": "numerical",
            "test": "KS",
            "n_current": int(present.size),
        }
        result.update(_missing(base, values.size - present.size, values.size))
        if present.size and ref_present.size:
            sample = drift_tests.subsample(present, MAX_TEST_ROWS, rng)
            ks = drift_tests.ks_test(ref_present, sample)
            result.update(
                {
                    "statistic": ks.statistic,
                    "p_value": ks.p_value,
                    "n_tested": ks.n_current,
                    "wasserstein_normalised": drift_tests.wasserstein_normalised(
                        ref_present, sample, float(base["std"])
                    ),
                    "psi": drift_tests.psi(ref_counts, cur_counts),
                    "js_distance": drift_tests.js_distance(ref_counts, cur_counts),
                    "linf_distance": drift_tests.linf_distance(ref_counts, cur_counts),
                    "baseline_mean": float(ref_present.mean()),
                    "current_mean": float(sample.mean()),
                }
            )
        else:
            result.update(
                {
                    "statistic": float("nan"),
                    "p_value": 1.0,
                    "n_tested": 0,
                    "wasserstein_normalised": float("nan"),
                    "psi": float("nan"),
                    "js_distance": float("nan"),
                    "linf_distance": float("nan"),
                }
            )
        labels = _bin_labels(edges)
        chart = bars_svg(
            labels,
            _proportions(ref_counts),
            _proportions(cur_counts),
            x_title=f"{name}, baseline bins",
        )
        return result, chart

    def _categorical(self, name: str, values: pa.Array, base: dict) -> tuple[dict, str]:
        counts = category_counts(values)
        categories, ref, cur = aligned_counts(base["counts"], counts)
        n_present = int(cur.sum())
        result: dict[str, Any] = {
            "name": name,
            "type": "categorical",
            "test": "chi-square",
            "n_current": n_present,
        }
        result.update(_missing(base, values.null_count, len(values)))
        known = set(base["counts"])
        unseen = {c: int(v) for c, v in counts.items() if c not in known}
        ref_total = max(float(ref.sum()), 1.0)
        vanished = [
            c
            for c in base["counts"]
            if counts.get(c, 0) == 0 and base["counts"][c] / ref_total * n_present >= 5
        ]
        if n_present and ref.sum():
            chi = drift_tests.chi_square_test(ref, cur)
            result.update(
                {
                    "statistic": chi.statistic,
                    "p_value": chi.p_value,
                    "n_tested": n_present,
                    "psi": drift_tests.psi(ref, cur),
                    "js_distance": drift_tests.js_distance(ref, cur),
                    "linf_distance": drift_tests.linf_distance(ref, cur),
                }
            )
        else:
            result.update(
                {
                    "statistic": float("nan"),
                    "p_value": 1.0,
                    "n_tested": 0,
                    "psi": float("nan"),
                    "js_distance": float("nan"),
                    "linf_distance": float("nan"),
                }
            )
        result["unseen_share"] = sum(unseen.values()) / n_present if n_present else 0.0
        result["unseen_categories"] = sorted(unseen, key=unseen.get, reverse=True)[:20]
        result["vanished_categories"] = vanished
        order = np.argsort(-(ref / ref_total + cur / max(cur.sum(), 1.0)))[:20]
        chart = bars_svg(
            [categories[i] for i in order],
            [float(ref[i] / ref_total) for i in order],
            [float(cur[i] / max(cur.sum(), 1.0)) for i in order],
            x_title=f"{name}, the 20 most common categories" if len(categories) > 20 else name,
        )
        return result, chart


def _missing(base: dict, cur_missing: int, cur_total: int) -> dict[str, float]:
    ref_total = int(base["n_present"]) + int(base["n_missing"])
    test = drift_tests.missing_rate_test(
        int(base["n_missing"]), ref_total, int(cur_missing), int(cur_total)
    )
    return {
        "baseline_missing_rate": base["n_missing"] / ref_total if ref_total else 0.0,
        "current_missing_rate": cur_missing / cur_total if cur_total else 0.0,
        "missing_rate_change": test.statistic,
        "missing_rate_p_value": test.p_value,
    }


def _bin_labels(edges: np.ndarray) -> list[str]:
    bounds = ["-inf", *[f"{e:.4g}" for e in edges], "inf"]
    return [f"({bounds[i]}, {bounds[i + 1]}]" for i in range(len(bounds) - 1)]


def _proportions(counts: np.ndarray) -> list[float]:
    total = counts.sum()
    return [float(c / total) if total else 0.0 for c in counts]


def _jsonable(result: dict) -> dict:
    out = {}
    for key, value in result.items():
        if isinstance(value, float) and not np.isfinite(value):
            out[key] = None if np.isnan(value) else "Infinity"
        else:
            out[key] = value
    return out


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return "—" if np.isnan(value) else f"{value:.3g}"
    return esc(value)


def _report(results: list[dict], charts: dict[str, str], summary: dict) -> str:
    head = (
        "<tr><th>feature</th><th>type</th><th>drifted</th><th>effect (metric)</th>"
        "<th>threshold</th><th>test p (BH)</th><th>PSI</th><th>JS</th>"
        "<th>missing rate base→now</th><th>notes</th></tr>"
    )
    rows = []
    for r in results:
        notes = []
        if r.get("unseen_categories"):
            notes.append(
                f"unseen {r['unseen_share']:.1%}: " + ", ".join(r["unseen_categories"][:3])
            )
        if r.get("vanished_categories"):
            notes.append("vanished: " + ", ".join(r["vanished_categories"][:3]))
        if not r["enabled"]:
            notes.append("comparison disabled")
        rows.append(
            f"<tr class='{'drift' if r['drifted'] else ''}'><td>{esc(r['name'])}</td>"
            f"<td>{esc(r['type'])}</td><td>{'yes' if r['drifted'] else 'no'}</td>"
            f"<td>{_fmt(r['effect_size'])} ({esc(r['effect_size_metric'])})</td>"
            f"<td>{_fmt(r['threshold'])}</td>"
            f"<td>{_fmt(r['p_value'])} ({_fmt(r.get('p_value_adjusted', float('nan')))})</td>"
            f"<td>{_fmt(r['psi'])}</td><td>{_fmt(r['js_distance'])}</td>"
            f"<td>{r['baseline_missing_rate']:.1%} → {r['current_missing_rate']:.1%}</td>"
            f"<td>{esc('; '.join(notes))}</td></tr>"
        )
    reason = f"<p class='warn'>{esc(summary['reason'])}</p>" if "reason" in summary else ""
    figures = "".join(
        f"<figure><figcaption>{esc(name)}</figcaption>{svg}</figure>"
        for name, svg in charts.items()
    )
    return (
        f"<section id='feature-drift'><h2>Feature drift</h2>{reason}"
        f"<p>Flagged when the BH-adjusted test p-value is below the significance level AND "
        f"the effect size reaches its threshold. Sorted by severity (effect / threshold)."
        f"</p><table>{head}{''.join(rows)}</table>"
        f"<h3>Baseline vs current distributions</h3><div class='charts'>{figures}</div>"
        f"</section>"
    )
