"""Running a benchmark script the way the README says, for the tests that check it still works."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_benchmark(script: str, *arguments: str) -> tuple[dict[str, Any], str]:
    """``benchmarks/<script>`` with ``arguments`` and ``--json``: its report (the last line) and
    everything it printed."""
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "layers" / "common"), str(ROOT)])}
    finished = subprocess.run(
        [sys.executable, f"benchmarks/{script}", *arguments, "--json"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    return json.loads(finished.stdout.strip().splitlines()[-1]), finished.stdout
