"""The Model Monitor data-quality profile of a window, and constraints suggested from it.

statistics.json ``features`` (per feature: counts, mean/sum/std/min/max and 10 equal-width
KLL buckets, or category buckets) and the constraints.json a baseline starts from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from drift_monitor.constraints import DEFAULT_MONITORING_CONFIG
from drift_monitor.dataset import Dataset

MAX_DOMAIN_SIZE = 1000  # categories beyond this are not written as a domain constraint


@dataclass(frozen=True)
class NumericFacts:
    """One pass over a numerical column, shared by the profile and the type checks."""

    present: np.ndarray
    n_missing: int
    fractional_share: float
    negative_share: float

    @classmethod
    def of(cls, values: np.ndarray) -> NumericFacts:
        missing = np.isnan(values)
        n_missing = int(np.count_nonzero(missing))
        present = values[~missing] if n_missing else values
        if not present.size:
            return cls(present, n_missing, 0.0, 0.0)
        fractional = float(np.count_nonzero(np.trunc(present) != present)) / present.size
        negative = float(np.count_nonzero(present < 0)) / present.size
        return cls(present, n_missing, fractional, negative)


def numeric_profile(
    name: str, values: np.ndarray, facts: NumericFacts | None = None
) -> dict[str, Any]:
    """One numerical feature in Model Monitor's statistics.json shape."""
    facts = facts or NumericFacts.of(values)
    present = facts.present
    stats: dict[str, Any] = {
        "common": {"num_present": int(present.size), "num_missing": facts.n_missing}
    }
    if present.size:
        low, high = float(present.min()), float(present.max())
        counts, edges = np.histogram(
            present, bins=10, range=(low, high) if high > low else (low - 0.5, high + 0.5)
        )
        stats.update(
            {
                "mean": float(present.mean()),
                "sum": float(present.sum()),
                "std_dev": float(present.std()),
                "min": low,
                "max": high,
                "distribution": {
                    "kll": {
                        "buckets": [
                            {
                                "lower_bound": float(edges[i]),
                                "upper_bound": float(edges[i + 1]),
                                "count": float(counts[i]),
                            }
                            for i in range(10)
                        ]
                    }
                },
            }
        )
    integral = bool(present.size) and facts.fractional_share == 0.0
    return {
        "name": name,
        "inferred_type": "Integral" if integral else "Fractional",
        "numerical_statistics": stats,
    }


def string_profile(name: str, counts: dict[str, int], missing: int) -> dict[str, Any]:
    """One categorical feature in Model Monitor's statistics.json shape."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return {
        "name": name,
        "inferred_type": "String",
        "string_statistics": {
            "common": {"num_present": int(sum(counts.values())), "num_missing": int(missing)},
            "distinct_count": float(len(counts)),
            "distribution": {
                "categorical": {"buckets": [{"value": v, "count": c} for v, c in ordered]}
            },
        },
    }


def profile(window: Dataset, facts: dict[str, NumericFacts] | None = None) -> list[dict[str, Any]]:
    """statistics.json ``features`` for every schema feature."""
    facts = facts or {}
    features = []
    for feature in window.schema.features:
        if feature.is_numerical:
            features.append(
                numeric_profile(feature.name, window.numeric(feature.name), facts.get(feature.name))
            )
        else:
            values = window.categorical(feature.name)
            features.append(
                string_profile(
                    feature.name, window.category_counts(feature.name), values.null_count
                )
            )
    return features


def suggest_constraints(window: Dataset, profiles: list[dict[str, Any]]) -> dict[str, Any]:
    """Model Monitor constraints.json suggested from the reference (every key user-editable)."""
    entries = []
    for prof in profiles:
        block = prof.get("numerical_statistics") or prof["string_statistics"]
        common = block["common"]
        total = common["num_present"] + common["num_missing"]
        entry: dict[str, Any] = {
            "name": prof["name"],
            "inferred_type": prof["inferred_type"],
            "completeness": common["num_present"] / total if total else 1.0,
        }
        if "numerical_statistics" in prof:
            entry["num_constraints"] = {"is_non_negative": bool(block.get("min", 0.0) >= 0)}
        else:
            buckets = block["distribution"]["categorical"]["buckets"]
            if len(buckets) <= MAX_DOMAIN_SIZE:
                entry["string_constraints"] = {"domains": sorted(b["value"] for b in buckets)}
        entry["monitoringConfigOverrides"] = {}
        entries.append(entry)
    return {"version": 0.0, "features": entries, "monitoring_config": DEFAULT_MONITORING_CONFIG}
