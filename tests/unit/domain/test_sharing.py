"""Shared tenants (N7): what an org that leaves may give up at Xero, given the other orgs."""

from __future__ import annotations

import pytest

from tests.fakes import connection
from xero_sync.domain.connection import ConnectionStatus, TenantRef
from xero_sync.domain.sharing import (
    KEPT_CONNECTION,
    KEPT_TOKEN,
    USES_XERO,
    XeroRelease,
    others_on_tenant,
    release_plan,
)


def org(org_id: str, *, status=ConnectionStatus.CONNECTED, tenant="t1", conn="c1", user="u1", **fields):
    return connection(org_id, status=status, tenant_id=tenant, connection_id=conn, connected_by_user_id=user, **fields)


LEAVING = org("leaving")


def test_alone_it_deletes_its_connection_and_revokes_its_token():
    plan = release_plan(LEAVING, [])
    assert (plan.delete_connection, plan.revoke_token, plan.warnings) == (True, True, [])


def test_another_org_on_the_same_connection_keeps_both_at_xero():
    # Given another org connected to the same tenant by the same Xero user (one Xero connection)
    plan = release_plan(LEAVING, [org("other")])
    # Then neither the connection nor the user's tokens may go: both would cut the other org off
    assert (plan.delete_connection, plan.revoke_token) == (False, False)
    assert (plan.orgs_on_connection, plan.orgs_of_user) == (1, 1)
    assert plan.warnings == [KEPT_CONNECTION, KEPT_TOKEN]


def test_the_same_user_on_another_tenant_keeps_the_token_but_not_the_connection():
    # Given an accountant: the same Xero user connected another org to another tenant
    plan = release_plan(LEAVING, [org("client-b", tenant="t2", conn="c2")])
    # Then this org's connection goes, but revoking (all the user's tokens) would break client-b
    assert (plan.delete_connection, plan.revoke_token, plan.warnings) == (True, False, [KEPT_TOKEN])


def test_another_user_on_the_same_tenant_has_a_connection_of_its_own():
    plan = release_plan(LEAVING, [org("other", conn="c9", user="u9")])
    assert (plan.delete_connection, plan.revoke_token, plan.warnings) == (True, True, [])


@pytest.mark.parametrize("status", [s for s in ConnectionStatus if s not in USES_XERO])  # needs_reauth, disconnected …
def test_orgs_without_live_tokens_do_not_hold_anything_at_xero(status):
    plan = release_plan(LEAVING, [org("other", status=status)])
    assert (plan.delete_connection, plan.revoke_token) == (True, True)


def test_a_disabled_org_still_uses_its_connection():
    plan = release_plan(LEAVING, [org("paused", status=ConnectionStatus.DISABLED)])
    assert (plan.delete_connection, plan.revoke_token) == (False, False)


def test_a_pending_org_that_may_still_choose_the_connection_keeps_it():
    # Given an org whose consent covered the tenant but that has not chosen one yet
    pending = org(
        "pending",
        status=ConnectionStatus.PENDING_TENANT,
        tenant=None,
        conn=None,
        tenants=(TenantRef("t1", "c1"), TenantRef("t2", "c2")),
    )
    plan = release_plan(LEAVING, [pending])
    assert (plan.delete_connection, plan.revoke_token) == (False, False)


def test_an_unknown_user_is_taken_as_the_same_user_only_through_the_same_connection():
    # Given consents without an id token (no user id)
    leaving = org("leaving", user=None)
    same_connection = release_plan(leaving, [org("other", user=None)])
    other_connection = release_plan(leaving, [org("other", conn="c2", tenant="t2", user=None)])
    assert (same_connection.delete_connection, same_connection.revoke_token) == (False, False)
    assert (other_connection.delete_connection, other_connection.revoke_token) == (True, True)


def test_the_leaving_org_itself_is_not_counted():
    plan = release_plan(LEAVING, [LEAVING])
    assert (plan.delete_connection, plan.revoke_token) == (True, True)


def test_a_pending_org_that_leaves_has_no_connection_to_delete():
    pending = org("leaving", status=ConnectionStatus.PENDING_TENANT, tenant=None, conn=None)
    plan = release_plan(pending, [])
    assert (plan.delete_connection, plan.revoke_token) == (False, True)


def test_others_on_tenant_counts_live_orgs_on_the_same_tenant_only():
    others = [
        org("a"),
        org("b", status=ConnectionStatus.DISCONNECTED),
        org("c", tenant="t2"),
        LEAVING,
    ]
    assert others_on_tenant(LEAVING, others) == 1


def test_the_release_summary_says_what_happened_at_xero():
    assert XeroRelease(True, True).summary() == "Token revoked at Xero; Xero connection removed."
    assert XeroRelease().summary() == "Nothing removed at Xero."
    kept = XeroRelease(False, False, (KEPT_CONNECTION,))
    assert kept.summary() == f"Nothing removed at Xero. {KEPT_CONNECTION}"
