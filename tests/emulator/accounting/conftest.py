"""Fixtures of the accounting-engine tests: ``engine`` — a freshly seeded tenant driven through
``Books.handle`` with every response checked against Xero's OpenAPI document and the official
SDK (helpers.py). The platform's fixtures (``emulator``, ``xero``, ``sdk_client``) come from
tests/emulator/conftest.py and are used by the SDK tests over HTTP."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.emulator.accounting.helpers import Engine, new_books

_SHARED_DOCUMENTS = Path(__file__).resolve().parents[3].parent / "shared" / "xero-openapi"
if _SHARED_DOCUMENTS.is_dir():
    os.environ.setdefault("XERO_OPENAPI_DIR", str(_SHARED_DOCUMENTS))


@pytest.fixture(scope="session")
def accounting_checker():
    from tests.emulator.openapi_validation import OpenApiUnavailable, ResponseChecker, locate_documents

    try:
        return ResponseChecker(locate_documents())
    except OpenApiUnavailable as error:  # pragma: no cover - offline without the documents
        pytest.skip(f"Xero OpenAPI documents unavailable: {error}")


@pytest.fixture
def engine(accounting_checker) -> Engine:
    return Engine(new_books(), accounting_checker)


@pytest.fixture
def customer(engine: Engine) -> dict:
    return engine.contact("Harbour Cafe Ltd", EmailAddress="ap@harbourcafe.example")
