"""Fixtures for the lifecycle integration tests (issue 5): one moto server for the session with
every table, the KMS key, the export queues with their DLQs, the notifications queue with its
DLQ, the idempotency table and a verified SES domain; per test a fresh Xero emulator (the demo
company, unique tenant ids) whose clock is also the service's clock, so that moving time on 53
or 60 days moves it for both sides alike.

Tables and queues are fresh for each test: the inactivity checker reads every connection of
its table, and a queue must not carry another test's messages. The template does not declare
the notifier's queue yet (the lead adds it from this issue's report), so the resources are
created here, from the PynamoDB models, rather than from template.yaml.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from xero_sync.aws.clients import aws_client
from xero_sync.dal.base import configure, table_models
from xero_sync.settings.everything import Settings
from xero_sync.wiring import Container, set_container

sys.path.insert(0, str(Path(__file__).parent))
from lifecycle_helpers import SENDER_DOMAIN, Lifecycle, fresh_queues

from local.xero_emulator import EmulatorOptions, start_in_thread


@pytest.fixture(scope="session")
def aws_settings(moto_endpoint: str) -> Settings:
    """What every test shares: the endpoint, the token key and the verified sender domain."""
    base = Settings.model_construct(  # values checked by the code under test, not here
        aws_endpoint_url=moto_endpoint,
        aws_region="us-east-1",
        token_key_id="pending",
        idempotency_table="pending",
        host_app_origins="https://app.acme.example",  # the harness's return_url
        **{field: "pending" for field in table_models()},
    )
    key_id = aws_client("kms", base).create_key(Description="tokens (lifecycle tests)")["KeyMetadata"]["KeyId"]
    aws_client("ses", base).verify_domain_identity(Domain=SENDER_DOMAIN)
    return base.model_copy(
        update={
            "token_key_id": key_id,
            "email_sender": f"Acme Billing <xero-sync@{SENDER_DOMAIN}>",
            "email_reply_to": f"support@{SENDER_DOMAIN}",
            "email_product_name": "Acme Billing",
            "host_history_url_template": "https://app.acme.example/orgs/{org_id}/integrations/xero/history",
            "host_reconnect_url_template": "https://app.acme.example/orgs/{org_id}/integrations/xero",
            # The notifier runs when a test says so; a one-second delay still goes through SQS's
            # DelaySeconds like the ten minutes in production.
            "digest_window_seconds": 1,
        }
    )


def fresh_tables(settings: Settings) -> dict[str, str]:
    """Tables for one test: the inactivity checker looks at every connection of the table, so
    orgs of other tests (idle, once the clock jumps 60 days) must not be in it."""
    prefix = f"xs-life-{uuid.uuid4().hex[:6]}"
    names = {field: f"{prefix}-{field.removesuffix('_table').replace('_', '-')}" for field in table_models()}
    names["idempotency_table"] = f"{prefix}-idempotency"
    bound = settings.model_copy(update=names)
    configure(bound)
    for model in table_models().values():
        model.create_table(wait=True)
    aws_client("dynamodb", bound).create_table(
        TableName=bound.idempotency_table,
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return names


@pytest.fixture
def emulator():
    from local.xero_emulator.accounting import seed_demo_company

    emu = start_in_thread(
        EmulatorOptions(
            port=0,
            auto_consent=True,
            tenants=1,
            seed=f"life-{uuid.uuid4().hex[:8]}",  # unique tenant ids: no governor state shared between tests
            books_factory=seed_demo_company,
        )
    )
    yield emu
    emu.stop()


@pytest.fixture
def lifecycle(aws_settings: Settings, emulator, tmp_path: Path) -> Iterator[Lifecycle]:
    base = emulator.base_url.rstrip("/")
    settings = aws_settings.model_copy(
        update={
            "xero_login_url": base,
            "xero_identity_url": base,
            "xero_api_url": base,
            "xero_client_id": "demo-client-id",
            "xero_client_secret": "demo-client-secret",
            "xero_minute_limit": 3000,  # no pacing: each test stays far below the emulator's 60 a minute
            "xero_timeout_seconds": 5.0,
            "local_email_dir": str(tmp_path / "emails"),
            **fresh_queues(aws_settings),
            **fresh_tables(aws_settings),
        }
    )
    container = Container(settings, clock=emulator.clock.now)
    set_container(container)
    yield Lifecycle(container, emulator, tmp_path / "emails")
    set_container(None)
