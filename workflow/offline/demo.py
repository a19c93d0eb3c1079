"""Demo data that looks like production, built from the real Adult census sample.

What a monitored endpoint leaves behind after a few hours, written into (moto) S3:

* a model trained on part of ``labeled.csv`` (the model family of ``trainer.model``), serving a
  simulated endpoint: every request is scored by that model;
* its baseline, made by the analysis image's ``baseline`` job run as a Processing job on a
  held-out reference split (features, score, prediction, label);
* hourly windows of data capture in SageMaker's exact format and layout, healthy at first,
  then drifting: traffic is drawn without replacement from held-out labelled rows, with a
  biased sampling (older people, longer hours, more missing ``workclass``, as in
  ``traffic_drifted.csv``) for the drifted hours, so every row keeps its *real* label;
* a service level: the demo sets the accuracy floor in the baseline's editable
  ``constraints.json`` to 82 %, as an owner of this model would;
* ground truth that arrives late (1 to 4 hours after the request) and only for part of the
  traffic; labels due after "now" have not arrived and are not written ("now" for the labels
  is ``LABELS_AS_OF`` past the current hour, whatever the minute the demo runs, so every run
  shows the same figures);
* the original training set, which the Retrain branch trains challengers on.
"""

from __future__ import annotations

import io
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from column_schema import ColumnSchema, load_schema
from examples.adult import LABELED_CSV, SCHEMA_JSON
from trainer.model import build_pipeline, feature_frame, positive_scores
from workflow.make_baseline import BaselineTarget, baseline_job_request
from workflow.offline.demo_hours import DemoWindow, HourSimulator, WindowPlan, drift_weights
from workflow.offline.local_jobs import LocalJobRunner
from workflow.offline.stack import ACCOUNT_ID, MONITOR_IMAGE

LABEL_SOURCE_COLUMN, POSITIVE_LABEL = "income", ">50K"


DEFAULT_PLAN = (
    WindowPlan("healthy traffic", 400, label_share=0.9),
    WindowPlan("healthy traffic", 400, label_share=0.9),
    WindowPlan("drift: older applicants, longer hours, more missing workclass", 1500, 1.0, 0.9),
    WindowPlan("drift persists", 300, 1.0, 0.9),
    WindowPlan("endpoint idle: no requests", 0),
    WindowPlan("drift persists; most labels not in yet", 300, 1.0, 0.9),
)
ACCURACY_FLOOR = 0.82  # the demo owner's service level, written into constraints.json
TRAIN_ROWS, REFERENCE_ROWS = 400, 800
# The champion's era: its training set, its baseline reference and the healthy hours are one
# sample of the census drawn with this bias (drift_weights: younger applicants, shorter hours,
# less missing workclass); the drifted hours come from the rest of the census, which is older.
# So the champion has seen few of the applicants who arrive later, and fresh labels help it.
HISTORY_BIAS = -0.8
LABELS_AS_OF = timedelta(minutes=30)  # past the end of the last window


@dataclass
class Demo:
    """The demo's set-up, and its windows as they are written (``write_window``)."""

    endpoint: str
    windows: list[DemoWindow]
    baseline_accuracy: float
    plan: tuple[WindowPlan, ...]
    traffic: HourSimulator

    def write_window(self, model: Any, served_by: str = "the demo model") -> DemoWindow:
        """Write the next window of the plan, its requests scored by ``model``: the model the
        endpoint serves at that hour, so the hours after a deploy carry the new model's scores."""
        window = self.traffic.simulate(len(self.windows), model, served_by)
        self.windows.append(window)
        return window


def load_labeled(schema: ColumnSchema) -> pd.DataFrame:
    frame = pd.read_csv(LABELED_CSV, dtype=str, keep_default_na=False)
    frame[schema.label] = (frame.pop(LABEL_SOURCE_COLUMN) == POSITIVE_LABEL).astype(int)
    return frame


def _merged_rows(frame: pd.DataFrame, scores: np.ndarray, schema: ColumnSchema) -> pd.DataFrame:
    """Rows in the merged-dataset layout (docs/contracts.md) for the baseline job."""
    features = feature_frame(frame, schema)
    out = pd.DataFrame({name: features[name] for name in schema.feature_names})
    for name in schema.categorical:
        out[name] = out[name].astype("string")
    out[schema.score] = scores
    out[schema.prediction] = (scores >= schema.decision_threshold).astype("int64")
    out[schema.label] = frame[schema.label].astype("int64").to_numpy()
    return out


def _put_parquet(s3, bucket: str, key: str, frame: pd.DataFrame) -> None:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    s3.put_object(Bucket=bucket, Key=key, Body=buffer.getvalue())


def prepare(
    session: Any,
    runner: LocalJobRunner,
    *,
    bucket: str,
    endpoint: str,
    variant: str,
    now: datetime,
    seed: int = 7,
    plan: tuple[WindowPlan, ...] = DEFAULT_PLAN,
    progress: Callable[[str], None] | None = None,
    train_rows: int = TRAIN_ROWS,
    write_windows: bool = True,
) -> Demo:
    """Write the model's baseline, training set, capture and labels for ``plan`` into S3.

    The windows are the last ``len(plan)`` full hours before ``now``. ``progress`` is told
    each step with its duration as it finishes (``make run`` prints them). ``train_rows`` is the
    size of the demo model's training set (tests make a weak champion with fewer). With
    ``write_windows`` false the hours are written one at a time by ``Demo.write_window``, each
    scored by the model the endpoint serves then (the offline run does this).
    """
    tell = _timed(progress)
    s3 = session.client("s3")
    schema = load_schema(SCHEMA_JSON)
    labeled = load_labeled(schema)
    rng = np.random.default_rng(seed)
    census = labeled.iloc[rng.permutation(len(labeled))].reset_index(drop=True)
    healthy_rows = sum(w.rows for w in plan if w.drift_severity == 0)
    era = rng.choice(
        len(census),
        size=TRAIN_ROWS + REFERENCE_ROWS + healthy_rows,
        replace=False,
        p=drift_weights(census, HISTORY_BIAS),
    )
    era = rng.permutation(era)  # weighted draws come heaviest first: mix them
    history = census.iloc[era].reset_index(drop=True)
    train = history.iloc[:train_rows].reset_index(drop=True)
    reference = history.iloc[TRAIN_ROWS : TRAIN_ROWS + REFERENCE_ROWS].reset_index(drop=True)
    healthy_pool = history.iloc[TRAIN_ROWS + REFERENCE_ROWS :].reset_index(drop=True)
    outside_era = np.ones(len(census), dtype=bool)
    outside_era[era] = False
    drift_pool = census[outside_era].reset_index(drop=True)

    model = build_pipeline(schema, seed=seed)
    model.fit(feature_frame(train, schema), train[schema.label])
    tell(f"trained the demo model ({type(model[-1]).__name__}) on {len(train)} rows")

    # The training set the Retrain branch starts from.
    s3.put_object(
        Bucket=bucket,
        Key=f"training-data/{endpoint}/train.csv",
        Body=train[[*schema.feature_names, schema.label]].to_csv(index=False),
    )
    reference_scores = positive_scores(model, reference, schema)
    baseline_accuracy = float(
        (
            (reference_scores >= schema.decision_threshold).astype(int) == reference[schema.label]
        ).mean()
    )
    _run_baseline_job(
        s3, runner, bucket, endpoint, schema, _merged_rows(reference, reference_scores, schema), now
    )
    set_accuracy_floor(s3, bucket, endpoint, ACCURACY_FLOOR)
    tell(f"baseline job (the analysis image's baseline, a Processing job) on {len(reference)} rows")

    last_end = now.replace(minute=0, second=0, microsecond=0)
    traffic = HourSimulator(
        s3,
        bucket,
        endpoint,
        variant,
        schema,
        healthy_pool,
        drift_pool,
        first_start=last_end - timedelta(hours=len(plan)),
        labels_as_of=last_end + LABELS_AS_OF,
        rng=rng,
        py_rng=random.Random(seed),
        plan=plan,
    )
    scenario = Demo(endpoint, [], baseline_accuracy, plan, traffic)
    if write_windows:
        for _ in plan:
            scenario.write_window(model)
        tell(
            f"wrote {len(plan)} hours of capture and ground truth: "
            f"{sum(w.rows for w in scenario.windows)} rows, "
            f"{sum(w.labels_written for w in scenario.windows)} labels"
        )
    return scenario


def _timed(progress: Callable[[str], None] | None) -> Callable[[str], None]:
    """A reporter that appends the time since the previous report to each message."""
    last = [time.monotonic()]

    def tell(text: str) -> None:
        now = time.monotonic()
        if progress is not None:
            progress(f"{text} ({now - last[0]:.1f} s)")
        last[0] = now

    return tell


def _run_baseline_job(
    s3,
    runner: LocalJobRunner,
    bucket: str,
    endpoint: str,
    schema: ColumnSchema,
    reference: pd.DataFrame,
    now: datetime,
) -> None:
    """The baseline, made the way a user makes it on AWS: a Processing job of our image."""
    inputs_prefix = f"baseline-input/{endpoint}"
    _put_parquet(s3, bucket, f"{inputs_prefix}/reference.parquet", reference)
    s3.put_object(
        Bucket=bucket,
        Key=f"{inputs_prefix}/schema.json",
        Body=json.dumps(schema.to_dict(), indent=2),
    )
    request = baseline_job_request(
        demo_baseline_target(bucket, endpoint),
        dataset_name="reference.parquet",
        job_suffix=f"{now:%Y%m%d%H%M%S}",
    )
    outcome = runner.run_processing(request)
    if not outcome.succeeded:
        raise RuntimeError(
            f"the demo's baseline job failed: {outcome.failure_reason} (log: {outcome.log_path})"
        )


def demo_baseline_target(bucket: str, endpoint: str) -> BaselineTarget:
    """The demo's baseline job: the request ``make_baseline`` sends on AWS, with offline's image
    (moto does not check the role)."""
    return BaselineTarget(
        bucket, endpoint, f"arn:aws:iam::{ACCOUNT_ID}:role/drift-sagemaker", MONITOR_IMAGE
    )


def set_accuracy_floor(s3, bucket: str, endpoint: str, floor: float) -> None:
    """Edit the suggested constraints as a user would: accuracy must stay at or above ``floor``."""
    key = f"baselines/{endpoint}/constraints.json"
    constraints = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    constraints["binary_classification_constraints"]["accuracy"]["threshold"] = floor
    s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(constraints, indent=2))
