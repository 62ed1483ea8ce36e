"""The whole local stack in one object: moto server, the Xero emulator, the resources of
template.yaml, and the runner.

    from local.stack import LocalStack

    with LocalStack.start() as stack:
        stack.api_url            # http://127.0.0.1:<port>  (the HTTP API: /v1/..., /oauth/callback)
        stack.aws_endpoint_url   # moto server
        stack.emulator           # the Xero emulator (None with real_xero=True)
        stack.runner             # invoke(), fire_schedule(), drain()

Nothing here needs an AWS account or Docker. With ``real_xero=True`` the functions talk to the
real Xero with the app named by XERO_CLIENT_ID / XERO_CLIENT_SECRET / XERO_REDIRECT_URI.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import boto3

from local.stack.bootstrap import BootstrapResult, bootstrap
from local.stack.runner import Runner, RunnerOptions
from local.stack.template import DEFAULT_TEMPLATE, LOCAL_REGION, LOCAL_STACK_NAME, Resolver, Template

log = logging.getLogger("local.stack")

# What a real Xero app needs (SPEC §2): these three variables and nothing else.
REAL_XERO_VARIABLES = ("XERO_CLIENT_ID", "XERO_CLIENT_SECRET", "XERO_REDIRECT_URI")

# Dummy credentials for moto. Real ones are never needed locally; setting these also keeps a
# developer's own AWS profile from being used by accident.
LOCAL_AWS_ENVIRONMENT: dict[str, str | None] = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": None,
    "AWS_SECURITY_TOKEN": None,
    "AWS_PROFILE": None,
    "AWS_EC2_METADATA_DISABLED": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",  # no X-Ray daemon locally
}


class LocalStackError(Exception):
    """The local stack cannot start as asked (e.g. --real-xero without the variables)."""


@dataclass(frozen=True)
class XeroApp:
    """Where the functions find Xero, and with which app."""

    client_id: str
    client_secret: str
    redirect_uri: str
    login_url: str | None = None  # None: the template's defaults (Xero's real URLs)
    identity_url: str | None = None
    api_url: str | None = None


def real_xero_app(environ: Mapping[str, str] = os.environ) -> XeroApp:
    missing = [name for name in REAL_XERO_VARIABLES if not environ.get(name)]
    if missing:
        raise LocalStackError(
            f"--real-xero needs {', '.join(missing)} in the environment "
            "(the Xero app's client id and secret, and the redirect URI registered for it, "
            "e.g. http://localhost:3000/oauth/callback)"
        )
    return XeroApp(environ["XERO_CLIENT_ID"], environ["XERO_CLIENT_SECRET"], environ["XERO_REDIRECT_URI"])


def reset_service_caches() -> None:
    """xero_sync caches settings, clients and its container per process (as a warm Lambda
    does). After the environment changes (a new stack, a new moto port) they must be rebuilt."""
    try:
        from xero_sync import settings as settings_module
    except ImportError:  # the layer is not on sys.path: nothing has been cached either
        return
    settings_module.reset_settings_cache()
    for module_name, function_name, argument in (
        ("xero_sync.wiring", "set_container", (None,)),
        ("xero_sync.aws.clients", "clear_client_cache", ()),
        ("xero_sync.aws.secrets", "clear_credentials_cache", ()),
    ):
        try:
            module = __import__(module_name, fromlist=[function_name])
        except ImportError:
            continue
        function = getattr(module, function_name, None)
        if callable(function):
            function(*argument)


class LocalStack:
    """moto server + Xero emulator + template resources + runner. Start with ``LocalStack.start``."""

    def __init__(self) -> None:
        self.template: Template
        self.resolver: Resolver
        self.runner: Runner
        self.bootstrap_result: BootstrapResult
        self.emulator: Any | None = None
        self.xero_app: XeroApp
        self.aws_endpoint_url: str = ""
        self.aws_service_endpoints: dict[str, str] = {}
        self.region = LOCAL_REGION
        self.webhook_key: str | None = None  # the emulator signs its webhooks with it (F4.4)
        self._moto: Any | None = None
        self._listener: socket.socket | None = None  # the HTTP API's socket, until the runner serves it

    @classmethod
    def start(
        cls,
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        real_xero: bool = False,
        schedules: bool = False,
        schedule_speedup: float = 1.0,
        sqs: bool = True,
        retry_delay_seconds: float | None = None,
        max_batching_window_seconds: float | None = None,
        concurrency: int = 1,
        template_path: str | Path = DEFAULT_TEMPLATE,
        stack_name: str = LOCAL_STACK_NAME,
        parameter_overrides: Mapping[str, str] | None = None,
        emulator_options: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
        extra_environment: Mapping[str, str] | None = None,
        aws_endpoint_url: str | None = None,
        aws_service_endpoints: Mapping[str, str] | None = None,
        xero: XeroApp | None = None,
    ) -> LocalStack:
        """Start everything and return the running stack (a context manager that stops it).

        ``port`` 0 picks a free port (the HTTP API's socket is bound first, so the port its URLs
        name is never taken by another process in between). ``schedules`` starts the schedule
        timers (the CLI does; tests usually call ``stack.runner.fire_schedule`` instead).
        ``emulator_options`` overrides fields of the emulator's ``EmulatorOptions`` (e.g.
        ``{"tenants": 2}``); ``extra_environment`` adds variables to every function (e.g.
        ``XERO_MINUTE_LIMIT`` to match an emulator running faster than real time).
        ``concurrency`` lets each function run that many invocations side by side
        (``RunnerOptions.concurrency``; by default one at a time). ``aws_endpoint_url`` uses a
        moto server that is already running (the benchmark runs one in its own process, so that
        moto's CPU is not the workers'); by default one is started in this process.
        ``aws_service_endpoints`` sends some services elsewhere, e.g. ``{"dynamodb": …, "sqs": …}``
        (the backfill benchmark runs each in a moto process of its own): the bootstrap, the SQS
        pollers and the functions (``AWS_ENDPOINT_URL_DYNAMODB`` …) all use them. ``xero`` is a
        Xero running elsewhere (the benchmarks' emulator, in a process of its own): its app and
        URLs; an empty ``redirect_uri`` means the stack's own callback (the emulator accepts any
        callback on loopback).
        """
        if xero is not None and real_xero:
            raise LocalStackError("real_xero and xero are two choices of Xero: give one")
        stack = cls()
        try:
            stack._start(
                port=port,
                host=host,
                real_xero=real_xero,
                schedules=schedules,
                schedule_speedup=schedule_speedup,
                sqs=sqs,
                retry_delay_seconds=retry_delay_seconds,
                max_batching_window_seconds=max_batching_window_seconds,
                concurrency=concurrency,
                template_path=Path(template_path),
                stack_name=stack_name,
                parameter_overrides=dict(parameter_overrides or {}),
                emulator_options=dict(emulator_options or {}),
                environ=os.environ if environ is None else environ,
                extra_environment=dict(extra_environment or {}),
                aws_endpoint_url=aws_endpoint_url,
                aws_service_endpoints=dict(aws_service_endpoints or {}),
                xero=xero,
            )
        except BaseException:
            stack.stop()
            raise
        return stack

    def _start(
        self,
        *,
        port: int,
        host: str,
        real_xero: bool,
        schedules: bool,
        schedule_speedup: float,
        sqs: bool,
        retry_delay_seconds: float | None,
        max_batching_window_seconds: float | None,
        concurrency: int,
        template_path: Path,
        stack_name: str,
        parameter_overrides: dict[str, str],
        emulator_options: dict[str, Any],
        environ: Mapping[str, str],
        extra_environment: dict[str, str],
        aws_endpoint_url: str | None = None,
        aws_service_endpoints: dict[str, str] | None = None,
        xero: XeroApp | None = None,
    ) -> None:
        real_app = real_xero_app(environ) if real_xero else xero  # fail before starting anything
        # 0. The HTTP API's socket first: the redirect URI, the webhook URL and the allowed
        # origins below name its port, which must not go to another process before the runner
        # serves it (a port only probed as free can be, on a busy machine).
        self._listener = socket.create_server((host, port))
        port = int(self._listener.getsockname()[1])
        self.template = Template.load(template_path)
        # moto's server logs every request through Werkzeug's logger, which configures itself at
        # INFO when nobody did: with SQS pollers that is a line per queue per second. Quiet it
        # unless the caller chose a level (python -m local.stack --verbose does).
        werkzeug_logger = logging.getLogger("werkzeug")
        if werkzeug_logger.level == logging.NOTSET:
            werkzeug_logger.setLevel(logging.WARNING)
        # 1. moto server, in this process, on a free port (unless the caller runs one).
        if aws_endpoint_url:
            self.aws_endpoint_url = aws_endpoint_url.rstrip("/")
        else:
            from moto.server import ThreadedMotoServer

            from local.moto_patches import install

            install()  # transactions roll back the items they touch, not a copy of each table
            self._moto = ThreadedMotoServer(ip_address=host, port=0, verbose=False)
            self._moto.start()
            moto_host, moto_port = self._moto.get_host_and_port()
            self.aws_endpoint_url = f"http://{moto_host}:{moto_port}"
        self.aws_service_endpoints = dict(aws_service_endpoints or {})

        # 2. Xero: the emulator, or the real one.
        callback_url = f"http://{host}:{port}/oauth/callback"
        if real_app is not None:
            self.xero_app = real_app if real_app.redirect_uri else replace(real_app, redirect_uri=callback_url)
        else:
            from local.xero_emulator import EmulatorOptions, start_in_thread

            # Xero's webhooks go to the stack's receiver, signed with a key made for this run (also
            # put in the app's secret, where the receiver reads it, as in AWS).
            self.webhook_key = secrets.token_urlsafe(24)
            webhooks = {"webhook_url": f"http://{host}:{port}/webhooks/xero", "webhook_key": self.webhook_key}
            options = EmulatorOptions(**{"port": 0, "auto_consent": True, "tenants": 1, **webhooks, **emulator_options})
            self.webhook_key = options.webhook_key
            if callback_url not in options.redirect_uris:
                options.redirect_uris.append(callback_url)
            self.emulator = start_in_thread(options)
            base_url = self.emulator.base_url.rstrip("/")
            self.xero_app = XeroApp(
                options.client_id, options.client_secret, callback_url, base_url, base_url, base_url
            )

        # 3. Template parameters: point the Xero URLs and the redirect URI at the local choice.
        # The host's webhook endpoint is on loopback locally (the demo's, the tests'): allow it.
        overrides = {"XeroRedirectUri": self.xero_app.redirect_uri, "HostWebhookAllowLoopback": "true"}
        for parameter, value in (
            ("XeroLoginUrl", self.xero_app.login_url),
            ("XeroIdentityUrl", self.xero_app.identity_url),
            ("XeroApiUrl", self.xero_app.api_url),
        ):
            if value:
                overrides[parameter] = value
        # The host app of the local stack is on localhost: the demo's and the tests' return URLs.
        overrides["HostAppOrigins"] = f"http://{host}:{port},http://localhost:{port}"
        overrides = {name: value for name, value in overrides.items() if name in self.template.parameters}
        overrides.update(parameter_overrides)
        self.resolver = Resolver(
            self.template, parameter_overrides=overrides, stack_name=stack_name, region=self.region
        )

        # 4. Tables, queues, key, secret … from the template.
        app_secret = {"client_id": self.xero_app.client_id, "client_secret": self.xero_app.client_secret}
        if self.webhook_key:
            app_secret["webhook_key"] = self.webhook_key
        credentials = json.dumps(app_secret)
        secret_name = self.resolver.parameters.get("XeroCredentialsSecretName")
        self.bootstrap_result = bootstrap(
            self.resolver,
            endpoint_url=self.aws_endpoint_url,
            service_endpoints=self.aws_service_endpoints,
            secret_values={secret_name: credentials} if secret_name else {},
        )
        for logical_id, resource_type in self.bootstrap_result.skipped.items():
            log.warning("the local stack does not create %s (%s)", logical_id, resource_type)

        # 5. The runner, with the environment a deployed function would have, pointed at moto.
        function_environment: dict[str, str | None] = {
            **LOCAL_AWS_ENVIRONMENT,
            "AWS_ENDPOINT_URL": self.aws_endpoint_url,
            **{f"AWS_ENDPOINT_URL_{service.upper()}": url for service, url in self.aws_service_endpoints.items()},
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            # The credentials come from the secret, as in AWS; a developer's shell variables
            # for a real app must not leak into an emulator run.
            "XERO_CLIENT_ID": None,
            "XERO_CLIENT_SECRET": None,
            **extra_environment,
        }
        self.runner = Runner(
            self.resolver,
            aws_endpoint_url=self.endpoint_of("sqs"),  # the runner's one AWS client is its SQS pollers'
            options=RunnerOptions(
                host=host,
                port=port,
                listener=self._listener,
                sqs=sqs,
                schedules=schedules,
                schedule_speedup=schedule_speedup,
                retry_delay_seconds=retry_delay_seconds,
                max_batching_window_seconds=max_batching_window_seconds,
                concurrency=concurrency,
                extra_environment=function_environment,
            ),
        )
        reset_service_caches()
        self.runner.start()
        self._close_listener()  # the runner's server serves a duplicate of it
        reset_service_caches()

    def _close_listener(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    # --- conveniences for the demo and end-to-end tests ----------------------------------------

    @property
    def api_url(self) -> str:
        return self.runner.url

    @property
    def callback_url(self) -> str:
        return self.xero_app.redirect_uri

    def physical(self, logical_id: str) -> str:
        """The local name/URL of a template resource (``!Ref``), e.g. a table name."""
        return self.resolver.physical(logical_id).ref

    def aws_client(self, service: str) -> Any:
        """A boto3 client for moto server (for tests that look inside tables and queues)."""
        return boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=self.region
        ).client(service, endpoint_url=self.endpoint_of(service))

    def endpoint_of(self, service: str) -> str:
        """Where ``service`` runs locally: its own moto server, or the one for every service."""
        return self.aws_service_endpoints.get(service, self.aws_endpoint_url)

    def create_api_key(self, *, name: str = "local", org_ids: list[str] | None = None, all_orgs: bool = False) -> Any:
        """A host API key in the local ApiKeys table (``xero_sync.services.api_keys``)."""
        from xero_sync.clock import utcnow
        from xero_sync.services.api_keys import create_api_key
        from xero_sync.wiring import container

        # The runner has set this process's environment, so the container finds the local tables.
        return create_api_key(
            container().api_keys, name=name, org_ids=list(org_ids or []), all_orgs=all_orgs, now=utcnow()
        )

    # --- life cycle ---------------------------------------------------------------------------

    def stop(self) -> None:
        runner = getattr(self, "runner", None)
        if runner is not None:
            runner.stop()
        self._close_listener()
        if self.emulator is not None:
            self.emulator.stop()
            self.emulator = None
        if self._moto is not None:
            self._moto.stop()
            self._moto = None
        reset_service_caches()

    def __enter__(self) -> LocalStack:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
