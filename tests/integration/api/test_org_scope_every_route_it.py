"""N4, "a key for org A gets 403 on org B — tested for every route". The routes are read from
the resolver itself, so a route added later is covered without touching this test."""

import re

import pytest

from xero_sync.clock import utcnow
from xero_sync.http.app import build_app
from xero_sync.services.api_keys import create_api_key

PARAMETER_VALUES = {"entity": "invoice", "record_id": "inv-1"}
PARAMETER_VALUES.update(  # the read view's routes (F5)
    contact_id="cus-1", invoice_id="4aa20e93-ec11-441e-b5dc-1fdafdfdf06c", record_type="deal"
)


def _org_routes() -> list[tuple[str, str]]:
    app = build_app()
    app.routers.include_all()  # a request includes its own resource's; the test wants all of them
    routes = [(route.method, route.path) for route in app._static_routes + app._dynamic_routes]
    return [(method, path) for method, path in routes if "<org_id>" in path]


def _fill(path: str, org_id: str) -> str:
    path = path.replace("<org_id>", org_id)
    return re.sub(r"<(\w+)>", lambda match: PARAMETER_VALUES[match.group(1)], path)


ORG_ROUTES = _org_routes()


def test_every_org_route_is_listed():
    # The host API's fixed routes (SPEC §5) are all among them.
    assert len(ORG_ROUTES) >= 20
    assert ("POST", "/v1/orgs/<org_id>/records") in ORG_ROUTES
    assert ("DELETE", "/v1/orgs/<org_id>/connection") in ORG_ROUTES


@pytest.mark.parametrize(("method", "path"), ORG_ROUTES, ids=[f"{m} {p}" for m, p in ORG_ROUTES])
def test_a_key_for_org_a_gets_403_on_org_b(api, services, org, other_org, method, path):
    # Given org B's state before
    before = services.connect.status(other_org.org_id)
    # When org A's key is used on any of org B's routes, with a plausible body
    answer = api.call(
        method, _fill(path, other_org.org_id), key=org.key, body={} if method in ("POST", "PUT") else None
    )
    # Then it is refused for the scope, and org B is unchanged
    assert answer.status == 403, (method, path, answer.body)
    assert answer.body["error"]["code"] == "forbidden"
    assert services.connect.status(other_org.org_id) == before


@pytest.mark.parametrize(("method", "path"), ORG_ROUTES, ids=[f"{m} {p}" for m, p in ORG_ROUTES])
def test_no_key_gets_401_on_every_route(api, services, org, method, path):
    answer = api.call(method, _fill(path, org.org_id), key=None, body={} if method in ("POST", "PUT") else None)
    assert answer.status == 401, (method, path, answer.body)


def test_a_platform_key_may_act_on_any_org(api, services, other_org):
    # Given a key for all orgs (the host's platform key)
    platform = create_api_key(services.api_keys, name="platform", org_ids=[], all_orgs=True, now=utcnow())
    # When it reads another org's connection
    answer = api.call("GET", f"/v1/orgs/{other_org.org_id}/connection", key=platform.api_key)
    # Then it is let through
    assert answer.status == 200
    assert answer.body["org_id"] == other_org.org_id


def test_a_revoked_key_is_refused_at_once(api, services, org):
    key_id = org.key.split("_")[1]
    assert services.api_keys.revoke(key_id, utcnow())
    answer = api.call("GET", f"/v1/orgs/{org.org_id}/connection", key=org.key)
    assert answer.status == 401
