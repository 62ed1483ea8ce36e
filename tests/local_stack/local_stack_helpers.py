"""Helpers shared by the local stack's tests (imported by name: this folder is on sys.path
while pytest runs these tests)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3

from local.stack.runner import Runner, RunnerOptions
from local.stack.template import Resolver

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_TEMPLATE = FIXTURES / "template.yaml"
FIXTURE_SECRET_VALUE = json.dumps({"client_id": "fixture-id", "client_secret": "fixture-secret"})


def aws_client(service: str, endpoint: str) -> Any:
    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    ).client(service, endpoint_url=endpoint)


def make_runner(resolver: Resolver, endpoint: str, **options: Any) -> Runner:
    settings = {"http": True, "sqs": False, "schedules": False, **options}
    return Runner(resolver, aws_endpoint_url=endpoint, options=RunnerOptions(**settings))
