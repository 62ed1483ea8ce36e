"""End-to-end fixtures: the whole local stack (moto server, the Xero emulator, every resource of
template.yaml, the runner serving the HTTP API and delivering SQS messages), driven over HTTP
the way a host product would drive the deployed service."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from local.stack import LocalStack

TIME_SCALE = 20


def start_e2e_stack(stack_name: str = "e2e", **extra_environment: str) -> Any:
    """The local stack of the e2e tests (``extra_environment`` added to the functions')."""
    return LocalStack.start(
        retry_delay_seconds=1,
        max_batching_window_seconds=0.2,
        emulator_options={"time_scale": TIME_SCALE},
        extra_environment={
            "XERO_MINUTE_LIMIT": str(60 * TIME_SCALE),
            "DIGEST_WINDOW_SECONDS": "0",
            "EXPORT_BACKOFF_SECONDS": "1",
            **extra_environment,
        },
        stack_name=stack_name,
    )


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with start_e2e_stack() as running:
        yield running


@dataclass
class Host:
    """A host product talking to the service: one org, one API key."""

    base: str
    org_id: str
    session: requests.Session

    def call(self, method: str, path: str, body=None, expect: int | tuple[int, ...] = (200, 202)):
        response = self.session.request(method, f"{self.base}/v1/orgs/{self.org_id}{path}", json=body, timeout=120)
        expected = (expect,) if isinstance(expect, int) else expect
        assert response.status_code in expected, (method, path, response.status_code, response.text[:500])
        return response.json() if response.content else None

    def connect(self) -> dict:
        started = self.call("POST", "/connect", {"return_url": f"{self.base}/host/xero"})
        consent = requests.get(started["authorize_url"], allow_redirects=False, timeout=30)
        callback = requests.get(consent.headers["Location"], allow_redirects=False, timeout=120)
        assert callback.status_code == 302
        return {k: v[0] for k, v in parse_qs(urlsplit(callback.headers["Location"]).query).items()}


_orgs = iter(range(1, 10_000))


@pytest.fixture
def host(stack: LocalStack) -> Host:
    org_id = f"e2e-org-{next(_orgs)}"
    key = stack.create_api_key(name="e2e host", org_ids=[org_id])
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key.api_key}"
    return Host(stack.api_url, org_id, session)
