"""template.yaml's security parts: each function's S3 access, the key that lets alarms deliver,
immutable and pinnable images. moto enforces no IAM, so these are checked here, on the template."""

import re

import pytest

from workflow.offline.stack import PipelineSettings, TemplateValues, load_template

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]
DATA = "arn:aws:s3:::data"


def _values(**overrides: str) -> TemplateValues:
    return TemplateValues(
        TEMPLATE,
        PipelineSettings().with_parameters(**overrides).parameters,
        region="us-east-1",
        physical={"DataBucket": "data", "PipelineKey": "key-id"},
        attributes={"DataBucket.Arn": DATA, "PipelineKey.Arn": "arn:aws:kms:key"},
    )


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _s3_access(function: str, **overrides: str) -> dict[str, tuple[set, set, object]]:
    """Sid -> (actions, resources, condition) of the function's statements that grant any S3
    action, resolved (other services' grants are checked by their own tests)."""
    policies = RESOURCES[function]["Properties"]["Policies"]
    assert all(set(policy) == {"Statement"} for policy in policies), (
        f"{function}: only explicit statements, no SAM policy template (S3CrudPolicy & co.)"
    )
    values = _values(**overrides)
    access = {}
    for policy in policies:
        for statement in policy["Statement"]:
            actions = set(_as_list(statement["Action"]))
            if not any(action.startswith("s3:") for action in actions):
                continue
            resolved = values.resolve(statement)
            assert resolved["Effect"] == "Allow"
            access[resolved["Sid"]] = (
                actions,
                set(_as_list(resolved["Resource"])),
                resolved.get("Condition"),
            )
    return access


def test_merge_labels_reads_its_inputs_and_writes_only_merged_windows():
    assert _s3_access("MergeLabelsFunction") == {
        "ReadCapture": ({"s3:GetObject"}, {f"{DATA}/datacapture/*"}, None),
        "ListCapture": (
            {"s3:ListBucket"},
            {DATA},
            {"StringLike": {"s3:prefix": "datacapture/*"}},
        ),
        "ReadGroundTruth": ({"s3:GetObject"}, {f"{DATA}/ground-truth/*"}, None),
        "ListGroundTruth": (
            {"s3:ListBucket"},
            {DATA},
            {"StringLike": {"s3:prefix": "ground-truth/*"}},
        ),
        # key names only: a missing manifest or schema.json then answers 404, not 403
        "ListDataBucket": ({"s3:ListBucket"}, {DATA}, None),
        "ReadSchemaAndEarlierRuns": (
            {"s3:GetObject"},
            {f"{DATA}/baselines/*", f"{DATA}/merged/*", f"{DATA}/reports/*"},
            None,
        ),
        # the input and output objects that batch transform capture manifests name
        "ReadBatchTransformData": ({"s3:GetObject"}, {f"{DATA}/batch-transform/*"}, None),
        "WriteMergedWindows": ({"s3:PutObject", "s3:DeleteObject"}, {f"{DATA}/merged/*"}, None),
    }


def test_merge_labels_follows_capture_and_labels_to_their_own_buckets():
    access = _s3_access(
        "MergeLabelsFunction",
        CaptureBucket="capture-bucket",
        CapturePrefix="endpoints/capture",
        GroundTruthBucket="labels-bucket",
    )
    assert access["ReadCapture"][1] == {"arn:aws:s3:::capture-bucket/endpoints/capture/*"}
    assert access["ListCapture"][1:] == (
        {"arn:aws:s3:::capture-bucket"},
        {"StringLike": {"s3:prefix": "endpoints/capture/*"}},
    )
    assert access["ReadGroundTruth"][1] == {"arn:aws:s3:::labels-bucket/ground-truth/*"}
    assert access["ListGroundTruth"][1] == {"arn:aws:s3:::labels-bucket"}


def test_merge_labels_prefixes_are_the_ones_its_environment_names():
    environment = RESOURCES["MergeLabelsFunction"]["Properties"]["Environment"]["Variables"]
    values = _values(BaselinePrefix="team/baselines")
    capture = values.resolve(environment["CAPTURE_S3_URI"])
    ground_truth = values.resolve(environment["GROUND_TRUTH_S3_URI"])
    access = _s3_access("MergeLabelsFunction", BaselinePrefix="team/baselines")
    assert capture == "s3://data/datacapture"
    assert access["ReadCapture"][1] == {capture.replace("s3://", "arn:aws:s3:::") + "/*"}
    assert access["ReadGroundTruth"][1] == {ground_truth.replace("s3://", "arn:aws:s3:::") + "/*"}
    assert f"{DATA}/team/baselines/*" in access["ReadSchemaAndEarlierRuns"][1]


def test_evaluate_violations_reads_reports_and_claims_only_its_cooldown_record():
    assert _s3_access("EvaluateViolationsFunction") == {
        "ListDataBucket": ({"s3:ListBucket"}, {DATA}, None),  # no record yet = 404, not 403
        "ReadReports": ({"s3:GetObject"}, {f"{DATA}/reports/*"}, None),
        "ReadAndClaimCooldown": ({"s3:GetObject", "s3:PutObject"}, {f"{DATA}/state/*"}, None),
        "RecordImageProvenance": ({"s3:PutObject"}, {f"{DATA}/reports/*/provenance.json"}, None),
    }
    environment = RESOURCES["EvaluateViolationsFunction"]["Properties"]["Environment"]
    assert environment["Variables"]["STATE_PREFIX"] == "state"


@pytest.mark.parametrize("function", ["MergeLabelsFunction", "EvaluateViolationsFunction"])
def test_no_function_may_delete_outside_merged_or_touch_acls_and_lifecycle(function):
    for sid, (actions, resources, _) in _s3_access(function).items():
        assert all(
            re.fullmatch(r"s3:(GetObject|PutObject|DeleteObject|ListBucket)", a) for a in actions
        )
        if "s3:DeleteObject" in actions:
            assert resources == {f"{DATA}/merged/*"}, sid
        assert not any(r in (f"{DATA}/*", "*") for r in resources), sid


def _key_statements() -> dict[str, dict]:
    key = RESOURCES["PipelineKey"]["Properties"]
    assert key["EnableKeyRotation"] is True
    return {s["Sid"]: s for s in key["KeyPolicy"]["Statement"]}


def test_the_alert_topic_uses_the_stacks_key_which_alarms_and_eventbridge_may_use():
    topic = RESOURCES["AlertTopic"]["Properties"]
    assert topic["KmsMasterKeyId"] == {"Fn::GetAtt": ["PipelineKey", "Arn"]}
    statements = _key_statements()
    root = statements["AccountAdministersTheKeyAndIamPoliciesGrantItsUse"]
    assert root["Principal"] == {
        "AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
    }
    for sid, service in [
        ("CloudWatchAlarmsPublishToTheAlertTopic", "cloudwatch.amazonaws.com"),
        ("EventBridgeRulesPublishToTheAlertTopic", "events.amazonaws.com"),
    ]:
        assert statements[sid]["Principal"] == {"Service": service}
        assert set(statements[sid]["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    # an aws:SourceArn on alarm names would silently drop the next alarm that does not match
    condition = statements["CloudWatchAlarmsPublishToTheAlertTopic"]["Condition"]
    assert condition == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    assert "Condition" not in statements["EventBridgeRulesPublishToTheAlertTopic"]


def test_every_alarm_notifies_the_topic_the_key_policy_serves():
    alarms = [r for r in RESOURCES.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    assert alarms
    for alarm in alarms:
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlertTopic"}]


def test_the_state_machine_may_encrypt_for_sns_with_the_key():
    statements = {
        s["Sid"]: s
        for policy in RESOURCES["DriftStateMachine"]["Properties"]["Policies"]
        if "Statement" in policy
        for s in policy["Statement"]
    }
    publish = statements["PublishToTheEncryptedTopic"]
    assert set(publish["Action"]) == {"kms:GenerateDataKey", "kms:Decrypt"}
    assert publish["Resource"] == {"Fn::GetAtt": ["PipelineKey", "Arn"]}
    assert publish["Condition"] == {
        "StringEquals": {"kms:ViaService": {"Fn::Sub": "sns.${AWS::Region}.amazonaws.com"}}
    }


def test_the_execution_log_group_is_encrypted_with_a_key_logs_may_use_for_it():
    group = RESOURCES["StateMachineLogGroup"]["Properties"]
    assert group["KmsKeyId"] == {"Fn::GetAtt": ["PipelineKey", "Arn"]}
    logs = _key_statements()["CloudWatchLogsEncryptTheExecutionLogGroup"]
    assert logs["Principal"] == {"Service": {"Fn::Sub": "logs.${AWS::Region}.amazonaws.com"}}
    arn = logs["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"]["Fn::Sub"]
    assert arn.endswith(":log-group:" + group["LogGroupName"]["Fn::Sub"])


def test_functions_environment_uses_the_key_and_concurrency_is_reserved():
    function = TEMPLATE["Globals"]["Function"]
    assert function["KmsKeyArn"] == {"Fn::GetAtt": ["PipelineKey", "Arn"]}
    assert function["ReservedConcurrentExecutions"]["Fn::If"][0] == "HasReservedConcurrency"
    assert TEMPLATE["Parameters"]["FunctionReservedConcurrency"]["Default"] == "10"


def test_images_are_immutable_and_may_be_pinned_by_digest():
    repository = RESOURCES["MonitorRepository"]["Properties"]
    assert repository["ImageTagMutability"] == "IMMUTABLE"
    assert repository["EncryptionConfiguration"] == {"EncryptionType": "KMS"}
    digest = "sha256:" + "ab" * 32
    host = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
    for name in ("MonitorImageUri", "TrainingImageUri"):
        pattern = re.compile(TEMPLATE["Parameters"][name]["AllowedPattern"])
        for good in ("", f"{host}/repo:monitor-v2", f"{host}/repo@{digest}", f"{host}/a/b:1.0"):
            assert pattern.fullmatch(good), (name, good)
        for bad in (
            f"{host}/repo@sha256:abc",
            "repo",
            f"{host}/repo:bad tag",
            f"{host}/r@{digest}:x",
        ):
            assert not pattern.fullmatch(bad), (name, bad)
    assert TEMPLATE["Parameters"]["ImageTag"]["Default"] != "latest"


def test_data_bucket_access_is_logged_to_a_bucket_only_s3_logging_may_write():
    bucket = RESOURCES["DataBucket"]["Properties"]
    assert bucket["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": "AccessLogsBucket"}
    logs = RESOURCES["AccessLogsBucket"]["Properties"]
    assert logs["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ] == {"SSEAlgorithm": "AES256"}  # server access log delivery supports SSE-S3 only
    (allow,) = [
        s
        for s in RESOURCES["AccessLogsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Allow"
    ]
    assert allow["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert allow["Condition"]["ArnLike"] == {"aws:SourceArn": {"Fn::GetAtt": ["DataBucket", "Arn"]}}


def test_every_checkov_skip_gives_its_reason():
    skips = [
        (logical_id, skip)
        for logical_id, resource in RESOURCES.items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert skips
    for logical_id, skip in skips:
        assert re.fullmatch(r"CKV_AWS_\d+", skip["id"]), logical_id
        assert len(skip.get("comment", "")) > 20, (logical_id, skip["id"])


def test_evaluate_violations_may_only_describe_images_of_the_stacks_repository():
    statements = {
        s["Sid"]: s
        for policy in RESOURCES["EvaluateViolationsFunction"]["Properties"]["Policies"]
        for s in policy.get("Statement", [])
    }
    ecr = statements["ResolveImageDigest"]
    assert ecr["Action"] == "ecr:DescribeImages"
    assert ecr["Resource"] == {"Fn::GetAtt": ["MonitorRepository", "Arn"]}
