"""Admin emails (F6.2, F6.3, F1.4, F6.1): the failure digest, needs-reauth, the inactivity
warning and the disconnect notice — queued by whoever notices, sent by the notifier function.

* ``producer.py`` — deciding an email is due and queueing it (the export worker, the inactivity
  checker): digest windows, the once-per-episode reconnect email, the inactivity emails;
* ``delivery.py`` — the notifier's side: one queued message → at most one email, recorded;
* ``rendering.py`` — the Jinja2 templates (``xero_sync/templates/<lang>/``) → subject, text, HTML;
* ``core.py`` — what both ends share: the org's ``notify#…`` items and the links into the host;
* ``service.py`` — :class:`NotificationService`, the producer plus ``deliver()``, as wired.

The SQS queue, SES mailer and idempotency guard behind them are ports (services/ports.py)
with their adapters in ``aws/``. Import each from its module: this package's ``__init__`` imports
nothing, so a function that renders only (the console: ``rendering.py``) loads neither the
producer nor the delivery side (cold start, N6).
"""
