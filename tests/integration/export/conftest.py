"""Fixtures for the export pipeline's integration tests: one moto server for the session with
every table, key and queue; a fresh Xero emulator and a freshly connected org per test."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from xero_sync.aws.clients import aws_client
from xero_sync.dal.base import configure, table_models
from xero_sync.domain.families import Family
from xero_sync.settings.api import ApiSettings as Settings  # Xero, the export queues, the notifications queue
from xero_sync.wiring import Container, set_container

sys.path.insert(0, str(Path(__file__).parent))
from export_harness import TIME_SCALE, ExportHarness, settings_for_emulator

from local.xero_emulator import EmulatorOptions, start_in_thread


@pytest.fixture(scope="session")
def aws_settings(moto_endpoint: str) -> Settings:
    prefix = f"xs-export-{uuid.uuid4().hex[:6]}"
    names = {field: f"{prefix}-{field.removesuffix('_table').replace('_', '-')}" for field in table_models()}
    base = Settings.model_construct(  # values checked by the code under test, not here
        aws_endpoint_url=moto_endpoint,
        aws_region="us-east-1",
        idempotency_table=f"{prefix}-idempotency",
        token_key_id="pending",
        host_app_origins="https://host.example",  # the harness's return_url
        **names,
    )
    key_id = aws_client("kms", base).create_key(Description="tokens (export tests)")["KeyMetadata"]["KeyId"]
    sqs = aws_client("sqs", base)
    queues = {}
    for family in Family:
        dlq = sqs.create_queue(QueueName=f"{prefix}-{family.value}-dlq")["QueueUrl"]
        queue = sqs.create_queue(QueueName=f"{prefix}-{family.value}")["QueueUrl"]
        queues[f"{family.value}_queue_url"] = queue
        queues[f"{family.value}_dlq_url"] = dlq
    queues["backfill_dlq_url"] = sqs.create_queue(QueueName=f"{prefix}-backfill-dlq")["QueueUrl"]
    queues["backfill_queue_url"] = sqs.create_queue(QueueName=f"{prefix}-backfill")["QueueUrl"]
    queues["notifications_queue_url"] = sqs.create_queue(QueueName=f"{prefix}-notifications")["QueueUrl"]
    settings = base.model_copy(update={"token_key_id": key_id, **queues})
    configure(settings)
    for model in table_models().values():
        model.create_table(wait=True)
    return settings


@pytest.fixture
def emulator():
    emu = start_in_thread(EmulatorOptions(port=0, auto_consent=True, tenants=1, time_scale=TIME_SCALE))
    yield emu
    emu.stop()


@pytest.fixture
def container(aws_settings: Settings, emulator) -> Iterator[Container]:
    no_waiting = lambda retry_after, attempts: 0  # noqa: E731 — records are tried again at once in tests
    services = Container(settings_for_emulator(aws_settings, emulator.base_url), export_retry_delay=no_waiting)
    set_container(services)
    yield services
    set_container(None)
    configure(aws_settings)


@pytest.fixture
def harness(container: Container, emulator) -> ExportHarness:
    org = ExportHarness(container, emulator)
    org.connect()
    org.configure()
    _purge_queues(container.settings)
    return org


def _purge_queues(settings: Settings) -> None:
    """Empty every queue left over from earlier tests (receive and delete: SQS allows only one
    PurgeQueue per queue per minute)."""
    sqs = aws_client("sqs", settings)
    urls = [url for family in Family for url in (settings.queue_url(family), settings.dlq_url(family))]
    urls += [settings.backfill_queue_url, settings.backfill_dlq_url]
    for url in urls:
        if url:
            while True:
                batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
                if not batch:
                    break
                sqs.delete_message_batch(
                    QueueUrl=url,
                    Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)],
                )
