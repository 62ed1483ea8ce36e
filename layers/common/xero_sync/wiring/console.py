"""The integration console's builders (F8): console links and sessions, the invoices panel.
Part of the one :class:`~xero_sync.wiring.Container`; the stubs say what it takes from the rest."""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar

from xero_sync.clock import Clock
from xero_sync.dal.console_sessions import ConsoleSessionRepository
from xero_sync.settings import ConsoleSessionSettings, CoreSettings

if TYPE_CHECKING:
    from xero_sync.console.contact_invoices import ContactInvoices
    from xero_sync.services.console_sessions import ConsoleSessionService
    from xero_sync.services.invoice_view import InvoiceViewService

K = TypeVar("K", bound=CoreSettings)


class ConsoleBuilders:
    if TYPE_CHECKING:  # built by the Container
        clock: Clock

        def settings_for(self, kind: type[K]) -> K: ...
        def return_origins(self, org_id: str) -> frozenset[str]: ...
        @property
        def invoice_view(self) -> InvoiceViewService: ...

    @functools.cached_property
    def console_session_store(self) -> ConsoleSessionRepository:
        return ConsoleSessionRepository()

    @functools.cached_property
    def console_sessions(self) -> ConsoleSessionService:
        from xero_sync.services.console_sessions import ConsoleSessionService

        settings = self.settings_for(ConsoleSessionSettings)
        return ConsoleSessionService(
            store=self.console_session_store,
            return_origins=self.return_origins,
            clock=self.clock,
            link_ttl=timedelta(seconds=settings.console_link_ttl_seconds),
            idle=timedelta(minutes=settings.console_idle_minutes),
            lifetime=timedelta(hours=settings.console_max_hours),
        )

    @functools.cached_property
    def contact_invoices(self) -> ContactInvoices:
        """The invoices of a host contact, read from Xero (F5), for the console's invoices panel:
        the read view's service, as the host API's routes use it."""
        from xero_sync.console.contact_invoices import ReadViewInvoices

        return ReadViewInvoices(self.invoice_view)
