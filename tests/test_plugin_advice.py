"""The plugin's advice, exercised in real pytest runs of throwaway projects: a campaign a test
sends gets the advice on the brand an earlier exchange of the session created, and the
terminal summary counts the advice and shows it by operation."""

from __future__ import annotations

import json

from _support.brands import BRAND_ID, BRAND_REQUEST, CAMPAIGN, CLEAN_CAMPAIGN, body
from tendlc.cassettes import path, read_cassette


def _campaign_answer() -> bytes:
    """The documented answer, as the shipped cassette repairs it, without the status change's
    reason the contract does not document (a mocked answer may not carry it)."""
    data = json.loads(
        read_cassette(path("vonage", "campaigns.create.201")).exchanges[0].response.body
    )
    for change in data.get("last_status_changes", ()):
        change.pop("reason", None)
    return body(data)


CAMPAIGN_ANSWER = _campaign_answer()
BRAND_ANSWER = body({"brand_id": BRAND_ID})

CONFTEST = f"""
import httpx
import pytest

BASE = "https://api.nexmo.com/v1/10dlc"


def provider(request):
    # stands in for Vonage: a brand create answers its id, a campaign create the documented body
    json = {{"Content-Type": "application/json"}}
    if request.url.path.endswith("/campaigns"):
        return httpx.Response(201, content={CAMPAIGN_ANSWER!r}, headers=json)
    if request.url.path.endswith("/brands"):
        return httpx.Response(201, content={BRAND_ANSWER!r}, headers=json)
    return httpx.Response(404)


@pytest.fixture
def client():
    with httpx.Client(transport=httpx.MockTransport(provider), base_url=BASE) as client:
        yield client
"""

HEADER = """
JSON = {"Content-Type": "application/json"}
"""
BRAND_TEST = f"""

def test_a_brand(client):
    assert client.post("/brands", content={body(BRAND_REQUEST)!r}, headers=JSON).status_code == 201
"""
CAMPAIGN_TESTS = f"""

def test_a_campaign_under_it(client):
    response = client.post("/brands/{BRAND_ID}/campaigns", content={body(CAMPAIGN)!r},
                           headers=JSON)
    assert response.status_code == 201


def test_a_clean_campaign(client):
    response = client.post("/brands/{BRAND_ID}/campaigns", content={body(CLEAN_CAMPAIGN)!r},
                           headers=JSON)
    assert response.status_code == 201
"""
TESTS = HEADER + BRAND_TEST + CAMPAIGN_TESTS

ADVICE_LINE = (
    "*advice  request   /opt_out_message  [[]advice.opt-out-message.brand[]]  "
    "test_campaigns.py::test_a_campaign_under_it"
)


def _run(pytester, *options):
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_campaigns=TESTS)
    return pytester.runpytest("--tendlc-check", "-p", "no:cacheprovider", *options)


def test_a_campaign_gets_the_advice_on_the_brand_an_earlier_test_created(pytester):
    result = _run(pytester, "--tendlc-advice")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        [
            "*= tendlc =*",
            "3 exchange(s) checked, 0 unmatched, 0 error(s), 0 warning(s), 1 advice",
            "issues by operation (with a test that saw each):",
            "  vonage.campaigns.create",
            ADVICE_LINE,
        ]
    )


def test_one_test_that_creates_a_brand_then_a_campaign_gets_the_brand_advice(pytester):
    pytester.makeconftest(CONFTEST)
    one_test = f"""
{HEADER}

def test_brand_then_campaign(client, tendlc_traffic):
    client.post("/brands", content={body(BRAND_REQUEST)!r}, headers=JSON)
    client.post("/brands/{BRAND_ID}/campaigns", content={body(CAMPAIGN)!r}, headers=JSON)
    brand, campaign = tendlc_traffic.results
    assert brand.advice == ()
    assert [(i.rule, i.path) for i in campaign.advice] == [
        ("advice.opt-out-message.brand", "/opt_out_message")
    ]
"""
    pytester.makepyfile(test_one=one_test)
    result = pytester.runpytest("--tendlc-check", "--tendlc-advice", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["2 exchange(s) checked, 0 unmatched, 0 error(s), 0 warning(s), 1 advice"]
    )


def test_the_advice_count_is_there_when_asked_for_even_at_zero(pytester):
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_campaigns=HEADER + BRAND_TEST)
    result = pytester.runpytest("--tendlc-check", "--tendlc-advice", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["1 exchange(s) checked, 0 unmatched, 0 error(s), 0 warning(s), 0 advice"]
    )


def test_without_advice_the_summary_has_no_advice(pytester):
    result = _run(pytester)
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["3 exchange(s) checked, 0 unmatched, 0 error(s), 0 warning(s)"])
    assert "advice" not in result.stdout.str().split("= tendlc =")[1]


def test_advice_as_errors_fails_the_campaign_test_only(pytester):
    result = _run(pytester, "--tendlc-advice-as-errors")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*FAILED test_campaigns.py::test_a_campaign_under_it*",
        ]
    )
    output = result.stdout.str()
    assert "[advice.opt-out-message.brand]" in output
    assert "3 exchange(s) checked, 0 unmatched, 1 error(s), 0 warning(s), 0 advice" in output


def test_a_campaign_sent_before_its_brand_is_known_gets_no_brand_advice(pytester):
    pytester.makeconftest(CONFTEST)
    # the campaign test runs first: nothing has shown the brand yet
    # pytest runs a module's tests in the order they are written: the campaigns first here
    pytester.makepyfile(test_campaigns=HEADER + CAMPAIGN_TESTS + BRAND_TEST)
    result = pytester.runpytest("--tendlc-check", "--tendlc-advice", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["*0 warning(s), 0 advice"])
