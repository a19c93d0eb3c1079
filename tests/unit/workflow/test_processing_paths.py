"""The Processing job's paths come from one module: the job requests and the container agree."""

import json

import processing_paths
from drift_monitor import config as container_config
from workflow import make_baseline
from workflow.offline import demo
from workflow.render import ASL_PATH


def test_the_analysis_job_mounts_where_the_container_reads():
    analyse = json.loads(ASL_PATH.read_text())["States"]["Analyse"]["Parameters"]
    local = {i["InputName"]: i["S3Input"]["LocalPath"] for i in analyse["ProcessingInputs"]}
    assert local == {
        "merged_data": processing_paths.DATASET_DIR,
        "baseline": processing_paths.BASELINE_DIR,
    }
    [output] = analyse["ProcessingOutputConfig"]["Outputs"]
    assert output["S3Output"]["LocalPath"] == processing_paths.RESULT_DIR
    environment = analyse["Environment"]
    assert environment["dataset_source"] == processing_paths.DATASET_DIR
    assert environment["output_path"] == processing_paths.RESULT_DIR
    assert environment["baseline_statistics"] == f"{processing_paths.BASELINE_DIR}/statistics.json"


def test_the_container_defaults_are_the_shared_paths():
    assert container_config.DEFAULT_MONITOR_DATASET == processing_paths.DATASET_DIR
    assert container_config.DEFAULT_BASELINE_DIR == processing_paths.BASELINE_DIR
    assert container_config.DEFAULT_BASELINE_DATASET == processing_paths.BASELINE_DATASET_DIR
    assert container_config.DEFAULT_OUTPUT == processing_paths.OUTPUT_DIR


def test_the_demo_baseline_job_uses_the_shared_paths():
    request = make_baseline.baseline_job_request(
        demo.demo_baseline_target("bucket", "adult-income"),
        dataset_name="reference.parquet",
        job_suffix="x",
    )
    local = {i["InputName"]: i["S3Input"]["LocalPath"] for i in request["ProcessingInputs"]}
    assert local == {
        "baseline_dataset_input": processing_paths.BASELINE_DATASET_DIR,
        "schema": processing_paths.SCHEMA_INPUT_DIR,
    }
    assert request["Environment"]["output_path"] == processing_paths.OUTPUT_DIR


def test_no_other_module_spells_the_processing_root():
    from pathlib import Path

    repo = Path(__file__).resolve().parents[3]
    sources = [
        *repo.glob("workflow/**/*.py"),
        *repo.glob("container/**/*.py"),
        *repo.glob("lambdas/**/*.py"),
    ]
    spelled = [str(p.relative_to(repo)) for p in sources if "/opt/ml/processing" in p.read_text()]
    assert spelled == [], spelled
