"""The README's read-view benchmark command keeps working: a small contact through the same script,
checked for what it counts — never for speed (latencies belong to the benchmark's own output)."""

from __future__ import annotations

from benchmark_helpers import run_benchmark


def test_a_small_read_view_run_counts_one_xero_call_per_cold_view_and_few_per_session():
    report, printed = run_benchmark("read_view.py", "--invoices", "30", "--warm-views", "12", "--cold-samples", "2")
    # Then every invoice and credit note of the contact is listed
    assert report["listed_documents"] == 30 + report["contact"]["credit_notes"]
    # And a cold default view reads Xero once; a warm one not at all (no Xero call is in its requests)
    assert report["cold"]["xero_calls_per_view"] == 1
    assert "RateLimitsTable" not in report["warm"]["dynamodb_per_view"]
    # And 100 page views with two payments cost the cold read plus one read per payment with webhooks
    assert report["session_with_webhooks"]["xero_calls"] == 1 + 1 + 2  # invoices, credit notes once, 2 payments
    assert report["session_without_webhooks"]["xero_calls"] > report["session_with_webhooks"]["xero_calls"]
    assert "Xero calls per 100 page views" in printed
