"""The README's import benchmark command keeps working: a tiny run of the same script, checked for
what reached the host — never for speed (times belong to the benchmark's own table)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_small_import_reaches_the_feed_matched_and_edits_reach_the_host_signed():
    # Given 30 Xero contacts, 20 exported invoices paid in Xero and 5 host contacts, 3 of which
    # share an email with a Xero contact (buyer0, buyer10, buyer20)
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "layers" / "common"), str(ROOT)])}
    # When the benchmark runs the initial import, 6 signed webhook POSTs and 3 edits in Xero
    finished = subprocess.run(
        [
            sys.executable,
            "benchmarks/import.py",
            "--contacts",
            "30",
            "--invoices",
            "20",
            "--host-contacts",
            "5",
            "--acks",
            "6",
            "--edits",
            "3",
            "--time-scale",
            "30",
            "--json",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    # Then every contact and every payment status is one change, the matches are reported,
    assert finished.returncode == 0, finished.stderr[-3000:]
    report = json.loads(finished.stdout.strip().splitlines()[-1])
    assert report["changes"] == 50 and report["payment_statuses"] == 20, report
    assert report["matched"] == 3, report
    # the reads were bulk reads (one page per resource),
    assert report["xero_calls"]["GET Contacts"] == 1 and report["xero_calls"]["GET Invoices"] == 1, report
    assert sum(report["xero_calls"].values()) <= 25, report["xero_calls"]
    # every webhook POST was acknowledged and every edit arrived at the host, validly signed
    assert len(report["ack_ms"]) == 6, report
    assert len(report["delivery_seconds"]) == 3 and report["signed"] == 3, report
    assert "DynamoDB requests per imported record" in finished.stdout
