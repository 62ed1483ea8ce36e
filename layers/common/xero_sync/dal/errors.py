"""Helpers for telling DynamoDB's "your condition did not hold" from real failures."""

from __future__ import annotations

from pynamodb.exceptions import PynamoDBException


def is_condition_failure(error: PynamoDBException) -> bool:
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"
