"""The export worker: host records → Xero, exactly once (see worker.py for the steps)."""
