"""Project-wide test setup.

Nothing in the test suite may reach real AWS or real Xero: fake AWS credentials are set before
any test runs, so a client that escaped its moto endpoint fails instead of calling an account.
The one moto server of a test session is here (``moto_endpoint``); each folder's conftest.py
creates on it the tables, keys and queues its tests need, under names of its own.
"""

import logging
import os
from collections.abc import Iterator

import pytest

for name, value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "XeroSync",
    "POWERTOOLS_SERVICE_NAME": "xero-sync",
}.items():
    os.environ[name] = value
os.environ.pop("AWS_PROFILE", None)


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A moto server on a free loopback port, for the whole session (one per xdist worker)."""
    from moto.server import ThreadedMotoServer

    from local.moto_patches import install

    install()  # transactions roll back the items they touch, not a copy of each table
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one log line per AWS call otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(autouse=True)
def _no_metrics_from_earlier_tests() -> None:
    """Powertools keeps metrics in a process-wide buffer and prints it to stdout once it holds 100
    values. Outside a Lambda handler nothing flushes it, so metrics of earlier tests would be
    printed in the middle of a later test's captured output."""
    from xero_sync.observability import metrics

    metrics.clear_metrics()
