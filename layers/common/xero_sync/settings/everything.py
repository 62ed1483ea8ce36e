"""``Settings``: every function's settings at once, for the local stack (every function in one
process), the operator's tools and the tests; no Lambda reads it."""

from __future__ import annotations

from xero_sync.settings.api import ApiSettings
from xero_sync.settings.console import ConsoleSettings
from xero_sync.settings.export_worker import ExportWorkerSettings
from xero_sync.settings.host_webhooks import HostWebhookSettings
from xero_sync.settings.import_worker import ImportWorkerSettings
from xero_sync.settings.inactivity_checker import InactivitySettings
from xero_sync.settings.inventory_journal import InventoryJournalSettings
from xero_sync.settings.notifier import NotifierSettings
from xero_sync.settings.oauth_callback import OAuthCallbackSettings
from xero_sync.settings.reprocess import ReprocessSettings
from xero_sync.settings.sync_tick import SyncTickSettings
from xero_sync.settings.xero_webhook import XeroWebhookSettings


class Settings(
    ApiSettings,
    OAuthCallbackSettings,
    SyncTickSettings,
    InventoryJournalSettings,
    ExportWorkerSettings,
    InactivitySettings,
    NotifierSettings,
    ReprocessSettings,
    ConsoleSettings,
    XeroWebhookSettings,
    ImportWorkerSettings,
    HostWebhookSettings,
):
    """Everything at once: for the local stack (every function in one process), the operator's
    tools and the tests. Each Lambda reads only its own family's class."""
