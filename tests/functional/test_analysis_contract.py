"""The analysis job → EvaluateViolations contract, checked on what the real job writes.

The container's ``drift_monitor.cli.main`` builds a baseline from the demo's labelled data, then
analyses a few windows (healthy, drifted without labels, drifted with labels, too few rows).
Each window's ``statistics.json`` and ``constraint_violations.json`` must be read by the evaluate
Lambda's own reader and models, and use only the shared vocabulary of ``monitoring_contract``:
known check types, the section names, a status for every section. The contract test of the other
direction (the vocabulary is documented) is at the end.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from pydantic import ConfigDict

from drift_monitor.cli import main
from evaluate_violations.models import StatisticsSummary, Violation, ViolationsReport
from evaluate_violations.reports import STATISTICS_FILE, VIOLATIONS_FILE, read_reports
from examples.adult import scored as demo
from monitoring_contract import KNOWN_CHECK_TYPES, CheckType, SectionName, SectionStatus

REPO = Path(__file__).resolve().parents[2]
CONTRACTS = REPO / "docs" / "contracts.md"
BUCKET = "contract-bucket"


# --- the Lambda's models, with unknown keys refused where the contract names every key ----------


class StrictViolation(Violation):
    """A violation entry has exactly the documented keys (the Lambda ignores others)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class StrictViolationsReport(ViolationsReport):
    model_config = ConfigDict(extra="forbid", frozen=True)

    violations: list[StrictViolation]


class StrictSummary(StatisticsSummary):
    """``summary`` holds ``item_count`` and one object per section, nothing else."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def check_reports(violations_doc: Any, statistics_doc: Any) -> None:
    """Every rule of the contract that this test enforces; raises AssertionError or
    pydantic's ValidationError (both fail the test)."""
    report = StrictViolationsReport.model_validate(violations_doc)
    for entry, violation in zip(violations_doc["violations"], report.violations, strict=True):
        check = entry["constraint_check_type"]
        # The Lambda tolerates unknown types (Model Monitor's own model-quality names, a newer
        # container); our container must only write the shared ones.
        assert check in KNOWN_CHECK_TYPES, f"unknown check type {check!r}"
        assert isinstance(violation.constraint_check_type, CheckType)
        assert violation.description.strip(), entry

    summary_doc = statistics_doc["summary"]
    summary = StrictSummary.model_validate(summary_doc)
    sections = set(summary_doc) - {"item_count"}
    assert sections == {str(name) for name in SectionName}, sections
    for name in SectionName:
        status = summary_doc[name].get("status")
        assert status in {str(s) for s in SectionStatus}, f"{name}: status {status!r}"
        assert summary.sections()[name].status == SectionStatus(status)
    assert summary.item_count == statistics_doc["dataset"]["item_count"]


# --- the real job on the demo data ----------------------------------------------------------------


def _older_long_hours(table: pa.Table) -> pa.Table:
    """Labelled rows biased the way traffic_drifted.csv drifts (older, longer hours)."""
    mask = pc.and_(pc.greater(table["age"], 45), pc.greater(table["hours-per-week"], 45))
    return demo.resample(table.filter(mask), 800, 3)


WINDOWS = {
    "healthy": lambda labelled, drifted: demo.resample(labelled, 800, 1),
    "drifted_no_labels": lambda labelled, drifted: demo.resample(drifted, 800, 2),
    "drifted_with_labels": lambda labelled, drifted: _older_long_hours(labelled),
    "too_few_rows": lambda labelled, drifted: demo.resample(labelled, 6, 4),
}


def _run(argv: list[str], ml_root: Path) -> None:
    code = main(argv, {"DRIFT_MONITOR_ML_ROOT": str(ml_root)})
    message = (ml_root / "output" / "message").read_text(encoding="utf-8")
    assert code == 0, message


@pytest.fixture(scope="module")
def tables() -> tuple[pa.Table, pa.Table]:
    return demo.labeled_table(), demo.drifted_table()


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, tables) -> Path:
    root = tmp_path_factory.mktemp("contract-baseline")
    pq.write_table(tables[0], root / "reference.parquet")
    argv = ["baseline", "--dataset", str(root / "reference.parquet")]
    argv += ["--schema", str(demo.SCHEMA_JSON), "--output", str(root / "baseline")]
    _run(argv, root / "ml")
    return root / "baseline"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, tables, baseline) -> dict[str, Path]:
    """Each window analysed once by the monitor job; name → its output folder."""
    done = {}
    for name, make in WINDOWS.items():
        root = tmp_path_factory.mktemp(f"contract-{name}")
        pq.write_table(make(*tables), root / "merged.parquet")
        argv = ["monitor", "--dataset", str(root / "merged.parquet")]
        argv += ["--baseline", str(baseline), "--output", str(root / "out")]
        _run(argv, root / "ml")
        done[name] = root / "out"
    return done


def _load(folder: Path) -> tuple[Any, Any]:
    return (
        json.loads((folder / VIOLATIONS_FILE).read_text(encoding="utf-8")),
        json.loads((folder / STATISTICS_FILE).read_text(encoding="utf-8")),
    )


@pytest.mark.parametrize("window", list(WINDOWS))
def test_the_job_writes_what_the_lambda_reads(outputs, window):
    check_reports(*_load(outputs[window]))


class _FolderS3:
    """Just enough of an S3 client for ``read_reports``: objects are the files of a folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:
        assert Bucket == BUCKET
        return {"Body": io.BytesIO((self.folder / Path(Key).name).read_bytes())}


@pytest.mark.parametrize("window", list(WINDOWS))
def test_the_lambdas_reader_accepts_every_window(outputs, window):
    reports = read_reports(_FolderS3(outputs[window]), f"s3://{BUCKET}/reports/{window}")
    violations, _ = _load(outputs[window])
    assert len(reports.violations) == len(violations["violations"])
    assert set(reports.statistics.summary.sections()) == set(SectionName)


def test_the_windows_exercise_the_contract(outputs):
    """Not vacuous: drift is reported as violations, a tiny window as insufficient data."""
    checks = {
        name: {v["constraint_check_type"] for v in _load(folder)[0]["violations"]}
        for name, folder in outputs.items()
    }
    assert CheckType.BASELINE_DRIFT in checks["drifted_no_labels"]
    assert CheckType.BASELINE_DRIFT in checks["drifted_with_labels"]
    assert CheckType.MODEL_OUTPUT_DRIFT in checks["drifted_no_labels"]
    assert CheckType.MODEL_OUTPUT_DRIFT not in checks["healthy"]
    statuses = {
        name: {
            s: section["status"]
            for s, section in _load(folder)[1]["summary"].items()
            if isinstance(section, dict)
        }
        for name, folder in outputs.items()
    }
    assert statuses["drifted_no_labels"][SectionName.MODEL_QUALITY] == SectionStatus.NO_LABELS
    assert SectionStatus.INSUFFICIENT_DATA in statuses["too_few_rows"].values()
    assert set(statuses["healthy"].values()) == {SectionStatus.OK}


# --- the checks can fail ----------------------------------------------------------------------


def _docs_with_violations(outputs) -> tuple[dict, dict]:
    violations, statistics = _load(outputs["drifted_with_labels"])
    assert violations["violations"]
    return violations, statistics


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda v, s: v["violations"][0].update(constraint_check_type="new_check"), "new_check"),
        (lambda v, s: v["violations"][0].update(severity="high"), "severity"),
        (lambda v, s: s["summary"]["projection"].update(status="stale"), "status"),
        (lambda v, s: s["summary"]["projection"].pop("status"), "projection: status None"),
        (lambda v, s: s["summary"].update(fairness={"status": "ok"}), "fairness"),
        (lambda v, s: s["summary"].pop("dataset_drift"), "dataset_drift"),
    ],
)
def test_the_contract_check_rejects_what_the_lambda_would_not_expect(outputs, damage, expected):
    violations, statistics = _docs_with_violations(outputs)
    damage(violations, statistics)
    with pytest.raises((AssertionError, ValueError), match=re.escape(expected)):
        check_reports(violations, statistics)


# --- the vocabulary is documented ---------------------------------------------------------------


def _contracts_text() -> str:
    return CONTRACTS.read_text(encoding="utf-8")


def test_every_check_type_is_documented_and_every_documented_one_exists():
    text = _contracts_text()
    paragraph = text.split("Violation types:", 1)[1].split("\n\n", 1)[0]
    documented = set(re.findall(r"`([a-z_]+_check)`", paragraph))
    assert documented == {str(c) for c in CheckType}


def test_every_section_name_and_status_is_documented():
    text = _contracts_text()
    sections = text.split("## Inside the container: sections", 1)[1]
    table = set(re.findall(r"^\| `([a-z_]+)` \|", sections, re.M))
    assert table == {str(name) for name in SectionName}
    statuses = re.search(r"`status` is (.+?)\)", sections, re.S)
    assert statuses, "the summary paragraph names the statuses"
    assert set(re.findall(r"`([a-z_]+)`", statuses.group(1))) == {str(s) for s in SectionStatus}
