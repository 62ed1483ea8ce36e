"""Create in moto server what template.yaml declares, by reading the template.

Created, for every resource of these types (nothing else is kept in a second list):

========================================  =======================================================
``AWS::DynamoDB::Table``                  key schema, attribute types, GSIs/LSIs, TTL, streams
``AWS::Serverless::SimpleTable``          its primary key
``AWS::SQS::Queue``                       attributes incl. VisibilityTimeout, retention and the
                                          RedrivePolicy to its DLQ (queues first, then redrive)
``AWS::KMS::Key`` / ``AWS::KMS::Alias``   the key (policy, rotation) and its alias
``AWS::SecretsManager::Secret``           with the value given by the caller
secrets named in function policies        ``AWSSecretsManagerGetSecretValuePolicy`` SecretArn, or a
                                          statement on ``secretsmanager:GetSecretValue``: created
                                          with the value given by the caller
SES identities                            ``AWS::SES::EmailIdentity``, SAM SES policy templates'
                                          ``IdentityName``, and ``ses:`` statements on
                                          ``…:identity/<name>`` (moto refuses to send otherwise)
========================================  =======================================================

Unnamed resources get ``<stack>-<LogicalId>`` (as CloudFormation generates a name). Everything
is idempotent: running it again against the same moto server finds what exists, converges its
attributes and returns the same values, so several stacks (tests) can share one moto server as
long as their stack names differ.

Types that need nothing locally (functions, layers, log groups, the HTTP API, alarms, schedules)
are skipped on purpose; any other type is reported in ``BootstrapResult.skipped`` so that a new
kind of resource is noticed rather than silently missing.
"""

from __future__ import annotations

import json
import re
import secrets as secrets_module
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3

from local.stack.template import (
    NO_VALUE,
    PhysicalResource,
    Resolver,
    TemplateError,
    iter_statements,
)

# Types the local stack deliberately does not create: the runner stands in for them.
LOCALLY_NOT_NEEDED = {
    "AWS::Serverless::Function",
    "AWS::Serverless::LayerVersion",
    "AWS::Serverless::HttpApi",
    "AWS::Logs::LogGroup",
    "AWS::CloudWatch::Alarm",
    "AWS::Events::Rule",
    "AWS::Scheduler::Schedule",
    "AWS::Scheduler::ScheduleGroup",
    "AWS::SQS::QueuePolicy",
    "AWS::Lambda::Permission",
}

# The local stack's own alias for each key it creates: alias/local-stack/<stack>/<LogicalId>.
_KEY_LOOKUP_ALIAS_PREFIX = "alias/local-stack"

# SAM policy templates that name an SES identity through IdentityName.
_SES_POLICY_TEMPLATES = (
    "SESCrudPolicy",
    "SESSendBouncePolicy",
    "SESBulkTemplatedCrudPolicy",
    "SESBulkTemplatedCrudPolicy_v2",
)


class BootstrapError(Exception):
    """The template needs something the caller did not provide (e.g. a secret's value)."""


@dataclass
class BootstrapResult:
    """What was created or found, by logical id, and what was skipped."""

    physical: dict[str, PhysicalResource] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)
    ses_identities: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # logical id -> type


def bootstrap(
    resolver: Resolver,
    *,
    endpoint_url: str,
    service_endpoints: Mapping[str, str] | None = None,
    secret_values: Mapping[str, str] | None = None,
    credentials: Mapping[str, str] | None = None,
) -> BootstrapResult:
    """Create every table, queue, key, alias, secret and SES identity the template declares, and
    register their physical values with ``resolver`` (so ``!Ref``/``!GetAtt`` resolve).

    ``secret_values`` maps a secret's *name* to its string value; every secret the template
    refers to must have one (a missing value is an error that names the secret, never a value).
    """
    clients = _Clients(endpoint_url, resolver.region, credentials, service_endpoints or {})
    template = resolver.template
    result = BootstrapResult()

    for logical_id, resource in template.resources_of_type(
        "AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable"
    ).items():
        _register(resolver, result, logical_id, _create_table(clients, resolver, logical_id, resource))

    for logical_id, resource in template.resources_of_type("AWS::KMS::Key").items():
        _register(resolver, result, logical_id, _create_key(clients, resolver, logical_id, resource))
    for logical_id, resource in template.resources_of_type("AWS::KMS::Alias").items():
        _register(resolver, result, logical_id, _create_alias(clients, resolver, resource))

    # Queues in two passes: a redrive policy names its DLQ's ARN, which exists only afterwards.
    queues = template.resources_of_type("AWS::SQS::Queue")
    for logical_id, resource in queues.items():
        _register(resolver, result, logical_id, _create_queue(clients, resolver, logical_id, resource))
    for logical_id, resource in queues.items():
        _apply_redrive(clients, resolver, logical_id, resource)

    for logical_id, resource in template.resources_of_type("AWS::SecretsManager::Secret").items():
        physical = _create_secret_resource(clients, resolver, logical_id, resource, secret_values or {})
        _register(resolver, result, logical_id, physical)
        result.secrets.append(physical.attributes["Name"])
    for name in referenced_secret_names(resolver):
        if name not in result.secrets:
            _put_secret(clients, name, _secret_value(name, secret_values or {}))
            result.secrets.append(name)

    for identity in referenced_ses_identities(resolver):
        _verify_ses_identity(clients, identity)
        result.ses_identities.append(identity)

    handled = {
        "AWS::DynamoDB::Table",
        "AWS::Serverless::SimpleTable",
        "AWS::KMS::Key",
        "AWS::KMS::Alias",
        "AWS::SQS::Queue",
        "AWS::SecretsManager::Secret",
        "AWS::SES::EmailIdentity",
    }
    for logical_id, resource in template.resources.items():
        resource_type = str(resource.get("Type"))
        if resource_type not in handled and resource_type not in LOCALLY_NOT_NEEDED:
            result.skipped[logical_id] = resource_type
    return result


def _register(resolver: Resolver, result: BootstrapResult, logical_id: str, physical: PhysicalResource) -> None:
    resolver.register(logical_id, physical)
    result.physical[logical_id] = physical


class _Clients:
    """boto3 clients for moto server, made on first use."""

    def __init__(
        self,
        endpoint_url: str,
        region: str,
        credentials: Mapping[str, str] | None,
        service_endpoints: Mapping[str, str],
    ):
        self._session = boto3.session.Session(
            aws_access_key_id=(credentials or {}).get("aws_access_key_id", "testing"),
            aws_secret_access_key=(credentials or {}).get("aws_secret_access_key", "testing"),
            region_name=region,
        )
        self._endpoint_url = endpoint_url
        self._service_endpoints = service_endpoints  # e.g. DynamoDB on a moto server of its own
        self._clients: dict[str, Any] = {}

    def __getattr__(self, service: str) -> Any:
        if service.startswith("_"):
            raise AttributeError(service)
        if service not in self._clients:
            endpoint = self._service_endpoints.get(service, self._endpoint_url)
            self._clients[service] = self._session.client(service, endpoint_url=endpoint)
        return self._clients[service]


# --- DynamoDB ---------------------------------------------------------------------------------


def _create_table(
    clients: _Clients, resolver: Resolver, logical_id: str, resource: Mapping[str, Any]
) -> PhysicalResource:
    properties = resolver.resolve(resource.get("Properties") or {})
    dynamodb = clients.dynamodb
    if resource["Type"] == "AWS::Serverless::SimpleTable":
        properties = _simple_table_properties(properties)
    name = properties.get("TableName") or resolver.physical_name(logical_id)

    try:
        description = dynamodb.describe_table(TableName=name)["Table"]
    except dynamodb.exceptions.ResourceNotFoundException:
        request: dict[str, Any] = {
            "TableName": name,
            "KeySchema": properties["KeySchema"],
            "AttributeDefinitions": properties["AttributeDefinitions"],
            "BillingMode": properties.get("BillingMode", "PROVISIONED"),
        }
        if request["BillingMode"] == "PROVISIONED":
            request["ProvisionedThroughput"] = properties.get(
                "ProvisionedThroughput", {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
            )
        for index_kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if properties.get(index_kind):
                request[index_kind] = [
                    {
                        key: value
                        for key, value in index.items()
                        if key in ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")
                    }
                    for index in properties[index_kind]
                ]
        if properties.get("StreamSpecification"):
            request["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": properties["StreamSpecification"]["StreamViewType"],
            }
        description = dynamodb.create_table(**request)["TableDescription"]

    ttl = properties.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        current = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        if current.get("TimeToLiveStatus") != "ENABLED":
            dynamodb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
            )
    # Point-in-time recovery and SSE have no local meaning; moto stores data in memory.
    attributes = {"Arn": description["TableArn"]}
    if description.get("LatestStreamArn"):
        attributes["StreamArn"] = description["LatestStreamArn"]
    return PhysicalResource(ref=name, attributes=attributes)


def _simple_table_properties(properties: Mapping[str, Any]) -> dict[str, Any]:
    key = properties.get("PrimaryKey") or {"Name": "id", "Type": "String"}
    attribute_type = {"String": "S", "Number": "N", "Binary": "B"}[key.get("Type", "String")]
    return {
        "TableName": properties.get("TableName"),
        "KeySchema": [{"AttributeName": key["Name"], "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": key["Name"], "AttributeType": attribute_type}],
        "BillingMode": "PAY_PER_REQUEST",
    }


# --- KMS --------------------------------------------------------------------------------------


def _create_key(
    clients: _Clients, resolver: Resolver, logical_id: str, resource: Mapping[str, Any]
) -> PhysicalResource:
    properties = resolver.resolve(resource.get("Properties") or {})
    kms = clients.kms
    # KMS keys have no names; a bootstrap-owned alias finds the key again on the next run.
    lookup_alias = f"{_KEY_LOOKUP_ALIAS_PREFIX}/{resolver.stack_name}/{logical_id}"
    try:
        key_id = kms.describe_key(KeyId=lookup_alias)["KeyMetadata"]["KeyId"]
    except kms.exceptions.NotFoundException:
        request: dict[str, Any] = {
            "Description": properties.get("Description", logical_id),
            "KeyUsage": properties.get("KeyUsage", "ENCRYPT_DECRYPT"),
            "KeySpec": properties.get("KeySpec", "SYMMETRIC_DEFAULT"),
        }
        if properties.get("KeyPolicy"):
            request["Policy"] = json.dumps(properties["KeyPolicy"])
        key_id = kms.create_key(**request)["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=lookup_alias, TargetKeyId=key_id)
    if properties.get("EnableKeyRotation"):
        kms.enable_key_rotation(KeyId=key_id)
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    return PhysicalResource(ref=key_id, attributes={"Arn": arn, "KeyId": key_id})


def _create_alias(clients: _Clients, resolver: Resolver, resource: Mapping[str, Any]) -> PhysicalResource:
    properties = resolver.resolve(resource.get("Properties") or {})
    kms = clients.kms
    alias_name, target = properties["AliasName"], properties["TargetKeyId"]
    target_key_id = kms.describe_key(KeyId=target)["KeyMetadata"]["KeyId"]
    try:
        current = kms.describe_key(KeyId=alias_name)["KeyMetadata"]["KeyId"]
    except kms.exceptions.NotFoundException:
        kms.create_alias(AliasName=alias_name, TargetKeyId=target_key_id)
    else:
        if current != target_key_id:
            kms.update_alias(AliasName=alias_name, TargetKeyId=target_key_id)
    return PhysicalResource(ref=alias_name, attributes={})


# --- SQS --------------------------------------------------------------------------------------

# Queue properties that are queue attributes of the same name.
_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
)
_CREATE_ONLY_ATTRIBUTES = ("FifoQueue",)


def _queue_name(resolver: Resolver, logical_id: str, properties: Mapping[str, Any]) -> str:
    if properties.get("QueueName"):
        return str(properties["QueueName"])
    name = resolver.physical_name(logical_id)
    return f"{name}.fifo" if properties.get("FifoQueue") else name


def _attribute_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value) if isinstance(value, dict) else str(value)


def _create_queue(
    clients: _Clients, resolver: Resolver, logical_id: str, resource: Mapping[str, Any]
) -> PhysicalResource:
    raw = dict(resource.get("Properties") or {})
    raw.pop("RedrivePolicy", None)  # applied in the second pass, once every queue exists
    properties = resolver.resolve(raw)
    sqs = clients.sqs
    name = _queue_name(resolver, logical_id, properties)
    attributes = {key: _attribute_string(properties[key]) for key in _QUEUE_ATTRIBUTES if key in properties}
    try:
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        if attributes:
            sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    except sqs.exceptions.QueueDoesNotExist:
        create_attributes = dict(attributes)
        for key in _CREATE_ONLY_ATTRIBUTES:
            if key in properties:
                create_attributes[key] = _attribute_string(properties[key])
        url = sqs.create_queue(QueueName=name, Attributes=create_attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return PhysicalResource(ref=url, attributes={"Arn": arn, "QueueName": name, "QueueUrl": url})


def _apply_redrive(clients: _Clients, resolver: Resolver, logical_id: str, resource: Mapping[str, Any]) -> None:
    properties = resource.get("Properties") or {}
    url = resolver.physical(logical_id).ref
    attributes: dict[str, str] = {}
    for key in ("RedrivePolicy", "RedriveAllowPolicy"):
        if key in properties:
            value = resolver.resolve(properties[key])
            if value is not NO_VALUE:
                attributes[key] = value if isinstance(value, str) else json.dumps(value)
    if attributes:
        clients.sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)


# --- Secrets Manager --------------------------------------------------------------------------

_SECRET_ARN = re.compile(r"^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:(?P<name>.+?)(-\?{6}|-\*|\*)?$")


def _secret_name_from_arn(arn: str) -> str | None:
    match = _SECRET_ARN.match(arn)
    return match.group("name") if match else None


def referenced_secret_names(resolver: Resolver) -> list[str]:
    """Secrets that functions may read, by name, from their policies (the template names the
    secret only there: its value is created outside the stack)."""
    names: list[str] = []
    for spec in resolver.template.functions().values():
        arns: list[Any] = []
        for policy in spec.policies:
            if isinstance(policy, dict) and "AWSSecretsManagerGetSecretValuePolicy" in policy:
                arns.append(policy["AWSSecretsManagerGetSecretValuePolicy"]["SecretArn"])
        for statement in iter_statements(spec.policies):
            actions = statement.get("Action", [])
            actions = actions if isinstance(actions, list) else [actions]
            if any(str(action).lower().startswith("secretsmanager:getsecretvalue") for action in actions):
                resource = statement.get("Resource", [])
                arns.extend(resource if isinstance(resource, list) else [resource])
        for arn in arns:
            name = _secret_name_from_arn(str(resolver.resolve(arn)))
            if name and name not in names:
                names.append(name)
    return names


def _secret_value(name: str, secret_values: Mapping[str, str]) -> str:
    if name not in secret_values:
        raise BootstrapError(f"the template refers to the secret {name!r}; pass its value in secret_values")
    return secret_values[name]


def _put_secret(clients: _Clients, name: str, value: str) -> str:
    secrets = clients.secretsmanager
    try:
        arn = secrets.describe_secret(SecretId=name)["ARN"]
        secrets.put_secret_value(SecretId=name, SecretString=value)
    except secrets.exceptions.ResourceNotFoundException:
        arn = secrets.create_secret(Name=name, SecretString=value)["ARN"]
    return arn


def _create_secret_resource(
    clients: _Clients,
    resolver: Resolver,
    logical_id: str,
    resource: Mapping[str, Any],
    secret_values: Mapping[str, str],
) -> PhysicalResource:
    properties = resolver.resolve(resource.get("Properties") or {})
    name = properties.get("Name") or resolver.physical_name(logical_id)
    value = secret_values.get(name, properties.get("SecretString"))
    if value is None and "GenerateSecretString" in properties:
        value = _generated_secret(properties["GenerateSecretString"])
    if value is None:
        value = _secret_value(name, secret_values)  # raises with the secret's name
    arn = _put_secret(clients, name, value)
    return PhysicalResource(ref=arn, attributes={"Id": arn, "Name": name})


def _generated_secret(spec: Mapping[str, Any]) -> str:
    """A random value in the shape GenerateSecretString asks for (length and the JSON key)."""
    generated = secrets_module.token_urlsafe(int(spec.get("PasswordLength", 32)))[: int(spec.get("PasswordLength", 32))]
    if spec.get("SecretStringTemplate") and spec.get("GenerateStringKey"):
        document = json.loads(spec["SecretStringTemplate"])
        document[spec["GenerateStringKey"]] = generated
        return json.dumps(document)
    return generated


# --- SES --------------------------------------------------------------------------------------


def referenced_ses_identities(resolver: Resolver) -> list[str]:
    """SES identities the template sends from: EmailIdentity resources, SAM SES policy
    templates' IdentityName, and ``ses:`` statements on ``…:identity/<name>``."""
    identities: list[str] = []

    def add(identity: Any) -> None:
        identity = str(identity)
        if identity and identity != "*" and identity not in identities:
            identities.append(identity)

    for resource in resolver.template.resources_of_type("AWS::SES::EmailIdentity").values():
        add(resolver.resolve(resource["Properties"]["EmailIdentity"]))
    for spec in resolver.template.functions().values():
        for policy in spec.policies:
            if isinstance(policy, dict):
                for template_name in _SES_POLICY_TEMPLATES:
                    if template_name in policy:
                        add(resolver.resolve(policy[template_name]["IdentityName"]))
        for statement in iter_statements(spec.policies):
            actions = statement.get("Action", [])
            actions = actions if isinstance(actions, list) else [actions]
            if not any(str(action).lower().startswith("ses:") for action in actions):
                continue
            resources = statement.get("Resource", [])
            for resource in resources if isinstance(resources, list) else [resources]:
                arn = str(resolver.resolve(resource))
                if ":identity/" in arn:
                    add(arn.split(":identity/", 1)[1])
    return identities


def _verify_ses_identity(clients: _Clients, identity: str) -> None:
    if "@" in identity:
        clients.ses.verify_email_identity(EmailAddress=identity)
    else:
        clients.ses.verify_domain_identity(Domain=identity)


__all__ = [
    "BootstrapError",
    "BootstrapResult",
    "TemplateError",
    "bootstrap",
    "referenced_secret_names",
    "referenced_ses_identities",
]
