"""Fixtures for the Xero client's integration tests: a moto server (DynamoDB + KMS) on a free
loopback port for the session, the two tables these tests need (created from the PynamoDB
models), and a Xero emulator per test (fresh tenants, fresh stats)."""

from __future__ import annotations

import uuid

import pytest
from xero_it_helpers import settings_for, start_emulator

from xero_sync.aws.clients import aws_client
from xero_sync.dal.base import configure
from xero_sync.dal.models import ConnectionModel, RateLimitModel
from xero_sync.settings.everything import Settings


@pytest.fixture(scope="session")
def aws_settings(moto_endpoint: str) -> Settings:
    prefix = f"xs-it-{uuid.uuid4().hex[:6]}"
    base = Settings.model_construct(  # values checked by the code under test, not here
        aws_endpoint_url=moto_endpoint,
        aws_region="us-east-1",
        connections_table=f"{prefix}-connections",
        org_config_table=f"{prefix}-org-config",
        oauth_states_table=f"{prefix}-oauth-states",
        api_keys_table=f"{prefix}-api-keys",
        rate_limits_table=f"{prefix}-rate-limits",
        records_table=f"{prefix}-records",
        history_table=f"{prefix}-history",
        links_table=f"{prefix}-links",
        invoice_views_table=f"{prefix}-invoice-views",
        console_sessions_table=f"{prefix}-console-sessions",
        idempotency_table=f"{prefix}-idempotency",
        token_key_id="pending",
    )
    key_id = aws_client("kms", base).create_key(Description="xero tokens (tests)")["KeyMetadata"]["KeyId"]
    settings = base.model_copy(update={"token_key_id": key_id})
    configure(settings)
    for model in (ConnectionModel, RateLimitModel):
        model.create_table(wait=True)
    return settings


@pytest.fixture(autouse=True)
def _bind_models(request: pytest.FixtureRequest) -> None:
    """Other test modules in the same run may bind the models elsewhere: bind them back."""
    if "aws_settings" in request.fixturenames:
        configure(request.getfixturevalue("aws_settings"))


@pytest.fixture
def emulator():
    emu = start_emulator()
    yield emu
    emu.stop()


@pytest.fixture
def settings(aws_settings: Settings, emulator) -> Settings:
    return settings_for(aws_settings, emulator.base_url)


@pytest.fixture
def org_id() -> str:
    return f"org-{uuid.uuid4().hex[:10]}"
