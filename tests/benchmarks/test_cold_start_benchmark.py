"""The cold-start benchmark's "no bytecode" column measures what it says: a layer and handlers with
no compiled module anywhere, imported the way Lambda's read-only /opt imports them (nothing
written back). Never timed: the times belong to the benchmark's table."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.cold_start import handlers, layout_without_bytecode, measure


def _compiled(folder: Path) -> list[Path]:
    return [*folder.rglob("*.pyc"), *folder.rglob("__pycache__")]


@pytest.fixture(scope="module")
def uncompiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return layout_without_bytecode(tmp_path_factory.mktemp("layout"))


def test_the_layout_has_every_handler_and_the_layer_and_no_bytecode(uncompiled):
    # Given the layout the benchmark builds (the pinned requirements installed without bytecode)
    # Then it holds the service's package, a pinned requirement and each handler's folder …
    assert (uncompiled / "python" / "xero_sync" / "__init__.py").is_file()
    assert (uncompiled / "python" / "pydantic" / "__init__.py").is_file()
    for handler in handlers():
        assert (uncompiled / "functions" / handler.folder.name / "app.py").is_file()
    # … and not one compiled module
    assert _compiled(uncompiled) == []


def test_a_handler_imported_from_it_loads_the_layers_copy_and_writes_no_bytecode(uncompiled):
    # Given the Xero webhook receiver's handler
    (handler,) = [h for h in handlers() if h.function == "XeroWebhookFunction"]
    # When the benchmark imports it from the uncompiled layout
    sample = measure(handler, uncompiled)
    # Then it ran the service's code, which only the layout has on the path (the test venv does
    # not install xero_sync) …
    assert {"cold_start", "settings", "observability"} <= sample.loaded
    assert sample.total_ms > 0
    # … and left the layout as it found it, as a read-only /opt would
    assert _compiled(uncompiled) == []
