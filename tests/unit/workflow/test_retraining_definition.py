"""The retraining branch in the ASL and the template: states, failure routing, least privilege."""

from __future__ import annotations

import json

from tests.unit.workflow.test_template_security import _s3_access, _values
from workflow.offline.stack import function_specs, load_template
from workflow.render import ASL_PATH

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]
STATES = json.loads(ASL_PATH.read_text())["States"]
BRANCH_TASKS = [
    "AcquireRetrainLock",
    "AssembleTrainingData",
    "Retrain",
    "CompareChallenger",
    "PromoteChallenger",
    "CheckDeployment",
    "RefreshBaseline",
    "ActivateBaseline",
    "NotifyRetrainBusy",
    "NotifyTooFewLabels",
    "NotifyRetrained",
]


def test_retrain_enters_the_branch_and_it_ends_in_retrained_or_skipped():
    [retrain] = [c for c in STATES["Decision"]["Choices"] if c.get("StringEquals") == "retrain"]
    assert retrain["Next"] == "AcquireRetrainLock"
    path, state = [], "AcquireRetrainLock"
    while state not in ("Retrained", "RetrainSkipped"):
        path.append(state)
        node = STATES[state]
        state = node["Choices"][0]["Next"] if node["Type"] == "Choice" else node["Next"]
    assert path == [
        "AcquireRetrainLock",
        "RetrainLockFree",
        "AssembleTrainingData",
        "EnoughFreshLabels",
        "Retrain",
        "CompareChallenger",
        "PromoteChallenger",
        "ChallengerDeployed",
        "CheckDeployment",
        "EndpointServesChallenger",
        "RefreshBaseline",
        "ActivateBaseline",
        "NotifyRetrained",
        "RenderTrendAfterRetraining",
    ]
    assert STATES["RetrainLockFree"]["Default"] == "NotifyRetrainBusy"
    assert STATES["ChallengerDeployed"]["Choices"][0]["StringEquals"] == "deployed"
    assert STATES["ChallengerDeployed"]["Default"] == "NotifyRetrained"  # nothing to refresh
    assert STATES["EndpointServesChallenger"]["Default"] == "WaitForEndpoint"
    assert STATES["WaitForEndpoint"] == {
        "Type": "Wait",
        "Seconds": 60,
        "Next": "CheckDeployment",
    }
    assert STATES["EnoughFreshLabels"]["Default"] == "NotifyTooFewLabels"
    assert STATES["NotifyRetrainBusy"]["Next"] == STATES["NotifyTooFewLabels"]["Next"]


def test_every_branch_task_fails_into_the_failure_notification():
    for name in BRANCH_TASKS:
        [catch] = STATES[name]["Catch"]
        assert catch["Next"] == f"Failed{name}" and catch["ErrorEquals"] == ["States.ALL"]
        assert STATES[f"Failed{name}"]["Next"] == "FormatFailure"


def test_the_comparison_runs_the_training_image_on_the_holdout_and_the_challenger():
    compare = STATES["CompareChallenger"]["Parameters"]
    assert compare["AppSpecification"] == {
        "ImageUri": "${TrainingImageUri}",
        "ContainerArguments": ["compare"],
    }
    sources = {i["InputName"]: i["S3Input"]["S3Uri.$"] for i in compare["ProcessingInputs"]}
    assert sources["model"] == "$.training.ModelArtifacts.S3ModelArtifacts"
    assert sources["holdout"] == "$.dataset.holdout_uri"
    train = STATES["Retrain"]["Parameters"]
    channels = {
        c["ChannelName"]: c["DataSource"]["S3DataSource"]["S3Uri.$"]
        for c in train["InputDataConfig"]
    }
    assert channels == {"train": "$.dataset.train_uri", "baseline": "$.merge.baseline_uri"}
    assert train["HyperParameters.$"] == "$.dataset.hyperparameters"


def test_the_retraining_functions_read_the_settings():
    specs = function_specs(TEMPLATE)
    values = _values()
    for name, handler in (
        ("RetrainDataFunction", "retraining.app.prepare_handler"),
        ("PromoteChallengerFunction", "retraining.app.promote_handler"),
    ):
        spec = specs[name]
        assert (spec.handler, spec.code_uri) == (handler, "lambdas/retraining/")
        environment = values.resolve(dict(spec.environment))
        assert environment["MIN_FRESH_LABELED_ROWS"] == "300"
        assert environment["PROMOTION_METRIC"] == "accuracy"
        assert environment["AUTO_DEPLOY"] == "false"
        assert environment["TRAINING_HYPERPARAMETERS"] == '{"seed": 0}'


def test_retraining_functions_touch_s3_only_under_their_prefixes():
    data = _s3_access("RetrainDataFunction")
    writes = {
        r for actions, resources, _ in data.values() if "s3:PutObject" in actions for r in resources
    }
    assert writes == {"arn:aws:s3:::data/retraining/*"}
    promote = _s3_access("PromoteChallengerFunction")
    assert promote["ReadComparisonReleaseLock"][1] == {"arn:aws:s3:::data/retraining/*"}
    promote_writes = {
        r
        for actions, resources, _ in promote.values()
        if "s3:PutObject" in actions
        for r in resources
    }
    assert promote_writes == {"arn:aws:s3:::data/state/*/retrainings/*"}  # the trend's record


def test_the_refreshed_baseline_is_the_baseline_job_on_the_holdout_the_challenger_scored():
    refresh = STATES["RefreshBaseline"]["Parameters"]
    assert refresh["AppSpecification"] == {
        "ImageUri": "${MonitorImageUri}",
        "ContainerArguments": ["baseline"],
    }
    sources = {i["InputName"]: i["S3Input"]["S3Uri.$"] for i in refresh["ProcessingInputs"]}
    assert sources == {
        "baseline_dataset_input": (
            "States.Format('{}holdout_scored.parquet', $.dataset.comparison_uri)"
        ),
        "schema": "States.Format('{}schema.json', $.merge.baseline_uri)",
    }
    [output] = refresh["ProcessingOutputConfig"]["Outputs"]
    assert output["S3Output"]["S3Uri.$"] == "$.dataset.refreshed_baseline_uri"
    activate = STATES["ActivateBaseline"]
    assert activate["Parameters"]["Payload"]["refreshed_baseline_uri.$"] == (
        "$.dataset.refreshed_baseline_uri"
    )
    assert activate["ResultPath"] == "$.promotion"  # NotifyRetrained sends its message


def test_the_baseline_refresh_function_touches_only_baselines_runs_and_the_endpoint():
    statements = RESOURCES["BaselineRefreshFunction"]["Properties"]["Policies"][0]["Statement"]
    actions = sorted(a for s in statements for a in _as_list(s["Action"]))
    assert [a for a in actions if a.startswith("sagemaker:")] == ["sagemaker:DescribeEndpoint"]
    written = [
        s["Resource"]["Fn::Sub"] for s in statements if "s3:PutObject" in _as_list(s["Action"])
    ]
    assert sorted(written) == [
        "${DataBucket.Arn}/${BaselinePrefix}/*",
        "${DataBucket.Arn}/retraining/*",
        "${DataBucket.Arn}/state/*/retrainings/*",
    ]


def _as_list(value):
    return value if isinstance(value, list) else [value]


def test_sagemaker_actions_are_named_and_resources_scoped():
    statements = RESOURCES["PromoteChallengerFunction"]["Properties"]["Policies"][0]["Statement"]
    actions = [a for s in statements for a in s["Action"] if a.startswith("sagemaker:")]
    assert "sagemaker:UpdateEndpoint" in actions and "sagemaker:CreateModelPackage" in actions
    assert not any("*" in a for a in actions)
    for statement in statements:
        resources = statement["Resource"]
        assert resources != "*" and "*" not in (resources if isinstance(resources, list) else [])
    machine = RESOURCES["DriftStateMachine"]["Properties"]["Policies"]
    [jobs] = [
        s
        for p in machine
        if "Statement" in p
        for s in p["Statement"]
        if s["Sid"] == "RunComparisonAndBaselineJobs"
    ]
    assert [r["Fn::Sub"].rsplit(":", 1)[1] for r in jobs["Resource"]] == [
        "processing-job/compare-*",
        "processing-job/rebaseline-*",
    ]
