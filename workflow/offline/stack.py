"""Create the stack of ``template.yaml`` inside moto: bucket, topic, functions, state machine.

Everything the template states is read from it, never restated here: the parameters and their
defaults, each function's handler, code folder, runtime, limits and environment (Globals + its
own, with ``!Ref``/``!Sub``/``!If``/``!GetAtt`` resolved against the resources created here), and
the state machine's ``DefinitionSubstitutions``, which bind the committed
``workflow/statemachine.asl.json`` exactly as SAM does on AWS. Offline only chooses the values
the template leaves open (the endpoint, the images) and the names of what it creates.
SNS messages are captured through an SQS subscription so the run can show them.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from samtranslator.yaml_helper import yaml_parse

from workflow.render import ASL_PATH

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = REPO_ROOT / "template.yaml"
ACCOUNT_ID = "123456789012"
MONITOR_IMAGE = f"{ACCOUNT_ID}.dkr.ecr.us-east-1.amazonaws.com/drift-monitor:monitor-offline"
TRAINING_IMAGE = f"{ACCOUNT_ID}.dkr.ecr.us-east-1.amazonaws.com/drift-monitor:trainer-offline"

# Values offline chooses for parameters the template leaves open (no default, or "use this
# stack's ECR repository", which does not exist offline).
OFFLINE_PARAMETERS = {
    "MonitoredEndpointName": "adult-income",
    "MonitorImageUri": MONITOR_IMAGE,
    "TrainingImageUri": TRAINING_IMAGE,
}


@cache
def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """template.yaml as SAM parses it (short-form tags become ``{"Ref": ...}`` etc.)."""
    return yaml_parse(path.read_text(encoding="utf-8"))


def template_parameters(template: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Every template parameter: its default, else the offline choice; as CloudFormation
    passes them on (strings)."""
    template = template or load_template()
    values = {}
    for name, spec in template["Parameters"].items():
        if name in OFFLINE_PARAMETERS:
            values[name] = OFFLINE_PARAMETERS[name]
        elif "Default" in spec:
            values[name] = _as_string(spec["Default"])
        else:
            raise KeyError(f"template parameter {name} has no default and no offline value")
    return values


@dataclass(frozen=True)
class PipelineSettings:
    """The template parameters of the offline stack (defaults unless overridden)."""

    parameters: Mapping[str, str] = field(default_factory=template_parameters)

    def with_parameters(self, **overrides: str) -> PipelineSettings:
        unknown = set(overrides) - set(self.parameters)
        if unknown:
            raise KeyError(f"not parameters of template.yaml: {sorted(unknown)}")
        return PipelineSettings({**self.parameters, **overrides})

    @property
    def endpoint_name(self) -> str:
        return self.parameters["MonitoredEndpointName"]

    @property
    def variant_name(self) -> str:
        return self.parameters["VariantName"]


@dataclass
class OfflineStack:
    region: str
    bucket: str
    topic_arn: str
    queue_url: str
    state_machine_arn: str
    functions: dict[str, str] = field(default_factory=dict)


def _as_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class TemplateValues:
    """Resolves the template's intrinsic functions offline.

    ``physical`` maps a logical id to what ``!Ref`` gives, ``attributes`` maps
    ``"LogicalId.Attribute"`` to what ``!GetAtt`` gives; a reference to anything else fails, so
    a template change the offline stack does not know about cannot pass silently.
    """

    def __init__(
        self,
        template: Mapping[str, Any],
        parameters: Mapping[str, str],
        *,
        region: str,
        physical: Mapping[str, str] | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> None:
        self._template = template
        self._refs = {
            **parameters,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Region": region,
            "AWS::Partition": "aws",
            "AWS::StackName": "drift-pipeline-offline",
            **(physical or {}),
        }
        self._attributes = dict(attributes or {})

    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.resolve(item) for item in node]
        if not isinstance(node, dict):
            return _as_string(node)
        if len(node) == 1:
            ((key, value),) = node.items()
            if key == "Ref":
                return self._ref(value)
            if key == "Fn::GetAtt":
                return self._attribute(".".join(value) if isinstance(value, list) else value)
            if key == "Fn::Sub":
                text, variables = (value, {}) if isinstance(value, str) else value
                local = {name: self.resolve(v) for name, v in variables.items()}
                return re.sub(
                    r"\$\{([^}]+)\}",
                    lambda m: local.get(m.group(1)) or self._name(m.group(1)),
                    text,
                )
            if key == "Fn::If":
                condition, when_true, when_false = value
                return self.resolve(when_true if self.condition(condition) else when_false)
        return {key: self.resolve(value) for key, value in node.items()}

    def condition(self, name: str) -> bool:
        return self._truth(self._template["Conditions"][name])

    def _truth(self, node: Any) -> bool:
        ((key, value),) = node.items()
        if key == "Fn::Equals":
            left, right = (self.resolve(v) for v in value)
            return left == right
        if key == "Fn::Not":
            return not self._truth(value[0])
        if key == "Condition":
            return self.condition(value)
        raise ValueError(f"condition function {key} is not supported offline")

    def _name(self, name: str) -> str:
        return self._attribute(name) if "." in name else self._ref(name)

    def _ref(self, name: str) -> str:
        if name not in self._refs:
            raise KeyError(f"template.yaml refers to {name}, which the offline stack lacks")
        return self._refs[name]

    def _attribute(self, name: str) -> str:
        if name not in self._attributes:
            raise KeyError(f"template.yaml reads {name}, which the offline stack lacks")
        return self._attributes[name]


@dataclass(frozen=True)
class FunctionSpec:
    """One ``AWS::Serverless::Function`` of the template, Globals applied."""

    logical_id: str
    handler: str
    code_uri: str
    runtime: str
    timeout: int
    memory_size: int
    environment: Mapping[str, Any]  # unresolved template values

    @property
    def offline_name(self) -> str:
        """``MergeLabelsFunction`` -> ``merge-labels``."""
        stem = self.logical_id.removesuffix("Function")
        return re.sub(r"(?<!^)(?=[A-Z])", "-", stem).lower()


def function_specs(template: Mapping[str, Any] | None = None) -> dict[str, FunctionSpec]:
    template = template or load_template()
    defaults = template.get("Globals", {}).get("Function", {})
    specs = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        properties = {**defaults, **resource["Properties"]}
        environment = {
            **defaults.get("Environment", {}).get("Variables", {}),
            **resource["Properties"].get("Environment", {}).get("Variables", {}),
        }
        specs[logical_id] = FunctionSpec(
            logical_id=logical_id,
            handler=properties["Handler"],
            code_uri=properties["CodeUri"],
            runtime=properties["Runtime"],
            timeout=int(properties["Timeout"]),
            memory_size=int(properties["MemorySize"]),
            environment=environment,
        )
    return specs


def definition_substitutions(template: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The state machine's ``DefinitionSubstitutions`` (unresolved)."""
    template = template or load_template()
    return dict(template["Resources"]["DriftStateMachine"]["Properties"]["DefinitionSubstitutions"])


def bind_placeholders(asl_text: str, substitutions: dict[str, str]) -> str:
    """Replace ``${Name}`` tokens as SAM's DefinitionSubstitutions does; unknown names fail."""
    missing = sorted(set(re.findall(r"\$\{(\w+)\}", asl_text)) - set(substitutions))
    if missing:
        raise KeyError(f"no substitution for placeholders {missing}")
    return re.sub(r"\$\{(\w+)\}", lambda m: substitutions[m.group(1)], asl_text)


def _zip_folder(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*.py")):
            archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def _push_offline_images(ecr: Any) -> None:
    """What ``docker push`` does after ``sam deploy``: the images' tags exist in ECR, so the
    evaluation can record the digest behind the tag the job ran. Offline the "image" is this
    checkout's container code, so its manifest names a digest of those sources."""
    sources = hashlib.sha256()
    for path in sorted((REPO_ROOT / "container").rglob("*.py")):
        sources.update(path.read_bytes())
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 0,
            "digest": f"sha256:{sources.hexdigest()}",
        },
        "layers": [],
    }
    for image in (MONITOR_IMAGE, TRAINING_IMAGE):
        repository, _, tag = image.partition("/")[2].partition(":")
        with contextlib.suppress(ecr.exceptions.RepositoryAlreadyExistsException):
            ecr.create_repository(repositoryName=repository, imageTagMutability="IMMUTABLE")
        ecr.put_image(repositoryName=repository, imageManifest=json.dumps(manifest), imageTag=tag)


def deploy(
    session: Any, settings: PipelineSettings, *, bucket: str = "drift-pipeline-offline"
) -> OfflineStack:
    """Create every resource the run needs in the active moto mock."""
    region = session.region_name
    s3, sns, sqs, iam = (session.client(name) for name in ("s3", "sns", "sqs", "iam"))
    lambda_client, sfn = session.client("lambda"), session.client("stepfunctions")

    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    topic_arn = sns.create_topic(Name="drift-alerts")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="drift-alerts-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    _push_offline_images(session.client("ecr"))

    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {
                    "Service": [
                        "lambda.amazonaws.com",
                        "states.amazonaws.com",
                        "sagemaker.amazonaws.com",
                    ]
                },
            }
        ],
    }
    role_arn = {
        name: iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"][
            "Arn"
        ]
        for name in ("drift-lambda", "drift-states", "drift-sagemaker")
    }

    template = load_template()
    physical = {"DataBucket": bucket, "AlertTopic": topic_arn}
    attributes = {"SageMakerExecutionRole.Arn": role_arn["drift-sagemaker"]}
    values = TemplateValues(template, settings.parameters, region=region, physical=physical)
    functions: dict[str, str] = {}
    for logical_id, spec in function_specs(template).items():
        functions[logical_id] = lambda_client.create_function(
            FunctionName=spec.offline_name,
            Runtime=spec.runtime,
            Role=role_arn["drift-lambda"],
            Handler=spec.handler,
            Code={"ZipFile": _zip_folder(REPO_ROOT / spec.code_uri)},
            Timeout=spec.timeout,
            MemorySize=spec.memory_size,
            Environment={"Variables": values.resolve(dict(spec.environment))},
        )["FunctionArn"]
        attributes[f"{logical_id}.Arn"] = functions[logical_id]

    values = TemplateValues(
        template, settings.parameters, region=region, physical=physical, attributes=attributes
    )
    definition = bind_placeholders(
        ASL_PATH.read_text(encoding="utf-8"), values.resolve(definition_substitutions(template))
    )
    state_machine_arn = sfn.create_state_machine(
        name="drift-pipeline",
        definition=definition,
        roleArn=role_arn["drift-states"],
        type="STANDARD",
    )["stateMachineArn"]
    return OfflineStack(
        region=region,
        bucket=bucket,
        topic_arn=topic_arn,
        queue_url=queue_url,
        state_machine_arn=state_machine_arn,
        functions=functions,
    )


def read_notifications(session: Any, stack: OfflineStack) -> list[dict[str, str]]:
    """Drain the SNS inbox: each item has ``subject`` and ``message``."""
    sqs = session.client("sqs")
    notifications: list[dict[str, str]] = []
    while True:
        batch = sqs.receive_message(QueueUrl=stack.queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        if not batch:
            return notifications
        for message in batch:
            body = json.loads(message["Body"])
            notifications.append(
                {"subject": body.get("Subject") or "", "message": body.get("Message", "")}
            )
            sqs.delete_message(QueueUrl=stack.queue_url, ReceiptHandle=message["ReceiptHandle"])
