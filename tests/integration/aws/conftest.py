"""Settings on the session's moto server (tests/conftest.py), with a KMS key, for the AWS adapters' tests."""

from __future__ import annotations

import pytest

from xero_sync.aws.clients import aws_client
from xero_sync.settings.everything import Settings


@pytest.fixture(scope="session")
def aws_moto_settings(moto_endpoint: str) -> Settings:
    tables = {
        field: f"unused-{field}"
        for field in (
            "connections_table",
            "org_config_table",
            "oauth_states_table",
            "api_keys_table",
            "rate_limits_table",
            "records_table",
            "history_table",
            "idempotency_table",
        )
    }
    base = Settings.model_construct(
        aws_endpoint_url=moto_endpoint, aws_region="us-east-1", token_key_id="pending", **tables
    )
    key_id = aws_client("kms", base).create_key(Description="tokens")["KeyMetadata"]["KeyId"]
    return base.model_copy(update={"token_key_id": key_id})
