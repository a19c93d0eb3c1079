"""template.yaml: the capture-quality threshold reaches the evaluate Lambda and the alarm."""

from __future__ import annotations

from evaluate_violations.config import DEFAULT_MAX_QUARANTINED_SHARE, ENV_MAX_QUARANTINED_SHARE
from workflow.offline.stack import load_template

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]


def test_the_threshold_is_a_parameter_with_the_policy_default():
    parameter = TEMPLATE["Parameters"]["MaxQuarantinedShare"]
    assert float(parameter["Default"]) == DEFAULT_MAX_QUARANTINED_SHARE
    assert (parameter["MinValue"], parameter["MaxValue"]) == (0, 1)
    variables = RESOURCES["EvaluateViolationsFunction"]["Properties"]["Environment"]["Variables"]
    assert variables[ENV_MAX_QUARANTINED_SHARE] == {"Ref": "MaxQuarantinedShare"}


def test_the_alarm_watches_the_merge_metric_and_notifies_the_alert_topic():
    alarm = RESOURCES["QuarantinedShareAlarm"]
    assert alarm["Type"] == "AWS::CloudWatch::Alarm"
    properties = alarm["Properties"]
    # The merge's EMF: namespace DriftPipeline, dimensions Endpoint + service (Powertools).
    merge_env = RESOURCES["MergeLabelsFunction"]["Properties"]["Environment"]["Variables"]
    namespace = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"][
        "POWERTOOLS_METRICS_NAMESPACE"
    ]
    assert properties["Namespace"] == namespace
    assert properties["MetricName"] == "QuarantinedShare"
    assert properties["Dimensions"] == [
        {"Name": "Endpoint", "Value": {"Ref": "MonitoredEndpointName"}},
        {"Name": "service", "Value": merge_env["POWERTOOLS_SERVICE_NAME"]},
    ]
    assert properties["Threshold"] == {"Ref": "MaxQuarantinedShare"}
    assert properties["ComparisonOperator"] == "GreaterThanThreshold"
    assert properties["AlarmActions"] == [{"Ref": "AlertTopic"}]
