"""The local stack (SPEC §6): moto server, the Xero emulator, the resources template.yaml
declares, and a runner that delivers HTTP requests, SQS messages and schedules to the same
handlers Lambda calls. ``python -m local.stack`` starts it; ``LocalStack.start()`` from Python.

Modules, in the order a request meets them:
    template.py       load template.yaml, resolve !Ref/!GetAtt/!Sub … for local values
    bootstrap.py      create tables, queues, keys, secrets, SES identities in moto server
    runner.py         import the handlers, set the environment, invoke, drain, fire schedules
    event_sources.py  the functions' Events -> HTTP routes, SQS sources, schedules to deliver
    http_gateway.py   HTTP request -> API Gateway HTTP API (v2) event -> HTTP response
    sqs_source.py     SQS messages -> Lambda SQS events, partial batch failures
    schedules.py      rate()/cron() timers -> scheduled events
    lambda_context.py the context object handlers receive
    stack.py          LocalStack: all of the above started together
"""

from local.stack.bootstrap import BootstrapError, BootstrapResult, bootstrap
from local.stack.http_gateway import FunctionTimedOut
from local.stack.runner import EnvironmentConflict, Runner, RunnerOptions
from local.stack.stack import LocalStack, LocalStackError
from local.stack.template import Resolver, Template, TemplateError, UnresolvedReference

__all__ = [
    "BootstrapError",
    "BootstrapResult",
    "EnvironmentConflict",
    "FunctionTimedOut",
    "LocalStack",
    "LocalStackError",
    "Resolver",
    "Runner",
    "RunnerOptions",
    "Template",
    "TemplateError",
    "UnresolvedReference",
    "bootstrap",
]
