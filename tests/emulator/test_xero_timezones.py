"""Every time zone Xero's OpenAPI document lists for ``Organisation.Timezone`` maps to an IANA
zone this runtime can load (domain/xero_org.py), so the read view's "today" is the org's own for
any Xero organisation — and so is the zone the emulator gives its demo companies."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from tests.emulator.openapi_validation import OpenApiUnavailable
from xero_sync.domain.xero_org import iana_zone


def _xero_time_zones(directory: Any) -> list[str]:
    if isinstance(directory, OpenApiUnavailable):
        pytest.skip(f"Xero OpenAPI documents unavailable: {directory}")
    with (directory / "xero_accounting.yaml").open("rb") as handle:
        spec = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return list(spec["components"]["schemas"]["TimeZone"]["enum"])


def test_every_xero_time_zone_maps_to_a_loadable_iana_zone(_openapi_documents):
    zones = _xero_time_zones(_openapi_documents)
    assert len(zones) > 100
    unmapped = [zone for zone in zones if iana_zone(zone) is None]
    assert unmapped == []
    for zone in zones:
        ZoneInfo(iana_zone(zone))


def test_the_emulators_organisations_have_a_known_time_zone():
    from local.xero_emulator.accounting.reference_data import REGION_BY_CURRENCY

    for _, _, zone in REGION_BY_CURRENCY.values():
        assert iana_zone(zone) is not None, zone
