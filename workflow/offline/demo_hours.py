"""The demo's hours: which applicants arrive, scored by which model, with which labels.

``HourSimulator`` writes one hour at a time (capture in SageMaker's format, or a batch
transform job's, and the ground truth that has arrived), so the offline run can score each hour
with the model the endpoint serves then. Rows come from two eras of the census
(``demo.prepare`` draws them): the champion's, served in order for healthy hours, and the
drifted ones, one weighted draw per severity, so no applicant is served twice.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from column_schema import ColumnSchema
from trainer.model import positive_scores
from workflow.offline import batch_capture_writer, capture_writer
from workflow.offline.traffic import ground_truth_for, invocations_from_rows, typed_rows


@dataclass(frozen=True)
class WindowPlan:
    """One hour of simulated traffic."""

    story: str
    rows: int
    drift_severity: float = 0.0  # 0 = the champion's era (as its baseline); larger = further
    label_share: float = 0.7  # share of rows whose label will eventually arrive
    source: str = "endpoint"  # or "batch_transform": one transform job scores the hour's rows


@dataclass(frozen=True)
class DemoWindow:
    start: datetime
    end: datetime
    plan: WindowPlan
    rows: int
    labels_written: int
    true_accuracy: float | None  # of the served model on this window's traffic (all rows)
    served_by: str = "the demo model"  # the model that scored the window's requests

    def execution_input(self, endpoint: str) -> dict[str, str]:
        return {
            "endpoint_name": endpoint,
            "window_start": _iso(self.start),
            "window_end": _iso(self.end),
        }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def drift_weights(frame: pd.DataFrame, severity: float) -> np.ndarray:
    """Resampling weights that shift the mix the way ``traffic_drifted.csv`` is shifted (a
    negative severity the other way)."""
    if severity <= -1:
        raise ValueError(f"drift severity {severity} <= -1 would remove missing workclass rows")
    if severity == 0:
        return np.full(len(frame), 1.0 / len(frame))
    age = pd.to_numeric(frame["age"], errors="coerce").fillna(38.6).to_numpy()
    hours = pd.to_numeric(frame["hours-per-week"], errors="coerce").fillna(40).to_numpy()
    missing_workclass = (frame["workclass"] == "").to_numpy()
    log_weight = severity * ((age - 38.6) / 13.7 + 0.5 * (hours - 40.4) / 12.4)
    weights = np.exp(log_weight) * np.where(missing_workclass, 1.0 + severity, 1.0)
    return weights / weights.sum()


@dataclass
class HourSimulator:
    """Writes the plan's hours in order; the random streams advance the same way whichever
    model scores them, so an hour's rows and labels do not depend on what served before."""

    s3: Any
    bucket: str
    endpoint: str
    variant: str
    schema: ColumnSchema
    healthy_pool: pd.DataFrame  # the champion's era, not yet served: taken in order
    drift_pool: pd.DataFrame  # the census rows no era has taken yet
    first_start: datetime
    labels_as_of: datetime  # labels due later have not arrived
    rng: np.random.Generator
    py_rng: random.Random
    plan: tuple[WindowPlan, ...]
    served: dict[float, int] = field(default_factory=dict)  # rows taken per severity
    drift_eras: dict[float, pd.DataFrame] = field(default_factory=dict)

    def draw(self, window_plan: WindowPlan) -> pd.DataFrame:
        """The hour's rows: the next rows of the champion's era when healthy, else the next rows
        of the drift era of its severity. Each applicant is served once, so a later hour never
        replays rows a challenger has since been trained on (that would flatter it)."""
        severity = window_plan.drift_severity
        pool = self.healthy_pool if severity == 0 else self._drift_era(severity)
        first = self.served.get(severity, 0)
        self.served[severity] = first + window_plan.rows
        if self.served[severity] > len(pool):
            raise ValueError(f"the plan's hours at drift severity {severity} outgrow the census")
        return pool.iloc[first : self.served[severity]].reset_index(drop=True)

    def _drift_era(self, severity: float) -> pd.DataFrame:
        """One weighted draw, for all the plan's hours at ``severity``, from the census rows no
        earlier era took; shuffled, so the hours are alike and none gets only the heaviest."""
        if severity not in self.drift_eras:
            rows = sum(w.rows for w in self.plan if w.drift_severity == severity)
            if rows > len(self.drift_pool):
                raise ValueError(
                    f"the plan's hours at drift severity {severity} need {rows} rows; "
                    f"the census has {len(self.drift_pool)} left"
                )
            picked = self.rng.choice(
                len(self.drift_pool),
                size=rows,
                replace=False,
                p=drift_weights(self.drift_pool, severity),
            )
            picked = self.rng.permutation(picked)
            self.drift_eras[severity] = self.drift_pool.iloc[picked].reset_index(drop=True)
            keep = np.ones(len(self.drift_pool), dtype=bool)
            keep[picked] = False
            self.drift_pool = self.drift_pool[keep].reset_index(drop=True)
        return self.drift_eras[severity]

    def simulate(self, index: int, model: Any, served_by: str) -> DemoWindow:
        if index >= len(self.plan):
            raise IndexError(f"the plan has {len(self.plan)} windows; all are written")
        start = self.first_start + timedelta(hours=index)
        return _simulate_window(self, model, self.plan[index], start, index, served_by)


def _simulate_window(
    sim: HourSimulator,
    model,
    window_plan: WindowPlan,
    start: datetime,
    index: int,
    served_by: str,
) -> DemoWindow:
    s3, bucket, endpoint, variant, schema = (
        sim.s3,
        sim.bucket,
        sim.endpoint,
        sim.variant,
        sim.schema,
    )
    now, rng, py_rng = sim.labels_as_of, sim.rng, sim.py_rng
    end = start + timedelta(hours=1)
    if window_plan.rows == 0:
        return DemoWindow(start, end, window_plan, 0, 0, None, served_by)
    traffic = sim.draw(window_plan)
    scores = positive_scores(model, traffic, schema)
    truth = traffic[schema.label].to_numpy()
    true_accuracy = float(((scores >= schema.decision_threshold).astype(int) == truth).mean())

    records = [{str(k): v for k, v in row.items()} for row in traffic.to_dict("records")]
    rows = typed_rows(records, schema.feature_names, set(schema.numerical))
    outputs = [round(float(s), 6) for s in scores]
    if window_plan.source == "batch_transform":
        invocations = _write_batch_job(s3, bucket, endpoint, schema, rows, outputs, start, py_rng)
    else:
        invocations = invocations_from_rows(
            rows,
            outputs,
            start=start,
            end=end,
            rng=py_rng,
            batch_sizes=(1, 2, 5),
            batch_weights=(0.8, 0.15, 0.05),
            id_prefix=f"w{index}-req",
        )
        capture_writer.write_capture_files(
            s3,
            f"s3://{bucket}/datacapture",
            endpoint,
            variant,
            invocations,
            schema.feature_names,
            rng=py_rng,
        )

    # Labels arrive 1-4 hours after the request, for ~label_share of rows; not yet if due
    # after "now".
    delays = {inv.event_id: timedelta(minutes=py_rng.randint(60, 240)) for inv in invocations}
    arrives = rng.random(len(truth)) < window_plan.label_share
    row_labels = [int(label) if ok else None for label, ok in zip(truth, arrives, strict=True)]
    labels = ground_truth_for(
        invocations, row_labels, lambda inv: inv.inference_time + delays[inv.event_id]
    )
    arrived = [item for item in labels if item.upload_time <= now]
    if arrived:
        capture_writer.write_ground_truth_files(
            s3, f"s3://{bucket}/ground-truth", endpoint, arrived, rng=py_rng
        )
    return DemoWindow(start, end, window_plan, len(traffic), len(arrived), true_accuracy, served_by)


def _write_batch_job(s3, bucket, endpoint, schema, rows, outputs, start, py_rng) -> list:
    """The hour's rows scored by one batch transform job started 10 minutes into the hour,
    written with its capture manifests (docs/contracts.md "Batch transform capture")."""
    job_start = start + timedelta(minutes=10)
    invocations = batch_capture_writer.batch_invocations(
        rows, outputs, job_start=job_start, rng=py_rng
    )
    batch_capture_writer.write_batch_transform_job(
        s3,
        f"s3://{bucket}/datacapture",
        endpoint,
        f"s3://{bucket}/batch-transform/{endpoint}",
        f"{endpoint}-{job_start:%Y%m%d%H%M}",
        invocations,
        schema.feature_names,
    )
    return invocations
