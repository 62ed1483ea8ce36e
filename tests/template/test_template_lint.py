"""cfn-lint (its Python API) finds no error and no warning in template.yaml."""

from __future__ import annotations

from cfnlint.api import ManualArgs, lint_file
from template_rules import TEMPLATE


def test_cfn_lint_is_clean():
    matches = lint_file(TEMPLATE, config=ManualArgs(regions=["us-east-1"]))

    problems = [
        f"{match.rule.id} line {match.linenumber}: {match.message}" for match in matches if match.rule.id[0] in "EW"
    ]
    assert problems == []
