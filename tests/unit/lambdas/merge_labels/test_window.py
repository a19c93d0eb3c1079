from datetime import UTC, datetime

import pytest

from merge_labels.config import MergeConfig
from merge_labels.errors import MergeInputError
from merge_labels.models import MergeEvent
from merge_labels.window import Window, default_window, make_run_id, resolve_target

CONFIG = MergeConfig.from_env({}, data_bucket="b", default_endpoint_name="adult-income")


def target(
    execution_input=None, start_time="2026-11-25T14:05:00.123Z", name="exec-1", config=CONFIG
):
    return resolve_target(
        MergeEvent(
            input=execution_input or {}, execution_name=name, execution_start_time=start_time
        ),
        config,
    )


def test_default_window_is_the_previous_full_window():
    assert target().window == Window(
        datetime(2026, 11, 25, 13, tzinfo=UTC), datetime(2026, 11, 25, 14, tzinfo=UTC)
    )
    # exactly on the boundary: the window that just ended
    assert target(start_time="2026-11-25T14:00:00Z").window.start.hour == 13
    quarter = default_window(datetime(2026, 11, 25, 14, 7, tzinfo=UTC), 15)
    assert (quarter.start.minute, quarter.end.minute) == (45, 0)


def test_one_bound_gives_the_other_from_window_minutes():
    only_start = target({"window_start": "2026-11-25T10:00:00Z"}).window
    assert only_start.end == datetime(2026, 11, 25, 11, tzinfo=UTC)
    only_end = target({"window_end": "2026-11-25T10:00:00+01:00"}).window
    assert only_end.start == datetime(2026, 11, 25, 8, tzinfo=UTC)


def test_slug_and_defaults():
    resolved = target({"force_retrain": True})
    assert resolved.window.slug == "20261125T1300Z-20261125T1400Z"
    assert resolved.variant_name == "AllTraffic" and resolved.force_retrain is True


def test_run_id_is_a_job_name_fragment_unique_per_execution_and_window():
    window = Window(datetime(2026, 11, 25, 13, tzinfo=UTC), datetime(2026, 11, 25, 14, tzinfo=UTC))
    long_name = "A" + "-Very-Long-Endpoint-Name" * 3
    run_id = make_run_id(long_name, window, "exec-1")
    assert len(run_id) <= 50
    assert all(c.isdigit() or c == "-" or "a" <= c <= "z" for c in run_id)
    assert run_id.split("-")[-2] == "20261125t1300"
    assert make_run_id("e", window, "exec-1") != make_run_id("e", window, "exec-2")
    other = Window(window.end, datetime(2026, 11, 25, 15, tzinfo=UTC))
    assert make_run_id("e", window, "x")[-8:] != make_run_id("e", other, "x")[-8:]
    assert make_run_id("e", window, "x") == make_run_id("e", window, "x")


def test_missing_endpoint_without_default_is_an_error():
    config = MergeConfig.from_env({}, data_bucket="b")
    with pytest.raises(MergeInputError, match="DEFAULT_ENDPOINT_NAME"):
        target(config=config)


def test_bad_execution_start_time():
    with pytest.raises(MergeInputError, match="execution_start_time: 'soon'"):
        target(start_time="soon")
