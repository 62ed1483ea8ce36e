"""Project-wide test setup.

Nothing in the test suite may reach real AWS or real Xero: fake AWS credentials are set before
any test runs, so a client that escaped its moto endpoint fails instead of calling an account.
Fixtures for the running local parts (moto server, the Xero emulator, tables created from
template.yaml) live in tests/integration/conftest.py and tests/e2e/conftest.py.
"""

import os

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
