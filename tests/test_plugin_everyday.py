"""The plugin in a user's everyday suite: fixture traffic of every scope, Hypothesis examples,
negative tests, mocks of every library held to the contract, a bad configuration, the summary
and the report, and recording that pytest-recording replays."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tendlc._resources import examples_dir

IMPORT_ANSWER = (examples_dir() / "bandwidth/campaignImports.create.response.201.xml").read_bytes()
GOOD = b"<ImportedCampaign><CampaignId>CJEUMDK</CampaignId></ImportedCampaign>"
BAD = b"<ImportedCampaign><CampaignId>C123456789012345</CampaignId></ImportedCampaign>"

CONFTEST = f"""
import httpx
import pytest

BASE = "https://dashboard.bandwidth.com/api/accounts/9900000/campaignManagement/10dlc"
ANSWER = {IMPORT_ANSWER!r}


def provider(request):
    return httpx.Response(201, content=ANSWER, headers={{"Content-Type": "application/xml"}})


def client():
    return httpx.Client(transport=httpx.MockTransport(provider), base_url=BASE)


def send(body):
    with client() as http:
        return http.post("/campaigns/imports", content=body,
                         headers={{"Content-Type": "application/xml"}})
"""


def _run(pytester, *args):
    return pytester.runpytest("-p", "no:cacheprovider", "--tendlc-check", *args)


def test_module_and_session_fixtures_traffic_is_checked_and_named_for_the_test(pytester):
    pytester.makeconftest(
        CONFTEST
        + f"""
@pytest.fixture(scope="session")
def seeded():
    send({BAD!r})
    yield


@pytest.fixture(scope="module")
def imported():
    return send({GOOD!r})
"""
    )
    pytester.makepyfile(
        test_fixtures="""
def test_one(seeded, imported):
    assert imported.status_code == 201

def test_two(imported):
    assert imported.status_code == 201
"""
    )
    result = _run(pytester)
    # the session fixture's bad request errors the test that set it up, in its setup
    result.assert_outcomes(errors=1, passed=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of test_one*",
            "*this test while its fixtures were set up break the contracts*",
            "*request*/ImportedCampaign/CampaignId  [[]maxLength]*",
        ]
    )
    result.stdout.fnmatch_lines(["2 exchange(s) checked, 0 unmatched, 1 error(s), 0 warning(s)"])


def test_a_violation_inside_a_hypothesis_example_fails_that_example(pytester):
    # A contract compiles on its first use in a process: done here, before the examples, as
    # the README tells a suite with Hypothesis tests to do.
    pytester.makeconftest(
        CONFTEST + "\nimport tendlc\ntendlc.prepare('bandwidth.campaignImports.create')\n"
    )
    pytester.makepyfile(
        test_given="""
from hypothesis import given, settings, strategies as st
from conftest import send

@settings(database=None)
@given(st.integers(min_value=1, max_value=10**20))
def test_ids(n):
    send(f"<ImportedCampaign><CampaignId>C{n}</CampaignId></ImportedCampaign>".encode())
"""
    )
    result = _run(pytester)
    result.assert_outcomes(failed=1)
    # the example itself failed, and Hypothesis shrank it to the smallest id that breaks the
    # 12-character bound
    result.stdout.fnmatch_lines(["*TrafficViolation*", "*[[]maxLength]  'C100000000000' is 13*"])
    assert "Falsifying example" in result.stdout.str() or "Failing test case" in result.stdout.str()


def test_an_expected_violation_passes_and_a_missing_one_fails(pytester):
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        test_negative=f"""
from conftest import send

def test_the_client_refuses_nothing(tendlc_expect_violation):
    with tendlc_expect_violation(rule="maxLength") as seen:
        send({BAD!r})
    assert len(seen) == 1 and seen[0].errors[0].path == "/ImportedCampaign/CampaignId"

def test_expecting_what_does_not_happen(tendlc_expect_violation):
    with tendlc_expect_violation(rule="maxLength"):
        send({GOOD!r})
"""
    )
    result = _run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["*no exchange in the block broke the contracts (rule 'maxLength')*"]
    )


MOCKS = """
import json

import httpx
import pytest
import requests
import respx
import responses

URL = "https://api.nexmo.com/v1/10dlc/brands/BLQKOPK"
BRAND = json.loads({ANSWER})


def test_respx():
    with respx.mock:
        respx.get(URL).respond(200, json=BRAND)
        httpx.get(URL)


def test_pytest_httpx(httpx_mock):
    httpx_mock.add_response(url=URL, json=BRAND)
    httpx.get(URL)


def test_responses():
    with responses.RequestsMock() as mocked:
        mocked.add(responses.GET, URL, json=BRAND)
        requests.get(URL)


def test_mock_transport():
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=BRAND))
    httpx.Client(transport=transport).get(URL)
"""


def _brand_answer(**extra):
    """The documented brand a get answers (its shipped cassette's, as the errata repair it),
    and ``extra`` fields."""
    from tendlc import cassettes

    recorded = cassettes.read_cassette(cassettes.path("vonage", "brands.get.200"))
    answer = json.loads(recorded.exchanges[0].response.body)
    answer.update(extra)
    return json.dumps(answer)


def test_every_mocking_library_s_undocumented_field_fails_its_test(pytester):
    answer = repr(_brand_answer(loyalty_tier="gold"))
    pytester.makepyfile(test_mocks=MOCKS.replace("{ANSWER}", answer))
    result = _run(pytester)
    result.assert_outcomes(failed=4)
    # each test's failure names the field (the session's summary lists it once more)
    # (the short summary repeats each failure's first lines when the terminal is wide enough,
    # so only the failures and the tendlc section are counted)
    report = result.stdout.str().split("short test summary info")[0]
    assert report.count("/loyalty_tier  [additionalProperties]") == 5
    assert report.count("a mocked answer: its author wrote a field") == 4
    # the same documented answers pass
    pytester.makepyfile(test_mocks=MOCKS.replace("{ANSWER}", repr(_brand_answer())))
    _run(pytester).assert_outcomes(passed=4)


def test_a_bad_configuration_is_one_error_at_start_up(pytester):
    pytester.makepyprojecttoml("[tool.tendlc]\ncheck = true\nwarnings-as-error = true\n")
    pytester.makepyfile(test_a="def test_a():\n    pass\n", test_b="def test_b():\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.stderr.str().count("[tool.tendlc] is not valid") == 1
    assert "warnings-as-error" in result.stderr.str()


def test_an_unknown_check_name_is_one_error_at_start_up(pytester):
    pytester.makepyfile(test_a="def test_a():\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "--tendlc-checks", "bdy")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*no check is called 'bdy'*body*"])


def test_the_summary_lists_issues_and_unmatched_exchanges_and_the_report_counts_tests(pytester):
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        test_mixed=f"""
import httpx
from conftest import send, client

def test_bad():
    send({BAD!r})

def test_good():
    send({GOOD!r})

def test_nowhere():
    with client() as http:
        http.get("/nowhere")

def test_failing_on_its_own():
    assert False
"""
    )
    result = _run(pytester, "--tendlc-report=report.json")
    result.assert_outcomes(passed=1, failed=3)
    result.stdout.fnmatch_lines(
        [
            "issues by operation*",
            "  bandwidth.campaignImports.create",
            "    error   request*/ImportedCampaign/CampaignId  [[]maxLength]*test_bad",
            "unmatched exchanges (no documented operation):",
            "  GET /api/accounts/9900000/campaignManagement/10dlc/nowhere  *test_nowhere",
        ]
    )
    report = json.loads((pytester.path / "report.json").read_text())
    assert report["tests"]["passed"] == 1 and report["tests"]["failed"] == 3
    assert report["tests"]["with_failing_exchanges"] == 2
    assert report["summary"]["exchanges"] == 3 and report["summary"]["unmatched"] == 1


class _Bandwidth(BaseHTTPRequestHandler):
    """A loopback stand-in for the provider: answers campaign imports as documented."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(201)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(IMPORT_ANSWER)))
        self.end_headers()
        self.wfile.write(IMPORT_ANSWER)

    def log_message(self, *args):
        pass


@pytest.fixture
def provider_on_loopback():
    server = HTTPServer(("127.0.0.1", 0), _Bandwidth)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


RECORDED = """
import httpx
import pytest

{MARK}
def test_import():
    url = "{BASE}/api/accounts/5551234/campaignManagement/10dlc/campaigns/imports"
    response = httpx.post(url, content={GOOD!r}, headers={{"Content-Type": "application/xml",
                          "Authorization": "Basic dXNlcjpwYXNzd29yZA=="}})
    assert response.status_code == 201
"""


def _recorded(pytester, base, *, marked):
    mark = "@pytest.mark.vcr" if marked else ""
    pytester.makepyfile(test_rec=RECORDED.format(BASE=base, GOOD=GOOD, MARK=mark))


def _cassette_is_scrubbed(pytester):
    cassette = (pytester.path / "cassettes" / "test_rec" / "test_import.yaml").read_text()
    assert "/accounts/9900000/" in cassette and "5551234" not in cassette
    assert "dXNlcjpwYXNzd29yZA" not in cassette


def _replays_offline(pytester):
    # no network at all: the live request is matched through the same scrubbing
    replayed = pytester.runpytest(
        "-p", "no:cacheprovider", "--tendlc-check", "--record-mode=none", "--block-network"
    )
    replayed.assert_outcomes(passed=1)


def test_what_tendlc_records_pytest_recording_replays(pytester, provider_on_loopback, monkeypatch):
    monkeypatch.setenv("BANDWIDTH_ACCOUNT_ID", "5551234")
    _recorded(pytester, provider_on_loopback, marked=False)
    recorded = pytester.runpytest(
        "-p", "no:cacheprovider", "--tendlc-check", "--tendlc-record=cassettes"
    )
    recorded.assert_outcomes(passed=1)
    _cassette_is_scrubbed(pytester)
    _recorded(pytester, provider_on_loopback, marked=True)
    _replays_offline(pytester)


def test_what_pytest_recording_records_is_scrubbed_and_replays(
    pytester, provider_on_loopback, monkeypatch
):
    monkeypatch.setenv("BANDWIDTH_ACCOUNT_ID", "5551234")
    _recorded(pytester, provider_on_loopback, marked=True)
    recorded = pytester.runpytest("-p", "no:cacheprovider", "--record-mode=once")
    recorded.assert_outcomes(passed=1)
    _cassette_is_scrubbed(pytester)
    _replays_offline(pytester)


def test_a_shipped_cassette_replays_for_every_documented_host_of_its_provider(pytester):
    from tendlc import cassettes

    shipped = cassettes.path("vonage", "brands.get.200")
    pytester.makepyfile(
        test_hosts=f"""
import httpx
import pytest

@pytest.mark.parametrize("host", ["https://api.nexmo.com", "https://api-eu.vonage.com"])
@pytest.mark.vcr({str(shipped)!r})
def test_brand(host):
    response = httpx.get(host + "/v1/10dlc/brands/BLQKOPK",
                         headers={{"Authorization": "Basic a2V5OnNlY3JldA=="}})
    assert response.status_code == 200
"""
    )
    result = _run(pytester, "--record-mode=none", "--block-network")
    result.assert_outcomes(passed=2)
