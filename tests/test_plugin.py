"""The pytest plugin, exercised in real pytest runs."""

PASSING = """
import pytest

@pytest.mark.tendlc("bandwidth.campaignImports.create")
def test_marked(tendlc_assert_valid):
    body = b"<ImportedCampaign><CampaignId>C1</CampaignId></ImportedCampaign>"
    report = tendlc_assert_valid(body)
    assert report.valid

def test_named(tendlc_assert_valid):
    tendlc_assert_valid(b"<ImportedCampaign><CampaignId>C1</CampaignId></ImportedCampaign>",
                        "bandwidth.campaignImports.create")
"""

FAILING = """
import pytest

@pytest.mark.tendlc("bandwidth.campaignImports.create")
def test_too_long(tendlc_assert_valid):
    tendlc_assert_valid(b"<ImportedCampaign><CampaignId>C123456789012345</CampaignId>"
                        b"</ImportedCampaign>")
"""

WARNING = """
def test_undocumented_response_field(tendlc_assert_valid):
    tendlc_assert_valid(
        b"<LongCodeImportCampaignResponse><ResponseStatus><ErrorCode>1</ErrorCode>"
        b"<Description>x</Description><Extra>1</Extra></ResponseStatus>"
        b"</LongCodeImportCampaignResponse>",
        "bandwidth.campaignImports.create", part="response", status=400)
"""


def test_plugin_is_registered_through_its_entry_point(pytester):
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["*10DLC contract checks*", "*--tendlc-warnings-as-errors*"])
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["*@pytest.mark.tendlc(operation_id)*"])


def test_valid_payloads_pass(pytester):
    pytester.makepyfile(PASSING)
    pytester.runpytest().assert_outcomes(passed=2)


def test_invalid_payload_fails_with_every_issue_listed(pytester):
    pytester.makepyfile(FAILING)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*ContractViolation*", "*/ImportedCampaign/CampaignId*maxLength*"])


def test_warnings_pass_unless_asked_to_fail(pytester):
    pytester.makepyfile(WARNING)
    pytester.runpytest().assert_outcomes(passed=1)
    result = pytester.runpytest("--tendlc-warnings-as-errors")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*Extra*additionalProperties*"])


def test_missing_operation_is_a_usage_error(pytester):
    pytester.makepyfile("def test_x(tendlc_assert_valid):\n    tendlc_assert_valid(b'<a/>')\n")
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(["*name the operation*"])
    assert result.ret != 0
