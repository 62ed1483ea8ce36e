"""Fixtures for the import's integration tests (Xero → host, F4).

* one moto server for the session with every table, queue, key and the app's secret that
  ``template.yaml`` declares, created from the template, and the functions' settings resolved
  from it (``Runner.environment``);
* per test, for the flows: a Xero emulator with its own demo company whose webhook subscription
  points at a small HTTP gateway in front of the receiver's Lambda handler, a connected org, a
  host endpoint on loopback for the signed deliveries, and a ``drain`` that hands every queued
  message to the handler the template names for its queue — the way the runner would, one
  batch at a time.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "api"))
sys.path.insert(0, str(Path(__file__).parent))
from api_it_helpers import REDIRECT_URI, ApiClient, template_stack
from imports_it_helpers import WEBHOOK_KEY, FlowEnv, HostEndpoint, ReceiverGateway

from local.stack.template import Resolver
from xero_sync.settings.everything import Settings
from xero_sync.wiring import Container, set_container

SECRET = {"client_id": "demo-client-id", "client_secret": "demo-client-secret", "webhook_key": WEBHOOK_KEY}


@dataclass(frozen=True)
class ImportStack:
    settings: Settings
    resolver: Resolver


@pytest.fixture(scope="session")
def import_stack(moto_endpoint: str) -> Iterator[ImportStack]:
    resolver, settings = template_stack(moto_endpoint, "imp", SECRET)
    settings = settings.model_copy(update={"xero_minute_limit": 1200, "host_webhook_allow_loopback": True})
    yield ImportStack(settings=settings, resolver=resolver)


@pytest.fixture
def services(import_stack: ImportStack) -> Iterator[Container]:
    container = Container(import_stack.settings)
    set_container(container)
    yield container
    set_container(None)


@pytest.fixture
def host_endpoint() -> Iterator[HostEndpoint]:
    endpoint = HostEndpoint.start()
    yield endpoint
    endpoint.stop()


@pytest.fixture
def flow(import_stack: ImportStack, host_endpoint: HostEndpoint) -> Iterator[FlowEnv]:
    """A connected org whose Xero tenant sends webhooks to the receiver, and a host endpoint."""
    from local.xero_emulator import EmulatorOptions, start_in_thread
    from local.xero_emulator.accounting import seed_demo_company

    gateway = ReceiverGateway.start()
    emulator = start_in_thread(
        EmulatorOptions(
            port=0,
            auto_consent=True,
            tenants=1,
            seed=f"imp-{uuid.uuid4().hex[:8]}",
            books_factory=seed_demo_company,
            redirect_uris=[REDIRECT_URI],
            webhook_url=gateway.url,
            webhook_key=WEBHOOK_KEY,
        )
    )
    base_url = emulator.base_url.rstrip("/")
    settings = import_stack.settings.model_copy(
        update={
            "xero_login_url": base_url,
            "xero_identity_url": base_url,
            "xero_api_url": base_url,
            "xero_redirect_uri": REDIRECT_URI,
        }
    )
    container = Container(settings, export_retry_delay=lambda retry_after, attempts: 0)
    set_container(container)
    env = FlowEnv(
        container=container, emulator=emulator, api=ApiClient(), resolver=import_stack.resolver, host=host_endpoint
    )
    env.purge()
    env.connect()
    try:
        yield env
    finally:
        set_container(None)
        emulator.stop()
        gateway.stop()


def pytest_collection_modifyitems(items: list[Any]) -> None:
    for item in items:
        if "imports" in str(item.fspath) and "flow" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
