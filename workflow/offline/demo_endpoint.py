"""The demo endpoint as SageMaker knows it: model, endpoint config and endpoint in moto.

The demo's traffic is scored in-process (``demo``); the retraining branch still needs the
endpoint's SageMaker resources, because promotion reads the champion (its serving image, role
and variants) and deploys a winner with ``UpdateEndpoint``. The champion's artefact is the
demo's model family fitted on the demo's training set (``training-data/{endpoint}/train.csv``,
which ``demo.prepare`` wrote), packed as SageMaker packs a training job's output.
"""

from __future__ import annotations

import io
import json
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import joblib
import pandas as pd

from column_schema import load_schema
from examples.adult import SCHEMA_JSON
from trainer.model import build_pipeline, feature_frame
from workflow.offline.stack import ACCOUNT_ID

SERVING_IMAGE = f"{ACCOUNT_ID}.dkr.ecr.us-east-1.amazonaws.com/adult-income-serving:v1"
SERVING_ROLE = f"arn:aws:iam::{ACCOUNT_ID}:role/adult-income-serving"


def deploy_champion(session: Any, *, bucket: str, endpoint: str, variant: str, seed: int) -> str:
    """Create the endpoint serving the demo's first model; returns its endpoint config name."""
    s3, sagemaker = session.client("s3"), session.client("sagemaker")
    schema = load_schema(SCHEMA_JSON)
    body = s3.get_object(Bucket=bucket, Key=f"training-data/{endpoint}/train.csv")["Body"]
    train = pd.read_csv(io.BytesIO(body.read()), dtype=str, keep_default_na=False)
    model = build_pipeline(schema, seed=seed)
    model.fit(feature_frame(train, schema), train[schema.label].astype(int))
    key = f"models/{endpoint}/champion/output/model.tar.gz"
    s3.put_object(Bucket=bucket, Key=key, Body=_archive(model, schema.to_dict()))
    name = f"{endpoint}-champion"
    sagemaker.create_model(
        ModelName=name,
        PrimaryContainer={"Image": SERVING_IMAGE, "ModelDataUrl": f"s3://{bucket}/{key}"},
        ExecutionRoleArn=SERVING_ROLE,
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[
            {
                "VariantName": variant,
                "ModelName": name,
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "InitialVariantWeight": 1.0,
            }
        ],
    )
    sagemaker.create_endpoint(EndpointName=endpoint, EndpointConfigName=name)
    return name


def serving_model(session: Any, endpoint: str) -> tuple[Any, str]:
    """(the fitted model the endpoint serves now, its SageMaker model name): what scores the
    demo's next hour of requests, the champion or a deployed challenger."""
    sagemaker, s3 = session.client("sagemaker"), session.client("s3")
    config = sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"]
    variant = sagemaker.describe_endpoint_config(EndpointConfigName=config)["ProductionVariants"]
    name = variant[0]["ModelName"]
    url = sagemaker.describe_model(ModelName=name)["PrimaryContainer"]["ModelDataUrl"]
    bucket, _, key = url.removeprefix("s3://").partition("/")
    archive = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    with tempfile.TemporaryDirectory() as folder:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
            tar.extractall(folder, filter="data")
        return joblib.load(Path(folder) / "model.joblib"), name


def _archive(model: Any, schema: dict) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        joblib.dump(model, root / "model.joblib")
        (root / "schema.json").write_text(json.dumps(schema, indent=2), encoding="utf-8")
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            for name in ("model.joblib", "schema.json"):
                tar.add(root / name, arcname=name)
        return buffer.getvalue()
