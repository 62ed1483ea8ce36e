"""The one Logger, Tracer and Metrics of the service (Powertools).

Powertools objects are meant to live at module level: they read only their own ``POWERTOOLS_*``
variables and open no connection. Handlers decorate in one order (see functions/*/app.py):
logger context (with correlation id) → metrics → tracer (response capture off).
"""

import warnings
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled


class ServiceMetrics(Metrics):
    """Powertools' Metrics, silent when metrics are disabled (``POWERTOOLS_METRICS_DISABLED``:
    the local stack's benchmarks). Powertools honours that when it flushes at the end of an
    invocation, but prints a full buffer (100 values of one metric) to stdout regardless —
    lines of JSON between a benchmark's numbers."""

    def add_metric(self, *args: Any, **kwargs: Any) -> None:
        if not is_metrics_disabled():
            super().add_metric(*args, **kwargs)


logger = Logger(service="xero-sync")
# What the service calls out through: AWS (botocore, and PynamoDB on top of it) and Xero (requests).
# The default, every library the X-Ray SDK knows, would also wrap http.client under both (each
# call traced twice) and import sqlite3 and a dozen database drivers' hooks at every cold start.
tracer = Tracer(service="xero-sync", patch_modules=("botocore", "pynamodb", "requests"))
metrics = ServiceMetrics(namespace="XeroSync", service="xero-sync")

__all__ = ["MetricUnit", "logger", "metrics", "tracer"]

# A function that published no metric in an invocation (an API call that reached no Xero
# endpoint, say) is normal here; Powertools warns about it on every such invocation.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)
