"""The runner's environment (union of Globals and functions, resolved), handler loading,
invocation semantics (JSON copies, per-function serialisation, time-outs)."""

from __future__ import annotations

import os
import textwrap
import threading
from pathlib import Path

import pytest
import requests
from local_stack_helpers import FIXTURE_SECRET_VALUE, FIXTURE_TEMPLATE, make_runner

from local.stack.bootstrap import bootstrap
from local.stack.http_gateway import FunctionTimedOut
from local.stack.runner import EnvironmentConflict, Runner, RunnerOptions, module_name_for
from local.stack.template import Resolver, Template, TemplateError, UnresolvedReference


def test_globals_and_intrinsics_resolve_into_the_environment(runner):
    environment = runner.environment()
    resolver = runner.resolver

    assert environment["GREETING"] == "hello"
    assert environment["ITEMS_TABLE"] == f"{resolver.stack_name}-ItemsTable"
    assert environment["JOBS_QUEUE_URL"] == resolver.physical("JobsQueue").ref
    assert environment["FIXTURE_KEY_ARN"].startswith("arn:aws:kms:us-east-1:123456789012:key/")
    assert environment["GREETING_IS_HELLO"] == "yes"
    assert "OPTIONAL_SETTING" not in environment  # !If [..., !Ref AWS::NoValue, ...]
    assert environment["JOINED"] == "us-east-1/123456789012"


def test_the_handlers_see_the_environment_while_the_runner_runs(runner):
    seen = requests.get(f"{runner.url}/items/1", timeout=10).json()["environment"]
    assert seen["GREETING"] == "hello" and seen["OPTIONAL_SETTING"] is None


def test_parameter_overrides_change_the_environment(moto_endpoint, stack_name):
    resolver = Resolver(
        Template.load(FIXTURE_TEMPLATE), parameter_overrides={"Greeting": "kia ora"}, stack_name=stack_name
    )
    bootstrap(resolver, endpoint_url=moto_endpoint, secret_values={"fixture/app-secret": FIXTURE_SECRET_VALUE})

    environment = make_runner(resolver, moto_endpoint).environment()

    assert environment["GREETING"] == "kia ora"
    assert environment["GREETING_IS_HELLO"] == "no"
    assert environment["OPTIONAL_SETTING"] == "set"


def test_resources_that_were_not_created_fail_loudly(moto_endpoint, stack_name):
    resolver = Resolver(Template.load(FIXTURE_TEMPLATE), stack_name=stack_name)  # no bootstrap

    with pytest.raises(UnresolvedReference, match="JobsQueue"):
        make_runner(resolver, moto_endpoint)


def test_unknown_parameter_overrides_are_refused():
    with pytest.raises(TemplateError, match="Nope"):
        Resolver(Template.load(FIXTURE_TEMPLATE), parameter_overrides={"Nope": "x"})


def test_two_functions_setting_one_variable_differently_is_an_error(tmp_path):
    template = tmp_path / "template.yaml"
    template.write_text(
        textwrap.dedent("""
        Transform: AWS::Serverless-2016-10-31
        Globals:
          Function:
            Environment:
              Variables:
                SHARED: same
        Resources:
          OneFunction:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: one/
              Handler: app.handler
              Environment:
                Variables:
                  MODE: fast
          TwoFunction:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: two/
              Handler: app.handler
              Environment:
                Variables:
                  MODE: slow
                  SHARED: same
    """)
    )
    runner = Runner(
        Resolver(Template.load(template)), aws_endpoint_url=None, options=RunnerOptions(http=False, sqs=False)
    )

    with pytest.raises(EnvironmentConflict, match="MODE differs between OneFunction and TwoFunction"):
        runner.environment()


def test_the_environment_is_restored_when_the_runner_stops(fixture_resolver, moto_endpoint, monkeypatch):
    monkeypatch.setenv("GREETING", "before")
    monkeypatch.delenv("ITEMS_TABLE", raising=False)

    with make_runner(fixture_resolver, moto_endpoint, http=False, extra_environment={"EXTRA": "1"}):
        assert os.environ["GREETING"] == "hello" and os.environ["EXTRA"] == "1"

    assert os.environ["GREETING"] == "before"
    assert "ITEMS_TABLE" not in os.environ and "EXTRA" not in os.environ


def test_handlers_are_imported_under_their_path_as_a_module_name(runner):
    handler = runner.handler("EchoFunction")

    assert handler.__module__ == "tests.local_stack.fixtures.handlers.echo.app"
    assert module_name_for(Path("functions/api/app.py")) == "functions.api.app"


def test_invoke_passes_a_json_copy_and_requires_a_json_result(runner, recorder):
    event = {"queryStringParameters": {"shape": "dict"}, "rawPath": "/x"}

    assert runner.invoke("EchoFunction", event) == {"echo": "/x"}
    assert recorder.calls_of("EchoFunction")[0] is not event
    with pytest.raises(KeyError, match="no function 'Missing'"):
        runner.invoke("Missing", {})


def test_invocations_of_one_function_never_overlap(runner, recorder):
    # Given two batches that each take 0.3 s in the same function, delivered at once
    def deliver() -> None:
        runner.invoke("WorkerFunction", {"Records": [{"messageId": "m", "body": '{"sleep": 0.3}'}]})

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then they ran one after the other, as in one execution environment: each ended before the
    # next one started (however fast or slow the machine)
    assert recorder.calls_of("WorkerFunction.span") == ["start", "end", "start", "end"]


def test_with_concurrency_invocations_of_one_function_run_side_by_side(fixture_resolver, moto_endpoint):
    with make_runner(fixture_resolver, moto_endpoint, concurrency=2) as runner:
        import fixture_recorder  # importable once the runner has put the fixture layer on sys.path

        fixture_recorder.reset()
        results: list[dict] = []

        # Given two batches that each wait until two invocations have started
        def deliver() -> None:
            results.append(runner.invoke("WorkerFunction", {"Records": [{"messageId": "m", "body": '{"meet": 2}'}]}))

        threads = [threading.Thread(target=deliver) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    # Then both met (neither reports its message as failed), and the second started before the
    # first ended: they ran side by side
    assert results == [{"batchItemFailures": []}] * 2
    assert fixture_recorder.calls_of("WorkerFunction.span") == ["start", "start", "end", "end"]


def test_sqs_pollers_per_source_are_the_concurrency_up_to_the_sources_maximum(fixture_resolver, moto_endpoint):
    (source,) = make_runner(fixture_resolver, moto_endpoint).sqs_sources
    assert source.max_concurrency == 2  # the fixture's ScalingConfig

    assert make_runner(fixture_resolver, moto_endpoint)._pollers_per_source(source) == 1
    assert make_runner(fixture_resolver, moto_endpoint, concurrency=5)._pollers_per_source(source) == 2
    with pytest.raises(ValueError, match="concurrency must be at least 1"):
        make_runner(fixture_resolver, moto_endpoint, concurrency=0)


def test_a_handler_that_outlives_its_timeout_is_reported_as_timed_out(runner, monkeypatch):
    spec = runner.functions["WorkerFunction"].spec
    monkeypatch.setitem(spec.properties, "Timeout", 0.1)

    with pytest.raises(FunctionTimedOut, match="timed out"):
        runner.invoke("WorkerFunction", {"Records": [{"messageId": "m", "body": '{"sleep": 0.2}'}]})


def test_invoke_before_start_is_refused(fixture_resolver, moto_endpoint):
    runner = make_runner(fixture_resolver, moto_endpoint)
    with pytest.raises(RuntimeError, match="start the runner"):
        runner.invoke("EchoFunction", {})
