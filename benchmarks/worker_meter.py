"""Measuring the export workers inside the local stack: their CPU and duration, the AWS requests
they make (and those the rest of the service makes), DynamoDB's request units and SQS's billed
requests (``aws_cost.py``), and, when asked, a cProfile of their invocations.

Requests are counted at the botocore client and attributed to the thread that made them: a
worker invocation (or the worker's own small thread pool, services/export/parallel.py), the
rest of the service (the API's push and Sync now, the tick, the event source's polling), or the
benchmark's main thread (its own look at the statuses and queues: not the service's, not counted).
"""

from __future__ import annotations

import cProfile
import io
import math
import pstats
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from aws_cost import SQS_BILLED_OPERATIONS, CapacityMeter, Usage, sqs_billed_requests

WORKER, SERVICE = "worker", "service"


@dataclass
class Meter:
    worker_cpu_seconds: float = 0.0
    worker_billed_seconds: float = 0.0
    worker_invocations: int = 0
    requests: dict[str, Counter] = field(default_factory=lambda: {WORKER: Counter(), SERVICE: Counter()})
    operations: Counter = field(default_factory=Counter)  # the worker's, e.g. "dynamodb UpdateItem"
    read_units: Counter = field(default_factory=Counter)  # by WORKER / SERVICE
    write_units: Counter = field(default_factory=Counter)
    sqs_billed: int = 0
    profile: pstats.Stats | None = None
    profiling: bool = False
    capacity: CapacityMeter = field(default_factory=CapacityMeter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        """Start counting afresh (after the push: the export is what is measured)."""
        with self.lock:
            self.worker_cpu_seconds = self.worker_billed_seconds = 0.0
            self.worker_invocations = self.sqs_billed = 0
            for counter in (*self.requests.values(), self.operations, self.read_units, self.write_units):
                counter.clear()
            self.profile = None

    def usage(self, records: int) -> Usage:
        return Usage(
            records=records,
            worker_invocations=self.worker_invocations,
            worker_cpu_seconds=self.worker_cpu_seconds,
            worker_billed_seconds=self.worker_billed_seconds,
            worker_read_units=self.read_units[WORKER],
            worker_write_units=self.write_units[WORKER],
            service_read_units=self.read_units[SERVICE],
            service_write_units=self.write_units[SERVICE],
            sqs_requests=self.sqs_billed,
        )

    def profile_table(self, limit: int = 15) -> str:
        """The workers' top functions by own time and by cumulative time."""
        if self.profile is None:
            return "(no profile: run with --profile)"
        parts = []
        for order, title in (("tottime", "own time"), ("cumulative", "cumulative time")):
            text = io.StringIO()
            self.profile.stream = text  # type: ignore[attr-defined]
            self.profile.sort_stats(order).print_stats(limit)
            body = text.getvalue()
            start = body.find("   ncalls")  # drop pstats' preamble (file names, totals)
            parts.append(f"worker invocations, top {limit} by {title}:\n{body[start:].rstrip()}")
        return "\n\n".join(parts)


METER = Meter()
_profile_lock = threading.Lock()
_thread = threading.local()  # .in_worker: this thread is running a worker invocation


def instrument(profile: bool = False) -> None:
    """Count botocore API calls, and time (and with ``profile``, profile) the worker
    invocations. Call before the local stack imports the handlers."""
    import importlib
    import pkgutil

    import botocore.client

    import xero_sync.services.export as export_package
    import xero_sync.services.export.parallel as parallel_module
    import xero_sync.workers as workers

    METER.profiling = profile
    original_call = botocore.client.BaseClient._make_api_call

    def counted(self, operation_name, api_params):
        service = self.meta.service_model.service_name
        response = None
        try:
            response = original_call(self, operation_name, api_params)
            return response
        finally:  # a failed conditional write still costs its units
            metered(service, operation_name, api_params, response)

    original_parallel = parallel_module.in_parallel

    def measured_parallel(function, items):
        def task(item):
            if getattr(_thread, "in_worker", False):  # run inline, in the invocation's thread
                return function(item)
            with _measured(invocation=False):
                return function(item)

        return original_parallel(task, items)

    for info in pkgutil.iter_modules(export_package.__path__):  # every module that imported it
        module = importlib.import_module(f"{export_package.__name__}.{info.name}")
        if getattr(module, "in_parallel", None) is original_parallel:
            module.in_parallel = measured_parallel

    botocore.client.BaseClient._make_api_call = counted
    original_handler = workers.handle_export_batch

    def timed(family, event, context):
        with _measured(invocation=True):
            return original_handler(family, event, context)

    workers.handle_export_batch = timed  # before the runner imports functions/export_worker/app.py


class _measured:
    """CPU (and duration, for an invocation) of what runs inside, as the worker's; profiled too
    when asked. Each thread has its own profiler (cProfile follows one thread)."""

    def __init__(self, *, invocation: bool) -> None:
        self.invocation = invocation

    def __enter__(self) -> None:
        _thread.in_worker = True
        # Thread CPU time as the profiler's clock: where the worker's CPU goes, not its waits on
        # moto and the emulator (those show as the request counts and the billed duration).
        self.profiler = cProfile.Profile(time.thread_time) if METER.profiling else None
        self.wall, self.cpu = time.monotonic(), time.thread_time()
        self.meter_cpu = getattr(_thread, "meter_cpu", 0.0)
        if self.profiler is not None:
            self.profiler.enable()

    def __exit__(self, *exc_info: object) -> None:
        if self.profiler is not None:
            self.profiler.disable()
        metering = getattr(_thread, "meter_cpu", 0.0) - self.meter_cpu
        cpu, wall = time.thread_time() - self.cpu - metering, time.monotonic() - self.wall
        _thread.in_worker = False
        with METER.lock:
            METER.worker_cpu_seconds += cpu
            if self.invocation:
                METER.worker_invocations += 1
                METER.worker_billed_seconds += math.ceil(wall * 1000) / 1000  # Lambda bills whole ms
        if self.profiler is not None:  # (slow: under a lock of its own, not the counters')
            with _profile_lock:
                if METER.profile is None:
                    METER.profile = pstats.Stats(self.profiler)
                else:
                    METER.profile.add(self.profiler)


def metered(service: str, operation: str, params: dict, response: dict | None) -> None:
    """Count a request. The meter's own sums (item sizes for the request units: ~6 % of a
    worker's profiled CPU) are not the worker's: the CPU they take is kept apart, and
    ``_measured`` takes it off the invocation's."""
    started = time.thread_time()
    _count(service, operation, params, response)
    _thread.meter_cpu = getattr(_thread, "meter_cpu", 0.0) + time.thread_time() - started


def _count(service: str, operation: str, params: dict, response: dict | None) -> None:
    if getattr(_thread, "in_worker", False):
        group = WORKER
    elif threading.current_thread() is threading.main_thread():
        return  # the benchmark's own look at statuses and queues
    else:
        group = SERVICE
    units = METER.capacity.count(operation, params, response) if service == "dynamodb" else None
    billed = (
        sqs_billed_requests(operation, params, response)
        if service == "sqs" and operation in SQS_BILLED_OPERATIONS and _not_an_empty_receive(operation, response)
        else 0
    )
    with METER.lock:
        METER.requests[group][service] += 1
        if group == WORKER:
            table = params.get("TableName", "").rsplit("-", 1)[-1]  # bench-batched-RecordsTable → RecordsTable
            METER.operations[f"{service} {operation} {table}".rstrip()] += 1
        if units is not None:
            METER.read_units[group] += units.read
            METER.write_units[group] += units.write
        METER.sqs_billed += billed


def _not_an_empty_receive(operation: str, response: dict | None) -> bool:
    return operation != "ReceiveMessage" or bool((response or {}).get("Messages"))
