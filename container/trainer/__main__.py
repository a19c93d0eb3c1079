"""``python -m trainer``: a SageMaker training job for the monitored model.

Contract (SageMaker training): channels under ``/opt/ml/input/data/<channel>/``, hyperparameters
in ``/opt/ml/input/config/hyperparameters.json``, the model written to ``/opt/ml/model/``
(SageMaker packs it into ``model.tar.gz``), a failure reason in ``/opt/ml/output/failure``.
``TRAINER_ML_ROOT`` re-roots ``/opt/ml`` for local runs.

Channels: ``train`` (CSV with header: features + label; the branch's dataset version),
``recent`` (optional, merged windows, Parquet; only labelled rows are used), ``baseline``
(holds ``schema.json``). Hyperparameters: ``seed`` (an integer).
``python -m trainer compare`` is the comparison Processing job (:mod:`trainer.compare_job`).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from trainer.training import TrainingError, train


def main() -> int:
    if sys.argv[1:2] == ["compare"]:  # the champion/challenger Processing job
        from trainer.compare_job import main as compare_main

        return compare_main()
    root = Path(os.environ.get("TRAINER_ML_ROOT", "/opt/ml"))
    try:
        hyperparameters = _read_hyperparameters(root / "input/config/hyperparameters.json")
        report = train(
            data_dir=root / "input/data",
            model_dir=root / "model",
            schema_path=root / "input/data/baseline/schema.json",
            seed=_seed(hyperparameters),
        )
    except TrainingError as exc:
        _write_failure(root, str(exc))
        print(f"training failed: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(report))
    return 0


def _read_hyperparameters(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise TrainingError(f"{path}: hyperparameters are not valid JSON ({exc})") from exc


def _seed(hyperparameters: dict) -> int:
    value = hyperparameters.get("seed", 0)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise TrainingError(f"hyperparameter seed={value!r} is not an integer") from None


def _write_failure(root: Path, reason: str) -> None:
    failure = root / "output/failure"
    failure.parent.mkdir(parents=True, exist_ok=True)
    failure.write_text(reason[:1024], encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
