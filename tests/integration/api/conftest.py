"""Fixtures for the host API's integration tests.

* one moto server for the session, with the tables, KMS key and Xero credentials secret that
  ``template.yaml`` declares, created *from the template* (``local.stack.bootstrap``), and the
  functions' environment resolved from it — the settings a deployed function would read;
* one SQS queue per entity family (the template does not declare the export queues yet);
* per test: a container bound to those settings (``services``), or one pointed at a fresh Xero
  emulator with its own demo company (``xero``), so that no test sees another's Xero changes or
  rate-limit state.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from api_it_helpers import REDIRECT_URI, ApiClient, template_stack

from xero_sync.aws.clients import aws_client
from xero_sync.clock import utcnow
from xero_sync.domain.families import Family
from xero_sync.services.api_keys import create_api_key
from xero_sync.settings.everything import Settings
from xero_sync.wiring import Container, set_container

EMULATOR_CLIENT = {"client_id": "demo-client-id", "client_secret": "demo-client-secret"}


@dataclass(frozen=True)
class ApiStack:
    settings: Settings
    queue_urls: dict[Family, str]


@pytest.fixture(scope="session")
def api_stack(moto_endpoint: str) -> Iterator[ApiStack]:
    """The template's resources in moto, and the settings the functions would get from it."""
    resolver, settings = template_stack(moto_endpoint, "api", EMULATOR_CLIENT)

    sqs = aws_client("sqs", settings)
    queue_urls = {
        family: sqs.create_queue(QueueName=f"{resolver.stack_name}-{family.value}")["QueueUrl"] for family in Family
    }
    settings = settings.model_copy(
        update={
            **{f"{family.value}_queue_url": url for family, url in queue_urls.items()},
            # Pacing for 60 calls a minute spaces Xero calls a second apart; the tests make a few
            # calls per tenant, well within the emulator's real limits, so let them go faster.
            "xero_minute_limit": 1200,
        }
    )
    yield ApiStack(settings=settings, queue_urls=queue_urls)


@pytest.fixture
def services(api_stack: ApiStack) -> Iterator[Container]:
    """The API's container on the test stack (no Xero)."""
    container = Container(api_stack.settings)
    set_container(container)
    yield container
    set_container(None)


@dataclass
class XeroEnv:
    emulator: Any
    container: Container


@pytest.fixture
def xero(api_stack: ApiStack) -> Iterator[XeroEnv]:
    """A Xero emulator with a fresh demo company (chart of accounts with an account without a
    code, a compound tax rate …), and the API's container pointed at it."""
    from local.xero_emulator import EmulatorOptions, start_in_thread
    from local.xero_emulator.accounting import seed_demo_company

    emulator = start_in_thread(
        EmulatorOptions(
            port=0,
            auto_consent=True,
            tenants=1,
            seed=f"api-{uuid.uuid4().hex[:8]}",  # unique tenant ids: nothing shared between tests
            books_factory=seed_demo_company,
            redirect_uris=[REDIRECT_URI],
        )
    )
    base_url = emulator.base_url.rstrip("/")
    settings = api_stack.settings.model_copy(
        update={
            "xero_login_url": base_url,
            "xero_identity_url": base_url,
            "xero_api_url": base_url,
            "xero_redirect_uri": REDIRECT_URI,
        }
    )
    container = Container(settings)
    set_container(container)
    yield XeroEnv(emulator=emulator, container=container)
    set_container(None)
    emulator.stop()


@pytest.fixture(scope="session")
def api() -> ApiClient:
    return ApiClient()


def _new_org_with_key(container: Container) -> tuple[str, str]:
    org_id = f"org-{uuid.uuid4().hex[:10]}"
    created = create_api_key(container.api_keys, name="tests", org_ids=[org_id], all_orgs=False, now=utcnow())
    return org_id, created.api_key


@dataclass(frozen=True)
class Org:
    org_id: str
    key: str


@pytest.fixture
def org(request: pytest.FixtureRequest) -> Org:
    """An org and an API key scoped to it, in whichever container the test uses."""
    container = _active_container(request)
    return Org(*_new_org_with_key(container))


@pytest.fixture
def other_org(request: pytest.FixtureRequest) -> Org:
    container = _active_container(request)
    return Org(*_new_org_with_key(container))


def _active_container(request: pytest.FixtureRequest) -> Container:
    if "xero" in request.fixturenames:
        return request.getfixturevalue("xero").container
    return request.getfixturevalue("services")
