"""The Powertools adapter of :class:`~xero_sync.services.ports.OnceGuard`: run an action once per
key, remembered in the Idempotency table (DynamoDB). Only the notifier builds it: Powertools'
idempotency utility is imported when the guard is built, not when this module is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class PowertoolsOnce:
    """:class:`OnceGuard` on Powertools idempotency with DynamoDB persistence (the Idempotency
    table). The record is written *in progress* before the action runs and completed with its
    result after; an exception (e.g. SES throttling) deletes it so the retry can run. A
    concurrent duplicate gets ``IdempotencyAlreadyInProgressError`` and is retried by SQS."""

    def __init__(self, table_name: str, dynamodb: Any, *, expires_after_seconds: int = 3 * 24 * 3600) -> None:
        from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig

        self._persistence = DynamoDBPersistenceLayer(table_name=table_name, boto3_client=dynamodb)
        self._config = IdempotencyConfig(
            event_key_jmespath="key", raise_on_no_idempotency_key=True, expires_after_seconds=expires_after_seconds
        )

    def register_lambda_context(self, context: Any) -> None:
        """So that a crashed invocation's in-progress record expires with that invocation."""
        self._config.register_lambda_context(context)

    def run_once(self, key: str, action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        from aws_lambda_powertools.utilities.idempotency import idempotent_function

        @idempotent_function(data_keyword_argument="request", persistence_store=self._persistence, config=self._config)
        def notify_once(request: dict[str, str]) -> dict[str, Any]:
            return action()

        return notify_once(request={"key": key})
