"""The one Logger, Tracer and Metrics of the service (Powertools).

Powertools objects are meant to live at module level: they read only their own ``POWERTOOLS_*``
variables and open no connection. Handlers decorate in one order (see functions/*/app.py):
logger context (with correlation id) → metrics → tracer (response capture off).
"""

import warnings
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

if TYPE_CHECKING:
    import requests


class ServiceMetrics(Metrics):
    """Powertools' Metrics, silent when metrics are disabled (``POWERTOOLS_METRICS_DISABLED``:
    the local stack's benchmarks). Powertools honours that when it flushes at the end of an
    invocation, but prints a full buffer (100 values of one metric) to stdout regardless —
    lines of JSON between a benchmark's numbers."""

    def add_metric(self, *args: Any, **kwargs: Any) -> None:
        if not is_metrics_disabled():
            super().add_metric(*args, **kwargs)


logger = Logger(service="xero-sync")
# AWS calls (botocore, and PynamoDB on top of it) are traced from the start; Xero's, through
# requests, once a function makes its HTTP session (traced_http_session), and the host webhook
# deliveries by their sender (outbound/host_http.py). The default, every library the X-Ray SDK
# knows, would also wrap http.client under all of them (each call traced twice) and import
# requests, sqlite3 and a dozen database drivers' hooks at every cold start.
tracer = Tracer(service="xero-sync", patch_modules=("botocore", "pynamodb"))
metrics = ServiceMetrics(namespace="XeroSync", service="xero-sync")

__all__ = ["MetricUnit", "logger", "metrics", "traced_http_session", "tracer"]


def traced_http_session() -> "requests.Session":
    """A requests session whose calls the Tracer records (requests is patched here, when a
    function first needs it, rather than imported by every function at its cold start)."""
    import requests

    tracer.patch(["requests"])
    return requests.Session()


# A function that published no metric in an invocation (an API call that reached no Xero
# endpoint, say) is normal here; Powertools warns about it on every such invocation.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)
