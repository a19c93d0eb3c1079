"""Where a SageMaker Processing job's files sit inside the container, owned in one place.

The job requests (``workflow/definition.py``'s Analyse step, the offline demo's baseline job)
mount their inputs and collect their outputs at these paths, and the analysis container
(``drift_monitor.config``) falls back to them when a setting is absent; one module, so the two
sides cannot disagree. The retraining branch's comparison job (``workflow/retraining.py``,
``trainer.compare_job``) uses the ``COMPARE_*`` paths and ``BASELINE_DIR``. Standard library
only: the analysis image and the Lambda layer ship it.
"""

ML_ROOT = "/opt/ml"
PROCESSING_ROOT = f"{ML_ROOT}/processing"

# monitor mode (Model Monitor's names)
DATASET_DIR = f"{PROCESSING_ROOT}/input/endpoint"  # the window's dataset: dataset_source
BASELINE_DIR = f"{PROCESSING_ROOT}/baseline"  # statistics.json, constraints.json, schema.json
RESULT_DIR = f"{PROCESSING_ROOT}/resultdata"  # output_path of the Analyse job

# baseline mode
BASELINE_DATASET_DIR = f"{PROCESSING_ROOT}/input/baseline_dataset_input"
SCHEMA_INPUT_DIR = f"{PROCESSING_ROOT}/input/schema"
OUTPUT_DIR = f"{PROCESSING_ROOT}/output"  # output_path when none is given

# the retraining branch's comparison job (trainer compare): challenger, holdout, results
COMPARE_MODEL_DIR = f"{PROCESSING_ROOT}/model"  # the training job's model.tar.gz
COMPARE_HOLDOUT_DIR = f"{PROCESSING_ROOT}/holdout"  # holdout.parquet of the dataset version
COMPARE_OUTPUT_DIR = OUTPUT_DIR  # comparison.json, holdout_scored.parquet

__all__ = [
    "BASELINE_DATASET_DIR",
    "BASELINE_DIR",
    "COMPARE_HOLDOUT_DIR",
    "COMPARE_MODEL_DIR",
    "COMPARE_OUTPUT_DIR",
    "DATASET_DIR",
    "ML_ROOT",
    "OUTPUT_DIR",
    "PROCESSING_ROOT",
    "RESULT_DIR",
    "SCHEMA_INPUT_DIR",
]
