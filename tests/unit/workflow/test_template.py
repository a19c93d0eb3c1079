"""template.yaml and the offline stack describe the same deployment."""

from pathlib import Path

from samtranslator.yaml_helper import yaml_parse

from workflow.definition import PLACEHOLDERS
from workflow.offline.stack import (
    FUNCTIONS,
    HANDLERS,
    PipelineSettings,
    function_environment,
)

TEMPLATE = yaml_parse((Path(__file__).resolve().parents[3] / "template.yaml").read_text())
RESOURCES = TEMPLATE["Resources"]


def test_definition_substitutions_bind_every_placeholder():
    machine = RESOURCES["DriftStateMachine"]["Properties"]
    assert machine["DefinitionUri"] == "workflow/statemachine.asl.json"
    assert set(machine["DefinitionSubstitutions"]) == set(PLACEHOLDERS)


def test_functions_match_the_offline_stack():
    global_variables = set(TEMPLATE["Globals"]["Function"]["Environment"]["Variables"])
    for logical_id in FUNCTIONS:
        properties = RESOURCES[logical_id]["Properties"]
        assert properties["Handler"] == HANDLERS[logical_id]
        declared = global_variables | set(properties["Environment"]["Variables"])
        offline = set(function_environment(logical_id, "bucket", PipelineSettings()))
        assert offline == declared, logical_id


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
