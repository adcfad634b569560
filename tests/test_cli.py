"""The command line, through click's runner and once through the installed console script."""

import json
import shutil
import subprocess
import sys

from click.testing import CliRunner

from tendlc.cli import main

VALID = b"<ImportedCampaign><CampaignId>CJEUMDK</CampaignId></ImportedCampaign>"
TOO_LONG = b"<ImportedCampaign><CampaignId>CJEUMDK123456789</CampaignId></ImportedCampaign>"
OP = "bandwidth.campaignImports.create"


def run(*args, stdin=None):
    return CliRunner().invoke(main, list(args), input=stdin)


def test_valid_file_exits_0(tmp_path):
    path = tmp_path / "ok.xml"
    path.write_bytes(VALID)
    result = run("validate", OP, str(path))
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_invalid_file_exits_1_and_names_field_rule_and_line(tmp_path):
    path = tmp_path / "bad.xml"
    path.write_bytes(
        b"<ImportedCampaign>\n  <CampaignId>CJEUMDK123456789</CampaignId>\n</ImportedCampaign>"
    )
    result = run("validate", OP, str(path))
    assert result.exit_code == 1
    assert "/ImportedCampaign/CampaignId" in result.output
    assert "[maxLength]" in result.output
    assert "line 2" in result.output


def test_json_output_is_machine_readable(tmp_path):
    good, bad = tmp_path / "good.xml", tmp_path / "bad.xml"
    good.write_bytes(VALID)
    bad.write_bytes(TOO_LONG)
    result = run("validate", OP, str(good), str(bad), "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["valid"] is False
    assert [f["valid"] for f in data["files"]] == [True, False]
    assert data["files"][1]["issues"][0]["rule"] == "maxLength"


def test_standard_input():
    result = run("validate", OP, "-", stdin=VALID)
    assert result.exit_code == 0, result.output


def test_unreadable_file_exits_2(tmp_path):
    result = run("validate", OP, str(tmp_path / "missing.xml"))
    assert result.exit_code == 2
    assert "cannot read" in result.output


def test_unknown_operation_exits_2_with_a_suggestion(tmp_path):
    path = tmp_path / "ok.xml"
    path.write_bytes(VALID)
    result = run("validate", "bandwidth.campaignImport.create", str(path))
    assert result.exit_code == 2
    assert "bandwidth.campaignImports.create" in result.output


def test_status_without_response_part_is_a_usage_error(tmp_path):
    path = tmp_path / "ok.xml"
    path.write_bytes(VALID)
    result = run("validate", OP, str(path), "--part", "request", "--status", "201")
    assert result.exit_code == 2


def test_response_with_status(tmp_path):
    path = tmp_path / "reply.xml"
    path.write_bytes(
        b"<LongCodeImportCampaignResponse><ResponseStatus><ErrorCode>1011"
        b"</ErrorCode><Description>too long</Description></ResponseStatus>"
        b"</LongCodeImportCampaignResponse>"
    )
    result = run("validate", OP, str(path), "--response", "--status", "400")
    assert result.exit_code == 0, result.output
    result = run("validate", OP, str(path), "--response", "--status", "201")
    assert result.exit_code == 1
    assert "/LongCodeImportCampaignResponse/ImportedCampaign" in result.output


def test_operations_lists_all_61():
    result = run("operations")
    assert result.exit_code == 0
    assert "61 operations" in result.output
    data = json.loads(run("operations", "--format", "json").output)
    assert len(data) == 61
    assert {"id", "method", "path", "statuses"} <= set(data[0])


def test_examples_command_agrees_with_every_documented_example():
    result = run("examples")
    assert result.exit_code == 0, result.output[-3000:]
    assert "documented examples" in result.output


def test_installed_console_script_runs():
    script = shutil.which("tendlc") or str(
        __import__("pathlib").Path(sys.executable).with_name("tendlc")
    )
    completed = subprocess.run(
        [script, "validate", OP, "-"], input=TOO_LONG, capture_output=True, timeout=120, check=False
    )
    assert completed.returncode == 1
    assert b"[maxLength]" in completed.stdout
