"""The plugin's traffic checks, exercised in real pytest runs of throwaway projects."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parent.parent / "examples"
IMPORT_RESPONSE = (EXAMPLES / "bandwidth/campaignImports.create.response.201.xml").read_bytes()

CONFTEST = f"""
import httpx
import pytest

BASE = "https://dashboard.bandwidth.com/api/accounts/9900000/campaignManagement/10dlc"
IMPORT_RESPONSE = {IMPORT_RESPONSE!r}


def provider(request):
    # stands in for Bandwidth: answers a campaign import with the documented response
    if request.url.path.endswith("/campaigns/imports"):
        return httpx.Response(201, content=IMPORT_RESPONSE,
                              headers={{"Content-Type": "application/xml"}})
    return httpx.Response(404)


@pytest.fixture
def client():
    with httpx.Client(transport=httpx.MockTransport(provider), base_url=BASE) as client:
        yield client
"""

VALID_BODY = b"<ImportedCampaign><CampaignId>CJEUMDK</CampaignId></ImportedCampaign>"
BAD_BODY = b"<ImportedCampaign><CampaignId>C123456789012345</CampaignId></ImportedCampaign>"

SYNC = f"""
def test_valid_import(client):
    response = client.post("/campaigns/imports", content={VALID_BODY!r},
                           headers={{"Content-Type": "application/xml"}})
    assert response.status_code == 201

def test_invalid_import(client):
    client.post("/campaigns/imports", content={BAD_BODY!r},
                headers={{"Content-Type": "application/xml"}})
"""


def _project(pytester, **files):
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(**files)


def test_options_and_markers_are_documented(pytester):
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(
        [
            "*10DLC contract checks*",
            "*--tendlc-check*",
            "*--tendlc-warnings-as-errors*",
            "*--tendlc-report=PATH*",
            "*--tendlc-record=DIR*",
            "*tendlc_check (string)*",
        ]
    )
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["*@pytest.mark.tendlc_check(*"])


def test_an_invalid_request_through_a_mock_transport_fails_its_test(pytester):
    _project(pytester, test_sync=SYNC)
    result = pytester.runpytest("--tendlc-check", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*POST https://dashboard.bandwidth.com/api/accounts/9900000/campaignManagement/"
            "10dlc/campaigns/imports → 201 (bandwidth.campaignImports.create)*",
            "*request*/ImportedCampaign/CampaignId  [[]maxLength]*",
        ]
    )
    # the terminal summary counts both exchanges
    result.stdout.fnmatch_lines(
        [
            "*tendlc*",
            "2 exchange(s) checked, 0 unmatched, 1 error(s), 0 warning(s)",
            "bandwidth: 1 of * operations exercised (2 exchange(s)): campaignImports.create",
        ]
    )


def test_without_the_option_nothing_is_checked(pytester):
    _project(pytester, test_sync=SYNC)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    assert "exchange(s) checked" not in result.stdout.str()


def test_the_ini_option_and_the_marker_turn_checks_on(pytester):
    _project(pytester, test_sync=SYNC)
    pytester.makeini("[pytest]\ntendlc_check = true\n")
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1, failed=1)

    marked = SYNC.replace(
        "def test_invalid_import",
        "import pytest\n@pytest.mark.tendlc_check\ndef test_invalid_import",
    )
    pytester.makeini("[pytest]\n")
    pytester.makepyfile(test_sync=marked)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1, failed=1)

    # a test's own marker switches the checks off where the ini and even the command line
    # turn them on: a deliberately negative test stays unchecked
    off = SYNC.replace(
        "def test_invalid_import",
        "import pytest\n@pytest.mark.tendlc_check(False)\ndef test_invalid_import",
    )
    pytester.makeini("[pytest]\ntendlc_check = true\n")
    pytester.makepyfile(test_sync=off)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)
    pytester.runpytest("-p", "no:cacheprovider", "--tendlc-check").assert_outcomes(passed=2)


def test_the_config_fixture_can_be_overridden_by_a_project(pytester):
    _project(pytester, test_sync=SYNC)
    pytester.makeconftest(
        CONFTEST
        + """
from tendlc.plugin import TendlcSettings

@pytest.fixture
def tendlc_config():
    return TendlcSettings(check=True)
"""
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1, failed=1)


ASYNC = f"""
import httpx
import pytest

IMPORT_RESPONSE = {IMPORT_RESPONSE!r}

async def provider(request):
    return httpx.Response(201, content=IMPORT_RESPONSE,
                          headers={{"Content-Type": "application/xml"}})

@pytest.fixture
def anyio_backend():
    return "asyncio"

@pytest.mark.anyio
async def test_async_client(tendlc_traffic):
    transport = httpx.MockTransport(provider)
    async with httpx.AsyncClient(transport=transport) as client:
        await client.post(
            "https://dashboard.bandwidth.com/api/accounts/1/campaignManagement/10dlc/campaigns/imports",
            content={BAD_BODY!r}, headers={{"Content-Type": "application/xml"}})
    assert tendlc_traffic.operations == ["bandwidth.campaignImports.create"]
    assert not tendlc_traffic.valid
    assert [i.rule for i in tendlc_traffic[0].errors] == ["maxLength"]
"""


def test_async_httpx_is_checked(pytester):
    pytester.makepyfile(test_async=ASYNC)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
    result = pytester.runpytest("-p", "no:cacheprovider", "--tendlc-check")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*/ImportedCampaign/CampaignId  [[]maxLength]*"])


REQUESTS = f"""
import requests
import responses

URL = "https://dashboard.bandwidth.com/api/accounts/1/campaignManagement/10dlc/campaigns/imports"

@responses.activate
def test_requests_with_a_mocked_response(tendlc_traffic):
    # the mock answers with an undocumented status: the check keeps the mock honest
    responses.add(responses.POST, URL, body=b"<Whatever/>", status=202,
                  content_type="application/xml")
    requests.post(URL, data={VALID_BODY!r}, headers={{"Content-Type": "application/xml"}})
    (result,) = tendlc_traffic
    assert result.operation == "bandwidth.campaignImports.create"
    assert [i.rule for i in result.errors] == ["status"]
"""


def test_requests_and_its_mocks_are_checked(pytester):
    pytester.makepyfile(test_requests=REQUESTS)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
    result = pytester.runpytest("-p", "no:cacheprovider", "--tendlc-check")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*response*/ *[[]status]*status 202 is not documented*"])


MOCKS = """
import httpx
import respx

URL = "https://api.nexmo.com/v1/10dlc/brands/BLQKOPK/campaigns/CXXXXXX/numbers"

def test_pytest_httpx_mock_is_checked(httpx_mock, tendlc_traffic):
    httpx_mock.add_response(url=URL, method="POST", status_code=202,
                            json={"number": "15556660001", "country": "US", "status": "LINKING"})
    httpx_mock.add_response(url=URL, method="POST", status_code=202,
                            json={"number": 15556660001, "country": "US", "status": "LINKING"})
    httpx.post(URL, json={"country": "US", "number": "15556660001"})
    httpx.post(URL, json={"country": "US", "number": "15556660001"})
    assert tendlc_traffic.operations == ["vonage.campaignNumbers.link"] * 2
    good, bad = tendlc_traffic
    assert good.valid
    # the mock's own answer is judged: a number sent as a JSON number is not the string
    assert ("response", "/number", "type") in {
        (i.direction, i.path, i.rule) for i in bad.issues
    }

@respx.mock
def test_respx_mock_is_checked(tendlc_traffic):
    respx.post(URL).mock(return_value=httpx.Response(202, json={"nonsense": True}))
    httpx.post(URL, json={"country": "USA", "number": "+15556660001"})
    (result,) = tendlc_traffic
    rules = sorted({(i.direction, i.path, i.rule) for i in result.issues})
    assert ("request", "/country", "pattern") in rules
    assert ("request", "/number", "pattern") in rules
    # and so is the mocked answer: a field the contract does not document is named
    assert ("response", "/nonsense", "additionalProperties") in rules
"""


def test_respx_and_pytest_httpx_mocks_are_checked(pytester):
    pytester.makepyfile(test_mocks=MOCKS)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


UNMATCHED = """
import httpx

def handler(request):
    return httpx.Response(200, json={})

def test_unknown_url():
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        client.put("https://api.nexmo.com/v1/10dlc/brands")
"""


def test_an_unmatched_exchange_is_reported_never_passed(pytester):
    pytester.makepyfile(test_unmatched=UNMATCHED)
    result = pytester.runpytest("-p", "no:cacheprovider", "--tendlc-check")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*PUT https://api.nexmo.com/v1/10dlc/brands → 200 (no documented operation)*",
            "*exchange*/ *[[]unmatched]*documented with another method: GET vonage.brands.list*",
            "1 exchange(s) checked, 1 unmatched, 1 error(s), 0 warning(s)",
        ]
    )


WARNING = f"""
import httpx

BODY = {IMPORT_RESPONSE.replace(b"</ImportedCampaign>", b"<Extra>1</Extra></ImportedCampaign>")!r}

def test_undocumented_response_field():
    transport = httpx.MockTransport(lambda request: httpx.Response(
        201, content=BODY, headers={{"Content-Type": "application/xml"}}))
    with httpx.Client(transport=transport) as client:
        client.post("https://dashboard.bandwidth.com/api/accounts/1/campaignManagement/10dlc/"
                    "campaigns/imports", content={VALID_BODY!r},
                    headers={{"Content-Type": "application/xml"}})
"""


def test_a_mock_may_not_answer_undocumented_fields_but_known_drift(pytester):
    # the test's author wrote that answer: a field its contract does not document is an error
    pytester.makepyfile(test_warning=WARNING)
    result = pytester.runpytest("-p", "no:cacheprovider", "--tendlc-check")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*response*/LongCodeImportCampaignResponse/ImportedCampaign/Extra*a mocked answer*"]
    )
    # drift a project knows of stays a warning
    pytester.makepyprojecttoml(
        '[tool.tendlc]\nknown-drift = ["bandwidth.campaignImports.* */Extra"]\n'
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--tendlc-check")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["1 exchange(s) checked, 0 unmatched, 0 error(s), 1 warning(s)"])


def test_warnings_fail_only_when_asked(pytester):
    pytester.makepyfile(test_warning=WARNING)
    pytester.makeini("[pytest]\ntendlc_strict_mocks = false\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "--tendlc-check")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["1 exchange(s) checked, 0 unmatched, 0 error(s), 1 warning(s)"])
    # the summary lists it, under its operation
    result.stdout.fnmatch_lines(
        [
            "issues by operation*",
            "  bandwidth.campaignImports.create",
            "    warning response*/LongCodeImportCampaignResponse/ImportedCampaign/Extra*",
        ]
    )
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--tendlc-check", "--tendlc-warnings-as-errors"
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*/LongCodeImportCampaignResponse/ImportedCampaign/Extra*"])


def _summary_lines(result):
    lines = result.stdout.lines
    start = next(i for i, line in enumerate(lines) if "tendlc" in line and "=" in line)
    section = []
    for line in lines[start + 1 :]:
        if line.startswith(("=", "FAILED", "PASSED")):
            break
        section.append(line)
    return section


@pytest.mark.slow
def test_the_json_report_and_xdist_give_the_same_summary(pytester):
    _project(pytester, test_sync=SYNC, test_more=SYNC)
    one = pytester.runpytest("-p", "no:cacheprovider", "--tendlc-check", "--tendlc-report=a.json")
    one.assert_outcomes(passed=2, failed=2)
    two = pytester.runpytest(
        "-p", "no:cacheprovider", "--tendlc-check", "--tendlc-report=b.json", "-n", "2"
    )
    two.assert_outcomes(passed=2, failed=2)
    assert _summary_lines(one) == _summary_lines(two)
    first = json.loads((pytester.path / "a.json").read_text())
    second = json.loads((pytester.path / "b.json").read_text())
    assert first["summary"] == second["summary"]
    assert first["summary"]["exchanges"] == 4 and first["summary"]["errors"] == 2
    names = sorted(entry["name"] for entry in first["entries"])
    assert names == sorted(entry["name"] for entry in second["entries"])
    entry = next(e for e in first["entries"] if not e["valid"])
    assert entry["exchange"]["findings"][0]["path"] == "/ImportedCampaign/CampaignId"


RECORD = f"""
import httpx

IMPORT_RESPONSE = {IMPORT_RESPONSE!r}

def provider(request):
    return httpx.Response(201, content=IMPORT_RESPONSE,
                          headers={{"Content-Type": "application/xml", "Set-Cookie": "s=1"}})

def test_recorded():
    transport = httpx.MockTransport(provider)
    with httpx.Client(transport=transport, auth=("jane", "hunter2-secret")) as client:
        client.post(
            "https://dashboard.bandwidth.com/api/accounts/5550123/campaignManagement/10dlc/"
            "campaigns/imports?api_key=k-123456789",
            content={VALID_BODY!r}, headers={{"Content-Type": "application/xml"}})
"""


def test_recorded_cassettes_carry_no_credentials_and_check_clean(pytester, monkeypatch):
    import base64

    monkeypatch.setenv("BANDWIDTH_USERNAME", "jane")
    monkeypatch.setenv("BANDWIDTH_PASSWORD", "hunter2-secret")
    pytester.makepyfile(test_record=RECORD)
    result = pytester.runpytest("-p", "no:cacheprovider", "--tendlc-record=recorded")
    result.assert_outcomes(passed=1)
    (cassette,) = (pytester.path / "recorded").rglob("*.yaml")
    text = cassette.read_text()
    for secret in (
        "hunter2-secret",
        base64.b64encode(b"jane:hunter2-secret").decode(),
        "k-123456789",
        "5550123",
        "Set-Cookie",
    ):
        assert secret not in text, secret
    assert "/api/accounts/9900000/" in text
    from tendlc.cassettes import read_cassette

    (exchange,) = read_cassette(cassette).exchanges
    assert exchange.response.status == 201
    from click.testing import CliRunner

    from tendlc.cli import main

    outcome = CliRunner().invoke(main, ["cassettes", "check", str(cassette)])
    # the credentials are gone; what remains is the contract's own verdict on the exchange
    # (api_key is not a documented parameter of the operation)
    assert "[secret]" not in outcome.output
    assert "?api_key  [additionalProperties]" in outcome.output
    assert outcome.exit_code == 1, outcome.output


@pytest.mark.parametrize(
    "workers",
    [
        pytest.param([], id="one process"),
        pytest.param(["-n", "2"], id="xdist", marks=pytest.mark.slow),
    ],
)
def test_the_json_report_and_the_failure_carry_no_credential(pytester, monkeypatch, workers):
    import base64

    monkeypatch.setenv("BANDWIDTH_USERNAME", "jane")
    monkeypatch.setenv("BANDWIDTH_PASSWORD", "hunter2-secret")
    monkeypatch.setenv("BANDWIDTH_ACCOUNT_ID", "5550123")
    pytester.makepyfile(test_record=RECORD)
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--tendlc-check", "--tendlc-report=report.json", *workers
    )
    # api_key is not a documented parameter: the test fails, naming the exchange
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert "?api_key  [additionalProperties]" in output
    assert "/api/accounts/***/campaignManagement/10dlc/campaigns/imports?api_key=***" in output
    report = (pytester.path / "report.json").read_text()
    (entry,) = json.loads(report)["entries"]
    assert entry["exchange"]["url"] == (
        "https://dashboard.bandwidth.com/api/accounts/***/campaignManagement/10dlc/"
        "campaigns/imports?api_key=***"
    )
    for secret in (
        "5550123",
        "hunter2-secret",
        base64.b64encode(b"jane:hunter2-secret").decode(),
        "k-123456789",
    ):
        assert secret not in report, secret
        assert secret not in output, secret


def test_the_plugin_imports_nothing_heavy():
    code = (
        "import sys, tendlc.plugin\n"
        "heavy = ['tendlc._validation', 'tendlc.traffic', 'xmlschema', 'lxml', 'httpx',"
        " 'hypothesis', 'jsonschema_rs', 'yaml']\n"
        "print(','.join(name for name in heavy if name in sys.modules))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""


@pytest.mark.parametrize("flag", ["--tendlc-check", None])
def test_a_project_without_http_traffic_shows_no_tendlc_section(pytester, flag):
    pytester.makepyfile(test_plain="def test_one():\n    assert True\n")
    args = ["-p", "no:cacheprovider"] + ([flag] if flag else [])
    result = pytester.runpytest(*args)
    result.assert_outcomes(passed=1)
    assert "exchange(s) checked" not in result.stdout.str()


IDLE_CONFTEST = """
import sys

def pytest_unconfigure(config):
    heavy = ["tendlc._validation", "tendlc.traffic", "tendlc._catalog", "xmlschema", "lxml"]
    print("LOADED:" + ",".join(name for name in heavy if name in sys.modules))
"""


def test_a_session_that_uses_nothing_of_tendlc_loads_nothing_heavy(pytester):
    """The whole session (collection, the autouse fixture, the summary and the end of the
    session), not only the plugin's import: the idle cost users pay in every run."""
    pytester.makeconftest(IDLE_CONFTEST)
    pytester.makepyfile(test_plain="def test_one():\n    assert True\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["LOADED:"])  # the whole line: nothing listed after it
