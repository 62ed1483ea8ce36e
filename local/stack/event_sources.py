"""The event sources template.yaml declares, read into what the local runner delivers.

Each function's ``Events`` become:

- ``HttpApi`` events -> HTTP routes (``Route``, served by local/stack/http_gateway.py);
- ``SQS`` events -> SQS event sources (``SqsEventSource``, polled by local/stack/sqs_source.py);
- ``Schedule``/``ScheduleV2`` events, and the standalone ``AWS::Events::Rule`` and
  ``AWS::Scheduler::Schedule`` resources that target a function -> schedules (``ScheduleSpec``,
  fired by local/stack/schedules.py).

Any other event type is not delivered locally; ``undelivered_events`` names them so that the
runner can say so at start. A declaration the runner cannot honour (a payload format other than
2.0, a queue outside the template, a schedule expression it cannot run) is a ``TemplateError``
here, when the runner is built, rather than a surprise on the first event.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from local.stack.http_gateway import Route
from local.stack.schedules import Expression, ScheduleSpec
from local.stack.sqs_source import SqsEventSource
from local.stack.template import NO_VALUE, FunctionSpec, Resolver, TemplateError, logical_id_of

# The event types the local runner delivers; see undelivered_events for the rest.
DELIVERED_EVENT_TYPES = frozenset({"HttpApi", "SQS", "Schedule", "ScheduleV2"})


def http_routes(functions: Mapping[str, FunctionSpec]) -> list[Route]:
    """The HTTP routes of every function's ``HttpApi`` events (keyed by function logical id)."""
    routes: list[Route] = []
    for logical_id, spec in functions.items():
        for event_name, event in spec.events.items():
            if event.get("Type") != "HttpApi":
                continue
            properties = event.get("Properties") or {}
            version = str(properties.get("PayloadFormatVersion", "2.0"))
            if version != "2.0":
                raise TemplateError(f"{logical_id}.{event_name}: only payload format 2.0 is supported locally")
            if "Path" not in properties and "Method" not in properties:
                routes.append(Route("ANY", "", logical_id))  # no path and method: $default
                continue
            method = str(properties.get("Method", "ANY")).upper()
            if method == "X-AMAZON-APIGATEWAY-ANY-METHOD":
                method = "ANY"
            routes.append(Route(method, str(properties["Path"]), logical_id))
    return routes


def sqs_event_sources(
    functions: Mapping[str, FunctionSpec], resolver: Resolver, *, max_batching_window_seconds: float | None
) -> list[SqsEventSource]:
    """The SQS event sources of every function's ``SQS`` events. ``max_batching_window_seconds``
    caps each source's MaximumBatchingWindowInSeconds (see RunnerOptions); None keeps it."""
    sources: list[SqsEventSource] = []
    for logical_id, spec in functions.items():
        for event_name, event in spec.events.items():
            if event.get("Type") != "SQS":
                continue
            properties = event.get("Properties") or {}
            queue_arn = str(resolver.resolve(properties["Queue"]))
            queue_logical_id = resolver.find_by_attribute("Arn", queue_arn)
            if queue_logical_id is None:
                raise TemplateError(f"{logical_id}.{event_name}: queue {queue_arn} is not in the template")
            response_types = resolver.resolve(properties.get("FunctionResponseTypes") or [])
            sources.append(
                SqsEventSource(
                    function=logical_id,
                    event_name=event_name,
                    queue_logical_id=queue_logical_id,
                    queue_url=resolver.physical(queue_logical_id).ref,
                    queue_arn=queue_arn,
                    batch_size=int(resolver.resolve(properties.get("BatchSize", 10))),
                    batching_window_seconds=_batching_window(
                        float(resolver.resolve(properties.get("MaximumBatchingWindowInSeconds", 0))),
                        max_batching_window_seconds,
                    ),
                    report_batch_item_failures="ReportBatchItemFailures" in response_types,
                    enabled=_truthy(resolver.resolve(properties.get("Enabled", True))),
                    max_concurrency=_max_concurrency(resolver.resolve(properties.get("ScalingConfig") or {})),
                )
            )
    return sources


def _max_concurrency(scaling: Mapping[str, Any]) -> int | None:
    value = scaling.get("MaximumConcurrency")
    return None if value is None or value is NO_VALUE else int(value)


def schedule_specs(functions: Mapping[str, FunctionSpec], resolver: Resolver) -> list[ScheduleSpec]:
    """The schedules of every function: its own ``Schedule``/``ScheduleV2`` events, then the
    template's ``AWS::Events::Rule`` and ``AWS::Scheduler::Schedule`` resources that target it."""
    region, account = resolver.region, resolver.account_id
    stack = resolver.stack_name
    schedules: list[ScheduleSpec] = []
    for logical_id, spec in functions.items():
        for event_name, event in spec.events.items():
            kind = event.get("Type")
            if kind not in ("Schedule", "ScheduleV2"):
                continue
            properties = resolver.resolve(event.get("Properties") or {})
            expression = properties.get("Schedule") or properties.get("ScheduleExpression")
            enabled = _truthy(properties.get("Enabled", True)) and properties.get("State", "ENABLED") == "ENABLED"
            rule = f"arn:aws:events:{region}:{account}:rule/{stack}-{logical_id}{event_name}"
            schedules.append(
                ScheduleSpec(
                    logical_id, event_name, str(expression), _input(properties.get("Input")), bool(enabled), rule
                )
            )
    for logical_id, resource in resolver.template.resources_of_type("AWS::Events::Rule").items():
        properties = resource.get("Properties") or {}
        if "ScheduleExpression" not in properties:
            continue  # an event-pattern rule, not a schedule
        for target in properties.get("Targets") or []:
            function = logical_id_of(target.get("Arn"))
            if function is not None and function in functions:
                schedules.append(
                    ScheduleSpec(
                        function,
                        logical_id,
                        str(resolver.resolve(properties["ScheduleExpression"])),
                        _input(resolver.resolve(target.get("Input"))),
                        resolver.resolve(properties.get("State", "ENABLED")) == "ENABLED",
                        f"arn:aws:events:{region}:{account}:rule/{stack}-{logical_id}",
                    )
                )
    for logical_id, resource in resolver.template.resources_of_type("AWS::Scheduler::Schedule").items():
        properties = resource.get("Properties") or {}
        target = properties.get("Target") or {}
        function = logical_id_of(target.get("Arn"))
        if function is not None and function in functions:
            schedules.append(
                ScheduleSpec(
                    function,
                    logical_id,
                    str(resolver.resolve(properties["ScheduleExpression"])),
                    _input(resolver.resolve(target.get("Input"))),
                    resolver.resolve(properties.get("State", "ENABLED")) == "ENABLED",
                    f"arn:aws:scheduler:{region}:{account}:schedule/default/{stack}-{logical_id}",
                )
            )
    for schedule in schedules:
        Expression(schedule.expression)  # fail at start on an expression we cannot run
    return schedules


def undelivered_events(functions: Mapping[str, FunctionSpec]) -> list[str]:
    """Events the runner does not deliver, as ``Function.Event (Type)``."""
    return [
        f"{logical_id}.{event_name} ({event.get('Type')})"
        for logical_id, spec in functions.items()
        for event_name, event in spec.events.items()
        if event.get("Type") not in DELIVERED_EVENT_TYPES
    ]


def _batching_window(declared: float, cap: float | None) -> float:
    return declared if cap is None else min(declared, cap)


def _truthy(value: Any) -> bool:
    """A template boolean: true/false, or the strings "true"/"false" (any case)."""
    return value.strip().lower() == "true" if isinstance(value, str) else bool(value)


def _input(value: Any) -> Any | None:
    """A schedule's Input is a JSON string in the template."""
    if value is None or value is NO_VALUE:
        return None
    return json.loads(value) if isinstance(value, str) else copy.deepcopy(value)
