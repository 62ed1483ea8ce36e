"""A faithful local Xero: OAuth 2.0 identity, connections, the Accounting API (through the accounting
engine in ``accounting/``), Xero's rate limits, idempotency keys, webhooks and fault injection, on
one HTTP origin, plus a control plane under ``/_emulator/``. See README.md beside this file.

    from local.xero_emulator import EmulatorOptions, start_in_thread
    emu = start_in_thread(EmulatorOptions(port=0, auto_consent=True))
    ...  # point XERO_LOGIN_URL, XERO_IDENTITY_URL and XERO_API_URL at emu.base_url
    emu.stop()
"""

from .clock import Clock
from .options import EmulatorOptions
from .server import EmulatorServer, create_app, start_in_thread
from .state import EmulatorState

__all__ = ["Clock", "EmulatorOptions", "EmulatorServer", "EmulatorState", "create_app", "start_in_thread"]
