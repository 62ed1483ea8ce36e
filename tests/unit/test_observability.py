"""observability.py: metrics stay off stdout when they are disabled (the benchmarks' tables); the
Tracer traces AWS calls from the start and Xero's from the first HTTP session."""

import json
import subprocess
import sys

from benchmarks.cold_start import LAYER, lambda_environment
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


def test_xero_calls_are_traced_from_the_first_http_session_and_aws_calls_from_the_start():
    # In Lambda's environment (Tracing: Active), in a fresh interpreter: the Tracer patches at
    # import, and the HTTP session a function makes for Xero is patched when it is made
    probe = (
        "import sys, botocore.client, xero_sync.observability as o; "
        "print('requests' in sys.modules, hasattr(botocore.client.BaseClient.__dict__['_make_api_call'], '__wrapped__')); "
        "import requests; print(hasattr(requests.Session.__dict__['request'], '__wrapped__')); "
        "o.traced_http_session(); print(hasattr(requests.Session.__dict__['request'], '__wrapped__'))"
    )
    environment = lambda_environment(LAYER, "SyncTickFunction")
    completed = subprocess.run(
        [sys.executable, "-c", probe], env=environment, capture_output=True, text=True, check=False, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split() == ["False", "True", "False", "True"]
