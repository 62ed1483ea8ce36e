"""A moto server (KMS, Secrets Manager) on a free loopback port for the AWS adapters' tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto.server import ThreadedMotoServer

from xero_sync.aws.clients import aws_client
from xero_sync.settings import Settings


@pytest.fixture(scope="session")
def aws_moto_settings() -> Iterator[Settings]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }.items():
            patch.setenv(name, value)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
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
        base = Settings(AWS_ENDPOINT_URL=f"http://{host}:{port}", AWS_REGION="us-east-1", token_key_id="pending", **tables)
        key_id = aws_client("kms", base).create_key(Description="tokens")["KeyMetadata"]["KeyId"]
        yield base.model_copy(update={"token_key_id": key_id})
        server.stop()
