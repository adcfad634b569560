"""The check seam: one public registry of checks, run by validate, every exchange check, the
pytest plugin (with a hook for a conftest.py) and conform's reports."""

from __future__ import annotations

import json

import pytest

import tendlc
from _support.boundaries import CASES, edited
from tendlc._documented import documented_examples
from tendlc._validation import CheckContext, selected_checks
from tendlc.conform import ConformOptions, run_conformance
from tendlc.reports import to_json
from tendlc.sandbox import SandboxConfig, create_app, serve_in_thread

CAMPAIGN_IMPORT = "bandwidth.campaignImports.create"
VALID_IMPORT = "<ImportedCampaign><CampaignId>CJEUMDK</CampaignId></ImportedCampaign>"
PATH = "/ImportedCampaign/CampaignId"


@pytest.fixture
def no_test_ids():
    """A check of the kind a team adds: campaign ids starting with ``CTEST`` are test data
    that must never reach the provider."""

    @tendlc.check("team.no-test-ids", parts=("request",))
    def no_test_ids(context):
        payload = context.payload
        text = payload.decode() if isinstance(payload, bytes) else str(payload)
        if "CTEST" in text:
            yield tendlc.Issue("error", PATH, "team.no-test-ids", "a test id")

    yield "team.no-test-ids"
    tendlc.unregister_check("team.no-test-ids")


def test_a_registered_check_runs_in_validate_and_names_itself(no_test_ids):
    body = VALID_IMPORT.replace("CJEUMDK", "CTEST01")
    report = tendlc.validate(CAMPAIGN_IMPORT, body)
    assert not report.valid
    (issue,) = report.errors
    assert (issue.rule, issue.check, issue.path) == (
        no_test_ids,
        no_test_ids,
        "/ImportedCampaign/CampaignId",
    )
    assert tendlc.validate(CAMPAIGN_IMPORT, body, exclude_checks=[no_test_ids]).valid
    assert tendlc.validate(CAMPAIGN_IMPORT, body, exclude_checks=["team"]).valid  # a family
    # only the named checks run: the contract's own check is left out, so a broken body passes
    assert tendlc.validate(CAMPAIGN_IMPORT, b"<Nope/>", checks=[no_test_ids]).valid
    assert not tendlc.validate(CAMPAIGN_IMPORT, b"<Nope/>", checks=["body"]).valid
    assert no_test_ids in {entry.name for entry in tendlc.registered_checks()}


def test_unregistered_the_check_runs_no_more(no_test_ids):
    body = VALID_IMPORT.replace("CJEUMDK", "CTEST01")
    tendlc.unregister_check(no_test_ids)
    assert tendlc.validate(CAMPAIGN_IMPORT, body).valid


def test_an_unknown_check_name_is_a_clear_error_naming_the_nearest():
    with pytest.raises(tendlc.InvalidArgument, match=r"no check is called 'bdy'.*body"):
        tendlc.validate(CAMPAIGN_IMPORT, VALID_IMPORT, checks=["bdy"])
    with pytest.raises(ValueError):  # InvalidArgument is a ValueError
        tendlc.validate(CAMPAIGN_IMPORT, VALID_IMPORT, exclude_checks=["nothing-like-it"])


def test_a_check_that_raises_is_an_error_of_the_report_naming_it():
    @tendlc.check("team.broken", parts=("request",))
    def broken(context):
        raise KeyError("oops")

    try:
        report = tendlc.validate(CAMPAIGN_IMPORT, VALID_IMPORT)
    finally:
        tendlc.unregister_check("team.broken")
    (issue,) = report.errors
    assert (issue.check, issue.rule) == ("team.broken", "check-failed")
    assert "KeyError" in issue.message and "oops" in issue.message


def test_bad_registrations_are_refused():
    with pytest.raises(tendlc.InvalidArgument):
        tendlc.check(" padded ")
    with pytest.raises(tendlc.InvalidArgument, match="parts"):
        tendlc.check("x", parts=("body",))


def test_the_built_in_checks_are_registered_like_any_other():
    from tendlc import traffic  # noqa: F401  (registers the exchange checks)

    names = {entry.name: entry for entry in tendlc.registered_checks()}
    assert {"body", "media-type", "parameters", "status", "unmatched", "secrets"} <= set(names)
    assert names["secrets"].default is False  # cassettes ask for it by name
    advice = [entry for entry in names.values() if entry.advice]
    assert advice and all(entry.name.startswith("advice.") for entry in advice)


def test_an_exchange_issue_names_its_check_and_side(no_test_ids):
    from tendlc.traffic import Exchange, Request, Response, check_exchange

    url = (
        "https://dashboard.bandwidth.com/api/accounts/1/campaignManagement/10dlc/campaigns/imports"
    )
    exchange = Exchange(
        Request("POST", url, body=VALID_IMPORT.replace("CJEUMDK", "CTEST01").encode()),
        Response(418),
    )
    result = check_exchange(exchange)
    found = {(issue.check, issue.direction, issue.rule) for issue in result.issues}
    assert (no_test_ids, "request", no_test_ids) in found
    assert ("status", "response", "status") in found


CONFTEST = """
import tendlc


def pytest_tendlc_register(register, config):
    @register("team.no-test-ids", parts=("request",))
    def no_test_ids(context):
        if b"CTEST" in (context.payload or b""):
            yield tendlc.Issue("error", "/ImportedCampaign/CampaignId", "team.no-test-ids",
                               "a test campaign id must not reach the provider")
"""

TEST_IMPORTS = """
import httpx

URL = ("https://dashboard.bandwidth.com/api/accounts/9900000/campaignManagement/10dlc"
       "/campaigns/imports")
ANSWER = (b"<LongCodeImportCampaignResponse><ImportedCampaign><CampaignId>CJEUMDK</CampaignId>"
          b"<Status>ACTIVE</Status></ImportedCampaign></LongCodeImportCampaignResponse>")


def _client():
    def handler(request):
        return httpx.Response(201, content=ANSWER, headers={"Content-Type": "application/xml"})

    return httpx.Client(transport=httpx.MockTransport(handler))


def test_real_id():
    body = "<ImportedCampaign><CampaignId>CJEUMDK</CampaignId></ImportedCampaign>"
    _client().post(URL, content=body, headers={"Content-Type": "application/xml"})


def test_test_id():
    body = "<ImportedCampaign><CampaignId>CTEST01</CampaignId></ImportedCampaign>"
    _client().post(URL, content=body, headers={"Content-Type": "application/xml"})
"""


def test_a_conftest_check_fails_the_traffic_of_a_test(pytester):
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_imports=TEST_IMPORTS)
    result = pytester.runpytest("--tendlc-check", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["*request*/ImportedCampaign/CampaignId  [[]team.no-test-ids]  a test campaign id*"]
    )
    # excluded by name, the team's check stays quiet
    excluded = pytester.runpytest(
        "--tendlc-check", "--tendlc-exclude-checks", "team", "-p", "no:cacheprovider"
    )
    excluded.assert_outcomes(passed=2)
    # and the session's checks are gone with the session
    assert "team.no-test-ids" not in {entry.name for entry in tendlc.registered_checks()}


@pytest.fixture
def sandbox():
    running = serve_in_thread(create_app(SandboxConfig(time_scale=60)))
    yield running
    running.stop()


def test_a_registered_check_shows_up_in_a_conform_report(sandbox, tmp_path):
    @tendlc.check("team.brand-count", parts=("response",))
    def brand_count(context):
        if context.operation.id == "vonage.brands.list":
            yield tendlc.Issue("warning", "/total_items", "team.brand-count", "counted brands")

    try:
        run = run_conformance(
            ConformOptions("vonage", base_url=sandbox, time_scale=60),
            {"VONAGE_API_KEY": "vkey4e2b", "VONAGE_API_SECRET": "vsecret-8d0f"},
        )
    finally:
        tendlc.unregister_check("team.brand-count")
    report = json.loads(to_json(run))
    found = [
        finding
        for entry in report["entries"]
        for finding in (entry.get("exchange") or {}).get("findings", [])
        if finding["check"] == "team.brand-count"
    ]
    assert found and found[0]["direction"] == "response" and found[0]["severity"] == "warning"


# -- quiet tests: a check that has nothing to say is not run ---------------------------------


@pytest.fixture
def counted_check():
    """A request check with a quiet test that always says "nothing to report", and the calls
    of both."""
    calls = {"check": 0, "quiet": 0}

    def quiet(context):
        calls["quiet"] += 1
        return True

    @tendlc.check("team.counted", parts=("request",), quiet=quiet)
    def counted(context):
        calls["check"] += 1
        return []

    yield calls
    tendlc.unregister_check("team.counted")


def test_when_every_check_of_a_plan_is_quiet_none_of_them_runs(counted_check):
    chosen = ["body", "team.counted"]
    assert tendlc.validate(CAMPAIGN_IMPORT, VALID_IMPORT, checks=chosen).valid
    assert counted_check == {"check": 0, "quiet": 1}
    # the contract's quiet test says no (the hot path declines): every check runs
    report = tendlc.validate(CAMPAIGN_IMPORT, b"<Nope/>", checks=chosen)
    assert not report.valid and {issue.check for issue in report.errors} == {"body"}
    assert counted_check["check"] == 1


def test_a_check_without_a_quiet_test_makes_the_whole_plan_run(counted_check, no_test_ids):
    chosen = ["body", "team.counted", no_test_ids]
    assert tendlc.validate(CAMPAIGN_IMPORT, VALID_IMPORT, checks=chosen).valid
    assert counted_check == {"check": 1, "quiet": 0}


def test_a_quiet_test_that_raises_only_makes_its_plan_run():
    calls = []

    def broken(context):
        raise RuntimeError("a bug in a team's quiet test")

    @tendlc.check("team.broken-quiet", parts=("request",), quiet=broken)
    def checked(context):
        calls.append(context.part)
        return []

    try:
        report = tendlc.validate(
            CAMPAIGN_IMPORT, VALID_IMPORT, checks=["body", "team.broken-quiet"]
        )
    finally:
        tendlc.unregister_check("team.broken-quiet")
    assert report.valid and calls == ["request"]


def _issues_without_quiet(context, plan):
    """What the checks of ``plan`` say when each is run (no quiet test asked)."""
    return [issue for entry in plan for issue in entry.function(context)]


def test_the_built_in_quiet_tests_never_hide_an_issue():
    """Over every documented example and every boundary case: whenever all the quiet tests of
    a part's default checks say "nothing to report", the checks themselves find nothing."""
    payloads = [
        (example.operation, example.part, example.status, example.published())
        for example in documented_examples()
        if example.part in ("request", "response")
    ]
    for case in CASES:
        group, edit = case.values
        if group["part"] in ("request", "response"):
            payload = edited(group, edit)
            payloads.append((group["operation"], group["part"], group.get("status"), payload))
    quiet = loud = 0
    for operation_id, part, status, payload in payloads:
        operation = tendlc.get_operation(operation_id)
        body = operation.request if part == "request" else operation.responses[status]
        plan = selected_checks(part)
        # no Content-Type, and each one the body documents
        for media_type in (None, *body.media_types):
            context = CheckContext(operation, part, payload, status=status, media_type=media_type)
            if all(entry.quiet(context) for entry in plan):
                quiet += 1
                fresh = CheckContext(operation, part, payload, status=status, media_type=media_type)
                assert _issues_without_quiet(fresh, plan) == [], (operation_id, payload)
            else:
                loud += 1
    print(f"\nquiet tests: {quiet} parts said nothing to report, {loud} ran their checks")
    assert quiet > 300 and loud > 300
