"""The per-family export workers (SPEC §1): one Lambda function per entity family, each
fed by its own SQS queue with its own DLQ. They share this code folder; template.yaml points
each function at its handler below (``Handler: app.invoices`` …), so each has its own queue,
concurrency, alarms and logs while the code exists once.

``backfill`` is the backfill queue's worker (N2): the same export for records of any family that
belong to a backfill (a first sync, a long pause), with its own concurrency, so that a backfill
never stands in front of another org's real-time export in a family queue."""

from xero_sync import cold_start  # first: the garbage collector waits while the imports below run

# isort: split
from aws_lambda_powertools.utilities.typing import LambdaContext

from xero_sync.domain.families import Family
from xero_sync.observability import logger, metrics, tracer
from xero_sync.workers import handle_export_batch


def _handler_for(family: Family | None):
    name = family.value if family is not None else "backfill"

    @logger.inject_lambda_context(clear_state=True)
    @metrics.log_metrics
    @tracer.capture_lambda_handler(capture_response=False)
    def handler(event: dict, context: LambdaContext) -> dict:
        logger.append_keys(family=name)
        return handle_export_batch(family, event, context)

    handler.__name__ = name
    return handler


contacts = _handler_for(Family.CONTACTS)
invoices = _handler_for(Family.INVOICES)
invoice_payments = _handler_for(Family.INVOICE_PAYMENTS)
credit_notes = _handler_for(Family.CREDIT_NOTES)
bills = _handler_for(Family.BILLS)
bill_payments = _handler_for(Family.BILL_PAYMENTS)
vendor_credits = _handler_for(Family.VENDOR_CREDITS)
bank_charges = _handler_for(Family.BANK_CHARGES)
items = _handler_for(Family.ITEMS)
backfill = _handler_for(None)

cold_start.imported()  # last: the code is loaded
