"""The import world of tests/unit/imports: the import worker over in-memory fakes."""

import pytest
from import_world import ImportWorld


@pytest.fixture
def world() -> ImportWorld:
    return ImportWorld()
