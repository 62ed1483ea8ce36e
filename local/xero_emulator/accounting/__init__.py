"""The emulator's accounting engine: Xero's Accounting API entities and rules, in memory.

The platform (local/xero_emulator/*.py) calls ``Books.handle`` with an already authenticated
``AccountingRequest`` (interfaces.py) and sends back the ``AccountingResponse``. The engine is
pure Python and has no clock of its own. See docs in books.py and the xero-facts sections cited
in each module.
"""

from .books import Books
from .seed import seed_demo_company

__all__ = ["Books", "seed_demo_company"]
