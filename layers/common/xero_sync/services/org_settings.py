"""An org's settings (F2.1, F2.2, F2.4) and tax mappings (F2.3).

Saving checks what the settings pick from Xero against the imported reference data: every
account they name must exist, be active and have a code (F2.2: the message names the account and
says to add the code in Xero), and must not be a bank account (the settings' accounts go on
document and bank-transaction *lines*, which Xero refuses on bank accounts); the no-tax rate must
be an active 0 % rate; contact groups must exist. A tax mapping is refused unless the host rate
equals the Xero rate, compound rates included (``domain.tax.check_tax_mapping``).

A saved change is activity (F6.1), is recorded in the history, reschedules the org when its sync
frequency changed, and re-queues the failed records that the change may cure
(:data:`SETTINGS_FIXABLE_CODES`, :data:`TAX_MAPPING_FIXABLE_CODES`). Saves use the stored
revision for optimistic concurrency when the caller sends the revision it read.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from xero_sync.clock import Clock
from xero_sync.domain.config_items import SETTINGS, TAX_MAPPINGS
from xero_sync.domain.currency import base_currency_mismatch
from xero_sync.domain.errors import RevisionConflict
from xero_sync.domain.families import Family
from xero_sync.domain.mapping.checks import ACCOUNT_SETTINGS, check_settings_accounts, check_tax_mapping, no_tax_rate
from xero_sync.domain.problems import Problem, ProblemCode
from xero_sync.domain.restrictions import SKIP_ACTION_OFF, SKIP_FAMILY_OFF
from xero_sync.domain.schedule import next_sync_time
from xero_sync.models.api import ErrorDetail
from xero_sync.models.api_export import (
    ConfigProblem,
    OrgSettingsUpdate,
    OrgSettingsView,
    TaxMappingsUpdate,
    TaxMappingsView,
    field_path,
)
from xero_sync.models.org_config import OrgSettings, TaxMapping, TaxMappings
from xero_sync.models.reference_data import ReferenceData
from xero_sync.services.errors import Conflict, InvalidInput
from xero_sync.services.history import admin_event
from xero_sync.services.ports import ConnectionStore, HistoryStore, OrgConfigStore
from xero_sync.services.reference_data import ReferenceDataService

SETTINGS_FIXABLE_CODES: frozenset[str] = frozenset(
    code.value
    for code in (
        ProblemCode.ACCOUNT_NOT_CONFIGURED,
        ProblemCode.UNKNOWN_ACCOUNT,
        ProblemCode.ARCHIVED_ACCOUNT,
        ProblemCode.MISSING_ACCOUNT_CODE,
        ProblemCode.TAX_NOT_ALLOWED_FOR_ACCOUNT,
        ProblemCode.NO_ZERO_TAX_RATE,
        ProblemCode.BASE_CURRENCY_MISMATCH,
        # field mapping overrides (F2.4)
        ProblemCode.VALUE_TOO_LONG,
        ProblemCode.INVALID_VALUE,
        ProblemCode.REQUIRED_VALUE_MISSING,
        ProblemCode.UNKNOWN_TRACKING_CATEGORY,  # the tracking mapping changed
    )
)
"""Failures a settings change can cure: an account chosen, replaced or given a code; the no-tax
rate; the base currency; the field mapping overrides. (Codes a change in the *host's* data
cures — a negative total, a too small exchange rate — are not here: only a new push helps.)"""

TAX_MAPPING_FIXABLE_CODES: frozenset[str] = frozenset(
    code.value
    for code in (
        ProblemCode.UNMAPPED_TAX,
        ProblemCode.UNKNOWN_TAX_RATE,
        ProblemCode.INACTIVE_TAX_RATE,
        ProblemCode.TAX_RATE_MISMATCH,
        ProblemCode.TAX_NOT_ALLOWED_FOR_ACCOUNT,
    )
)
"""Failures a tax mapping change can cure."""

Requeue = Callable[..., int]
"""``RecordsService.requeue_failed(org_id, *, error_codes, now) -> int``."""


# --- pure checks ---------------------------------------------------------------------------------


def check_settings(settings: OrgSettings, reference: ReferenceData) -> list[ConfigProblem]:
    """Everything the settings pick from Xero, checked against the imported reference data."""
    problems = [
        ConfigProblem(field=f"settings.{setting}", code=problem.code.value, message=problem.message)
        for setting, problem in check_settings_accounts(settings, reference)
    ]
    if settings.no_tax_type:
        found = no_tax_rate(settings, reference, purchases=False)
        if isinstance(found, Problem):
            problems.append(ConfigProblem(field="settings.no_tax_type", code=found.code.value, message=found.message))
    if settings.base_currency:
        mismatch = base_currency_mismatch(settings.base_currency, reference)
        if mismatch is not None:
            problems.append(
                ConfigProblem(field="settings.base_currency", code=mismatch.code.value, message=mismatch.message)
            )
    for index, mapping in enumerate(settings.tracking):
        if reference.tracking_category(mapping.category) is None:
            names = ", ".join(c.Name for c in reference.tracking_categories if c.Status == "ACTIVE") or "none"
            problems.append(
                ConfigProblem(
                    field=field_path(["settings", "tracking", index, "category"]),
                    code=ProblemCode.UNKNOWN_TRACKING_CATEGORY.value,
                    message=f"Xero has no active tracking category {mapping.category!r} (active: {names}); see "
                    "GET /v1/orgs/{org_id}/xero/tracking-categories.",
                )
            )
    known_groups = {group.ContactGroupID.lower() for group in reference.contact_groups if group.Status == "ACTIVE"}
    for index, group_id in enumerate(settings.import_options.contact_group_ids):
        if group_id.lower() not in known_groups:
            problems.append(
                ConfigProblem(
                    field=field_path(["settings", "import_options", "contact_group_ids", index]),
                    code=ProblemCode.UNKNOWN_CONTACT_GROUP.value,
                    message=f"Xero has no active contact group {group_id!r}; choose one from "
                    "GET /v1/orgs/{org_id}/xero/contact-groups.",
                )
            )
    return problems


def needs_reference_data(settings: OrgSettings) -> bool:
    """Whether the settings pick anything from Xero's lists (then they can only be checked —
    and only have been chosen — once those lists were imported)."""
    return (
        any(getattr(settings, setting) is not None for setting in ACCOUNT_SETTINGS)
        or bool(settings.no_tax_type)
        or bool(settings.import_options.contact_group_ids)
        or bool(settings.tracking)
    )


def check_tax_mappings(mappings: list[TaxMapping], reference: ReferenceData | None) -> list[ConfigProblem]:
    """F2.3 for each mapping; ``field`` names the mapping and the tax type at fault, e.g.
    ``mappings[1].xero_tax_type``. Without reference data only the duplicates are checked."""
    problems: list[ConfigProblem] = []
    first_index: dict[str, int] = {}
    for index, mapping in enumerate(mappings):
        if mapping.host_tax_id in first_index:
            problems.append(
                ConfigProblem(
                    field=field_path(["mappings", index, "host_tax_id"]),
                    code=ProblemCode.DUPLICATE_MAPPING.value,
                    message=f"host tax {mapping.host_tax_id!r} is already mapped in "
                    f"mappings[{first_index[mapping.host_tax_id]}]; map each host tax once",
                )
            )
            continue
        first_index[mapping.host_tax_id] = index
        if reference is None:
            continue
        for problem in check_tax_mapping(mapping, reference):
            # The problem's tax type tells which of the two the host must change.
            tax_type = problem.params.get("tax_type")
            purchases_only = tax_type == mapping.purchases_xero_tax_type and tax_type != mapping.xero_tax_type
            attribute = "purchases_xero_tax_type" if purchases_only else "xero_tax_type"
            problems.append(
                ConfigProblem(
                    field=field_path(["mappings", index, attribute]), code=problem.code.value, message=problem.message
                )
            )
    return problems


TOGGLE_SKIPS: frozenset[str] = frozenset({SKIP_FAMILY_OFF, SKIP_ACTION_OFF})
"""Skips that a family or a create/update/delete toggle turned on again may lift."""


def _turned_on(previous: OrgSettings, settings: OrgSettings) -> bool:
    """Whether the save turns on an entity family or a create/update/delete toggle."""
    for family in Family:
        if settings.export.enabled(family) and not previous.export.enabled(family):
            return True
        before, after = previous.toggles(family), settings.toggles(family)
        if any(getattr(after, a) and not getattr(before, a) for a in ("create", "update", "delete")):
            return True
    return False


def _details(problems: list[ConfigProblem]) -> list[ErrorDetail]:
    return [ErrorDetail(field=p.field, message=p.message) for p in problems]


# --- the service ---------------------------------------------------------------------------------


@dataclass
class OrgSettingsService:
    org_config: OrgConfigStore
    connections: ConnectionStore
    history: HistoryStore
    reference_data: ReferenceDataService
    requeue_failed: Requeue
    clock: Clock
    requeue_skipped: Requeue | None = None  # records skipped by a family or toggle turned on again (F3.11)

    # --- settings (F2.1, F2.2, F2.4) --------------------------------------------------------------

    def current(self, org_id: str) -> OrgSettings:
        """The saved settings, or the defaults when the org never saved any."""
        item = self.org_config.get(org_id, SETTINGS)
        return OrgSettings.model_validate(item.body) if item else OrgSettings()

    def get(self, org_id: str) -> OrgSettingsView:
        item = self.org_config.get(org_id, SETTINGS)
        settings = OrgSettings.model_validate(item.body) if item else OrgSettings()
        reference = self.reference_data.load(org_id)
        return OrgSettingsView(
            settings=settings,
            revision=item.revision if item else 0,
            updated_at=item.updated_at if item else None,
            problems=check_settings(settings, reference) if reference is not None else [],
        )

    def put(self, org_id: str, update: OrgSettingsUpdate) -> OrgSettingsView:
        settings = update.settings
        reference = (
            self.reference_data.load_or_import(org_id)
            if needs_reference_data(settings)
            else self.reference_data.load(org_id)
        )
        problems = check_settings(settings, reference) if reference is not None else []
        if problems:
            raise InvalidInput("The settings name things Xero cannot use; see details.", _details(problems))

        now = self.clock()
        before = self.org_config.get(org_id, SETTINGS)
        previous = OrgSettings.model_validate(before.body) if before else OrgSettings()
        revision = self._save(
            org_id, SETTINGS, settings, now, update.revision, read_again=f"(GET /v1/orgs/{org_id}/settings) "
        )

        if before is None or settings != previous:
            self._reschedule(org_id, settings, previous, now)
            self._changed(org_id, now, "settings_changed", "Xero integration settings saved.", SETTINGS_FIXABLE_CODES)
            if self.requeue_skipped is not None and _turned_on(previous, settings):
                self.requeue_skipped(org_id, error_codes=TOGGLE_SKIPS, now=now)
        return OrgSettingsView(settings=settings, revision=revision, updated_at=now, problems=[])

    def _reschedule(self, org_id: str, settings: OrgSettings, previous: OrgSettings, now: datetime) -> None:
        """A new frequency takes effect from now (F3.7); an unchanged one keeps its timetable, so
        saving other settings does not push a daily sync further out."""
        connection = self.connections.get(org_id)
        if connection is None or not connection.syncs:
            return  # scheduled when it connects
        if settings.sync_frequency != previous.sync_frequency or connection.next_sync_at is None:
            self.connections.set_next_sync(org_id, next_sync_time(settings.sync_frequency, now))

    # --- tax mappings (F2.3) ----------------------------------------------------------------------

    def get_tax_mappings(self, org_id: str) -> TaxMappingsView:
        item = self.org_config.get(org_id, TAX_MAPPINGS)
        mappings = TaxMappings.model_validate(item.body) if item else TaxMappings()
        reference = self.reference_data.load(org_id)
        return TaxMappingsView(
            mappings=mappings.mappings,
            revision=item.revision if item else 0,
            updated_at=item.updated_at if item else None,
            problems=check_tax_mappings(mappings.mappings, reference) if reference is not None else [],
        )

    def put_tax_mappings(self, org_id: str, update: TaxMappingsUpdate) -> TaxMappingsView:
        reference = self.reference_data.load_or_import(org_id) if update.mappings else None
        problems = check_tax_mappings(update.mappings, reference)
        if problems:
            raise InvalidInput(
                "A host tax can only be mapped to a Xero tax rate with the same rate; see details.", _details(problems)
            )
        now = self.clock()
        before = self.org_config.get(org_id, TAX_MAPPINGS)
        mappings = TaxMappings(mappings=update.mappings)
        revision = self._save(org_id, TAX_MAPPINGS, mappings, now, update.revision)
        if before is None or TaxMappings.model_validate(before.body) != mappings:
            self._changed(org_id, now, "tax_mappings_changed", "Tax mappings saved.", TAX_MAPPING_FIXABLE_CODES)
        return TaxMappingsView(mappings=mappings.mappings, revision=revision, updated_at=now, problems=[])

    # --- helpers ----------------------------------------------------------------------------------

    def _save(
        self,
        org_id: str,
        item: str,
        body: OrgSettings | TaxMappings,
        now: datetime,
        expected_revision: int | None,
        *,
        read_again: str = "",
    ) -> int:
        """Store a config item if it is still at the revision the caller read; ``read_again``
        names where to read it again (with a trailing space) when someone saved it meanwhile."""
        try:
            return self.org_config.put(
                org_id, item, body.model_dump(mode="json"), now=now, expected_revision=expected_revision
            )
        except RevisionConflict as error:
            what = item.replace("_", " ")  # the item's name reads as the noun: settings, tax mappings
            raise Conflict(
                f"The {what} were saved by someone else since you read them: read them again {read_again}"
                "and re-apply your change."
            ) from error

    def _changed(self, org_id: str, now: datetime, action: str, message: str, fixable: Collection[str]) -> None:
        """A configuration change: activity (F6.1), audit (F7.1), and another chance for the
        failures it may cure (F2.2 "retried when the code is added")."""
        self.connections.record_activity(org_id, now)
        requeued = self.requeue_failed(org_id, error_codes=fixable, now=now)
        text = f"{message} {requeued} failed record(s) sent again." if requeued else message
        self.history.append(admin_event(org_id, now, action, text, details={"requeued": requeued}))
