"""template.yaml is tested (STYLE habit 10): it is parsed with cfn-lint's decoder and checked
against the code (PynamoDB models, settings) and against the habits (least privilege, log
groups, SQS sources with DLQs and alarms, layout). Each rule lives in template_rules.py and is
also run on a broken template, to prove it catches what it claims to."""

from __future__ import annotations

import copy
import json
import tomllib
from typing import Any

import pytest
from cfnlint.decode import decode
from template_rules import (
    REPO,
    TEMPLATE,
    function_layout_problems,
    function_policy_problems,
    function_properties,
    log_group_problems,
    naming_problems,
    resources,
    section_problems,
    sqs_problems,
    table_problems,
    wildcard_problems,
)

from xero_sync.dal.base import table_models
from xero_sync.settings.everything import Settings


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return str(value) if isinstance(value, str) else value


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    data, problems = decode(str(TEMPLATE))
    assert not problems, problems
    return _plain(data)


def globals_environment(template: dict[str, Any]) -> dict[str, Any]:
    return template["Globals"]["Function"]["Environment"]["Variables"]


# --- code and infrastructure agree --------------------------------------------------------------


def _model_schema(model: Any) -> dict[str, Any]:
    schema = model._get_schema()
    ttl = model._ttl_attribute()
    return {
        "keys": {key["AttributeName"]: key["KeyType"] for key in schema["key_schema"]},
        "attributes": {
            definition["AttributeName"]: definition["AttributeType"] for definition in schema["attribute_definitions"]
        },
        "indexes": {
            index["index_name"]: (
                {key["AttributeName"]: key["KeyType"] for key in index["key_schema"]},
                index["projection"]["ProjectionType"],
            )
            for index in schema["global_secondary_indexes"]
        },
        "local_indexes": [index["index_name"] for index in schema["local_secondary_indexes"]],
        "ttl": ttl.attr_name if ttl is not None else None,
        "billing_mode": getattr(model.Meta, "billing_mode", None),
    }


def _table_schema(properties: dict[str, Any]) -> dict[str, Any]:
    ttl = properties.get("TimeToLiveSpecification")
    return {
        "keys": {key["AttributeName"]: key["KeyType"] for key in properties["KeySchema"]},
        "attributes": {
            definition["AttributeName"]: definition["AttributeType"]
            for definition in properties["AttributeDefinitions"]
        },
        "indexes": {
            index["IndexName"]: (
                {key["AttributeName"]: key["KeyType"] for key in index["KeySchema"]},
                index["Projection"]["ProjectionType"],
            )
            for index in properties.get("GlobalSecondaryIndexes", [])
        },
        "local_indexes": [index["IndexName"] for index in properties.get("LocalSecondaryIndexes", [])],
        "ttl": ttl["AttributeName"] if ttl and ttl.get("Enabled") else None,
        "billing_mode": properties.get("BillingMode"),
    }


@pytest.mark.parametrize("settings_field", sorted(table_models()))
def test_each_pynamodb_model_matches_its_table(template, settings_field):
    # Given the model and the table that the function environment names for it
    model = table_models()[settings_field]
    reference = globals_environment(template)[settings_field.upper()]
    table_id = reference["Ref"]
    table = resources(template, "AWS::DynamoDB::Table")[table_id]

    # Then keys, attribute types, GSIs (name, keys, projection), TTL and billing agree
    assert _table_schema(table["Properties"]) == _model_schema(model), f"{model.__name__} vs {table_id}"


def test_the_idempotency_table_has_powertools_key_and_ttl(template):
    reference = globals_environment(template)["IDEMPOTENCY_TABLE"]
    table = _table_schema(resources(template)[reference["Ref"]]["Properties"])
    assert table["keys"] == {"id": "HASH"} and table["attributes"] == {"id": "S"}
    assert table["ttl"] == "expiration" and table["indexes"] == {}


def test_no_table_without_a_model(template):
    named = {globals_environment(template)[field.upper()]["Ref"] for field in table_models()}
    named.add(globals_environment(template)["IDEMPOTENCY_TABLE"]["Ref"])
    assert set(resources(template, "AWS::DynamoDB::Table")) == named


def test_globals_environment_covers_the_settings(template):
    environment = globals_environment(template)
    fields = Settings.model_fields
    env_names = {(field.validation_alias or name).upper(): name for name, field in fields.items()}

    required = {(field.validation_alias or name).upper() for name, field in fields.items() if field.is_required()}
    assert required <= set(environment), f"missing: {sorted(required - set(environment))}"

    # What a deployed function needs although settings have a default for tests
    for name in (
        "XERO_CREDENTIALS_SECRET",
        "XERO_LOGIN_URL",
        "XERO_IDENTITY_URL",
        "XERO_API_URL",
        "XERO_REDIRECT_URI",
        "XERO_DAY_LIMIT",
    ):
        assert name in environment, name

    # and nothing that settings would not read (a typo would be silently ignored)
    unknown = {
        name
        for name in environment
        if name not in env_names and not name.startswith("POWERTOOLS_") and name != "LOG_LEVEL"
    }
    assert not unknown, f"Globals sets variables no setting reads: {sorted(unknown)}"
    assert environment["POWERTOOLS_SERVICE_NAME"] == "xero-sync"
    assert environment["POWERTOOLS_METRICS_NAMESPACE"] == "XeroSync"
    assert environment["POWERTOOLS_LOGGER_LOG_EVENT"] == "false"


def test_parameter_defaults_match_the_settings_defaults(template):
    parameters = template["Parameters"]
    defaults = Settings.model_fields
    assert parameters["XeroLoginUrl"]["Default"] == defaults["xero_login_url"].default
    assert parameters["XeroIdentityUrl"]["Default"] == defaults["xero_identity_url"].default
    assert parameters["XeroApiUrl"]["Default"] == defaults["xero_api_url"].default
    assert int(parameters["XeroDayLimit"]["Default"]) == defaults["xero_day_limit"].default
    assert parameters["XeroRedirectUri"]["Default"] == ""


def test_no_function_environment_refers_to_the_http_api(template):
    """SAM writes the function ARNs into the HttpApi: a function that refers to the API's URL
    makes a circular dependency (the callback URL is derived from the request instead)."""
    for logical_id in resources(template, "AWS::Serverless::Function"):
        environment = json.dumps(function_properties(template, logical_id).get("Environment", {}))
        assert "HttpApi" not in environment, logical_id


# --- the habits ------------------------------------------------------------------------------


def test_sections_come_in_the_fixed_order(template):
    assert section_problems(TEMPLATE.read_text(), template) == []


def test_logical_ids_are_thing_kind(template):
    assert naming_problems(template) == []


def test_tables_are_on_demand_with_pitr_and_encryption(template):
    assert table_problems(template) == []


def test_data_tables_and_the_key_are_retained(template):
    for logical_id in (
        "ConnectionsTable",
        "OrgConfigTable",
        "ApiKeysTable",
        "RecordsTable",
        "HistoryTable",
        "TokenKey",
    ):
        resource = resources(template)[logical_id]
        assert resource.get("DeletionPolicy") == "Retain" and resource.get("UpdateReplacePolicy") == "Retain", (
            logical_id
        )


def test_no_wildcard_resources_of_our_own(template):
    assert wildcard_problems(template) == []


def test_each_function_has_its_own_least_privilege_policies(template):
    assert function_policy_problems(template) == []


def test_functions_use_the_token_key_only_to_encrypt_and_decrypt(template):
    for logical_id in resources(template, "AWS::Serverless::Function"):
        policies = function_properties(template, logical_id)["Policies"]
        for policy in policies:
            for statement in policy.get("Statement", []) if isinstance(policy, dict) else []:
                if any(str(action).startswith("kms:") for action in statement["Action"]):
                    assert sorted(statement["Action"]) == ["kms:Decrypt", "kms:Encrypt"], logical_id
                    assert statement["Resource"] == {"Fn::GetAtt": ["TokenKey", "Arn"]}, logical_id


def test_the_api_keys_table_is_read_only_for_the_api(template):
    policies = function_properties(template, "ApiFunction")["Policies"]
    api_keys = [
        policy
        for policy in policies
        if isinstance(policy, dict)
        and {"Ref": "ApiKeysTable"}
        in [arguments.get("TableName") for arguments in policy.values() if isinstance(arguments, dict)]
    ]
    assert api_keys == [{"DynamoDBReadPolicy": {"TableName": {"Ref": "ApiKeysTable"}}}]


def test_each_function_has_a_log_group_with_retention(template):
    assert log_group_problems(template) == []


def test_each_function_has_its_folder_and_sample_events(template):
    assert function_layout_problems(template) == []


def test_sqs_sources_report_batch_failures_and_have_dlqs_with_alarms(template):
    assert sqs_problems(template) == []


def test_globals_tracing_runtime_and_layer(template):
    function_globals = template["Globals"]["Function"]
    assert function_globals["Runtime"] == "python3.11"
    assert function_globals["Tracing"] == "Active"
    assert {"Ref": "CommonLayer"} in function_globals["Layers"]
    layer = resources(template)["CommonLayer"]
    assert layer["Properties"]["ContentUri"] == "layers/common/"
    assert layer["Metadata"]["BuildMethod"] == "makefile"


def test_the_layers_makefile_has_the_target_sam_build_runs():
    """`sam build` runs `make build-<logical id>` in the layer's folder; a renamed resource or
    target fails only there. The target compiles the layer (see layers/common/Makefile)."""
    makefile = (REPO / "layers" / "common" / "Makefile").read_text()
    assert "\nbuild-CommonLayer:\n" in makefile
    assert "--invalidation-mode unchecked-hash" in makefile


def test_no_fn_foreach(template):
    """`sam build` crashes on Fn::ForEach (STYLE.md), although cfn-lint accepts it."""

    def keys(node: Any) -> set[str]:
        if isinstance(node, dict):
            return set(node).union(*(keys(value) for value in node.values()))
        if isinstance(node, list):
            return set().union(*(keys(item) for item in node))
        return set()

    assert not [key for key in keys(template) if key.startswith("Fn::ForEach")]
    assert "AWS::LanguageExtensions" not in json.dumps(template.get("Transform"))


def test_layer_requirements_are_pinned_including_boto3():
    lines = [
        line.split("#", 1)[0].strip() for line in (REPO / "layers/common/requirements.txt").read_text().splitlines()
    ]
    requirements = [line for line in lines if line]
    assert all("==" in line for line in requirements), requirements
    names = {line.split("==")[0].split("[")[0].lower() for line in requirements}
    assert {"boto3", "botocore"} <= names


def test_outputs_name_the_api_and_the_callback_url(template):
    assert {"ApiUrl", "XeroCallbackUrl", "TokenKeyId"} <= set(template["Outputs"])


def test_samconfig_builds_cached_and_parallel_and_lints():
    config = tomllib.loads((REPO / "samconfig.toml").read_text())
    for environment in ("default", "prod"):
        assert config[environment]["build"]["parameters"]["cached"] is True
        assert config[environment]["build"]["parameters"]["parallel"] is True
        assert config[environment]["validate"]["parameters"]["lint"] is True
        assert "deploy" in config[environment]


# --- the rules catch what they claim to --------------------------------------------------------


def _function(**properties: Any) -> dict[str, Any]:
    return {"Type": "AWS::Serverless::Function", "Properties": properties}


def test_rules_catch_a_broken_template(template):
    broken = copy.deepcopy(template)
    resources_ = broken["Resources"]
    # an SQS worker without partial batch responses, a short visibility timeout and no DLQ alarm
    resources_["JobsQueue"] = {
        "Type": "AWS::SQS::Queue",
        "Properties": {
            "VisibilityTimeout": 60,
            "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["JobsDlq", "Arn"]}, "maxReceiveCount": 1},
        },
    }
    resources_["JobsDlq"] = {"Type": "AWS::SQS::Queue", "Properties": {}}
    resources_["JobsWorker"] = _function(
        CodeUri="functions/nowhere/",
        Handler="app.lambda_handler",
        Runtime="python3.12",
        Timeout=30,
        Policies=["AmazonDynamoDBFullAccess", {"Statement": [{"Effect": "Allow", "Action": "ses:*", "Resource": "*"}]}],
        Events={"Jobs": {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["JobsQueue", "Arn"]}}}},
    )
    resources_["ConnectionsTable"]["Properties"]["BillingMode"] = "PROVISIONED"

    assert any("should end with Function" in problem for problem in naming_problems(broken))
    assert any("ConnectionsTable is not on-demand" in problem for problem in table_problems(broken))
    assert any("Resource '*'" in problem for problem in wildcard_problems(broken))
    policy_problems = function_policy_problems(broken)
    assert any("AmazonDynamoDBFullAccess" in problem for problem in policy_problems)
    assert any("SES statements" in problem for problem in policy_problems)
    assert any("JobsWorker has no log group" in problem for problem in log_group_problems(broken))
    layout = function_layout_problems(broken)
    assert any("python3.12" in problem for problem in layout)
    assert any("functions/nowhere/app.py does not exist" in problem for problem in layout)
    sqs = sqs_problems(broken)
    assert any("ReportBatchItemFailures" in problem for problem in sqs)
    assert any("VisibilityTimeout must be >= 6" in problem for problem in sqs)
    assert any("maxReceiveCount must be >= 3" in problem for problem in sqs)
    assert any("JobsDlq has no alarm" in problem for problem in sqs)


def test_the_section_rule_catches_disorder(template):
    text = TEMPLATE.read_text()
    swapped = (
        text.replace("=== Tables ===", "=== TEMP ===")
        .replace("=== Keys ===", "=== Tables ===")
        .replace("=== TEMP ===", "=== Keys ===")
    )
    problems = section_problems(swapped, template)
    assert any("section banners" in problem for problem in problems)
    assert any("ConnectionsTable (AWS::DynamoDB::Table) is in section 'Keys'" in problem for problem in problems)
