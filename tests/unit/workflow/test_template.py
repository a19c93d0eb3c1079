"""template.yaml and the offline stack describe the same deployment (the stack reads it)."""

import pytest

from workflow.asl_parts import placeholders_in
from workflow.offline.stack import (
    OFFLINE_PARAMETERS,
    PipelineSettings,
    TemplateValues,
    definition_substitutions,
    function_specs,
    load_template,
)
from workflow.render import ASL_PATH

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]


def _values(**attributes: str) -> TemplateValues:
    return TemplateValues(
        TEMPLATE,
        PipelineSettings().parameters,
        region="us-east-1",
        physical={"DataBucket": "bucket", "AlertTopic": "arn:topic"},
        attributes=attributes,
    )


def test_definition_substitutions_bind_every_placeholder():
    machine = RESOURCES["DriftStateMachine"]["Properties"]
    assert machine["DefinitionUri"] == "workflow/statemachine.asl.json"
    assert set(machine["DefinitionSubstitutions"]) == placeholders_in(ASL_PATH.read_text())


def test_offline_parameters_are_the_template_defaults():
    parameters = PipelineSettings().parameters
    assert set(parameters) == set(TEMPLATE["Parameters"])
    for name, spec in TEMPLATE["Parameters"].items():
        if name in OFFLINE_PARAMETERS:
            assert parameters[name] == OFFLINE_PARAMETERS[name]
        else:
            assert parameters[name] == str(spec["Default"]), name
    # the values the offline run depends on, spelled out once as a sanity check
    assert parameters["WindowMinutes"] == "60"
    assert parameters["LabelLagHours"] == "72"
    assert parameters["MinLabeledRowsForRetrain"] == "200"
    assert parameters["AccuracyThreshold"] == ""
    assert not set(OFFLINE_PARAMETERS) - set(TEMPLATE["Parameters"])


def test_overriding_an_unknown_parameter_fails():
    with pytest.raises(KeyError, match="NoSuchParameter"):
        PipelineSettings().with_parameters(NoSuchParameter="1")
    assert (
        PipelineSettings().with_parameters(WindowMinutes="30").parameters["WindowMinutes"] == "30"
    )


def test_function_environment_is_the_templates_values():
    specs = function_specs(TEMPLATE)
    assert set(specs) == {
        "MergeLabelsFunction",
        "EvaluateViolationsFunction",
        "FormatFailureFunction",
        "TrendReportFunction",
        "RetrainDataFunction",  # the retraining branch: tests/unit/workflow/test_retraining_*
        "PromoteChallengerFunction",
        "BaselineRefreshFunction",
    }
    merge, evaluate = specs["MergeLabelsFunction"], specs["EvaluateViolationsFunction"]
    assert merge.handler == "merge_labels.app.lambda_handler"
    assert evaluate.handler == "evaluate_violations.app.lambda_handler"
    assert (merge.code_uri, evaluate.code_uri) == (
        "lambdas/merge_labels/",
        "lambdas/evaluate_violations/",
    )
    assert (merge.memory_size, evaluate.memory_size, merge.timeout) == (2048, 512, 300)
    assert merge.offline_name == "merge-labels"
    values = _values()
    assert values.resolve(dict(merge.environment)) == {
        "DATA_BUCKET": "bucket",
        "POWERTOOLS_METRICS_NAMESPACE": "DriftPipeline",
        "CAPTURE_S3_URI": "s3://bucket/datacapture",
        "GROUND_TRUTH_S3_URI": "s3://bucket/ground-truth",
        "DEFAULT_ENDPOINT_NAME": "adult-income",
        "DEFAULT_VARIANT_NAME": "AllTraffic",
        "WINDOW_MINUTES": "60",
        "LABEL_LAG_HOURS": "72",
        "MAX_WINDOW_HOURS": "168",
        "BASELINE_PREFIX": "baselines",
        "CAPTURE_SOURCE": "auto",
        "POWERTOOLS_SERVICE_NAME": "merge_labels",
    }
    assert values.resolve(dict(evaluate.environment)) == {
        "DATA_BUCKET": "bucket",
        "POWERTOOLS_METRICS_NAMESPACE": "DriftPipeline",
        "STATE_PREFIX": "state",
        "RETRAIN_ON": "model_quality_check,projected_accuracy_check",
        "NOTIFY_ON": "*",
        "IGNORE": "",
        "MIN_LABELED_ROWS_FOR_RETRAIN": "200",
        "RETRAIN_COOLDOWN_HOURS": "24",
        "NOTIFY_ON_INSUFFICIENT_DATA": "false",
        "MAX_QUARANTINED_SHARE": "0.05",
        "POWERTOOLS_SERVICE_NAME": "evaluate_violations",
    }
    formatter = specs["FormatFailureFunction"]  # the failure notification's words
    assert formatter.handler == "evaluate_violations.failure.lambda_handler"
    assert formatter.code_uri == evaluate.code_uri
    assert formatter.offline_name == "format-failure"
    assert values.resolve(dict(formatter.environment)) == {
        "DATA_BUCKET": "bucket",
        "POWERTOOLS_METRICS_NAMESPACE": "DriftPipeline",
        "DEFAULT_ENDPOINT_NAME": "adult-income",
        "WINDOW_MINUTES": "60",
        "POWERTOOLS_SERVICE_NAME": "format_failure",
    }


def test_a_parameter_override_reaches_the_function_environment():
    settings = PipelineSettings().with_parameters(CaptureBucket="elsewhere", LabelLagHours="6")
    values = TemplateValues(
        TEMPLATE, settings.parameters, region="us-east-1", physical={"DataBucket": "bucket"}
    )
    environment = values.resolve(dict(function_specs(TEMPLATE)["MergeLabelsFunction"].environment))
    assert environment["CAPTURE_S3_URI"] == "s3://elsewhere/datacapture"
    assert environment["GROUND_TRUTH_S3_URI"] == "s3://bucket/ground-truth"
    assert environment["LABEL_LAG_HOURS"] == "6"


def test_definition_substitutions_resolve_offline():
    values = _values(
        **{
            "MergeLabelsFunction.Arn": "arn:merge",
            "EvaluateViolationsFunction.Arn": "arn:evaluate",
            "FormatFailureFunction.Arn": "arn:format-failure",
            "TrendReportFunction.Arn": "arn:trend",
            "RetrainDataFunction.Arn": "arn:retrain-data",
            "PromoteChallengerFunction.Arn": "arn:promote",
            "BaselineRefreshFunction.Arn": "arn:baseline-refresh",
            "SageMakerExecutionRole.Arn": "arn:role",
        }
    )
    bound = values.resolve(definition_substitutions(TEMPLATE))
    assert bound == {
        "MergeFunctionArn": "arn:merge",
        "EvaluateFunctionArn": "arn:evaluate",
        "FormatFailureFunctionArn": "arn:format-failure",
        "TrendFunctionArn": "arn:trend",
        "RetrainDataFunctionArn": "arn:retrain-data",
        "PromoteChallengerFunctionArn": "arn:promote",
        "BaselineRefreshFunctionArn": "arn:baseline-refresh",
        "AlertTopicArn": "arn:topic",
        "MonitorImageUri": OFFLINE_PARAMETERS["MonitorImageUri"],
        "TrainingImageUri": OFFLINE_PARAMETERS["TrainingImageUri"],
        "SageMakerRoleArn": "arn:role",
        "ProcessingInstanceType": "ml.m5.xlarge",
        "TrainingInstanceType": "ml.m5.xlarge",
        "AccuracyThreshold": "",
    }


def test_a_reference_the_offline_stack_lacks_fails_loudly():
    with pytest.raises(KeyError, match=r"MergeLabelsFunction\.Arn"):
        _values().resolve(definition_substitutions(TEMPLATE))


def test_pass_role_is_scoped_to_the_sagemaker_role():
    statements = [
        statement
        for policy in RESOURCES["DriftStateMachine"]["Properties"]["Policies"]
        if "Statement" in policy
        for statement in policy["Statement"]
    ]
    pass_role = [s for s in statements if s["Action"] == "iam:PassRole"]
    assert len(pass_role) == 1
    assert pass_role[0]["Resource"] == {"Fn::GetAtt": ["SageMakerExecutionRole", "Arn"]}
    for statement in statements:
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        assert not any(action.endswith("*") for action in actions), statement


def test_job_permissions_name_the_jobs_the_states_start():
    statements = {
        statement["Sid"]: statement
        for policy in RESOURCES["DriftStateMachine"]["Properties"]["Policies"]
        if "Statement" in policy
        for statement in policy["Statement"]
    }
    assert statements["RunAnalysisJobs"]["Resource"]["Fn::Sub"].endswith(
        "processing-job/analysis-*"
    )
    assert statements["RunTrainingJobs"]["Resource"]["Fn::Sub"].endswith("training-job/retrain-*")


def test_bucket_is_encrypted_private_and_versioned():
    bucket = RESOURCES["DataBucket"]["Properties"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert bucket["LifecycleConfiguration"]["Rules"]


def test_schedule_rate_and_state_are_parameters():
    schedule = RESOURCES["DriftStateMachine"]["Properties"]["Events"]["Schedule"]
    assert schedule["Type"] == "ScheduleV2"
    assert schedule["Properties"]["ScheduleExpression"] == {"Ref": "ScheduleExpression"}
    assert schedule["Properties"]["State"] == {"Ref": "ScheduleState"}


def test_two_stacks_in_one_account_and_region_do_not_collide_on_the_schedule_name():
    schedule = RESOURCES["DriftStateMachine"]["Properties"]["Events"]["Schedule"]["Properties"]
    assert schedule["OmitName"] is True  # else SAM names it DriftStateMachineSchedule
    assert "Name" not in schedule
