"""The services' errors reach the host in the SPEC §5 shape and status, whichever service raised
them: 400 ``validation_error`` naming the field, 404 ``not_found``, 409 ``conflict``."""

from __future__ import annotations

HTTP_RETURN_URL = "http://app.example.com/settings/integrations/xero"


def error(code: str, message: str, details: list[dict] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or []}}


def test_a_return_url_the_connect_service_refuses_is_400_naming_the_field(api, services, org):
    # When the host starts connecting with a plain-http return URL (pydantic lets it through)
    answer = api.call("POST", f"/v1/orgs/{org.org_id}/connect", key=org.key, body={"return_url": HTTP_RETURN_URL})
    # Then the service's refusal names the field, with the message as its detail
    message = "return_url must use https (plain http is allowed only for localhost)"
    assert answer.status == 400
    assert answer.body == error("validation_error", message, [{"field": "return_url", "message": message}])


def test_a_connection_action_on_an_org_that_never_connected_is_404(api, services, org):
    answer = api.call("POST", f"/v1/orgs/{org.org_id}/connection/disable", key=org.key)
    assert answer.status == 404
    assert answer.body == error("not_found", f"org {org.org_id} has never connected to Xero")


def test_an_unknown_record_is_404_and_sync_now_without_a_connection_409(api, services, org):
    # Given an org that never connected and pushed nothing
    unknown = api.call("GET", f"/v1/orgs/{org.org_id}/records/invoice/inv-404", key=org.key)
    sync = api.call("POST", f"/v1/orgs/{org.org_id}/sync", key=org.key, body={})
    # Then the record is not found, and the sync is refused with what to do
    assert unknown.status == 404
    assert unknown.body == error("not_found", f"No invoice with id 'inv-404' was pushed for org {org.org_id}.")
    assert sync.status == 409
    assert sync.body["error"]["code"] == "conflict" and sync.body["error"]["details"] == []
    assert "connect" in sync.body["error"]["message"]
