"""Running independent DynamoDB writes side by side.

Around each Xero call the worker claims up to fifty records before it and records fifty
outcomes after it, each a conditional write of its own. One after another they cost fifty round
trips of latency per call; side by side (boto3 clients are thread-safe) they cost a few, so the
tenant's Xero budget — not the worker — sets the pace.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

MAX_THREADS = 8


def in_parallel(function: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``[function(item) for item in items]``, run on up to MAX_THREADS threads, in order. An
    exception in any call is raised here, after every call has finished."""
    items = list(items)
    if len(items) < 2:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(items)), thread_name_prefix="records") as pool:
        return list(pool.map(function, items))
