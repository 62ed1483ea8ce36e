"""The HTTP server: one Flask app serving login, identity, connections, the Accounting API and the
control plane on one origin, run by Werkzeug's threaded server (one thread per request, so the
concurrent-call limit and slow faults behave as they would against Xero).

    emu = start_in_thread(EmulatorOptions(port=0))   # in-process, on a free port
    emu.base_url ; emu.state ; emu.clock ; emu.stop()
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.serving import BaseWSGIServer, make_server

from . import control, control_books, identity, pipeline
from .clock import Clock
from .options import EmulatorOptions
from .state import EmulatorState
from .wire import iso_utc


def create_app(state: EmulatorState) -> Flask:
    app = Flask("xero_emulator")
    app.config["EMULATOR_STATE"] = state
    app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024  # pipeline enforces Xero's 3.5 MB itself
    app.url_map.strict_slashes = False
    app.register_blueprint(identity.blueprint)
    app.register_blueprint(pipeline.blueprint)
    app.register_blueprint(control.blueprint)
    app.register_blueprint(control_books.blueprint)

    @app.before_request
    def _start() -> None:
        g.correlation_id = str(uuid.uuid4())
        if not request.path.startswith("/_emulator/"):
            # Every request to a Xero path is logged (GET /_emulator/requests); the pipeline adds
            # what it learns (tenant, client, idempotency key, how it was treated).
            g.log_entry = state.request_log.start(
                request.method, request.path, request.args.to_dict(flat=True), iso_utc(state.clock.now())
            )
            g.log_entry.correlation_id = g.correlation_id

    @app.after_request
    def _finish(response: Response) -> Response:
        # Xero-Correlation-Id on every response (xero-facts §7: Xero support asks for it).
        response.headers["Xero-Correlation-Id"] = getattr(g, "correlation_id", str(uuid.uuid4()))
        entry = getattr(g, "log_entry", None)
        if entry is not None:
            entry.status = response.status_code
        recorder = state.response_recorder
        if recorder is not None and not request.path.startswith("/_emulator/"):
            recorder(
                {
                    "method": request.method,
                    "path": request.path,
                    "query": request.query_string.decode("latin-1"),
                    "request_headers": {
                        k.lower(): v for k, v in request.headers.items() if k.lower() != "authorization"
                    },
                    "status": response.status_code,
                    "content_type": response.content_type,
                    "headers": dict(response.headers),
                    "body": response.get_data(),
                }
            )
        return response

    return app


class _DropConnectionMiddleware:
    """Turns the pipeline's "drop this connection" flag into a real TCP close: the socket is
    shut down before any byte of the response is written, and Werkzeug is told the connection
    dropped (it then writes nothing and logs nothing)."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self._app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        result = self._app(environ, start_response)
        if environ.get(pipeline.DROP_CONNECTION):
            if hasattr(result, "close"):
                result.close()
            sock = environ.get("werkzeug.socket")
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            raise ConnectionResetError("xero emulator: connection dropped after commit (fault injection)")
        return result


class EmulatorServer:
    """A running emulator: ``base_url``, ``state``, ``clock``, ``stop()``."""

    def __init__(self, state: EmulatorState, server: BaseWSGIServer, thread: threading.Thread, startup_seconds: float):
        self.state = state
        self.clock: Clock = state.clock
        self._server = server
        self._thread = thread
        self.startup_seconds = startup_seconds

    @property
    def base_url(self) -> str:
        return self.state.base_url

    @property
    def port(self) -> int:
        return self._server.server_port

    def reset(self) -> None:
        self.state.reset()

    def stop(self) -> None:
        self.state.webhooks.stop()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> EmulatorServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def build_server(options: EmulatorOptions, clock: Clock | None = None) -> tuple[EmulatorState, BaseWSGIServer]:
    """Create the state and bind the threaded server (not yet serving)."""
    state = EmulatorState(options, clock)
    app = create_app(state)
    app.wsgi_app = _DropConnectionMiddleware(app.wsgi_app)  # type: ignore[method-assign]
    if not options.log_requests:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server(options.host, options.port, app, threaded=True)
    state.set_base_url(f"http://{options.host}:{server.server_port}")
    return state, server


def start_in_thread(options: EmulatorOptions | None = None, clock: Clock | None = None) -> EmulatorServer:
    """Start the emulator in a background thread and return once it accepts connections.

    ``clock`` replaces the clock built from ``options.start_time`` / ``options.time_scale``.
    """
    started = time.perf_counter()
    state, server = build_server(options or EmulatorOptions(), clock)
    thread = threading.Thread(target=server.serve_forever, name="xero-emulator-http", daemon=True)
    thread.start()
    state.webhooks.start()
    return EmulatorServer(state, server, thread, time.perf_counter() - started)
