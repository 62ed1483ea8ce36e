"""The layers of xero_sync and what each may import (docs/architecture.md), checked on the code:
every import of every module of the layer, including those inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "layers" / "common" / "xero_sync"

# layer -> the modules (dotted, below xero_sync) it may import; a prefix allows what is under it
ALLOWED: dict[str, tuple[str, ...]] = {
    "domain": ("domain", "models"),
    "models": ("models", "domain.families"),
    "services": ("services", "domain", "models", "clock", "observability", "xero.errors", "xero.client",
                 "xero.elements", "xero.governor"),
    "dal": ("dal", "domain", "settings"),
    "xero": ("xero", "domain", "models", "services.ports", "settings", "clock", "observability"),
    "aws": ("aws", "domain", "models", "settings", "observability"),
    "http": ("http", "services", "models", "domain", "settings", "wiring", "observability", "xero.errors", "routing"),
    "console": ("console", "services", "models", "domain", "settings", "wiring", "observability", "xero.errors",
                "routing"),
    "outbound": ("outbound", "domain", "models", "services.ports", "settings", "observability"),
}  # fmt: skip


def _layer(module: str) -> str:
    return module.split(".", 1)[0]


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module below xero_sync) of every ``xero_sync`` import in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("xero_sync."):
            found.append((node.lineno, node.module.removeprefix("xero_sync.")))
        elif isinstance(node, ast.Import):
            found += [
                (node.lineno, a.name.removeprefix("xero_sync.")) for a in node.names if a.name.startswith("xero_sync.")
            ]
    return found


def _modules() -> list[tuple[str, Path]]:
    return sorted(
        (".".join(path.relative_to(PACKAGE).with_suffix("").parts), path)
        for path in PACKAGE.rglob("*.py")
        if path.name != "__init__.py" or path.parent != PACKAGE
    )


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_each_layer_imports_only_what_it_may(layer):
    allowed = ALLOWED[layer]
    wrong = [
        f"{path.relative_to(PACKAGE)}:{line} imports xero_sync.{target}"
        for module, path in _modules()
        if _layer(module) == layer
        for line, target in _imports(path)
        if not any(target == rule or target.startswith(rule + ".") for rule in allowed)
    ]
    assert wrong == [], f"{layer}/ may import only {', '.join(allowed)}"


def test_only_dal_touches_the_pynamodb_models():
    outside = [
        f"{path.relative_to(PACKAGE)}:{line}"
        for module, path in _modules()
        if _layer(module) != "dal"
        for line, target in _imports(path)
        if target in ("dal.models", "dal.import_models")
    ]
    assert outside == []


def test_no_module_of_the_layer_is_over_500_lines():
    long = {
        str(path.relative_to(PACKAGE)): n for _, path in _modules() if (n := len(path.read_text().splitlines())) > 500
    }
    assert long == {}
