"""No module of the project over 500 lines (the project's standard): a module that grows past it
is split by concern, not left to grow. Tests and benchmarks count too."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("functions", "layers", "local", "benchmarks", "tests", "scripts")
MAX_LINES = 500


def _modules() -> list[Path]:
    return sorted(
        path
        for folder in FOLDERS
        for path in (ROOT / folder).rglob("*.py")
        if not any(part.startswith(".") or part in {"__pycache__", "build", "node_modules"} for part in path.parts)
    )


def test_the_project_has_modules_to_measure():
    names = {path.relative_to(ROOT).as_posix() for path in _modules()}
    assert {"local/stack/runner.py", "benchmarks/chaos.py", "tests/unit/test_module_size.py"} <= names


def test_no_module_is_over_500_lines():
    too_long = {
        path.relative_to(ROOT).as_posix(): lines
        for path in _modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}, f"split these by concern (over {MAX_LINES} lines): {too_long}"
