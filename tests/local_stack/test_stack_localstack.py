"""LocalStack: moto server + Xero emulator + template.yaml's resources + the runner, together."""

from __future__ import annotations

import json
import os
import socket
import uuid

import pytest
import requests

from local.stack import LocalStack, LocalStackError
from local.stack.stack import XeroApp, real_xero_app


@pytest.fixture(scope="module")
def stack():
    with LocalStack.start(stack_name=f"ls{uuid.uuid4().hex[:8]}") as running:
        yield running


def test_the_functions_get_the_local_environment(stack):
    assert os.environ["AWS_ENDPOINT_URL"] == stack.aws_endpoint_url
    assert os.environ["XERO_LOGIN_URL"] == stack.emulator.base_url
    assert os.environ["XERO_IDENTITY_URL"] == stack.emulator.base_url
    assert os.environ["XERO_API_URL"] == stack.emulator.base_url
    assert os.environ["XERO_REDIRECT_URI"] == stack.callback_url == f"{stack.api_url}/oauth/callback"
    assert os.environ["CONNECTIONS_TABLE"] == stack.physical("ConnectionsTable")
    assert "XERO_CLIENT_ID" not in os.environ  # the credentials come from the secret, as in AWS


def test_the_credentials_secret_holds_the_emulators_demo_app(stack):
    from local.xero_emulator.options import DEFAULT_CLIENT_ID

    secret = stack.aws_client("secretsmanager").get_secret_value(SecretId=os.environ["XERO_CREDENTIALS_SECRET"])
    assert json.loads(secret["SecretString"])["client_id"] == DEFAULT_CLIENT_ID


def test_every_table_of_the_template_is_there(stack):
    # Paged: moto keeps one backend per process, so earlier tests' tables are listed too.
    pages = stack.aws_client("dynamodb").get_paginator("list_tables").paginate()
    names = [name for page in pages for name in page["TableNames"]]
    for logical_id in stack.template.resources_of_type("AWS::DynamoDB::Table"):
        assert stack.physical(logical_id) in names


def test_http_routes_come_from_the_template(stack):
    route, _ = stack.runner.routes.match("GET", "/oauth/callback")
    assert route.function == "OAuthCallbackFunction"
    route, parameters = stack.runner.routes.match("POST", "/v1/orgs/o1/connect")
    assert route.function == "ApiFunction" and parameters == {"proxy": "orgs/o1/connect"}

    unknown = requests.get(f"{stack.api_url}/nothing/here", timeout=10)
    assert unknown.status_code == 404 and unknown.json() == {"message": "Not Found"}


def test_real_xero_needs_the_three_variables():
    with pytest.raises(LocalStackError, match="XERO_CLIENT_SECRET, XERO_REDIRECT_URI"):
        real_xero_app({"XERO_CLIENT_ID": "x"})


def test_real_xero_points_the_functions_at_xero():
    environ = {
        "XERO_CLIENT_ID": "real-id",
        "XERO_CLIENT_SECRET": "real-secret",
        "XERO_REDIRECT_URI": "http://localhost:3000/oauth/callback",
    }
    with LocalStack.start(real_xero=True, environ=environ, stack_name=f"rx{uuid.uuid4().hex[:8]}") as stack:
        assert stack.emulator is None
        assert os.environ["XERO_LOGIN_URL"] == "https://login.xero.com"
        assert os.environ["XERO_API_URL"] == "https://api.xero.com"
        assert os.environ["XERO_REDIRECT_URI"] == "http://localhost:3000/oauth/callback"
        secret = stack.aws_client("secretsmanager").get_secret_value(SecretId=os.environ["XERO_CREDENTIALS_SECRET"])
        assert json.loads(secret["SecretString"]) == {"client_id": "real-id", "client_secret": "real-secret"}


def test_a_moto_server_running_elsewhere_is_used_and_left_running():
    from moto.server import ThreadedMotoServer

    outside = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    outside.start()
    try:
        host, port = outside.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        with LocalStack.start(aws_endpoint_url=endpoint, stack_name=f"ext{uuid.uuid4().hex[:8]}") as stack:
            assert stack.aws_endpoint_url == endpoint and os.environ["AWS_ENDPOINT_URL"] == endpoint
            dynamodb = stack.aws_client("dynamodb")
            connections = stack.physical("ConnectionsTable")
            assert dynamodb.describe_table(TableName=connections)["Table"]["TableStatus"] == "ACTIVE"
        # Stopping the stack did not stop a server it did not start: its tables are still there
        assert dynamodb.describe_table(TableName=connections)["Table"]["TableName"] == connections
    finally:
        outside.stop()


def test_a_xero_elsewhere_gets_the_callback_on_the_port_the_stack_listens_on():
    # The port is the system's choice, bound before the redirect URI is made from it: nothing
    # else can take it in between (a port probed as free and bound later can be taken).
    elsewhere = XeroApp("elsewhere-id", "elsewhere-secret", "", "http://127.0.0.1:9/login", None, None)
    with LocalStack.start(xero=elsewhere, stack_name=f"xe{uuid.uuid4().hex[:8]}") as stack:
        assert stack.emulator is None
        assert stack.callback_url == f"{stack.api_url}/oauth/callback"
        assert os.environ["XERO_REDIRECT_URI"] == stack.callback_url
        assert os.environ["XERO_LOGIN_URL"] == "http://127.0.0.1:9/login"
        assert requests.get(f"{stack.api_url}/v1/openapi.json", timeout=30).status_code == 200


def test_a_taken_port_is_an_error_before_anything_starts():
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(OSError):
            LocalStack.start(port=port, stack_name=f"tp{uuid.uuid4().hex[:8]}")


def test_real_xero_and_a_xero_elsewhere_are_two_choices():
    elsewhere = XeroApp("id", "secret", "", "http://127.0.0.1:9", "http://127.0.0.1:9", "http://127.0.0.1:9")
    with pytest.raises(LocalStackError, match="give one"):
        LocalStack.start(real_xero=True, xero=elsewhere, environ={})
