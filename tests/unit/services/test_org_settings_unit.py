"""Settings and tax mapping checks against reference data built in memory (F2.1–F2.3), the
re-queueable error codes, and what a save does (activity, schedule, re-queue)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from export_services_helpers import GROUP_ID, NO_CODE_ACCOUNT_ID, NOW, reference, xero_bodies

from tests.fakes import FakeTenantClient, InMemoryConnections, InMemoryHistory, InMemoryOrgConfig, connection
from xero_sync.domain.connection import Connection
from xero_sync.domain.problems import ProblemCode
from xero_sync.models.api_export import OrgSettingsUpdate, TaxMappingsUpdate
from xero_sync.models.org_config import OrgSettings, SyncFrequency, TaxMapping
from xero_sync.services.errors import Conflict, InvalidInput
from xero_sync.services.org_settings import (
    SETTINGS_FIXABLE_CODES,
    TAX_MAPPING_FIXABLE_CODES,
    OrgSettingsService,
    check_settings,
    check_tax_mappings,
    needs_reference_data,
)
from xero_sync.services.reference_data import KINDS, XERO_FIXABLE_CODES, ReferenceDataService

ORG = "org-1"


# --- settings accounts (F2.2) ------------------------------------------------------------------------


def test_settings_that_name_usable_accounts_have_no_problems():
    settings = OrgSettings(
        sales_account="200",
        sales_adjustments_account="260",
        bank_charges_account="404",
        no_tax_type="NONE",
        base_currency="NZD",
        import_options={"contact_group_ids": [GROUP_ID]},
    )
    assert check_settings(settings, reference()) == []


def test_an_account_without_a_code_is_named_with_what_to_do_in_xero():
    # Given settings that picked the account without a code (by its AccountID)
    settings = OrgSettings(bank_charges_account=NO_CODE_ACCOUNT_ID)
    # When checked
    (problem,) = check_settings(settings, reference())
    # Then the problem names the setting and the account, and says to add a code in Xero
    assert problem.field == "settings.bank_charges_account"
    assert problem.code == ProblemCode.MISSING_ACCOUNT_CODE
    assert "'Merchant Fees'" in problem.message and "Add a code to it in Xero" in problem.message


@pytest.mark.parametrize(
    ("setting", "value", "code"),
    [
        ("sales_account", "999", ProblemCode.UNKNOWN_ACCOUNT.value),
        ("sales_account", "210", ProblemCode.ARCHIVED_ACCOUNT.value),
        ("sales_adjustments_account", "090", ProblemCode.BANK_ACCOUNT_NOT_ALLOWED.value),
    ],
)
def test_unknown_archived_and_bank_accounts_are_refused(setting, value, code):
    (problem,) = check_settings(OrgSettings(**{setting: value}), reference())
    assert (problem.field, problem.code) == (f"settings.{setting}", code)


def test_the_no_tax_rate_base_currency_and_contact_groups_are_checked_too():
    settings = OrgSettings(no_tax_type="OUTPUT2", base_currency="AUD", import_options={"contact_group_ids": ["nope"]})
    fields = [p.field for p in check_settings(settings, reference())]
    assert fields == ["settings.no_tax_type", "settings.base_currency", "settings.import_options.contact_group_ids[0]"]


def test_only_settings_that_pick_from_xero_need_the_reference_data():
    assert not needs_reference_data(OrgSettings(sync_frequency=SyncFrequency.DAILY, admin_emails=["a@b.example"]))
    assert needs_reference_data(OrgSettings(sales_account="200"))


# --- tax mappings (F2.3) ----------------------------------------------------------------------------


def test_equal_rates_map_including_a_compound_rate():
    mappings = [
        TaxMapping(host_tax_id="gst15", host_rate="15", xero_tax_type="OUTPUT2", purchases_xero_tax_type="INPUT2"),
        TaxMapping(host_tax_id="qc", host_rate="15.47375", xero_tax_type="TAX002"),  # 5 + 9.975 × 1.05
    ]
    assert check_tax_mappings(mappings, reference()) == []


def test_a_compound_rate_is_refused_against_the_simple_sum_of_its_components():
    # Given a host tax of 14.975 % (5 + 9.975, not compounded) mapped to the compound Xero rate
    mappings = [TaxMapping(host_tax_id="qc", host_tax_name="GST+QST", host_rate="14.975", xero_tax_type="TAX002")]
    # When checked
    (problem,) = check_tax_mappings(mappings, reference())
    # Then it is refused, naming the mapping, both rates and that the components were combined
    assert problem.field == "mappings[0].xero_tax_type"
    assert problem.code == ProblemCode.TAX_RATE_MISMATCH
    assert "14.975 %" in problem.message and "15.4738 %" in problem.message and "components combined" in problem.message


def test_the_purchases_tax_type_is_named_when_it_is_the_one_at_fault():
    mappings = [
        TaxMapping(host_tax_id="gst15", host_rate="15", xero_tax_type="OUTPUT2"),
        TaxMapping(host_tax_id="gst12", host_rate="12.5", xero_tax_type="OUTPUT2", purchases_xero_tax_type="OUTPUT"),
    ]
    fields = [p.field for p in check_tax_mappings(mappings, reference())]
    assert fields == ["mappings[1].xero_tax_type", "mappings[1].purchases_xero_tax_type"]


def test_an_unknown_tax_type_and_a_duplicate_host_tax_are_refused():
    mappings = [
        TaxMapping(host_tax_id="gst15", host_rate="15", xero_tax_type="OUTPUT9"),
        TaxMapping(host_tax_id="gst15", host_rate="15", xero_tax_type="OUTPUT2"),
    ]
    problems = check_tax_mappings(mappings, reference())
    assert [(p.field, p.code) for p in problems] == [
        ("mappings[0].xero_tax_type", ProblemCode.UNKNOWN_TAX_RATE.value),
        ("mappings[1].host_tax_id", ProblemCode.DUPLICATE_MAPPING.value),
    ]


# --- re-queueable error codes ------------------------------------------------------------------------


def test_the_requeueable_sets_are_problem_codes_a_change_can_cure():
    every_code = {code.value for code in ProblemCode}
    assert every_code >= SETTINGS_FIXABLE_CODES and every_code >= TAX_MAPPING_FIXABLE_CODES
    assert every_code | {"closed_period"} >= XERO_FIXABLE_CODES  # Xero's own lock-date failure
    # F2.2: an account code added in Xero, or another account chosen in the settings
    assert "missing_account_code" in SETTINGS_FIXABLE_CODES & XERO_FIXABLE_CODES
    assert {"unmapped_tax", "tax_rate_mismatch"} <= TAX_MAPPING_FIXABLE_CODES
    # Only a new push of the host's data cures these
    host_data = {"negative_total", "exchange_rate_too_small", "write_off_amount_unknown"}
    assert not host_data & (SETTINGS_FIXABLE_CODES | TAX_MAPPING_FIXABLE_CODES | XERO_FIXABLE_CODES)


# --- saving, with in-memory adapters -----------------------------------------------------------------


class Requeues:
    def __init__(self) -> None:
        self.calls: list[frozenset[str]] = []

    def __call__(self, org_id, *, error_codes, now) -> int:
        self.calls.append(frozenset(error_codes))
        return 2


CONNECTED = connection(ORG)


def settings_service(connection: Connection | None = CONNECTED):
    org_config, connections = InMemoryOrgConfig(), InMemoryConnections.of(*([connection] if connection else []))
    xero = FakeTenantClient(xero_bodies())
    reference_data = ReferenceDataService(
        org_config=org_config, connections=connections, tenant_client=lambda org_id: xero, clock=lambda: NOW
    )
    requeues, history = Requeues(), InMemoryHistory()
    service = OrgSettingsService(
        org_config=org_config,
        connections=connections,
        history=history,
        reference_data=reference_data,
        requeue_failed=requeues,
        clock=lambda: NOW,
    )
    return service, connections, requeues, history, xero


def test_a_save_imports_on_demand_counts_as_activity_reschedules_and_requeues():
    service, connections, requeues, history, xero = settings_service()
    # When the settings are saved with an account and a new frequency
    view = service.put(
        ORG, OrgSettingsUpdate(settings=OrgSettings(sales_account="200", sync_frequency=SyncFrequency.HOURLY))
    )
    # Then the chart was imported (nothing was before), the save is activity, the org is
    # rescheduled an hour from now, and the failures settings can cure are re-queued
    assert len(xero.calls) == len(KINDS) and view.revision == 1
    assert connections.activity == [(ORG, NOW)]
    assert connections.scheduled == [(ORG, NOW + timedelta(hours=1))]
    assert requeues.calls == [SETTINGS_FIXABLE_CODES]
    assert history.events[0].action == "settings_changed" and "2 failed record(s)" in history.events[0].message


def test_an_unchanged_save_does_nothing_more_and_a_stale_revision_conflicts():
    service, _, requeues, _, _ = settings_service()
    update = OrgSettingsUpdate(settings=OrgSettings(sync_frequency=SyncFrequency.DAILY))
    service.put(ORG, update)
    service.put(ORG, OrgSettingsUpdate(settings=update.settings, revision=1))
    assert len(requeues.calls) == 1  # the second save changed nothing
    with pytest.raises(Conflict, match="saved by someone else"):
        service.put(ORG, OrgSettingsUpdate(settings=update.settings, revision=1))


def test_a_refused_account_stores_nothing():
    service, _, requeues, _, _ = settings_service()
    with pytest.raises(InvalidInput) as raised:
        service.put(ORG, OrgSettingsUpdate(settings=OrgSettings(rounding_account=NO_CODE_ACCOUNT_ID)))
    assert [d.field for d in raised.value.details] == ["settings.rounding_account"]
    assert service.get(ORG).revision == 0 and requeues.calls == []


def test_settings_naming_accounts_need_a_connection_when_nothing_was_imported():
    service, *_ = settings_service(connection=None)
    with pytest.raises(Conflict, match="connect"):
        service.put(ORG, OrgSettingsUpdate(settings=OrgSettings(sales_account="200")))
    # while settings that pick nothing from Xero can be saved before connecting
    assert service.put(ORG, OrgSettingsUpdate(settings=OrgSettings(admin_emails=["a@b.example"]))).revision == 1


def test_saved_tax_mappings_requeue_tax_failures_and_show_later_problems():
    service, _, requeues, _, _ = settings_service()
    mapping = TaxMapping(host_tax_id="gst15", host_rate="15", xero_tax_type="OUTPUT2")
    service.put_tax_mappings(ORG, TaxMappingsUpdate(mappings=[mapping]))
    assert requeues.calls == [TAX_MAPPING_FIXABLE_CODES]
    assert service.get_tax_mappings(ORG).problems == []
