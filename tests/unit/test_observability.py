"""observability.py: metrics stay off stdout when they are disabled (the benchmarks' tables)."""

import json

from xero_sync.observability import MetricUnit, ServiceMetrics


def _add(metrics, count):
    for _ in range(count):
        metrics.add_metric(name="XeroCalls", unit=MetricUnit.Count, value=1)


def test_a_full_buffer_prints_nothing_when_metrics_are_disabled(monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    metrics = ServiceMetrics(namespace="Test", service="test")

    _add(metrics, 150)

    assert capsys.readouterr().out == ""
    assert metrics.metric_set == {}


def test_metrics_are_published_as_powertools_publishes_them_otherwise(monkeypatch, capsys):
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    monkeypatch.delenv("POWERTOOLS_DEV", raising=False)
    metrics = ServiceMetrics(namespace="Test", service="test")

    _add(metrics, 100)  # a full buffer of one metric: Powertools publishes it at once

    printed = json.loads(capsys.readouterr().out)
    assert printed["XeroCalls"] == [1.0] * 100
    metrics.clear_metrics()
