"""The Api function's services: every route reads them through here, so they are built with the
Api's own settings (``ApiSettings``), checked when the handler starts."""

from __future__ import annotations

from xero_sync.settings.api import ApiSettings
from xero_sync.wiring import Container, container


def services() -> Container:
    return container(ApiSettings)
