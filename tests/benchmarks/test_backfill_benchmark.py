"""The README's benchmark command keeps working: a tiny backfill through the same script, checked
for what reached Xero — never for speed (numbers belong to the benchmark's own output)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_small_backfill_reaches_xero_exactly_once_and_paid_in_both_modes():
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "layers" / "common"), str(ROOT)])}
    finished = subprocess.run(
        [
            sys.executable,
            "benchmarks/backfill.py",
            "--invoices",
            "12",
            "--contacts",
            "3",
            "--baseline-invoices",
            "4",
            "--time-scale",
            "30",
            "--json",
            "--stall-seconds",  # a stall fails within minutes, with the record statuses
            "150",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    report = json.loads(finished.stdout.strip().splitlines()[-1])
    for label, invoices in (("batched", 12), ("baseline", 4)):
        result = report[label]
        assert result["in_xero"] == invoices and result["paid"] == invoices, result
        assert result["failed"] == [] and result["rate_limited"] == 0, result
        assert result["statuses"]["synced"] == result["records"], result["statuses"]
    assert "records per Xero call" in finished.stdout
