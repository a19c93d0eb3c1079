"""The demo's hours draw each applicant once: healthy hours in order from the champion's era,
drifted hours from one shuffled weighted draw per severity, and say so when the census runs out."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from column_schema import load_schema
from examples.adult import SCHEMA_JSON
from workflow.offline.demo import load_labeled
from workflow.offline.demo_hours import HourSimulator, WindowPlan, drift_weights

START = datetime(2026, 12, 2, tzinfo=UTC)


def _simulator(plan: tuple[WindowPlan, ...], healthy_rows: int = 100) -> HourSimulator:
    census = load_labeled(load_schema(SCHEMA_JSON)).reset_index(drop=True)
    census["row_id"] = np.arange(len(census))
    return HourSimulator(
        None,
        "bucket",
        "endpoint",
        "AllTraffic",
        load_schema(SCHEMA_JSON),
        census.iloc[:healthy_rows].reset_index(drop=True),
        census.iloc[healthy_rows:].reset_index(drop=True),
        first_start=START,
        labels_as_of=START,
        rng=np.random.default_rng(0),
        py_rng=random.Random(0),
        plan=plan,
    )


def test_no_applicant_is_served_twice_and_healthy_hours_come_in_order():
    plan = (
        WindowPlan("healthy", 60),
        WindowPlan("healthy", 40),
        WindowPlan("drift", 900, 1.0),
        WindowPlan("drift", 900, 1.0),
        WindowPlan("drift elsewhere", 500, 3.0),
    )
    simulator = _simulator(plan)
    hours = [simulator.draw(window) for window in plan]
    assert [len(h) for h in hours] == [60, 40, 900, 900, 500]
    assert list(hours[0].row_id) + list(hours[1].row_id) == list(range(100))
    served = pd.concat(hours).row_id
    assert served.is_unique


def test_the_drifted_hours_of_one_severity_are_alike_and_older_than_the_census():
    plan = (WindowPlan("drift", 1000, 1.0), WindowPlan("drift", 1000, 1.0))
    simulator = _simulator(plan, healthy_rows=0)
    census_age = pd.to_numeric(simulator.drift_pool.age).mean()
    first, second = (simulator.draw(window) for window in plan)
    ages = [pd.to_numeric(hour.age).mean() for hour in (first, second)]
    assert abs(ages[0] - ages[1]) < 1.5  # one shuffled draw, split: no heaviest-first hour
    assert min(ages) > census_age + 2


def test_a_plan_larger_than_the_census_says_so():
    simulator = _simulator((WindowPlan("drift", 10_000, 1.0),))
    with pytest.raises(ValueError, match="need 10000 rows; the census has"):
        simulator.draw(simulator.plan[0])


def test_a_severity_that_would_drop_missing_workclass_rows_is_refused():
    with pytest.raises(ValueError, match="would remove missing workclass rows"):
        drift_weights(pd.DataFrame({"age": [30], "hours-per-week": [40], "workclass": [""]}), -1)
