"""The import worker over in-memory fakes (F4.2–F4.4): webhook events and polls become changes
in the host's schema — once per change, never an echo of the service's own export, only what the
import options choose, matches reported, conflicts settled, payment status of exported invoices."""

from __future__ import annotations

from import_world import ORG, TENANT, ImportWorld, contact, event, invoice

from tests.fakes import stored
from tests.fakes.imports import pending_since_export
from xero_sync.domain.changes import ChangeKind, Resource
from xero_sync.domain.links import ContactLink, LinkSource
from xero_sync.domain.records import RecordStatus
from xero_sync.domain.xero_objects import ExportedElement, ObjectKey
from xero_sync.models.imports import OrgObjects, TenantEvents
from xero_sync.models.org_config import ImportOptions
from xero_sync.services.imports.worker import SETTLE_SECONDS

# --- one change per change ------------------------------------------------------------------------


def test_a_contact_changed_in_xero_becomes_one_change_in_the_hosts_schema(world):
    # Given a contact in Xero that the service has not seen
    world.xero.save("Contacts", contact("c-1", "Harbour Cafe Ltd", EmailAddress="ap@harbour.example"))
    # When Xero's webhook reports it
    summary = world.webhook(event("CONTACT", "c-1"))
    # Then the feed holds one change with the full state in the host's schema
    (change,) = world.feed()
    assert change.kind is ChangeKind.CONTACT_CREATED and change.change_id == "000000000001"
    assert change.state["display_name"] == "Harbour Cafe Ltd" and change.state["email"] == "ap@harbour.example"
    assert change.xero_id == "c-1" and change.host_id is None and summary.changes == 1
    # And the host's webhook deliverer was nudged, and the history has the import
    assert world.nudged == [ORG]
    assert [(e.direction, e.action, e.xero_id) for e in world.history.events] == [("import", "created", "c-1")]

    # When the same webhook comes again, and a poll reads the same state
    world.webhook(event("CONTACT", "c-1"))
    world.poll()
    # Then nothing new: one change per change
    assert world.kinds() == ["contact.created"]

    # When a user edits it in Xero, then archives it
    world.later()
    world.xero.save("Contacts", contact("c-1", "Harbour Cafe Ltd", EmailAddress="accounts@harbour.example"))
    world.webhook(event("CONTACT", "c-1"))
    world.later()
    world.xero.save("Contacts", contact("c-1", "Harbour Cafe Ltd", ContactStatus="ARCHIVED"))
    world.poll()
    # Then each arrives once, in order
    assert world.kinds() == ["contact.created", "contact.updated", "contact.archived"]
    assert [c.change_id for c in world.feed()] == ["000000000001", "000000000002", "000000000003"]


def test_a_webhook_and_a_poll_racing_for_the_same_change_make_one(world):
    # Given a contact known to the service
    world.xero.save("Contacts", contact("c-1", "Kiwi Roasters"))
    world.webhook(event("CONTACT", "c-1"))
    world.later()
    world.xero.save("Contacts", contact("c-1", "Kiwi Roasters Ltd"))
    # And a poll that records the new state just before the webhook's import writes it
    world.changes.before_commit = lambda org_id: world.poll()
    # When the webhook's import commits
    world.webhook(event("CONTACT", "c-1"))
    # Then its write finds the object moved, decides again, and adds nothing
    assert world.kinds() == ["contact.created", "contact.updated"]


def test_the_services_own_export_is_not_echoed_back(world):
    # Given the export wrote a host contact to Xero (Xero's answer goes to the no-echo record)
    element = world.xero.save("Contacts", contact("c-7", "Bean Growers Co-op", EmailAddress="ap@bean.example"))
    world.exported.written([ExportedElement(ORG, "contact", "cus-7", "c-7", element)], world.clock())
    # When Xero's webhook for that write arrives, and a poll reads it too
    world.webhook(event("CONTACT", "c-7"))
    world.poll()
    # Then no change goes back to the host
    assert world.feed() == []
    # When a user then changes the contact in Xero
    world.later()
    world.xero.save("Contacts", contact("c-7", "Bean Growers Co-op", EmailAddress="accounts@bean.example"))
    world.webhook(event("CONTACT", "c-7"))
    # Then that is a change, linked to the host contact
    (change,) = world.feed()
    assert (change.kind, change.host_id, change.state["email"]) == (
        ChangeKind.CONTACT_UPDATED,
        "cus-7",
        "accounts@bean.example",
    )


def test_a_late_export_never_hides_a_newer_change_made_in_xero(world):
    # Given a user's change was imported
    world.xero.save("Contacts", contact("c-1", "Kiwi Roasters"))
    world.later()
    newer = world.xero.save("Contacts", contact("c-1", "Kiwi Roasters Ltd"))
    world.webhook(event("CONTACT", "c-1"))
    # When an export's older answer is recorded afterwards
    older = {**newer, "Name": "Kiwi Roasters", "UpdatedDateUTC": "/Date(1000+0000)/"}
    world.exported.written([ExportedElement(ORG, "contact", "cus-1", "c-1", older)], world.clock())
    # Then the stored state is still Xero's newer one: reading it again is no change
    world.poll()
    assert world.kinds() == ["contact.created"]


# --- what the options choose ----------------------------------------------------------------------


def test_only_the_chosen_contact_groups_arrive(world):
    world.options = ImportOptions(customers=True, contact_group_ids=["g-wholesale"])
    wholesale = [{"ContactGroupID": "g-wholesale", "Name": "Wholesale", "Status": "ACTIVE"}]
    world.xero.save("Contacts", contact("c-1", "In The Group", ContactGroups=wholesale))
    world.xero.save("Contacts", contact("c-2", "Not In It"))
    world.poll()
    assert [c.xero_id for c in world.feed()] == ["c-1"]
    # When the other one joins the group in Xero (a CONTACT update)
    world.later()
    world.xero.save("Contacts", contact("c-2", "Not In It", ContactGroups=wholesale))
    world.webhook(event("CONTACT", "c-2"))
    assert [(c.xero_id, c.kind.value) for c in world.feed()][-1] == ("c-2", "contact.created")


def test_customers_and_vendors_follow_their_options(world):
    world.options = ImportOptions(customers=True, vendors=False)
    world.xero.save("Contacts", contact("c-1", "A Customer"))
    world.xero.save("Contacts", contact("c-2", "A Supplier", IsCustomer=False, IsSupplier=True))
    world.poll()
    assert [c.xero_id for c in world.feed()] == ["c-1"]
    # Without customers or vendors, contacts are not read at all
    world.options = ImportOptions()
    reads = world.xero.reads("/Contacts")
    world.poll()
    assert world.xero.reads("/Contacts") == reads


# --- matching --------------------------------------------------------------------------------------


def test_an_unlinked_contact_is_matched_by_email_or_phone_and_the_match_reported(world):
    # Given the host's contacts
    world.records.put(stored(ORG, "contact", "cus-3", data={"display_name": "Harbour", "email": "AP@Harbour.example"}))
    world.records.put(stored(ORG, "contact", "cus-9", data={"display_name": "Kiwi", "phone_mobile": "021 555 0199"}))
    # And Xero contacts with the same email (other case) and the same phone (international form)
    world.xero.save("Contacts", contact("c-1", "Harbour Cafe Ltd", EmailAddress="ap@harbour.example"))
    phone = [{"PhoneType": "MOBILE", "PhoneCountryCode": "64", "PhoneAreaCode": "21", "PhoneNumber": "555 0199"}]
    world.xero.save("Contacts", contact("c-2", "Kiwi Roasters", Phones=phone))
    world.xero.save("Contacts", contact("c-3", "Nobody Like Them"))
    # When the import reads them
    world.poll()
    # Then each change carries its match, and the matches are links
    by_xero = {c.xero_id: c for c in world.feed()}
    assert (by_xero["c-1"].match.host_id, by_xero["c-1"].match.by, by_xero["c-1"].host_id) == (
        "cus-3",
        "email",
        "cus-3",
    )
    assert (by_xero["c-2"].match.host_id, by_xero["c-2"].match.by) == ("cus-9", "phone")
    assert by_xero["c-3"].match is None and by_xero["c-3"].host_id is None
    assert world.links.get(ORG, "cus-3").source is LinkSource.MATCH_EMAIL
    assert world.links.get(ORG, "cus-9").source is LinkSource.MATCH_PHONE
    assert world.host_contacts.reads == 1  # the host's contacts are read once per org and batch
    # When the matched contact changes later, the change still names the link and how it was made
    world.later()
    world.xero.save("Contacts", contact("c-1", "Harbour Cafe Limited", EmailAddress="ap@harbour.example"))
    world.webhook(event("CONTACT", "c-1"))
    latest = world.feed()[-1]
    assert (latest.host_id, latest.match.by) == ("cus-3", "email")


def test_an_explicit_link_is_kept_and_never_replaced_by_a_match(world):
    world.links.put(ContactLink(ORG, "cus-1", "c-1", TENANT, LinkSource.EXPLICIT, world.clock()))
    world.records.put(stored(ORG, "contact", "cus-2", data={"email": "ap@harbour.example"}))
    world.xero.save("Contacts", contact("c-1", "Harbour", EmailAddress="ap@harbour.example"))
    world.poll()
    (change,) = world.feed()
    assert (change.host_id, change.match) == ("cus-1", None)
    assert world.links.get(ORG, "cus-2") is None  # no match link written for another host contact


# --- conflicts ---------------------------------------------------------------------------------------


def _exported_contact(world: ImportWorld) -> None:
    element = world.xero.save("Contacts", contact("c-1", "Harbour Cafe Ltd"))
    world.exported.written([ExportedElement(ORG, "contact", "cus-1", "c-1", element)], world.clock())


def test_both_sides_changed_and_xeros_change_is_newer(world):
    # Given an exported contact the host changed (pending, received first)
    _exported_contact(world)
    pending_since_export(
        world.records, ORG, "cus-1", received_at=world.clock(), data={"display_name": "Harbour (host)"}
    )
    # When a user changes it in Xero afterwards
    world.later()
    world.xero.save("Contacts", contact("c-1", "Harbour Cafe (Xero)"))
    world.webhook(event("CONTACT", "c-1"))
    # Then Xero's change reaches the host, with the host's version in the conflict
    (change,) = world.feed()
    assert change.conflict["winner"] == "xero" and change.conflict["host_state"] == {"display_name": "Harbour (host)"}
    # And the host's older version will not overwrite it in Xero
    row = world.records.get(stored(ORG, "contact", "cus-1").key)
    assert (row.status, row.error_code) == (RecordStatus.SKIPPED, "superseded_by_xero")
    # And the history has both versions
    (conflict,) = [e for e in world.history.events if e.action == "conflict"]
    assert (
        conflict.details["winner"] == "xero" and conflict.details["xero_state"]["display_name"] == "Harbour Cafe (Xero)"
    )


def test_both_sides_changed_and_the_hosts_change_is_newer(world):
    _exported_contact(world)
    world.later()
    world.xero.save("Contacts", contact("c-1", "Harbour Cafe (Xero)"))
    world.later()
    pending_since_export(
        world.records, ORG, "cus-1", received_at=world.clock(), data={"display_name": "Harbour (host)"}
    )
    world.webhook(event("CONTACT", "c-1"))
    # Then nothing is reported, the host's version still goes to Xero, and the history says why
    assert world.feed() == []
    assert world.records.get(stored(ORG, "contact", "cus-1").key).status is RecordStatus.PENDING
    (conflict,) = [e for e in world.history.events if e.action == "conflict"]
    assert conflict.details["winner"] == "host"
    # And Xero's state is known now: reading it again reports nothing either
    world.poll()
    assert world.feed() == []


# --- documents and payment status (F4.3) ------------------------------------------------------------


def test_a_payment_recorded_in_xero_on_an_exported_invoice_reports_its_balance(world):
    # Given an invoice the service exported (no payment yet)
    element = world.xero.save("Invoices", invoice("i-1", "INV-1042", "c-1"))
    world.exported.written([ExportedElement(ORG, "invoice", "inv-1042", "i-1", element)], world.clock())
    world.webhook(event("INVOICE", "i-1"))
    assert world.feed() == []  # its own export: no echo
    # When a payment of 15.00 is recorded in Xero
    world.later()
    payments = [{"PaymentID": "p-1", "Date": "/Date(1794182400000+0000)/", "Amount": 15, "Reference": "DD 9"}]
    world.xero.save("Invoices", invoice("i-1", "INV-1042", "c-1", AmountPaid=15, AmountDue=100, Payments=payments))
    world.webhook(event("INVOICE", "i-1"))
    # Then the host gets the payment status with the balance
    (change,) = world.feed()
    assert change.kind is ChangeKind.INVOICE_PAYMENT_STATUS_CHANGED and change.host_id == "inv-1042"
    payment = change.state["payment"]
    assert (payment["status"], payment["amount_paid"], payment["amount_due"]) == ("partially_paid", "15.00", "100.00")
    assert payment["payments"] == [{"xero_id": "p-1", "date": "2026-11-09", "amount": "15.00", "reference": "DD 9"}]
    # And the stored payment status (shown with the record's state) is Xero's latest
    stored_payment = world.objects.get(ObjectKey(ORG, Resource.INVOICE, "i-1")).payment
    assert stored_payment["amount_due"] == "100.00"
    # And a user's edit of the invoice's reference is not a change for a one-way host
    world.later()
    world.xero.save(
        "Invoices", invoice("i-1", "INV-1042", "c-1", AmountPaid=15, AmountDue=100, Payments=payments, Reference="x")
    )
    world.webhook(event("INVOICE", "i-1"))
    assert len(world.feed()) == 1
    # And the invoice listener heard about the contact's invoices every time
    assert world.invoice_calls == [(ORG, {"c-1"})] * 3


def test_documents_made_in_xero_arrive_only_for_a_two_way_host(world):
    world.xero.save("Invoices", invoice("i-9", "INV-9", "c-1"))
    world.webhook(event("INVOICE", "i-9"))
    assert world.feed() == []
    world.options = ImportOptions(documents=True)
    world.webhook(event("INVOICE", "i-9"))
    (change,) = world.feed()
    assert change.kind is ChangeKind.INVOICE_CREATED and change.state["lines"][0]["tax_id"] == "gst15"
    # a bill is a bill
    world.xero.save("Invoices", invoice("b-1", "BG-1", "c-5", Type="ACCPAY"))
    world.webhook(event("INVOICE", "b-1"))
    assert world.feed()[-1].kind is ChangeKind.BILL_CREATED


# --- N7, deleted records, settling ----------------------------------------------------------------------


def test_an_event_for_a_tenant_reaches_every_org_connected_to_it(world):
    world.connections.add("org-b", tenant_id=TENANT)
    world.connections.add("org-c", tenant_id=TENANT, status="disabled")
    world.xero.save("Contacts", contact("c-1", "Shared Ltd"))
    world.webhook(event("CONTACT", "c-1"))
    assert [len(world.feed(org)) for org in (ORG, "org-b", "org-c")] == [1, 1, 0]


def test_a_change_xero_reports_for_a_record_it_no_longer_returns_is_recorded_not_retried(world):
    world.webhook(event("CONTACT", "c-gone"))
    (recorded,) = [e for e in world.history.events if e.error_code == "not_in_xero"]
    assert recorded.outcome == "skipped" and "c-gone" in recorded.message
    assert world.queue.sent == [] and world.feed() == []


def test_create_events_wait_a_moment_so_that_the_services_own_creations_are_known(world):
    world.xero.save("Contacts", contact("c-1", "Brand New Ltd"))
    world.webhook(event("CONTACT", "c-1", "CREATE"), event("CONTACT", "c-2", "UPDATE"), settled=False)
    ((held, delay),) = world.queue.take()
    assert isinstance(held, TenantEvents) and held.settled and delay == SETTLE_SECONDS
    assert [e.resourceId for e in held.events] == ["c-1"]
    assert world.feed() == []
    world.run(held)
    assert world.kinds() == ["contact.created"]


def test_an_object_the_export_is_writing_right_now_is_read_again_later(world):
    _exported_contact(world)
    world.records.put(
        stored(ORG, "contact", "cus-1", claim_owner="worker-1", claim_until=world.clock().replace(year=2027))
    )
    world.later()
    world.xero.save("Contacts", contact("c-1", "Harbour (being exported)"))
    world.webhook(event("CONTACT", "c-1"))
    assert world.feed() == []
    ((again, delay),) = world.queue.take()
    assert isinstance(again, OrgObjects) and again.xero_ids == ["c-1"] and delay == 15


# --- polls ---------------------------------------------------------------------------------------------


def test_polls_read_only_what_changed_since_the_cursor(world):
    world.xero.save("Contacts", contact("c-1", "First"))
    world.poll()
    first_read = [c for c in world.xero.calls if c[0] == "/Contacts"][-1]
    assert "If-Modified-Since" not in first_read[2] and first_read[1]["pageSize"] == "1000"
    world.later(120)
    world.xero.save("Contacts", contact("c-2", "Second"))
    world.poll()
    second_read = [c for c in world.xero.calls if c[0] == "/Contacts"][-1]
    assert second_read[2]["If-Modified-Since"] == "2026-11-21T09:30:00"
    assert world.kinds() == ["contact.created", "contact.created"]
    # Other import options (a contact group added) read every contact again
    world.options = ImportOptions(customers=True, contact_group_ids=["g-1"])
    world.poll()
    assert "If-Modified-Since" not in [c for c in world.xero.calls if c[0] == "/Contacts"][-1][2]


def test_reference_data_changes_reach_the_feed_at_most_hourly_on_polls(world):
    from xero_sync.models.reference_data import XeroAccount

    world.reference = world.reference.model_copy(
        update={"accounts": [XeroAccount(AccountID="a-1", Code="200", Name="Sales", Type="REVENUE")]}
    )
    world.poll()
    assert world.kinds() == ["account.created"]
    world.reference = world.reference.model_copy(
        update={"accounts": [XeroAccount(AccountID="a-1", Code="200", Name="Sales", Status="ARCHIVED")]}
    )
    world.later(600)
    world.poll()
    assert world.kinds() == ["account.created"]  # not due yet
    world.later(3600)
    world.poll()
    assert world.kinds() == ["account.created", "account.archived"]
