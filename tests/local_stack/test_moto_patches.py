"""local/moto_patches.py: each DynamoDB request on moto is atomic, as in DynamoDB, and moto's
TransactWriteItems rolls back the items it touched instead of copying each table once per item —
with the same outcome: all applied, or nothing."""

import json
import threading
import time
import uuid

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from local.moto_patches import install


@pytest.fixture
def dynamodb(moto_endpoint):
    client = boto3.client("dynamodb", endpoint_url=moto_endpoint, region_name="us-east-1")
    name = f"patched-{uuid.uuid4().hex[:8]}"
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for sk in ("a", "b", "c"):
        client.put_item(TableName=name, Item={"pk": {"S": "org"}, "sk": {"S": sk}, "n": {"N": "1"}})
    yield client, name
    client.delete_table(TableName=name)


def _update(name, sk, condition_value="1"):
    return {
        "Update": {
            "TableName": name,
            "Key": {"pk": {"S": "org"}, "sk": {"S": sk}},
            "UpdateExpression": "SET n = n + :one",
            "ConditionExpression": "n = :expected",
            "ExpressionAttributeValues": {":one": {"N": "1"}, ":expected": {"N": condition_value}},
        }
    }


def _items(client, name):
    found = client.query(
        TableName=name, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": "org"}}
    )
    return {item["sk"]["S"]: item.get("n", {}).get("N") for item in found["Items"]}


def test_a_cancelled_transaction_leaves_every_item_as_it_was(dynamodb):
    client, name = dynamodb
    with pytest.raises(ClientError) as cancelled:
        client.transact_write_items(
            TransactItems=[
                _update(name, "a"),  # applied by moto before the failing check: must be undone
                {"Put": {"TableName": name, "Item": {"pk": {"S": "org"}, "sk": {"S": "new"}}}},
                {"Delete": {"TableName": name, "Key": {"pk": {"S": "org"}, "sk": {"S": "b"}}}},
                _update(name, "c", condition_value="7"),  # fails
            ]
        )

    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    codes = [reason["Code"] for reason in cancelled.value.response["CancellationReasons"]]
    assert codes == ["None", "None", "None", "ConditionalCheckFailed"]
    assert _items(client, name) == {"a": "1", "b": "1", "c": "1"}


def test_a_transaction_that_holds_is_applied_whole(dynamodb):
    client, name = dynamodb
    client.transact_write_items(
        TransactItems=[
            _update(name, "a"),
            {"Put": {"TableName": name, "Item": {"pk": {"S": "org"}, "sk": {"S": "new"}}}},
            {"Delete": {"TableName": name, "Key": {"pk": {"S": "org"}, "sk": {"S": "b"}}}},
        ]
    )

    assert _items(client, name) == {"a": "2", "c": "1", "new": None}


def test_the_table_is_not_copied_for_the_rollback(dynamodb):
    from moto.dynamodb import models

    _, name = dynamodb
    install()  # a second install changes nothing
    table = models.dynamodb_backends["123456789012"]["us-east-1"].get_table(name)

    assert models.copy.deepcopy(table) is table
    assert models.copy.deepcopy([1, [2]]) == [1, [2]]  # anything else is still copied


def test_of_concurrent_conditional_writes_on_one_item_exactly_one_passes(dynamodb, monkeypatch):
    # moto alone reads the item for the condition and applies the write in two steps: several of
    # these could pass (a one-time link opened twice). DynamoDB, and the patched moto, let one
    # through. The gap between moto's two steps is widened (10 ms) so that, without the patch,
    # most rounds would have several winners (8 of 10 when tried), not one in hundreds.
    from moto.dynamodb.models.table import Table

    read_item = Table.get_item

    def read_slowly(self, *args, **kwargs):
        found = read_item(self, *args, **kwargs)
        time.sleep(0.01)
        return found

    monkeypatch.setattr(Table, "get_item", read_slowly)
    client, name = dynamodb
    for round_ in range(10):
        key = {"pk": {"S": "org"}, "sk": {"S": f"link-{round_}"}}
        client.put_item(TableName=name, Item=key)
        start = threading.Barrier(8)
        won: list[bool] = []

        def take(key=key, start=start, won=won):
            start.wait()
            try:
                client.delete_item(TableName=name, Key=key, ConditionExpression="attribute_exists(pk)")
                won.append(True)
            except ClientError as error:
                assert error.response["Error"]["Code"] == "ConditionalCheckFailedException"
                won.append(False)

        threads = [threading.Thread(target=take) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert won.count(True) == 1, won


EVERY_KIND = {
    "pk": {"S": "org"},
    "sk": {"S": "every-kind"},
    "text": {"S": "Ōtautahi — 50 % off"},
    "empty_text": {"S": ""},
    "amount": {"N": "-1234.5600"},
    "blob": {"B": "AAEC/w=="},
    "names": {"SS": ["a", "b"]},
    "numbers": {"NS": ["1", "2.5"]},
    "blobs": {"BS": ["AA==", "AQI="]},
    "nothing": {"NULL": True},
    "yes": {"BOOL": True},
    "no": {"BOOL": False},
    "empty_map": {"M": {}},
    "empty_list": {"L": []},
    "nested": {
        "M": {
            "lines": {"L": [{"M": {"n": {"N": "1"}, "b": {"B": "/w=="}}}, {"S": "x"}, {"NULL": True}]},
            "deeper": {"M": {"l": {"L": [{"L": [{"BOOL": False}]}]}}},
        }
    },
}


def _raw(endpoint, operation, body):
    """One request as any client sends it; the response body as moto wrote it."""
    response = requests.post(
        endpoint,
        data=json.dumps(body),
        headers={
            "X-Amz-Target": f"DynamoDB_20120810.{operation}",
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20261205/us-east-1/dynamodb/aws4_request",
        },
        timeout=30,
    )
    return response.status_code, response.headers["Content-Type"], response.text


def test_items_are_written_into_responses_as_moto_writes_them(dynamodb, moto_endpoint, monkeypatch):
    # Every kind of attribute, nested, through each operation that returns items: the response
    # body is the same, byte for byte, with the direct writing and with moto's own walk.
    from moto.core.serialize import BaseJSONSerializer

    _, name = dynamodb
    _raw(moto_endpoint, "PutItem", {"TableName": name, "Item": EVERY_KIND})  # as is (boto3 would encode "B" again)
    key = {"pk": {"S": "org"}, "sk": {"S": "every-kind"}}
    requests_ = [
        ("GetItem", {"TableName": name, "Key": key}),
        ("BatchGetItem", {"RequestItems": {name: {"Keys": [key, {"pk": {"S": "org"}, "sk": {"S": "a"}}]}}}),
        (
            "Query",
            {
                "TableName": name,
                "KeyConditionExpression": "pk = :pk",
                "ExpressionAttributeValues": {":pk": {"S": "org"}},
                "ReturnConsumedCapacity": "TOTAL",
            },
        ),
        ("Scan", {"TableName": name, "Limit": 2}),
        ("TransactGetItems", {"TransactItems": [{"Get": {"TableName": name, "Key": key}}]}),
        (
            "UpdateItem",
            {
                "TableName": name,
                "Key": key,
                "UpdateExpression": "SET amount = :a",
                "ExpressionAttributeValues": {":a": {"N": "-1234.5600"}},
                "ReturnValues": "ALL_NEW",
            },
        ),
        ("PutItem", {"TableName": name, "Item": EVERY_KIND, "ReturnValues": "ALL_OLD"}),
        (
            "UpdateItem",
            {
                "TableName": name,
                "Key": key,
                "UpdateExpression": "SET amount = :a",
                "ConditionExpression": "amount = :b",
                "ExpressionAttributeValues": {":a": {"N": "1"}, ":b": {"N": "2"}},
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            },
        ),
        (
            "TransactWriteItems",
            {
                "TransactItems": [
                    {
                        "ConditionCheck": {
                            "TableName": name,
                            "Key": key,
                            "ConditionExpression": "attribute_not_exists(pk)",
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                        }
                    }
                ]
            },
        ),
    ]
    direct = [_raw(moto_endpoint, operation, body) for operation, body in requests_]
    monkeypatch.setattr(
        BaseJSONSerializer, "_serialize_type_structure", BaseJSONSerializer._serialize_type_structure.__wrapped__
    )
    walked = [_raw(moto_endpoint, operation, body) for operation, body in requests_]

    assert direct == walked
    assert json.loads(direct[0][2])["Item"] == EVERY_KIND  # and it is the item that was stored
    assert [status for status, _, _ in direct] == [200] * 7 + [400, 400]  # the failed checks too


def test_an_update_expression_is_parsed_once_and_applied_with_each_items_values(dynamodb):
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    client, name = dynamodb
    expression = "SET n = :n, label = :label REMOVE gone"
    assert UpdateExpressionParser.make(expression) is UpdateExpressionParser.make(expression)

    def update(sk, n):
        return {
            "Update": {
                "TableName": name,
                "Key": {"pk": {"S": "org"}, "sk": {"S": sk}},
                "UpdateExpression": expression,
                "ExpressionAttributeValues": {":n": {"N": str(n)}, ":label": {"S": f"{sk}-{n}"}},
            }
        }

    client.transact_write_items(TransactItems=[update("a", 5), update("b", 6)])
    client.update_item(**update("c", 7)["Update"])
    client.transact_write_items(TransactItems=[update("a", 8)])  # the kept expression, new values

    assert _items(client, name) == {"a": "8", "b": "6", "c": "7"}
    labels = client.query(
        TableName=name, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": "org"}}
    )["Items"]
    assert {item["sk"]["S"]: item["label"]["S"] for item in labels} == {"a": "a-8", "b": "b-6", "c": "c-7"}


def test_an_update_expression_that_does_not_parse_fails_every_time(dynamodb):
    client, name = dynamodb
    for _ in range(2):
        with pytest.raises(ClientError) as refused:
            client.update_item(
                TableName=name,
                Key={"pk": {"S": "org"}, "sk": {"S": "a"}},
                UpdateExpression="SET n = = :n",
                ExpressionAttributeValues={":n": {"N": "1"}},
            )
        assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert _items(client, name) == {"a": "1", "b": "1", "c": "1"}
