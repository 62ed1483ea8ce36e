"""Cold start (N6): the functions that only *queue* admin emails — the export workers, the
inactivity checker, the API — never import the notifier's side (rendering, Jinja2, the SES
adapter, Powertools idempotency). Checked in a fresh interpreter, since this test session has
imported everything already."""

from __future__ import annotations

import json
import os
import subprocess
import sys

NOTIFIER_ONLY = (
    "jinja2",
    "xero_sync.services.notifications.delivery",
    "xero_sync.services.notifications.rendering",
    "xero_sync.aws.ses",
    "xero_sync.aws.idempotency",
    "aws_lambda_powertools.utilities.idempotency",
)

PRODUCER_RUN = """
import json, sys
from datetime import date

import functions.api.app
import functions.export_worker.app
import functions.inactivity_checker.app
import xero_sync.services.export.worker
import xero_sync.services.inactivity
from tests.unit.lifecycle.lifecycle_fakes import World
from xero_sync.domain.connection import ConnectionStatus

world = World()
service = world.service()
now = world.clock()
world.connections.add("org-a", status=ConnectionStatus.NEEDS_REAUTH)
opened = service.failure_recorded("org-a", now)
reauth = service.needs_reauth("org-a", now)
service.inactivity_warning("org-a", last_activity_at=now, disconnect_on=date(2031, 1, 1))
service.disconnected_inactive("org-a", last_activity_at=now, disconnected_at=now, tenant_name=None, warnings=[])
print(json.dumps({"queued": len(world.queue.sent), "opened": opened, "reauth": reauth, "modules": sorted(sys.modules)}))
"""


def run_fresh(code: str) -> dict:
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
    command = [sys.executable, "-c", code]
    done = subprocess.run(command, check=False, capture_output=True, text=True, env=environment, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_queueing_every_kind_of_email_imports_nothing_of_the_notifier():
    # Given a fresh interpreter with the producer functions' handlers imported
    # When a failure, a rejected token and both inactivity emails are queued
    answer = run_fresh(PRODUCER_RUN)

    # Then all four messages are queued …
    assert (answer["queued"], answer["opened"], answer["reauth"]) == (4, True, True)
    # … and nothing that only the notifier needs was imported
    loaded = [name for name in answer["modules"] if name.startswith(NOTIFIER_ONLY)]
    assert loaded == []
