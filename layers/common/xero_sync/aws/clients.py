"""One cached boto3 client per (service, endpoint, region).

Creating a boto3 client costs tens of milliseconds and loads the service model, so a Lambda
container builds each client once and reuses it across invocations. ``boto3.client()`` uses a
shared default session, which is not safe to use from several threads at once; clients are
therefore created under a lock, each from its own ``boto3.session.Session``. A finished client
is thread-safe and is shared freely.

The endpoint comes from ``settings.aws_endpoint_for(service)`` (SPEC §2): the service's own
variable (``AWS_ENDPOINT_URL_DYNAMODB``, ``AWS_ENDPOINT_URL_SQS``) or else ``AWS_ENDPOINT_URL``; set
for the local stack and the tests (moto server), unset in AWS.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import boto3
from botocore.config import Config

from xero_sync.settings import CoreSettings

# Short connect time-out: an AWS endpoint that does not answer within seconds is down, and a
# Lambda should fail fast rather than spend its time budget. "standard" retry mode retries
# throttling and transient errors with back-off (3 attempts in all).
_BOTO_CONFIG = Config(
    connect_timeout=3,
    read_timeout=10,
    retries={"mode": "standard", "max_attempts": 3},
)

_lock = threading.Lock()
_clients: dict[tuple[str, str | None, str], Any] = {}


def aws_client(service: str, settings: CoreSettings) -> Any:
    """The boto3 client for ``service`` (e.g. ``"kms"``), honouring the settings' endpoint and
    region. The same object is returned for the same (service, endpoint, region)."""
    endpoint = settings.aws_endpoint_for(service)
    key = (service, endpoint, settings.aws_region)
    client = _clients.get(key)
    if client is not None:
        return client
    with _lock:
        client = _clients.get(key)
        if client is None:
            _install_secret_redaction()
            session = boto3.session.Session()
            client = session.client(
                service,
                region_name=settings.aws_region,
                endpoint_url=endpoint,
                config=_BOTO_CONFIG,
            )
            _clients[key] = client
        return client


def clear_client_cache() -> None:
    """Forget every cached client (tests that start a new moto server on another port)."""
    with _lock:
        _clients.clear()


# --- keeping secrets out of botocore's DEBUG logs --------------------------------------------
#
# With DEBUG logging on, botocore logs every request's parameters ("Making request for ... with
# params") and every response body ("Response body: ..."). For KMS that is the token plaintext
# (base64) and for Secrets Manager the Xero client secret. Nobody should run with botocore at
# DEBUG in production, but an operator chasing a problem might; this filter replaces such
# records' arguments so that the message says a secret was redacted instead of showing it.

_SENSITIVE_MARKERS = ("Plaintext", "SecretString", "SecretBinary")
_REDACTED_LOGGERS = ("botocore.endpoint", "botocore.parsers", "botocore.hooks")


class _RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = str(record.msg) + repr(record.args)
        except Exception:  # a record that cannot even be rendered: drop its arguments
            text = _SENSITIVE_MARKERS[0]
        if any(marker in text for marker in _SENSITIVE_MARKERS):
            record.msg = "%s"
            record.args = ("[botocore log record redacted by xero_sync: it carried a secret]",)
        return True


_redaction_installed = False


def _install_secret_redaction() -> None:
    global _redaction_installed
    if _redaction_installed:
        return
    redactor = _RedactSecretsFilter()
    for name in _REDACTED_LOGGERS:
        logging.getLogger(name).addFilter(redactor)
    _redaction_installed = True
