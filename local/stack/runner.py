"""The local runner: calls the handlers template.yaml declares, the way Lambda would.

Everything it knows comes from the template, so a function added there (with its HttpApi, SQS
or Schedule events) is picked up without touching this file:

- handlers are imported from ``CodeUri`` + ``Handler`` under a dotted name relative to the
  repository (``functions/api/`` + ``app.lambda_handler`` -> ``functions.api.app``), the same
  module object tests get with ``import functions.api.app``; the folders of the layers a function
  uses are put on ``sys.path`` (Lambda mounts them at /opt/python);
- each invocation gets a fresh JSON copy of its event (Lambda serialises events) and a Lambda
  context whose remaining time counts down from the function's ``Timeout``; the result must be
  JSON-serialisable, as in Lambda; a handler that outlives its ``Timeout`` is reported as timed
  out (its result is dropped), as Lambda would have stopped it;
- one invocation at a time per function, like one warm execution environment: module-level
  objects (Powertools' resolver and batch processor keep the current event on themselves) are
  never shared by two concurrent invocations. Different functions do run concurrently;
- HTTP requests -> ``HttpApi`` events (local/stack/http_gateway.py; every HttpApi of the
  template is served on the one local port), SQS messages -> ``SQS``
  events (local/stack/sqs_source.py), timers -> ``Schedule``/``ScheduleV2`` events and standalone
  ``AWS::Events::Rule``/``AWS::Scheduler::Schedule`` resources (local/stack/schedules.py); which
  routes, queues and schedules the template declares is read by local/stack/event_sources.py.

The environment: all handlers share this one process, so ``os.environ`` is set once, as the
union of Globals and every function's own variables (resolved). Two functions that give one
variable different values cannot both be honoured in one process, so that is an error
(``EnvironmentConflict``) rather than a silent winner; give such a setting distinct names.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3

from local.stack.event_sources import http_routes, schedule_specs, sqs_event_sources, undelivered_events
from local.stack.http_gateway import FunctionTimedOut, HttpGateway, HttpServer, RouteTable
from local.stack.lambda_context import LambdaContext
from local.stack.schedules import ScheduleSpec, ScheduleTimer, scheduled_event
from local.stack.sqs_source import DeliveryTracker, RunnerStopped, SqsEventSource, SqsPoller
from local.stack.template import (
    NO_VALUE,
    PROJECT_ROOT,
    FunctionSpec,
    Resolver,
    TemplateError,
    as_environment_value,
    logical_id_of,
)

log = logging.getLogger("local.stack.runner")


class EnvironmentConflict(TemplateError):
    """Two functions set one environment variable to different values (see module docstring)."""


@dataclass
class RunnerOptions:
    host: str = "127.0.0.1"
    port: int = 0  # 0: any free port
    # A socket already bound and listening to serve the HTTP API on (then host and port are its):
    # the local stack binds it before anything else, so that its URLs name a port nobody can take.
    listener: socket.socket | None = None
    http: bool = True  # serve the HttpApi routes
    sqs: bool = True  # poll every SQS event source in the background
    schedules: bool = False  # fire schedules on their timers (tests use fire_schedule instead)
    schedule_speedup: float = 1.0  # schedule time runs this many times faster than real time
    # Local speed-up: failed SQS messages become visible again after this many seconds instead
    # of the queue's VisibilityTimeout. None keeps SQS's behaviour.
    retry_delay_seconds: float | None = None
    # Local speed-up: wait at most this long to fill a batch instead of the event source's
    # MaximumBatchingWindowInSeconds (a demo's chain of hops pays the window at every hop).
    # None keeps Lambda's behaviour.
    max_batching_window_seconds: float | None = None
    enforce_timeouts: bool = True
    # Most invocations of one function at once, and poller threads per SQS source. 1 (the
    # default) runs each function one invocation at a time, so that a test sees one order of
    # events. More lets a function run side by side as Lambda does (the benchmarks: the backfill
    # worker has BackfillMaxConcurrency in AWS), each SQS source up to its ScalingConfig's
    # MaximumConcurrency. Side by side, invocations share one warm container (one process), where
    # Lambda gives each its own: the handlers' shared state is made for threads (locks,
    # thread-locals), but a log line's Lambda context keys may be another invocation's.
    concurrency: int = 1
    sqs_wait_seconds: int = 1  # long-poll wait of the background pollers (stop() waits this long)
    # Set after the template's variables (AWS_ENDPOINT_URL, credentials …); None unsets a name.
    extra_environment: Mapping[str, str | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, not {self.concurrency}")


@dataclass
class _Function:
    spec: FunctionSpec
    name: str  # local function name
    arn: str
    slots: threading.BoundedSemaphore  # RunnerOptions.concurrency invocations at once
    handler: Callable[[Any, Any], Any] | None = None


class Runner:
    """Runs the template's functions locally. Use as a context manager or start()/stop()."""

    def __init__(self, resolver: Resolver, *, aws_endpoint_url: str | None, options: RunnerOptions | None = None):
        self.resolver = resolver
        self.template = resolver.template
        self.options = options or RunnerOptions()
        self.aws_endpoint_url = aws_endpoint_url
        self.functions: dict[str, _Function] = {}
        for logical_id, spec in self.template.functions().items():
            physical = resolver.physical(logical_id)
            slots = threading.BoundedSemaphore(self.options.concurrency)
            self.functions[logical_id] = _Function(spec, physical.ref, physical.attributes["Arn"], slots)
        specs = self._function_specs()
        self.routes = RouteTable(http_routes(specs))
        self.sqs_sources = sqs_event_sources(
            specs, resolver, max_batching_window_seconds=self.options.max_batching_window_seconds
        )
        self.schedules = schedule_specs(specs, resolver)
        self._tracker = DeliveryTracker()
        self._saved_environment: dict[str, str | None] | None = None
        self._http: HttpServer | None = None
        self._timers: list[ScheduleTimer] = []
        self._poll_threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._pollers: list[SqsPoller] = []
        self._started = False

    # --- what the template declares ---------------------------------------------------------

    def _function_specs(self) -> dict[str, FunctionSpec]:
        return {logical_id: function.spec for logical_id, function in self.functions.items()}

    def unsupported_events(self) -> list[str]:
        """Events the runner does not deliver (``Function.Event (Type)``), reported at start."""
        return undelivered_events(self._function_specs())

    # --- environment --------------------------------------------------------------------------

    def environment(self) -> dict[str, str]:
        """The union of every function's environment (Globals merged), resolved."""
        merged: dict[str, str] = {}
        set_by: dict[str, str] = {}
        for logical_id, function in self.functions.items():
            for name, raw in function.spec.environment.items():
                value = self.resolver.resolve(raw)
                if value is NO_VALUE:
                    continue
                value = as_environment_value(value)
                if name in merged and merged[name] != value:
                    # Values are left out of the message on purpose: never print settings.
                    raise EnvironmentConflict(
                        f"{name} differs between {set_by[name]} and {logical_id}; all handlers share "
                        "one process locally, so one variable can have only one value. Use distinct names."
                    )
                merged[name] = value
                set_by.setdefault(name, logical_id)
        return merged

    def _apply_environment(self) -> None:
        wanted: dict[str, str | None] = {**self.environment(), **self.options.extra_environment}
        self._saved_environment = {name: os.environ.get(name) for name in wanted}
        for name, value in wanted.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    def _restore_environment(self) -> None:
        for name, value in (self._saved_environment or {}).items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_environment = None

    # --- handlers -----------------------------------------------------------------------------

    def _layer_dirs(self, spec: FunctionSpec) -> list[Path]:
        dirs: list[Path] = []
        for layer in spec.layers:
            layer_id = logical_id_of(layer)
            resource = self.template.resources.get(layer_id or "", {})
            if resource.get("Type") == "AWS::Serverless::LayerVersion":
                content = resource.get("Properties", {}).get("ContentUri")
                if isinstance(content, str):
                    dirs.append((self.template.dir / content).resolve())
        return dirs

    def handler(self, function_logical_id: str) -> Callable[[Any, Any], Any]:
        """The handler callable of a function, imported on first use."""
        function = self._function(function_logical_id)
        if function.handler is None:
            for layer_dir in self._layer_dirs(function.spec):
                if str(layer_dir) not in sys.path:
                    sys.path.append(str(layer_dir))
            module = _import_handler_module(function.spec.handler_file)
            handler = getattr(module, function.spec.handler_function, None)
            if not callable(handler):
                raise TemplateError(
                    f"{function_logical_id}: {function.spec.handler_file} has no function "
                    f"{function.spec.handler_function}"
                )
            function.handler = handler
        return function.handler

    def _function(self, logical_id: str) -> _Function:
        if logical_id not in self.functions:
            raise KeyError(f"no function {logical_id!r} in the template; there are: {', '.join(self.functions)}")
        return self.functions[logical_id]

    # --- invocation ---------------------------------------------------------------------------

    def invoke(self, function_logical_id: str, event: Any) -> Any:
        """Invoke a function synchronously with ``event`` and return its result (or raise what
        the handler raised; ``FunctionTimedOut`` when it outlived its Timeout)."""
        if not self._started:
            raise RunnerStopped("start the runner first (it sets up the functions' environment)")
        function = self._function(function_logical_id)
        handler = self.handler(function_logical_id)
        event_copy = json.loads(json.dumps(event))  # what Lambda's JSON serialisation does
        spec = function.spec
        with function.slots:
            context = LambdaContext(
                function_name=function.name,
                memory_limit_in_mb=spec.memory_mb,
                invoked_function_arn=function.arn,
                timeout_seconds=spec.timeout_seconds,
            )
            started = time.monotonic()
            try:
                result = handler(event_copy, context)
            finally:
                elapsed = time.monotonic() - started
                log.debug("%s %s %.0f ms", function_logical_id, context.aws_request_id, elapsed * 1000)
        if self.options.enforce_timeouts and elapsed > spec.timeout_seconds:
            raise FunctionTimedOut(f"{function_logical_id}: Task timed out after {spec.timeout_seconds} seconds")
        try:
            return json.loads(json.dumps(result))
        except (TypeError, ValueError) as error:
            raise TypeError(f"{function_logical_id} returned a result that is not JSON: {error}") from None

    def fire_schedule(self, function_logical_id: str, event_name: str | None = None) -> Any:
        """Invoke a function as its schedule would, now, and return the result."""
        matching = [
            schedule
            for schedule in self.schedules
            if schedule.function == function_logical_id and (event_name is None or schedule.name == event_name)
        ]
        if not matching:
            raise KeyError(f"{function_logical_id} has no schedule{f' named {event_name}' if event_name else ''}")
        if len(matching) > 1:
            raise KeyError(f"{function_logical_id} has several schedules; name one of: {[s.name for s in matching]}")
        return self._fire(matching[0], datetime.now(UTC))

    def _fire(self, schedule: ScheduleSpec, at: datetime) -> Any:
        event = scheduled_event(schedule, at, account_id=self.resolver.account_id, region=self.resolver.region)
        log.info("schedule %s.%s (%s) fires", schedule.function, schedule.name, schedule.expression)
        return self.invoke(schedule.function, event)

    def drain(self, timeout: float = 30.0) -> None:
        """Deliver SQS messages until every source queue is empty (no visible, in-flight or
        delayed message) and no delivery is in progress. Raises TimeoutError after ``timeout``
        seconds, naming the queues that still hold messages. Messages that keep failing stay
        in flight until their visibility timeout, then return (or go to the DLQ)."""
        deadline = time.monotonic() + timeout
        while True:
            delivered = sum(poller.poll_once(wait_seconds=0) for poller in self._pollers)
            if delivered:
                continue
            if self._idle_and_empty():
                return
            if time.monotonic() > deadline:
                waiting = {
                    poller.source.queue_logical_id: poller.queue_depth()
                    for poller in self._pollers
                    if any(poller.queue_depth().values())
                }
                raise TimeoutError(f"SQS not drained after {timeout} s: {waiting}")
            time.sleep(0.05)

    def _idle_and_empty(self) -> bool:
        epoch, busy = self._tracker.snapshot()
        if busy:
            return False
        if any(any(poller.queue_depth().values()) for poller in self._pollers):
            return False
        return self._tracker.snapshot() == (epoch, 0)

    # --- life cycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._http is None:
            raise RuntimeError("the HTTP API is not running (RunnerOptions.http=False or not started)")
        return self._http.url

    def start(self) -> Runner:
        if self._started:
            return self
        for description in self.unsupported_events():
            log.warning("the local runner does not deliver %s events", description)
        self._apply_environment()
        self._started = True
        try:
            for logical_id in self.functions:
                self.handler(logical_id)  # import now: a broken handler fails the start, loudly
            sqs = _sqs_client(self.resolver.region, self.aws_endpoint_url)
            self._pollers = [
                SqsPoller(
                    source,
                    sqs,
                    self.invoke,
                    region=self.resolver.region,
                    tracker=self._tracker,
                    retry_delay_seconds=self.options.retry_delay_seconds,
                )
                for source in self.sqs_sources
                if source.enabled
            ]
            if self.options.http:
                self._http = HttpServer(
                    HttpGateway(self.routes, self.invoke, account_id=self.resolver.account_id),
                    self.options.host,
                    self.options.port,
                    listener=self.options.listener,
                )
                self._http.start()
            if self.options.sqs:
                for poller in self._pollers:
                    for _ in range(self._pollers_per_source(poller.source)):
                        thread = threading.Thread(
                            target=self._poll_forever,
                            args=(poller, self._stopping),
                            name=f"sqs-{poller.source.function}",
                            daemon=True,
                        )
                        thread.start()
                        self._poll_threads.append(thread)
            if self.options.schedules:
                for schedule in self.schedules:
                    if schedule.enabled:
                        timer = ScheduleTimer(schedule, self._fire, speedup=self.options.schedule_speedup)
                        timer.start()
                        self._timers.append(timer)
        except BaseException:
            self.stop()
            raise
        return self

    def _pollers_per_source(self, source: SqsEventSource) -> int:
        """Lambda polls a queue with as many pollers as the function's concurrency allows, at
        most the event source's MaximumConcurrency."""
        return min(self.options.concurrency, source.max_concurrency or self.options.concurrency)

    def _poll_forever(self, poller: SqsPoller, stopping: threading.Event) -> None:
        """Poll until ``stopping`` (this start's event: a poller that outlives ``stop``'s join,
        in a long invocation, must not take a later start's fresh event for "keep polling")."""
        while not stopping.is_set():
            try:
                poller.poll_once(wait_seconds=self.options.sqs_wait_seconds)
            except Exception:
                if stopping.is_set():
                    return
                log.exception("polling %s failed; retrying in a second", poller.source.queue_logical_id)
                stopping.wait(1)

    def stop(self) -> None:
        self._stopping.set()
        for timer in self._timers:
            timer.stop()
        if self._http is not None:
            self._http.stop()
        for thread in self._poll_threads:
            thread.join(timeout=self.options.sqs_wait_seconds + 5)
        self._timers, self._poll_threads, self._http = [], [], None
        if self._started:
            self._restore_environment()
        self._started = False
        self._stopping = threading.Event()

    def __enter__(self) -> Runner:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _sqs_client(region: str, endpoint_url: str | None) -> Any:
    """The runner's own SQS client. Against a local endpoint (moto) any credentials do, so
    dummy ones are given rather than whatever the developer's machine has configured."""
    if endpoint_url:
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region
        )
    else:
        session = boto3.session.Session(region_name=region)
    return session.client("sqs", endpoint_url=endpoint_url)


def module_name_for(path: Path) -> str:
    """``functions/api/app.py`` -> ``functions.api.app`` (relative to the repository root)."""
    path = path.resolve()
    try:
        relative = path.relative_to(PROJECT_ROOT)
    except ValueError:
        relative = Path(*path.parts[-3:])
    return ".".join(relative.with_suffix("").parts)


def _import_handler_module(path: Path) -> ModuleType:
    if not path.is_file():
        raise TemplateError(f"handler file {path} does not exist")
    name = module_name_for(path)
    if name not in sys.modules and _importable_as(name, path):
        # The usual case: functions/ is importable from the repository root, so import it the
        # normal way (parent packages included), as `import functions.api.app` in a test would.
        return importlib.import_module(name)
    existing = sys.modules.get(name)
    if existing is not None:
        existing_file = getattr(existing, "__file__", None)
        if existing_file and Path(existing_file).resolve() == path.resolve():
            return existing
        raise TemplateError(f"module name {name} is taken by {existing_file}; cannot import {path}")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise TemplateError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _importable_as(name: str, path: Path) -> bool:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return False
    return spec is not None and spec.origin is not None and Path(spec.origin).resolve() == path.resolve()
