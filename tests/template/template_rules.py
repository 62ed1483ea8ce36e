"""The invariants of template.yaml (STYLE.md, "Ten habits"), as functions that return the
problems they find. tests/template/test_template_*.py run them on template.yaml and on small
broken templates (to prove that each rule really catches what it is meant to catch, even
while the template has nothing of that kind yet, e.g. before the first SQS worker exists).

Every rule takes the decoded template (a plain dict, as cfn-lint's decoder returns it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "template.yaml"

SECTIONS = [
    "Parameters",
    "Globals",
    "Layer",
    "Tables",
    "Keys",
    "Queues",
    "HTTP API",
    "Schedules",
    "Functions",
    "Alarms",
    "Outputs",
]

# Which section may hold which resource types (a banner groups the resources below it).
SECTION_TYPES = {
    "Layer": {"AWS::Serverless::LayerVersion"},
    "Tables": {"AWS::DynamoDB::Table"},
    "Keys": {"AWS::KMS::Key", "AWS::KMS::Alias"},
    "Queues": {"AWS::SQS::Queue", "AWS::SQS::QueuePolicy"},
    "HTTP API": {"AWS::Serverless::HttpApi", "AWS::Logs::LogGroup"},
    "Schedules": {"AWS::Scheduler::Schedule", "AWS::Scheduler::ScheduleGroup", "AWS::Events::Rule"},
    "Functions": {"AWS::Serverless::Function", "AWS::Logs::LogGroup", "AWS::Lambda::Permission"},
    "Alarms": {"AWS::CloudWatch::Alarm", "AWS::SNS::Topic"},
}

# Logical ids are <Thing><Kind>: the kind each type's id ends with.
KIND_SUFFIXES = {
    "AWS::Serverless::LayerVersion": ("Layer",),
    "AWS::DynamoDB::Table": ("Table",),
    "AWS::KMS::Key": ("Key",),
    "AWS::KMS::Alias": ("Alias",),
    "AWS::SQS::Queue": ("Queue", "Dlq"),
    "AWS::Serverless::HttpApi": ("HttpApi",),
    "AWS::Serverless::Function": ("Function",),
    "AWS::Logs::LogGroup": ("LogGroup",),
    "AWS::CloudWatch::Alarm": ("Alarm",),
    "AWS::Scheduler::Schedule": ("Schedule",),
    "AWS::Events::Rule": ("Rule",),
}

_BANNER = re.compile(r"^\s*# =+ (?P<name>[A-Za-z ]+?) =+\s*$")
_RESOURCE_LINE = re.compile(r"^  (?P<id>[A-Za-z0-9]+):\s*$")

_SES_SEND_ACTIONS = {"ses:SendEmail", "ses:SendRawEmail"}


# --- helpers ----------------------------------------------------------------------------------


def resources(template: Mapping[str, Any], *types: str) -> dict[str, Mapping[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in (template.get("Resources") or {}).items()
        if not types or resource.get("Type") in types
    }


def function_properties(template: Mapping[str, Any], logical_id: str) -> dict[str, Any]:
    """A function's properties with Globals.Function merged in (scalars: own value wins)."""
    merged = dict((template.get("Globals") or {}).get("Function") or {})
    merged.update(resources(template)[logical_id].get("Properties") or {})
    return merged


def ref_target(value: Any) -> str | None:
    """``X`` for ``!Ref X``, ``!GetAtt X.Attr`` or ``!Sub "${X...}"``-free refs, else None."""
    if isinstance(value, dict) and len(value) == 1:
        ((key, argument),) = value.items()
        if key == "Ref":
            return str(argument)
        if key == "Fn::GetAtt":
            return str(argument[0]) if isinstance(argument, list) else str(argument).split(".")[0]
    return None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def iter_statements(node: Any, path: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every IAM statement anywhere under ``node``, with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Statement":
                for index, statement in enumerate(_as_list(value)):
                    if isinstance(statement, dict):
                        yield f"{path}/Statement[{index}]", statement
            else:
                yield from iter_statements(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from iter_statements(item, f"{path}[{index}]")


def events_of(template: Mapping[str, Any], logical_id: str, kind: str) -> dict[str, Mapping[str, Any]]:
    events = function_properties(template, logical_id).get("Events") or {}
    return {name: event.get("Properties") or {} for name, event in events.items() if event.get("Type") == kind}


# --- rules ------------------------------------------------------------------------------------


def section_problems(text: str, template: Mapping[str, Any]) -> list[str]:
    """Banners appear once each, in the fixed order, and every resource sits in a section
    that may hold its type."""
    problems: list[str] = []
    banners: list[str] = []
    section_of: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        banner = _BANNER.match(line)
        if banner:
            current = banner.group("name").strip()
            banners.append(current)
            continue
        resource = _RESOURCE_LINE.match(line)
        if resource and current is not None:
            section_of[resource.group("id")] = current
    if banners != SECTIONS:
        problems.append(f"section banners are {banners}, expected {SECTIONS}")
    for logical_id, resource in resources(template).items():
        section = section_of.get(logical_id)
        allowed = SECTION_TYPES.get(section or "", set())
        if resource.get("Type") not in allowed:
            problems.append(f"{logical_id} ({resource.get('Type')}) is in section {section!r}")
    return problems


def naming_problems(template: Mapping[str, Any]) -> list[str]:
    problems = []
    for logical_id, resource in resources(template).items():
        suffixes = KIND_SUFFIXES.get(str(resource.get("Type")))
        if suffixes and not logical_id.endswith(suffixes):
            problems.append(f"{logical_id} ({resource['Type']}) should end with {' or '.join(suffixes)}")
    return problems


def table_problems(template: Mapping[str, Any]) -> list[str]:
    """On-demand, point-in-time recovery and encryption on every table."""
    problems = []
    for logical_id, resource in resources(template, "AWS::DynamoDB::Table").items():
        properties = resource.get("Properties") or {}
        if properties.get("BillingMode") != "PAY_PER_REQUEST":
            problems.append(f"{logical_id} is not on-demand (BillingMode: PAY_PER_REQUEST)")
        if not (properties.get("PointInTimeRecoverySpecification") or {}).get("PointInTimeRecoveryEnabled"):
            problems.append(f"{logical_id} has no point-in-time recovery")
        if not (properties.get("SSESpecification") or {}).get("SSEEnabled"):
            problems.append(f"{logical_id} has no SSESpecification.SSEEnabled")
    return problems


def wildcard_problems(template: Mapping[str, Any]) -> list[str]:
    """No ``Resource: "*"`` of our own. The one place AWS requires it is a KMS key policy,
    where "*" means "this key". (X-Ray's wildcard comes from SAM's Tracing: Active, as the
    managed policy AWSXrayWriteOnlyAccess, not from this template.)"""
    problems = []
    for logical_id, resource in resources(template).items():
        for path, statement in iter_statements(resource.get("Properties") or {}, logical_id):
            if resource.get("Type") == "AWS::KMS::Key" and "/KeyPolicy/" in f"{path}/":
                continue
            if "*" in _as_list(statement.get("Resource", [])):
                problems.append(f"{path} has Resource '*'")
            if statement.get("Effect") == "Allow" and any(
                str(action) in ("*", "iam:*") for action in _as_list(statement.get("Action", []))
            ):
                problems.append(f"{path} allows every action")
    return problems


def function_policy_problems(template: Mapping[str, Any]) -> list[str]:
    """Every function has its own Policies; no *FullAccess managed policy; policy templates are
    scoped to one resource of this template; SES statements are the two send actions."""
    problems = []
    template_ids = set(resources(template))
    for logical_id in resources(template, "AWS::Serverless::Function"):
        policies = function_properties(template, logical_id).get("Policies")
        if not policies:
            problems.append(f"{logical_id} has no Policies of its own")
            continue
        for policy in _as_list(policies):
            if isinstance(policy, str):
                if "FullAccess" in policy:
                    problems.append(f"{logical_id} uses the managed policy {policy}")
                continue
            if not isinstance(policy, dict) or "Statement" in policy:
                continue
            for name, arguments in policy.items():
                if "FullAccess" in name:
                    problems.append(f"{logical_id} uses {name}")
                for argument in (arguments or {}).values() if isinstance(arguments, dict) else []:
                    target = ref_target(argument)
                    if isinstance(argument, str) and "*" in argument:
                        problems.append(f"{logical_id}: {name} is given a wildcard {argument!r}")
                    elif (
                        target is not None
                        and target not in template_ids
                        and target not in (template.get("Parameters") or {})
                    ):
                        problems.append(f"{logical_id}: {name} names {target}, which the template does not declare")
        for path, statement in iter_statements(policies, logical_id):
            actions = {str(action) for action in _as_list(statement.get("Action", []))}
            if any(action.startswith("ses:") for action in actions) and not actions <= _SES_SEND_ACTIONS:
                problems.append(f"{path}: SES statements may allow only {sorted(_SES_SEND_ACTIONS)}")
    return problems


def log_group_problems(template: Mapping[str, Any]) -> list[str]:
    """Each function has an AWS::Logs::LogGroup /aws/lambda/${Function} with a retention."""
    problems = []
    groups: dict[str, Mapping[str, Any]] = {}
    for group in resources(template, "AWS::Logs::LogGroup").values():
        name = (group.get("Properties") or {}).get("LogGroupName")
        if isinstance(name, dict) and "Fn::Sub" in name:
            match = re.fullmatch(r"/aws/lambda/\$\{(\w+)\}", str(name["Fn::Sub"]))
            if match:
                groups[match.group(1)] = group["Properties"]
    for logical_id in resources(template, "AWS::Serverless::Function"):
        if logical_id not in groups:
            problems.append(f"{logical_id} has no log group /aws/lambda/${{{logical_id}}}")
        elif "RetentionInDays" not in groups[logical_id]:
            problems.append(f"{logical_id}'s log group has no RetentionInDays")
    return problems


def function_layout_problems(template: Mapping[str, Any], repo: Path = REPO) -> list[str]:
    """python3.11; CodeUri functions/<name>/ with the handler's file; events/<name>/ with at
    least one sample event."""
    problems = []
    for logical_id in resources(template, "AWS::Serverless::Function"):
        properties = function_properties(template, logical_id)
        if properties.get("Runtime") != "python3.11":
            problems.append(f"{logical_id} runs {properties.get('Runtime')}, not python3.11")
        code_uri = str(properties.get("CodeUri", ""))
        match = re.fullmatch(r"functions/(\w+)/?", code_uri)
        if not match:
            problems.append(f"{logical_id}: CodeUri {code_uri!r} is not functions/<name>/")
            continue
        name = match.group(1)
        module = str(properties.get("Handler", "")).rsplit(".", 1)[0]
        if not (repo / "functions" / name / f"{module.replace('.', '/')}.py").is_file():
            problems.append(f"{logical_id}: functions/{name}/{module}.py does not exist")
        if not list((repo / "events" / name).glob("*.json")):
            problems.append(f"{logical_id}: events/{name}/ has no sample event")
    return problems


def sqs_problems(template: Mapping[str, Any]) -> list[str]:
    """Every SQS event source reports partial batch failures; its queue has a DLQ with
    maxReceiveCount >= 3 and a visibility timeout >= 6 x the function's Timeout; every DLQ has
    an alarm on its depth."""
    problems = []
    queues = resources(template, "AWS::SQS::Queue")
    alarmed_queues = set()
    for alarm in resources(template, "AWS::CloudWatch::Alarm").values():
        properties = alarm.get("Properties") or {}
        if (
            properties.get("Namespace") == "AWS/SQS"
            and properties.get("MetricName") == "ApproximateNumberOfMessagesVisible"
        ):
            for dimension in properties.get("Dimensions") or []:
                if dimension.get("Name") == "QueueName" and ref_target(dimension.get("Value")):
                    alarmed_queues.add(ref_target(dimension["Value"]))
    dlqs: set[str] = set()
    for logical_id in resources(template, "AWS::Serverless::Function"):
        timeout = int(function_properties(template, logical_id).get("Timeout", 3))
        for event_name, properties in events_of(template, logical_id, "SQS").items():
            where = f"{logical_id}.{event_name}"
            if properties.get("FunctionResponseTypes") != ["ReportBatchItemFailures"]:
                problems.append(f"{where}: FunctionResponseTypes must be [ReportBatchItemFailures]")
            queue_id = ref_target(properties.get("Queue"))
            if queue_id not in queues:
                problems.append(f"{where}: the queue is not a queue of this template")
                continue
            queue = queues[queue_id].get("Properties") or {}
            if int(queue.get("VisibilityTimeout", 30)) < 6 * timeout:
                problems.append(f"{queue_id}: VisibilityTimeout must be >= 6 x {logical_id}'s Timeout ({6 * timeout})")
            redrive = queue.get("RedrivePolicy") or {}
            dlq_id = ref_target(redrive.get("deadLetterTargetArn"))
            if dlq_id not in queues:
                problems.append(f"{queue_id} has no dead-letter queue of this template")
                continue
            if int(redrive.get("maxReceiveCount", 0)) < 3:
                problems.append(f"{queue_id}: maxReceiveCount must be >= 3")
            dlqs.add(dlq_id)
    for dlq_id in sorted(dlqs):
        if dlq_id not in alarmed_queues:
            problems.append(f"{dlq_id} has no alarm on ApproximateNumberOfMessagesVisible")
    return problems
