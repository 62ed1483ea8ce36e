"""Issue 9: how a record's data is kept (compressed JSON) and the stated size limits, decided
without I/O before anything is written (``domain/record_payload.py``)."""

from __future__ import annotations

import base64
import hashlib

from xero_sync.domain import record_payload as payload


def noise(size: int) -> str:
    raw = b"".join(hashlib.sha512(str(n).encode()).digest() for n in range(size // 64 + 1))
    return base64.b85encode(raw).decode()[:size]


def test_data_round_trips_exactly_unicode_and_decimal_strings_included():
    data = {"display_name": "Café Ōtautahi 🌿", "total": "441.96", "lines": [{"rate": "31.5"}], "n": None}
    assert payload.decode_record_data(payload.encode_record_data(data)) == data


def test_the_stored_form_is_compact_utf8_json():
    assert payload.record_json({"a": "é", "b": [1, 2]}) == '{"a":"é","b":[1,2]}'.encode()


def test_small_and_absent_data_fit():
    assert payload.record_too_large(None) is None
    assert payload.record_too_large({"display_name": "x"}) is None


def test_json_over_the_limit_is_too_large_even_when_it_compresses():
    message = payload.record_too_large({"note": "a" * payload.MAX_RECORD_JSON_BYTES})
    assert message is not None and f"{payload.MAX_RECORD_JSON_BYTES:,}" in message


def test_incompressible_data_over_the_stored_limit_is_too_large():
    message = payload.record_too_large({"blob": noise(400 * 1024)})
    assert message is not None and f"{payload.MAX_STORED_RECORD_BYTES:,}" in message and "incompressible" in message


def test_incompressible_data_just_under_the_stored_limit_fits():
    assert payload.record_too_large({"blob": noise(payload.MAX_STORED_RECORD_BYTES - 1024)}) is None


def test_repetitive_data_far_over_the_stored_limit_fits_compressed():
    data = {"note": "Delivered and fitted on site. " * 30_000}  # 900 KB of JSON
    assert payload.record_too_large(data) is None
    assert len(payload.encode_record_data(data)) < 10 * 1024
