"""N4: authentication comes before anything else, so a caller without the right key learns
nothing about the request it may not make — not even that its body is invalid."""

import pytest

BAD_BODY = {"records": "not a list", "unexpected": True}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/orgs/{org}/records"),
        ("PUT", "/v1/orgs/{org}/settings"),
        ("PUT", "/v1/orgs/{org}/tax-mappings"),
        ("POST", "/v1/orgs/{org}/connect"),
        ("GET", "/v1/orgs/{org}/history?limit=not-a-number"),
    ],
)
def test_no_key_and_a_bad_body_gets_401_not_400(api, services, org, method, path):
    # Given a request with an invalid body (or query) and no API key
    target, _, query = path.format(org=org.org_id).partition("?")
    params = dict(q.split("=") for q in query.split("&")) if query else None
    # When it reaches the API
    answer = api.call(method, target, key=None, body=BAD_BODY if method != "GET" else None, query=params)
    # Then it is refused for the key, with nothing said about the body
    assert answer.status == 401
    assert answer.body["error"]["code"] == "unauthorized"
    assert answer.body["error"]["details"] == []


def test_another_orgs_key_and_a_bad_body_gets_403_not_400(api, services, org, other_org):
    # Given org A's key used on org B with an invalid body
    answer = api.call("POST", f"/v1/orgs/{other_org.org_id}/records", key=org.key, body=BAD_BODY)
    # Then it is refused for the scope
    assert answer.status == 403
    assert answer.body["error"]["code"] == "forbidden"


def test_the_openapi_document_is_public(api, services):
    answer = api.call("GET", "/v1/openapi.json", key=None)
    assert answer.status == 200
    assert "RecordEnvelope" in str(answer.body) or "InvoiceEnvelope" in str(answer.body)
