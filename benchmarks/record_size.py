"""Record size benchmark (issue 9): how large host records are as the records table keeps them.

    PYTHONPATH=layers/common:. .venv/bin/python benchmarks/record_size.py

A record's ``data`` is stored as zlib over its compact JSON (``domain/record_payload.py``), and a
push rejects, before writing anything, a record whose JSON exceeds 1,000,000 bytes or whose
compressed form exceeds 256 KiB — so no write can meet DynamoDB's 400 KB item limit. This prints,
for documents from ordinary to extreme, the JSON and stored sizes, the share of the item limit
used, the push's verdict and the CPU time to encode and decode (the push encodes once to check
only when the JSON is over 256 KB, and the table write encodes once; a worker decodes).

The descriptions are English words drawn, with their real frequencies, from the documentation text
Python ships (``pydoc_data``) by a seeded generator: varied like real descriptions, never one
sentence repeated, so the compression figures are not flattered (real prose, with its grammar,
compresses a little better still). Nothing is timed in the tests; this script only prints.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import random
import re
import time
from collections.abc import Callable
from typing import Any

from xero_sync.domain.record_payload import (
    MAX_RECORD_JSON_BYTES,
    MAX_STORED_RECORD_BYTES,
    decode_record_data,
    encode_record_data,
    record_json,
    record_too_large,
)
from xero_sync.models.records import parse_envelope

DYNAMODB_ITEM_LIMIT = 400 * 1024


def _corpus_words() -> list[str]:
    """Words of real English prose, with their frequencies: the text of Python's own documentation
    topics, shipped with the interpreter. Sampling them word by word keeps English's spread of
    words without repeating whole passages (which would flatter compression)."""
    from pydoc_data.topics import topics

    return re.findall(r"[A-Za-z][a-z]+[,.;]?", " ".join(topics.values()))


WORDS = _corpus_words()


def description(rng: random.Random, length: int) -> str:
    words: list[str] = []
    size = 0
    while size < length:
        word = rng.choice(WORDS)
        words.append(word)
        size += len(word) + 1
    text = " ".join(words)[: length - 1].strip()
    return text[0].upper() + text[1:] + "."


def invoice(lines: int, description_length: int, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    return {
        "entity": "invoice",
        "id": f"inv-{lines}-{description_length}",
        "version": 1,
        "action": "upsert",
        "data": {
            "number": f"INV-{lines}-{description_length}",
            "contact_id": "cus-1",
            "date": "2026-11-02",
            "lines": [
                {
                    "item_name": f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {n:04d}",
                    "description": description(rng, description_length),
                    "quantity": rng.randint(1, 40),
                    "rate": f"{rng.randint(100, 250_000) / 100:.2f}",
                    "tax_id": "gst15",
                    "account_code": "200",
                }
                for n in range(lines)
            ],
            "custom_fields": {"job": f"J-{seed:05d}", "site": "12 Quay St, Auckland"},
        },
    }


def contact(custom_fields: dict[str, Any]) -> dict[str, Any]:
    data = {"display_name": "Harbour Cafe Ltd", "custom_fields": custom_fields}
    return {"entity": "contact", "id": "cus-1", "version": 1, "action": "upsert", "data": data}


def noise(size: int) -> str:
    raw = b"".join(hashlib.sha512(str(n).encode()).digest() for n in range(size // 64 + 1))
    return base64.b85encode(raw).decode()[:size]


CASES: list[tuple[str, Callable[[], dict[str, Any]]]] = [
    ("invoice, 10 lines × 200-char descriptions", lambda: invoice(10, 200)),
    ("invoice, 1,000 lines × 200-char descriptions", lambda: invoice(1000, 200)),
    ("invoice, 1,000 lines × 500-char descriptions", lambda: invoice(1000, 500)),
    ("invoice, 1,000 lines × 1,000-char descriptions", lambda: invoice(1000, 1000)),
    ("invoice, 250 lines × 3,700-char descriptions", lambda: invoice(250, 3700)),
    ("invoice, 1,000 lines × 3,700-char (schema max)", lambda: invoice(1000, 3700)),
    ("contact, custom field of 500,000 × 'a'", lambda: contact({"notes": "a" * 500_000})),
    ("contact, 200 KB of base85 in custom_fields", lambda: contact({"scan": noise(200 * 1024)})),
    ("contact, 400 KB of base85 in custom_fields", lambda: contact({"scan": noise(400 * 1024)})),
]


def measure(envelope: dict[str, Any], repeat: int) -> dict[str, Any]:
    parsed = parse_envelope(envelope)
    data = parsed.data.model_dump(mode="json", exclude_none=True)  # type: ignore[attr-defined]
    raw = record_json(data)
    verdict = record_too_large(data)
    stored = encode_record_data(data)
    started = time.process_time()
    for _ in range(repeat):
        encode_record_data(data)
    encode_ms = (time.process_time() - started) * 1000 / repeat
    started = time.process_time()
    for _ in range(repeat):
        decode_record_data(stored)
    decode_ms = (time.process_time() - started) * 1000 / repeat
    return {
        "json": len(raw),
        "stored": len(stored),
        "ratio": len(raw) / len(stored),
        "item": len(stored) / DYNAMODB_ITEM_LIMIT,
        "verdict": "accepted" if verdict is None else "record_too_large",
        "encode_ms": encode_ms,
        "decode_ms": decode_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="benchmarks/record_size.py", description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="encodings/decodings timed per case (default 5)")
    args = parser.parse_args()
    print(
        f"limits: JSON ≤ {MAX_RECORD_JSON_BYTES:,} bytes, stored (zlib) ≤ {MAX_STORED_RECORD_BYTES:,} bytes; "
        f"DynamoDB item ≤ {DYNAMODB_ITEM_LIMIT:,} bytes\n"
    )
    header = (
        f"| {'record':<48} | {'JSON':>11} | {'stored':>9} | {'ratio':>6} | {'of item':>7} | {'push':<16} "
        f"| {'encode':>8} | {'decode':>8} |"
    )
    print(header)
    print("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    for name, build in CASES:
        row = measure(build(), args.repeat)
        print(
            f"| {name:<48} | {row['json']:>11,} | {row['stored']:>9,} | {row['ratio']:>5.1f}× | {row['item']:>6.0%} | "
            f"{row['verdict']:<16} | {row['encode_ms']:>5.1f} ms | {row['decode_ms']:>5.1f} ms |"
        )


if __name__ == "__main__":
    main()
