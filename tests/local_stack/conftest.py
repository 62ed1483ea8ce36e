"""Fixtures for the local stack's tests: one moto server for the session, and a runner on the
small fixture template (tests/local_stack/fixtures/template.yaml) per test.

moto keeps its state per process, so tests that share the server isolate themselves by stack
name: every resource the bootstrap creates is named ``<stack>-<LogicalId>``.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator

import pytest
from local_stack_helpers import FIXTURE_SECRET_VALUE, FIXTURE_TEMPLATE, make_runner

from local.stack.bootstrap import bootstrap
from local.stack.runner import Runner
from local.stack.template import Resolver, Template


@pytest.fixture
def stack_name() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
def fixture_resolver(moto_endpoint: str, stack_name: str) -> Resolver:
    """The fixture template, bootstrapped into moto under a fresh stack name."""
    resolver = Resolver(Template.load(FIXTURE_TEMPLATE), stack_name=stack_name)
    bootstrap(resolver, endpoint_url=moto_endpoint, secret_values={"fixture/app-secret": FIXTURE_SECRET_VALUE})
    return resolver


@pytest.fixture
def runner(fixture_resolver: Resolver, moto_endpoint: str) -> Iterator[Runner]:
    """A started runner on the fixture template: HTTP on, background SQS and schedules off
    (tests call drain() and fire_schedule() so that nothing happens behind their back)."""
    with make_runner(fixture_resolver, moto_endpoint) as started:
        yield started


@pytest.fixture
def recorder(runner: Runner):
    """The fixture layer's recorder (importable once the runner has put the layer on sys.path)."""
    import fixture_recorder

    fixture_recorder.reset()
    yield fixture_recorder
    fixture_recorder.reset()


@pytest.fixture(autouse=True)
def _layer_path_restored() -> Iterator[None]:
    saved = list(sys.path)
    yield
    sys.path[:] = saved
