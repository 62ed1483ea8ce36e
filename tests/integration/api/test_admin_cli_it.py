"""N4: the operator's key command — create (shown once), list (never the secret), revoke."""

import json

from xero_sync import admin


def test_create_use_list_and_revoke_a_key(api, services, capsys):
    # Given an operator creating a key for one org
    assert admin.main(["api-keys", "create", "--name", "Acme billing", "--org", "org-cli-1"]) == 0
    created = json.loads(capsys.readouterr().out)
    # Then the key works for that org
    assert api.call("GET", "/v1/orgs/org-cli-1/connection", key=created["api_key"]).status == 200
    # And the listing shows it without its secret
    assert admin.main(["api-keys", "list"]) == 0
    listing = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    row = next(r for r in listing if r["key_id"] == created["key_id"])
    assert row["orgs"] == ["org-cli-1"] and row["revoked_at"] is None
    assert created["api_key"] not in json.dumps(listing)
    # When the operator revokes it, it stops working at once
    assert admin.main(["api-keys", "revoke", created["key_id"]]) == 0
    assert api.call("GET", "/v1/orgs/org-cli-1/connection", key=created["api_key"]).status == 401
    # And revoking again says so
    assert admin.main(["api-keys", "revoke", created["key_id"]]) == 1


def test_bad_input_names_the_field(services, capsys):
    assert admin.main(["api-keys", "create", "--name", "x", "--org", "bad org id!"]) == 2
    assert "org_ids" in capsys.readouterr().err
