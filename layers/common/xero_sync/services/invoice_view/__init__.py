"""The read view of a contact's Xero invoices (F5, seed 003).

* ``documents.py`` — a linked Xero contact's documents read through the cache table (TTL,
  webhook invalidation, stale-but-served), and the webhook listener;
* ``contacts.py`` — which Xero contact a host contact is, and the host's explicit links;
* ``service.py`` — the list (views, search, dates, paging), the totals and the pins;
* ``views.py`` — documents and totals as the host API shows them.
"""

from xero_sync.services.invoice_view.contacts import ContactLinksService
from xero_sync.services.invoice_view.documents import ContactDocuments, InvoiceCacheListener
from xero_sync.services.invoice_view.service import InvoiceViewService, OrgFactsLoader, list_query

__all__ = [
    "ContactDocuments",
    "ContactLinksService",
    "InvoiceCacheListener",
    "InvoiceViewService",
    "OrgFactsLoader",
    "list_query",
]
