"""Builds the SQS handler of one export family's worker function (functions/*_worker/app.py).

Lambda delivers a batch of SQS messages, each naming one record. The worker exports the whole
batch together (grouped by org, up to 50 records per Xero call), so this is a batch-level
handler rather than a per-record one; it still answers with SQS's partial batch response
(``ReportBatchItemFailures``): only the messages of an org whose export failed unexpectedly,
or that cannot be read at all, come back — the rest are done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.data_classes import SQSEvent
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from xero_sync.domain.families import Family
from xero_sync.models.messages import ExportMessage
from xero_sync.observability import logger
from xero_sync.settings.export_worker import ExportWorkerSettings
from xero_sync.wiring import container


def handle_export_batch(family: Family | None, event: dict[str, Any], context: LambdaContext) -> dict[str, list]:
    """``family``: the family queue the batch came from; None for the backfill queue (any family)."""
    messages: list[tuple[str, ExportMessage]] = []
    failures: list[str] = []
    for record in SQSEvent(event).records:
        try:
            messages.append((record.message_id, ExportMessage.model_validate_json(record.body)))
        except ValidationError:
            logger.error("Unreadable export message; left for the DLQ", extra={"message_id": record.message_id})
            failures.append(record.message_id)
    result = container(ExportWorkerSettings).export_worker.handle(
        (message for _, message in messages), time_left=lambda: context.get_remaining_time_in_millis() / 1000
    )
    failed_orgs = set(result.failed_orgs)
    failures += [message_id for message_id, message in messages if message.org_id in failed_orgs]
    logger.info(
        "Export batch done",
        extra={
            "family": family.value if family is not None else "backfill",
            "messages": len(messages),
            "synced": result.synced,
            "failed": result.failed,
            "waiting": result.waiting,
            "retried": result.retried,
        },
    )
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failures]}


def worker_handler(family: Family | None) -> Callable[[dict[str, Any], LambdaContext], dict[str, list]]:
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, list]:
        return handle_export_batch(family, event, context)

    return handler
