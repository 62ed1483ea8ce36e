"""The console function's services: every page reads them through here, so they are built with
the console's own settings (``ConsoleSettings``), checked when the handler starts."""

from __future__ import annotations

from xero_sync.settings.console import ConsoleSettings
from xero_sync.wiring import Container, container


def services() -> Container:
    return container(ConsoleSettings)
