"""Each handler imports only what it runs (SPEC N6, issue 13): the service's areas a handler
module loads when Lambda imports it, checked on ``sys.modules`` in a fresh interpreter laid out
as Lambda lays it out (the function's folder and the layer on the path). Never timed: the
benchmark (``./scripts/bench cold-start``) measures; this only says what is loaded.

The handlers come from template.yaml, as the benchmark reads it (one per code folder: the export
workers share theirs). A new function fails ``test_every_handler_has_its_rule`` until it is
given its line below.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys

import pytest

from benchmarks.cold_start import LAYER, Handler, handlers, lambda_environment
from xero_sync.http.app import RESOURCES

# Areas of xero_sync (a module, or a package with everything under it) that some function runs
# and others must not load at import.
EXPORT = ("services.export", "workers")
NOTIFICATIONS = ("services.notifications", "aws.ses")
EMAIL_SENDING = tuple(f"services.notifications.{part}" for part in ("core", "producer", "delivery", "service"))
IMPORTS = ("services.imports", "services.host_webhooks", "services.host_delivery", "outbound")
READ_VIEW = ("services.invoice_view",)
XERO_CLIENT = ("xero.client", "xero.tokens", "xero.identity", "xero.governor")
HTTP_API = ("http.app", "http.routes", "http.auth")
CONSOLE = ("console",)
# The host API's resources (their routes, models and services): each loaded by the first request
# for it, never at import (http/app.py); and the OpenAPI document's corrections, with the export's
# models they name, by the first request for the document.
API_RESOURCES = (*(f"http.{name}" for name in RESOURCES), "http.openapi", "models.api_export")
EVERYTHING = EXPORT + NOTIFICATIONS + IMPORTS + READ_VIEW + XERO_CLIENT + HTTP_API + CONSOLE

# code folder -> what its handler module may not load at import. A service is built (and its code
# imported) on first use by xero_sync.wiring, so even a function's own service is not loaded at
# import; the Api and the console load their resources and pages on first use.
NOT_AT_IMPORT: dict[str, tuple[str, ...]] = {
    # The host API: neither the export worker (copy-to-Xero builds it on use) nor the notifier,
    # nor the read view's service and the Xero client (built on the first request that needs them).
    "api": EXPORT + NOTIFICATIONS + IMPORTS + READ_VIEW + XERO_CLIENT + CONSOLE + API_RESOURCES,
    # The console renders with the emails' wording (services.notifications.rendering) only: the
    # producer, the delivery side, the sending side (aws.ses) and the rest stay out.
    # Its pages are loaded by the first request for each (console/app.py), and with them the org
    # settings' and the records' models (the language's three words are models/language.py).
    "console": (
        *EXPORT,
        *EMAIL_SENDING,
        "aws.ses",
        *IMPORTS,
        *READ_VIEW,
        *XERO_CLIENT,
        *HTTP_API,
        "console.pages",
        "models.org_config",
        "models.records",
        "models.notifications",
    ),
    "export_worker": ("services.export", *NOTIFICATIONS, *IMPORTS, *READ_VIEW, *XERO_CLIENT, *HTTP_API, *CONSOLE),
    "host_webhooks": EVERYTHING,
    "import_worker": EVERYTHING,
    "inactivity_checker": EVERYTHING,
    "inventory_journal": EVERYTHING,
    "notifier": EVERYTHING,
    # Its error page (http.catch_all) only, not the API's resolver.
    "oauth_callback": EVERYTHING,
    "reprocess": EVERYTHING,
    "sync_tick": EVERYTHING,
    "xero_webhook": EVERYTHING,
}


def _probe(handler: Handler, code: str, *, in_lambda: bool = False) -> str:
    """The last line ``code`` prints in a fresh interpreter laid out as Lambda lays out the
    handler's function; ``in_lambda``: with Lambda's environment too (the Tracer on and patching
    at import, as ``Tracing: Active`` has it), as the cold-start benchmark runs it."""
    if in_lambda:
        environment = lambda_environment(handler.folder, handler.function)
    else:
        environment = {
            **os.environ,
            "PYTHONPATH": f"{handler.folder}{os.pathsep}{LAYER}",
            "AWS_REGION": "us-east-1",
            "POWERTOOLS_TRACE_DISABLED": "true",
        }
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=handler.folder, env=environment, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.strip().splitlines()[-1]


def _modules(handler: Handler, *, in_lambda: bool = False) -> list[str]:
    """Every module that importing the handler module loads."""
    code = f"import json, sys, {handler.module}; print(json.dumps(sorted(sys.modules)))"
    return json.loads(_probe(handler, code, in_lambda=in_lambda))


def _loaded(handler: Handler) -> list[str]:
    """The xero_sync modules (below xero_sync) that importing the handler module loads."""
    return [name.removeprefix("xero_sync.") for name in _modules(handler) if name.startswith("xero_sync.")]


# Libraries no handler needs at import, whose import alone costs a cold start: asyncio (~20 ms:
# wrapt 2.x and pydantic-settings imported it), pydantic-settings and python-dotenv (the settings
# read plain variables), sqlite3 and the database drivers' hooks (the Tracer patches only what the
# service calls through), requests (~20 ms: the functions that call Xero load it with their first
# HTTP session, xero_sync.observability.traced_http_session).
NEVER_AT_IMPORT = ("asyncio", "pydantic_settings", "dotenv", "sqlite3", "aws_xray_sdk.ext.sqlite3", "requests")
# ... except asyncio where a Powertools package the handler uses imports it in its __init__: the
# event handler (the Api's and the console's routes) and batch processing (the notifier's and the
# host webhook deliverer's SQS batches).
ASYNCIO_FROM_POWERTOOLS = {"api", "console", "host_webhooks", "notifier"}


def _within(module: str, area: str) -> bool:
    return module == area or module.startswith(area + ".")


def test_every_handler_has_its_rule():
    assert sorted(handler.folder.name for handler in handlers()) == sorted(NOT_AT_IMPORT)


@pytest.mark.parametrize("handler", handlers(), ids=lambda handler: handler.folder.name)
def test_a_handler_module_loads_no_code_it_does_not_run_at_import(handler):
    loaded = _loaded(handler)
    assert any(_within(module, "observability") for module in loaded), "the Logger/Tracer/Metrics are set up"
    forbidden = NOT_AT_IMPORT[handler.folder.name]
    wrong = sorted(module for module in loaded if any(_within(module, area) for area in forbidden))
    assert wrong == [], f"{handler.function} ({handler.folder.name}/app.py) loads at import: {', '.join(wrong)}"


@pytest.mark.parametrize("handler", handlers(), ids=lambda handler: handler.folder.name)
def test_a_handler_defines_its_own_settings_class_only(handler):
    # Each function's settings are a module named after its folder (xero_sync/settings/).
    own = [module for module in _loaded(handler) if module.startswith("settings.")]
    assert own == [f"settings.{handler.folder.name}"]


@pytest.mark.parametrize("handler", handlers(), ids=lambda handler: handler.folder.name)
def test_a_handler_loads_none_of_the_libraries_no_function_needs(handler):
    loaded = _modules(handler, in_lambda=True)
    assert "aws_xray_sdk.ext.botocore.patch" in loaded, "the Tracer patches botocore, as in Lambda"
    never = [
        lib for lib in NEVER_AT_IMPORT if not (lib == "asyncio" and handler.folder.name in ASYNCIO_FROM_POWERTOOLS)
    ]
    wrong = sorted(name for name in loaded if any(_within(name, library) for library in never))
    assert wrong == [], f"{handler.function} ({handler.folder.name}/app.py) loads at import: {', '.join(wrong)}"


@pytest.mark.parametrize("handler", handlers(), ids=lambda handler: handler.folder.name)
def test_a_handler_imports_with_the_garbage_collector_paused_and_leaves_it_running(handler):
    # The pause must come before every other import (xero_sync/cold_start.py), and end with them
    module = ast.parse((handler.folder / "app.py").read_text())
    statements = [s for s in module.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    first, last = statements[0], statements[-1]
    assert isinstance(first, ast.ImportFrom) and (first.module, first.names[0].name) == ("xero_sync", "cold_start")
    assert ast.unparse(last) == "cold_start.imported()"
    state = _probe(handler, f"import gc, {handler.module}; print(gc.isenabled(), gc.get_freeze_count() > 0)")
    assert state == "True True"  # collecting again, the imports frozen
