"""Issue 9: the host API fuzzed from its own ``/v1/openapi.json`` by schemathesis, as an outside
tester would — over HTTP against the local stack, with an API key, every check on — asserting no
5xx and no response that contradicts the document.

Bounded and deterministic: a fixed seed with schemathesis' deterministic generation, a fixed
example budget per operation, one worker, no example database or crash cache (so no run is
influenced by an earlier one), and a fresh local stack (its own moto) for the run. The numbers
(requests made, statuses, findings) are printed with ``-s``.

Allowances, each stated here and in the OpenAPI document: some rules are not the shape of one
value but configuration, state or a relation between values, which no JSON Schema can state —
the return_url's allowed origins (the deployment's HOST_APP_ORIGINS and each org's settings), a
history cursor the API must have issued, ``to`` not before ``from``, a field mapping's Xero field
for its entity and one mapping per field, a host tax mapped once, accounts that must exist in the
org's Xero. On the operations that have such rules (and only there), "valid data should have
been accepted" also expects the documented 400 naming the field. Every other check — no 5xx,
statuses, content types, response schemas and headers, schema-invalid input refused, 405 with
Allow, authentication — holds without exception. The origin of the document's own return_url
example (https://app.example.com) is allowed on this stack, so the example itself is accepted.
"""

from __future__ import annotations

import collections
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from local.stack import LocalStack

SEED = 20261103
MAX_EXAMPLES = 8
PHASES = "examples,coverage,fuzzing,stateful"
EXAMPLE_ORIGIN = "https://app.example.com"  # the origin of ConnectRequest.return_url's example

# (method, path): the rules there that no schema can state (see the module docstring).
SEMANTIC_400 = {
    ("POST", "/v1/orgs/{org_id}/connect"): "return_url on an allowed origin",
    ("GET", "/v1/orgs/{org_id}/history"): "a cursor the API issued; to not before from",
    ("PUT", "/v1/orgs/{org_id}/settings"): "field mappings per entity, once each; URL template placeholders",
    ("PUT", "/v1/orgs/{org_id}/tax-mappings"): "each host tax once; rates equal to Xero's",
    ("POST", "/v1/orgs/{org_id}/sync"): "to not before from",
}
SEMANTIC_RULES = "\n".join(
    f"""
[[operations]]  # {why}
include-path = "{path}"
include-method = "{method}"
checks.positive_data_acceptance.expected-statuses = ["2xx", 400, 401, 403, 404, 409]"""
    for (method, path), why in SEMANTIC_400.items()
)

CONFIG = f"""
seed = {SEED}
workers = 1
request-timeout = 120

[cache]
enabled = false

[generation]
deterministic = true
max-examples = {MAX_EXAMPLES}

[phases.stateful]
max-steps = 6

{SEMANTIC_RULES}
"""


@pytest.fixture(scope="module")
def fuzz_stack() -> Iterator[LocalStack]:
    with LocalStack.start(
        stack_name="fuzz", sqs=False, parameter_overrides={"HostAppOrigins": EXAMPLE_ORIGIN}
    ) as stack:
        yield stack


def run_schemathesis(stack: LocalStack, workdir: Path) -> tuple[subprocess.CompletedProcess, dict, list[dict]]:
    """``st run`` against the stack (a platform key: generated org ids are all in scope), with
    every check; returns the process, its JSON report and the ndjson events."""
    key = stack.create_api_key(name="fuzz", all_orgs=True)
    config = workdir / "schemathesis.toml"
    config.write_text(CONFIG)
    reports = workdir / "reports"
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(config),
        "--no-color",
        "run",
        f"{stack.api_url}/v1/openapi.json",
        "--url",
        stack.api_url,
        "--checks",
        "all",
        "--phases",
        PHASES,
        "--header",
        f"Authorization: Bearer {key.api_key}",
        "--continue-on-failure",
        "--report",
        "json,ndjson",
        "--report-json-path",
        str(reports / "run.json"),
        "--report-ndjson-path",
        str(reports / "events.ndjson"),
    ]
    finished = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=1200, check=False)
    report = json.loads((reports / "run.json").read_text())
    events = [json.loads(line) for line in (reports / "events.ndjson").read_text().splitlines()]
    return finished, report, events


def response_statuses(events: list[dict]) -> collections.Counter[int]:
    statuses: collections.Counter[int] = collections.Counter()
    for event in events:
        finished = event.get("ScenarioFinished")
        if finished is None:
            continue
        for interaction in finished["recorder"].get("interactions", {}).values():
            if interaction.get("response"):
                statuses[interaction["response"]["status_code"]] += 1
    return statuses


def test_the_api_fuzzed_from_its_own_document_gives_no_5xx_and_nothing_the_document_denies(fuzz_stack, tmp_path):
    # When schemathesis runs every phase and every check against the local stack's API
    finished, report, events = run_schemathesis(fuzz_stack, tmp_path)
    statuses = response_statuses(events)
    print(
        f"\nschemathesis {report['schemathesis_version']}: {report['test_cases']['generated']} test cases, "
        f"{sum(statuses.values())} responses {dict(sorted(statuses.items()))}, "
        f"{len(report['failures'])} failure kinds, {report['running_time']:.0f} s"
    )
    # Then it ran to the end over every operation of the document
    assert report["complete"] and report["operations"]["tested"] == report["operations"]["total"] >= 22, report
    assert report["errors"] == [], finished.stdout[-5000:]
    assert report["test_cases"]["generated"] >= 1000
    # And not one response was a server error, and none contradicted the document
    assert not [status for status in statuses if status >= 500], dict(statuses)
    assert report["failures"] == [], finished.stdout[-20000:]
    assert finished.returncode == 0, finished.stdout[-5000:]
