"""Kept only for ``services/export/worker.py``, which still imports ``ExportQueues`` from here
(as a type). The SQS adapter now lives in ``aws/export_queues.py``; services depend on the
:class:`~xero_sync.services.ports.ExportQueue` port, which this name stands for. Delete this
module once the worker imports the port."""

from __future__ import annotations

from xero_sync.services.ports import ExportQueue

ExportQueues = ExportQueue

__all__ = ["ExportQueues"]
