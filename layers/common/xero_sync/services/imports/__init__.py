"""Xero → host (F4): the webhook receiver, the import worker, the export's no-echo record, and
starting imports (on connect, on the tick, on request)."""
