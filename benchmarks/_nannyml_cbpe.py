"""NannyML CBPE's accuracy estimate per chunk, run in its own venv as a subprocess.

NannyML's aiobotocore pins clash with our boto3, so it lives in ``.venv-nannyml`` (created by
``benchmarks/projection_accuracy.sh``) and exchanges Parquet and JSON files with us.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pandas as pd

from benchmarks._accuracy_scoring import Chunk

ROOT = Path(__file__).resolve().parents[1]
NANNYML_PYTHON = ROOT / ".venv-nannyml" / "bin" / "python"

_CBPE_SCRIPT = r"""
import json, sys
import pandas as pd
import nannyml as nml
workdir = sys.argv[1]
reference = pd.read_parquet(f"{workdir}/reference.parquet")
analysis = pd.read_parquet(f"{workdir}/analysis.parquet")
chunk_size = int(sys.argv[2])
estimator = nml.CBPE(y_pred_proba="score", y_pred="prediction", y_true="label",
                     metrics=["accuracy"], problem_type="classification_binary",
                     chunk_size=chunk_size)
estimator.fit(reference)
result = estimator.estimate(analysis).filter(period="analysis").to_df()
out = {"value": result[("accuracy", "value")].tolist(),
       "lower": result[("accuracy", "lower_confidence_boundary")].tolist(),
       "upper": result[("accuracy", "upper_confidence_boundary")].tolist()}
json.dump(out, open(f"{workdir}/cbpe.json", "w"))
"""


def run_cbpe(
    reference: pd.DataFrame,
    chunk_frames: list[pd.DataFrame],
    chunks: list[Chunk],
    workdir: Path,
    chunk_size: int,
) -> None:
    """NannyML CBPE in its own venv (its aiobotocore pins clash with our boto3)."""
    if not NANNYML_PYTHON.exists():
        raise SystemExit(f"{NANNYML_PYTHON} missing: run `bash benchmarks/projection_accuracy.sh`")
    workdir.mkdir(parents=True, exist_ok=True)
    reference[["score", "prediction", "label"]].to_parquet(workdir / "reference.parquet")
    pd.concat(chunk_frames, ignore_index=True).to_parquet(workdir / "analysis.parquet")
    (workdir / "cbpe.py").write_text(_CBPE_SCRIPT, encoding="utf-8")
    env = dict(os.environ, NML_DISABLE_USAGE_LOGGING="1")
    subprocess.run(
        [str(NANNYML_PYTHON), str(workdir / "cbpe.py"), str(workdir), str(chunk_size)],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    )
    result = json.loads((workdir / "cbpe.json").read_text())
    if len(result["value"]) != len(chunks):
        raise RuntimeError(f"CBPE returned {len(result['value'])} chunks, expected {len(chunks)}")
    for chunk, value, lower, upper in zip(
        chunks, result["value"], result["lower"], result["upper"], strict=True
    ):
        chunk.estimates["NannyML CBPE"] = value
        chunk.intervals["NannyML CBPE"] = (lower, upper)
