"""The bootstrap creates in moto what a template declares: the fixture template for every kind
of resource, and the real template.yaml for exactly its own tables, queues, keys and secret."""

from __future__ import annotations

import json

import pytest
from local_stack_helpers import FIXTURE_SECRET_VALUE, aws_client

from local.stack.bootstrap import BootstrapError, bootstrap
from local.stack.template import DEFAULT_TEMPLATE, Resolver, Template
from xero_sync.dal.base import table_models

REAL_SECRET = json.dumps({"client_id": "id", "client_secret": "secret"})


def test_fixture_resources_are_created_with_their_settings(fixture_resolver, moto_endpoint):
    resolver = fixture_resolver
    dynamodb = aws_client("dynamodb", moto_endpoint)
    sqs = aws_client("sqs", moto_endpoint)
    kms = aws_client("kms", moto_endpoint)

    table = dynamodb.describe_table(TableName=resolver.physical("ItemsTable").ref)["Table"]
    assert table["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert [index["IndexName"] for index in table["GlobalSecondaryIndexes"]] == ["StatusIndex"]
    ttl = dynamodb.describe_time_to_live(TableName=table["TableName"])["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}

    queue = sqs.get_queue_attributes(QueueUrl=resolver.physical("JobsQueue").ref, AttributeNames=["All"])["Attributes"]
    assert queue["VisibilityTimeout"] == "1" and queue["MessageRetentionPeriod"] == "3600"
    assert json.loads(queue["RedrivePolicy"]) == {
        "deadLetterTargetArn": resolver.physical("JobsDlq").attributes["Arn"],
        "maxReceiveCount": 3,
    }

    key_id = resolver.physical("FixtureKey").ref
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    aliases = {alias["AliasName"]: alias["TargetKeyId"] for alias in kms.list_aliases()["Aliases"]}
    assert aliases[f"alias/{resolver.stack_name}/fixture"] == key_id

    secret = aws_client("secretsmanager", moto_endpoint).get_secret_value(SecretId="fixture/app-secret")
    assert secret["SecretString"] == FIXTURE_SECRET_VALUE

    identities = aws_client("ses", moto_endpoint).list_identities()["Identities"]
    assert "alerts@fixture.example" in identities  # from the worker's ses:SendEmail statement


def test_bootstrap_is_idempotent(fixture_resolver, moto_endpoint):
    before = fixture_resolver.registry
    again = Resolver(fixture_resolver.template, stack_name=fixture_resolver.stack_name)

    result = bootstrap(again, endpoint_url=moto_endpoint, secret_values={"fixture/app-secret": FIXTURE_SECRET_VALUE})

    assert {logical_id: again.registry[logical_id] for logical_id in result.physical} == {
        logical_id: before[logical_id] for logical_id in result.physical
    }


def test_a_secret_without_a_value_is_an_error_naming_it(moto_endpoint, stack_name):
    resolver = Resolver(fixture_resolver_template(), stack_name=stack_name)
    with pytest.raises(BootstrapError, match="fixture/app-secret"):
        bootstrap(resolver, endpoint_url=moto_endpoint, secret_values={})


def fixture_resolver_template() -> Template:
    from local_stack_helpers import FIXTURE_TEMPLATE

    return Template.load(FIXTURE_TEMPLATE)


# --- the real template ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_stack(moto_endpoint):
    resolver = Resolver(Template.load(DEFAULT_TEMPLATE), stack_name="bootstrap-test")
    result = bootstrap(resolver, endpoint_url=moto_endpoint, secret_values={"xero-sync/xero-app": REAL_SECRET})
    return resolver, result


def test_every_table_of_template_yaml_exists_with_its_keys_indexes_and_ttl(real_stack, moto_endpoint):
    resolver, _ = real_stack
    dynamodb = aws_client("dynamodb", moto_endpoint)
    declared = resolver.template.resources_of_type("AWS::DynamoDB::Table")
    assert len(declared) == len(table_models()) + 1  # every PynamoDB model's table, and Powertools' idempotency

    for logical_id, resource in declared.items():
        properties = resource["Properties"]
        table = dynamodb.describe_table(TableName=resolver.physical(logical_id).ref)["Table"]
        assert table["KeySchema"] == properties["KeySchema"], logical_id
        assert sorted(table["AttributeDefinitions"], key=str) == sorted(properties["AttributeDefinitions"], key=str)
        created_indexes = {
            index["IndexName"]: (index["KeySchema"], index["Projection"]["ProjectionType"])
            for index in table.get("GlobalSecondaryIndexes", [])
        }
        declared_indexes = {
            index["IndexName"]: (index["KeySchema"], index["Projection"]["ProjectionType"])
            for index in properties.get("GlobalSecondaryIndexes", [])
        }
        assert created_indexes == declared_indexes, logical_id
        ttl = dynamodb.describe_time_to_live(TableName=table["TableName"])["TimeToLiveDescription"]
        if "TimeToLiveSpecification" in properties:
            assert ttl["AttributeName"] == properties["TimeToLiveSpecification"]["AttributeName"], logical_id
            assert ttl["TimeToLiveStatus"] == "ENABLED"
        else:
            assert ttl["TimeToLiveStatus"] == "DISABLED", logical_id


def test_every_queue_of_template_yaml_exists_with_its_redrive_policy(real_stack, moto_endpoint):
    resolver, _ = real_stack
    sqs = aws_client("sqs", moto_endpoint)
    for logical_id, resource in resolver.template.resources_of_type("AWS::SQS::Queue").items():
        attributes = sqs.get_queue_attributes(QueueUrl=resolver.physical(logical_id).ref, AttributeNames=["All"])[
            "Attributes"
        ]
        properties = resource["Properties"]
        if "VisibilityTimeout" in properties:
            assert attributes["VisibilityTimeout"] == str(properties["VisibilityTimeout"])
        if "RedrivePolicy" in properties:
            redrive = json.loads(attributes["RedrivePolicy"])
            assert redrive["maxReceiveCount"] == int(properties["RedrivePolicy"]["maxReceiveCount"])
            assert redrive["deadLetterTargetArn"] == resolver.resolve(
                properties["RedrivePolicy"]["deadLetterTargetArn"]
            )


def test_the_token_key_alias_and_credentials_secret_exist(real_stack, moto_endpoint):
    resolver, result = real_stack
    kms = aws_client("kms", moto_endpoint)

    key = kms.describe_key(KeyId=resolver.physical("TokenKey").ref)["KeyMetadata"]
    assert key["KeyState"] == "Enabled"
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True
    assert kms.describe_key(KeyId=f"alias/{resolver.stack_name}/tokens")["KeyMetadata"]["KeyId"] == key["KeyId"]

    assert result.secrets == ["xero-sync/xero-app"]
    secret = aws_client("secretsmanager", moto_endpoint).get_secret_value(SecretId="xero-sync/xero-app")
    assert json.loads(secret["SecretString"]) == {"client_id": "id", "client_secret": "secret"}


def test_nothing_in_template_yaml_is_silently_skipped(real_stack):
    _, result = real_stack
    assert result.skipped == {}
