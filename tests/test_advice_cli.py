"""`tendlc validate --advice` in its machine-readable outputs: each advice with its rule, the
fix its message suggests, its source and what would satisfy it, in JSON and in JSON Lines."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from _support.brands import BRAND_REQUEST, CAMPAIGN
from tendlc._validation._advice import rule_set
from tendlc.cli import main

OPERATION = "vonage.campaigns.create"
#: the second campaign has one sample: advice on the count whatever the brand
ONE_SAMPLE = {key: value for key, value in CAMPAIGN.items() if key != "sample_two"}


@pytest.fixture
def files(tmp_path):
    (tmp_path / "campaign.json").write_text(json.dumps(CAMPAIGN))
    (tmp_path / "brand.json").write_text(json.dumps(BRAND_REQUEST))
    lines = [json.dumps(CAMPAIGN), json.dumps(ONE_SAMPLE)]
    (tmp_path / "campaigns.jsonl").write_text("\n".join(lines) + "\n")
    return tmp_path


def _validate(*args):
    return CliRunner().invoke(main, ["validate", OPERATION, *map(str, args)])


def _assert_explained(issue):
    """An advice as the outputs carry it: its rule's source, what would satisfy it, and the
    problem and the suggested fix in its message (each literal part of the rule's texts)."""
    rule = {rule.id: rule for rule in rule_set().rules}[issue["rule"]]
    assert issue["check"] == rule.id
    assert issue["location"] == rule.location and issue["location"]
    assert issue["expected"]
    for text in (rule.problem, rule.fix):
        for literal in re.split(r"\{[^}]*\}", text):
            assert literal in issue["message"], (literal, issue["message"])


def test_json_output_carries_each_advice_with_its_fix_and_source(files):
    result = _validate(
        files / "campaign.json", "--advice", "--brand", files / "brand.json", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["valid"] is True
    (found,) = document["files"]
    advice = [issue for issue in found["issues"] if issue["severity"] == "advice"]
    assert [(issue["rule"], issue["path"]) for issue in advice] == [
        ("advice.opt-out-message.brand", "/opt_out_message")
    ]
    _assert_explained(advice[0])
    assert advice[0]["location"].startswith("https://")
    assert "Acme Plumbing" in advice[0]["message"]  # the fix names the brand it was given


def test_json_lines_output_carries_the_advice_of_each_payload(files):
    result = _validate(files / "campaigns.jsonl", "--advice", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [line["file"].rsplit(":", 1)[1] for line in lines] == ["1", "2"]
    # without the brand, the first campaign gives nothing to advise on
    assert [i for i in lines[0]["issues"] if i["severity"] == "advice"] == []
    advice = [i for i in lines[1]["issues"] if i["severity"] == "advice"]
    assert [issue["rule"] for issue in advice] == ["advice.sample-count"]
    _assert_explained(advice[0])
    assert all(line["valid"] for line in lines)


def test_advice_as_errors_in_json_lines_fails_the_payload_and_the_run(files):
    result = _validate(files / "campaigns.jsonl", "--advice-as-errors", "--format", "jsonl")
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [line["valid"] for line in lines] == [True, False]
    (issue,) = lines[1]["issues"]
    assert (issue["severity"], issue["rule"]) == ("error", "advice.sample-count")
    _assert_explained(issue)


def test_without_advice_no_advice_is_written(files):
    result = _validate(files / "campaigns.jsonl", "--format", "jsonl")
    assert result.exit_code == 0
    assert '"advice' not in result.stdout
