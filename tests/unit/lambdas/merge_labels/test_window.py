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


# --- strict execution input: every mistake fails with what to send instead -------------------


def parsed(execution_input, start_time="2026-11-25T14:05:00.123Z"):
    from merge_labels.inputs import parse_event

    return resolve_target(
        parse_event(
            {"input": execution_input, "execution_name": "e", "execution_start_time": start_time}
        ),
        CONFIG,
    )


@pytest.mark.parametrize(
    ("execution_input", "message"),
    [
        (
            {"windowStart": "2026-11-25T12:00:00Z"},
            r"input: unknown key 'windowStart' \(did you mean 'window_start'\?\); the execution "
            r"input accepts only endpoint_name, variant_name, window_start, window_end, "
            r"force_retrain \(all optional\)$",
        ),
        ({"window_start": "2026-11-25T12:00:00Z", "colour": "red"}, "unknown key 'colour';"),
        (
            {"force_retrain": "yes"},
            r"input.force_retrain: must be a JSON boolean, true or false \(without quotes\); "
            r'got "yes" \(a JSON string\)',
        ),
        ({"force_retrain": 1}, r"force_retrain: must be a JSON boolean.*got 1 \(a JSON number\)"),
        ({"force_retrain": None}, "force_retrain: must be a JSON boolean.*got null"),
        (
            {"window_start": 1764075600},
            r"input.window_start: must be a JSON string, or leave the key out for the default; "
            r"got 1764075600 \(a JSON number\)",
        ),
        (
            {"window_start": "2026-11-25"},
            r"input.window_start: '2026-11-25' is a date without a time \(it would mean "
            r"midnight\); send a full ISO-8601 time with timezone, e.g. 2026-11-25T00:00:00Z",
        ),
        (
            {"window_end": "2026-11-25T13:00:00"},
            r"input.window_end: '2026-11-25T13:00:00' has no timezone; send a full ISO-8601 "
            r"time with timezone, e.g. 2026-11-25T13:00:00Z for UTC or an offset",
        ),
        (
            {"window_start": "2026-11-27T13:00:00Z", "window_end": "2026-11-27T14:00:00Z"},
            r"input.window_end: the window 2026-11-27T13:00:00Z to 2026-11-27T14:00:00Z ends "
            r"after the execution started \(2026-11-25T14:05:00Z; up to 5 minutes ahead is "
            r"tolerated as clock skew\)",
        ),
        ({"window_start": "2026-11-25T14:00:00Z"}, "input.window_start: the window .* ends after"),
        (
            {"window_start": "2026-10-25T13:00:00Z", "window_end": "2026-11-25T13:00:00Z"},
            r"input: the window 2026-10-25T13:00:00Z to 2026-11-25T13:00:00Z is 31 days long; "
            r"the maximum is 7 days \(MAX_WINDOW_HOURS=168\); split it into shorter windows",
        ),
        ({"window_start": ""}, "input.window_start: is empty; send a value or leave the key out"),
        ({"endpoint_name": " "}, "input.endpoint_name: is empty"),
    ],
)
def test_input_mistakes_fail_with_what_to_send_instead(execution_input, message):
    with pytest.raises(MergeInputError, match=message):
        parsed(execution_input)


def test_a_non_object_input_is_refused():
    with pytest.raises(MergeInputError, match=r"must be a JSON object such as .*got a JSON array"):
        parsed([{"window_start": "2026-11-25T12:00:00Z"}])


def test_the_valid_inputs_still_work():
    assert parsed({}).window.slug == "20261125T1300Z-20261125T1400Z"  # the schedule's input
    assert parsed({"endpoint_name": "adult-income"}).endpoint_name == "adult-income"
    assert parsed({"force_retrain": True}).force_retrain is True
    assert parsed({"window_start": None, "endpoint_name": None}).window.end.hour == 14
    # within the clock-skew tolerance, and exactly the maximum length
    assert parsed({"window_end": "2026-11-25T14:10:00Z"}, "2026-11-25T14:06:00Z").window
    week = parsed({"window_start": "2026-11-18T14:00:00Z", "window_end": "2026-11-25T14:00:00Z"})
    assert (week.window.end - week.window.start).days == 7
    offset = parsed({"window_start": "2026-11-25T13:00:00+01:00"})
    assert offset.window.start.hour == 12


def test_max_window_hours_is_a_setting():
    config = MergeConfig.from_env({"MAX_WINDOW_HOURS": "2"}, data_bucket="b")
    assert config.max_window_hours == 2
    from merge_labels.config import ConfigError

    with pytest.raises(ConfigError, match="MAX_WINDOW_HOURS"):
        MergeConfig.from_env({"MAX_WINDOW_HOURS": "0"}, data_bucket="b")
