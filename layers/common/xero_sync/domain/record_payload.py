"""How a host record's ``data`` is kept in the records table, and how big it may be (F3.1, N3).

DynamoDB refuses an item over 400 KB, and a write that is refused half-way through a push would
leave the push half-stored. So the size is decided here, without I/O, *before* anything is
written: the push rejects a record that would not fit (``record_too_large``), and the table
stores what it accepted compressed (zlib over the record's compact JSON), which fits a realistic
1,000-line invoice with long descriptions many times over (``benchmarks/record_size.py`` prints
the figures).

Two limits, both stated in the OpenAPI document:

* :data:`MAX_RECORD_JSON_BYTES` — the record's ``data`` as compact UTF-8 JSON. Far above any
  real document, and well below what one Xero request may carry (3.5 MB, xero-facts §3.2).
* :data:`MAX_STORED_RECORD_BYTES` — the same JSON once compressed. Text and JSON compress 3–4×,
  so only very large documents or incompressible content (e.g. base64 blobs in
  ``custom_fields``) meet it; it leaves 100 KB of the item for the record's sync state.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

MAX_RECORD_JSON_BYTES = 2_000_000
MAX_STORED_RECORD_BYTES = 300 * 1024
_COMPRESSION_LEVEL = 6  # zlib's default: most of the gain of level 9 at a fraction of its CPU

# zlib never grows its input by more than 5 bytes per 16 KB block plus 6: JSON up to this size
# is under MAX_STORED_RECORD_BYTES once compressed, whatever it holds, so it need not be
# compressed to be checked.
_ALWAYS_FITS = MAX_STORED_RECORD_BYTES - 5 * (MAX_STORED_RECORD_BYTES // 16_383 + 1) - 6


def record_json(data: dict[str, Any]) -> bytes:
    """The record's compact JSON, as stored (and as measured against the limits)."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, sort_keys=False).encode("utf-8")


def encode_record_data(data: dict[str, Any]) -> bytes:
    """What the table stores for ``data``: zlib over its compact JSON."""
    return zlib.compress(record_json(data), _COMPRESSION_LEVEL)


def decode_record_data(blob: bytes) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(zlib.decompress(blob).decode("utf-8"))
    return decoded


def record_too_large(data: dict[str, Any] | None) -> str | None:
    """Why ``data`` cannot be stored as one record, or None when it fits."""
    if data is None:
        return None
    raw = record_json(data)
    if len(raw) > MAX_RECORD_JSON_BYTES:
        return (
            f"the record's data is {len(raw):,} bytes of JSON; at most {MAX_RECORD_JSON_BYTES:,} are accepted. "
            "Send large attachments or texts elsewhere and keep a reference in custom_fields."
        )
    if len(raw) <= _ALWAYS_FITS:
        return None
    stored = len(zlib.compress(raw, _COMPRESSION_LEVEL))
    if stored > MAX_STORED_RECORD_BYTES:
        return (
            f"the record's data does not compress below {MAX_STORED_RECORD_BYTES:,} bytes ({stored:,} bytes from "
            f"{len(raw):,} bytes of JSON): it holds too much incompressible content, such as encoded files in "
            "custom_fields. Keep a reference to such content instead."
        )
    return None
