"""No token, code, code verifier or client secret in any log line (N4), over a whole
connect → call → refresh → call → revoke cycle with every logger at DEBUG."""

from __future__ import annotations

import base64
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from xero_it_helpers import advance_emulator, build_stack, connect_org

from tests.fakes import InMemoryGovernor
from xero_sync.aws.clients import aws_client
from xero_sync.aws.secrets import clear_credentials_cache
from xero_sync.clock import utcnow
from xero_sync.dal.models import ConnectionModel
from xero_sync.observability import logger as powertools_logger
from xero_sync.xero.client import XeroApiClient

# Loggers of the local stand-ins for AWS and Xero (moto server, the emulator's Werkzeug server):
# they are not part of the service and do not run in AWS.
STAND_IN_LOGGERS = ("werkzeug", "moto", "local.")
DEBUG_LOGGERS = ("", "botocore", "boto3", "urllib3", "requests", "pynamodb", "aws_lambda_powertools")


class Capture(logging.Handler):
    def __init__(self, formatter: logging.Formatter | None = None) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        if formatter is not None:
            self.setFormatter(formatter)

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(STAND_IN_LOGGERS):
            return
        # the formatted line and every attribute of the record (Powertools' extra keys included)
        self.lines.append(self.format(record))
        self.lines.append(repr({k: v for k, v in vars(record).items() if k not in ("msg", "args")}))


@pytest.fixture
def all_logs() -> Iterator[Callable[[], str]]:
    previous = {name: logging.getLogger(name).level for name in DEBUG_LOGGERS}
    previous_powertools = powertools_logger.log_level
    std = Capture(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    powertools = Capture(powertools_logger.registered_formatter)
    logging.getLogger().addHandler(std)
    powertools_logger.addHandler(powertools)  # the service logger does not propagate to root
    for name in DEBUG_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    powertools_logger.setLevel("DEBUG")
    try:
        yield lambda: "\n".join(std.lines + powertools.lines)
    finally:
        logging.getLogger().removeHandler(std)
        powertools_logger.removeHandler(powertools)
        for name, level in previous.items():
            logging.getLogger(name).setLevel(level)
        powertools_logger.setLevel(previous_powertools)


def test_no_secret_reaches_any_log(all_logs, settings, emulator, org_id):
    # The client credentials come from Secrets Manager, as in AWS
    secret_name = f"xero-app-{uuid.uuid4().hex[:6]}"
    aws_client("secretsmanager", settings).create_secret(
        Name=secret_name,
        SecretString=json.dumps({"client_id": "demo-client-id", "client_secret": "demo-client-secret"}),
    )
    clear_credentials_cache()
    settings = settings.model_copy(
        update={"xero_client_id": None, "xero_client_secret": None, "xero_credentials_secret": secret_name}
    )

    stack = build_stack(settings, poll_seconds=0.05)
    consent = connect_org(stack, org_id, utcnow())
    client = XeroApiClient(settings, stack.tokens, InMemoryGovernor())
    client.for_org(org_id).get("/Organisation")
    advance_emulator(emulator.base_url, 1801)  # Xero now answers 401 TokenExpired
    xero = client.for_org(org_id)
    xero.get("/Organisation")  # → refresh → repeated
    refreshed_access = stack.tokens.access_token(org_id).value.get_secret_value()
    ConnectionModel(org_id).update(
        actions=[ConnectionModel.access_token_expires_at.set(utcnow() - timedelta(seconds=1))]
    )
    second_access = stack.tokens.access_token(org_id).value.get_secret_value()  # a second refresh
    final_refresh = stack.tokens.refresh_token_for_revocation(org_id).get_secret_value()
    stack.identity.revoke(final_refresh)
    logging.getLogger("xero_sync.test").debug("cycle complete")  # proves the std capture works
    powertools_logger.debug("cycle complete")  # proves the Powertools capture works

    secrets = {
        "initial access token": consent.tokenset.access_token.get_secret_value(),
        "initial refresh token": consent.tokenset.refresh_token.get_secret_value(),
        "id token": consent.tokenset.id_token.get_secret_value(),
        "refreshed access token": refreshed_access,
        "second access token": second_access,
        "final refresh token": final_refresh,
        "authorization code": consent.code,
        "code verifier": consent.code_verifier,
        "client secret": "demo-client-secret",
        "basic auth header": base64.b64encode(b"demo-client-id:demo-client-secret").decode(),
    }
    for name in ("initial access token", "initial refresh token", "refreshed access token", "final refresh token"):
        secrets[f"{name} (base64)"] = base64.b64encode(secrets[name].encode()).decode()[:40]

    text = all_logs()
    assert "cycle complete" in text
    assert "Xero identity call" in text and "Xero call" in text  # the service did log
    assert "botocore" in text and "urllib3" in text  # SDK and HTTP debug logs were on
    leaked = [name for name, value in secrets.items() if value in text]
    assert leaked == [], f"secrets found in the logs: {leaked}"
