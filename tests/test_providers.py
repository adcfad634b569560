"""A provider added as data, in every front end.

``tests/providers/acme`` is a fictional provider: an OpenAPI document with its own token header,
account path parameter, error envelope, pagination, rate limits, sandbox behaviour, probes and
cassettes. No package code names it: each front end reads its record, as it reads the shipped
ones. A test reads it with the ``acme`` fixture, which leaves the catalog as shipped afterwards;
a command run in a subprocess gets ``TENDLC_PROVIDERS`` in its environment.
"""

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings

import tendlc
from tendlc import strategies as tst
from tendlc._catalog import PROVIDERS_VARIABLE, provider_names, reload_providers
from tendlc.cassettes import read_cassette, write_cassette
from tendlc.cli import main
from tendlc.conform import ConformOptions, run_conformance
from tendlc.proxy import ProxyState, serve_proxy
from tendlc.sandbox import SandboxConfig, create_app, serve_in_thread
from tendlc.traffic import Exchange, check_exchange

PROVIDERS = Path(__file__).parent / "providers"
ACME = PROVIDERS / "acme"
CASSETTES = ACME / "cassettes"
KEY = "acme-key-5e1f9c"
ACCOUNT = "acct-5150"
ENVIRONMENT = {"ACME_TOKEN": KEY, "ACME_ACCOUNT": ACCOUNT}
SENDERS = f"/v2/accounts/{ACCOUNT}/senders"
HOST = "https://api.acme.test"
SCALE = 60  # the stated limits a minute to the second
BUSINESS = {
    "type": "business",
    "display_name": "Acme Deliveries",
    "company_name": "Acme Deliveries Inc.",
    "email": "ops@acme.test",
}
INDIVIDUAL = {"type": "individual", "display_name": "Jo Acme", "email": "jo@acme.test"}
SENDER = {
    "id": "snd_0123456789AB",
    "type": "individual",
    "display_name": "Jo Acme",
    "status": "verified",
}


@pytest.fixture
def acme(monkeypatch):
    """The catalog with acme beside the shipped providers, for one test; as shipped after."""
    monkeypatch.setenv(PROVIDERS_VARIABLE, str(PROVIDERS))
    reload_providers()
    yield
    monkeypatch.delenv(PROVIDERS_VARIABLE)
    reload_providers()


def _environment(**more):
    """The environment of a subprocess: this checkout's package first, acme's directory."""
    code = str(Path(tendlc.__file__).resolve().parent.parent)
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [code, os.environ.get("PYTHONPATH")])),
        "NO_COLOR": "1",
        PROVIDERS_VARIABLE: str(PROVIDERS),
        **more,
    }


def _tendlc(*arguments, cwd=None, environment=None):
    return subprocess.run(
        [sys.executable, "-m", "tendlc", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
        env=environment or _environment(),
    )


def _errors(report):
    return {(issue.path, issue.rule) for issue in report.errors}


# -- the catalog and the command line's listings ------------------------------------------------


def test_the_providers_command_lists_the_added_provider_from_the_environment():
    listed = _tendlc("providers", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    rows = {row["name"]: row for row in json.loads(listed.stdout)}
    assert set(rows) >= {"acme", "bandwidth", "vonage"}
    assert rows["acme"] == {
        "name": "acme",
        "title": "Acme Messaging",
        "contract": "openapi: acme/openapi.yaml",
        "operations": 5,
        "hosts": [HOST],
        "credentials": ["header", "ACME_TOKEN", "ACME_ACCOUNT"],
        "directory": str(ACME.resolve()),
    }


def test_operations_of_the_added_provider(acme):
    outcome = CliRunner().invoke(main, ["operations", "--provider", "acme"])
    assert outcome.exit_code == 0, outcome.output
    lines = outcome.output.splitlines()
    assert lines[-1] == "5 operations"
    assert [line.split()[:2] for line in lines[:-1]] == [
        ["acme.senders.create", "POST"],
        ["acme.senders.delete", "DELETE"],
        ["acme.senders.get", "GET"],
        ["acme.senders.list", "GET"],
        ["acme.senders.update", "PATCH"],
    ]
    assert "/accounts/{account_id}/senders/{sender_id}  [200,400,401,404]" in outcome.output
    assert "/accounts/{account_id}/senders  [200,400,401,429]" in outcome.output
    refused = CliRunner().invoke(main, ["operations", "--provider", "acne"])
    assert refused.exit_code == 2 and "known: acme, bandwidth, vonage" in refused.output


def test_the_added_operations_carry_the_record_base_path_and_host(acme):
    operation = tendlc.get_operation("acme.senders.get")
    assert operation.url_template == "/v2/accounts/{account_id}/senders/{sender_id}"
    assert operation.host == HOST
    assert operation.source == "acme-docs.txt"
    assert tendlc.get_operation("acme.senders.create").request.contract == "acme/openapi.yaml"


def test_what_is_derived_from_the_catalog_follows_the_records_read_again(monkeypatch):
    exchange = Exchange.from_httpx(
        httpx.Response(
            200,
            json=SENDER,
            request=httpx.Request("GET", f"{HOST}{SENDERS}/snd_0123456789AB"),
        )
    )
    assert check_exchange(exchange).operation is None  # the router of the shipped catalog
    monkeypatch.setenv(PROVIDERS_VARIABLE, str(PROVIDERS))
    try:
        reload_providers()
        assert check_exchange(exchange).operation == "acme.senders.get"
        assert check_exchange(exchange).valid
    finally:
        monkeypatch.delenv(PROVIDERS_VARIABLE)
        reload_providers()
    assert check_exchange(exchange).operation is None


def test_a_contract_changed_on_disk_is_judged_anew_once_the_records_are_read_again(
    tmp_path, monkeypatch
):
    shutil.copytree(ACME, tmp_path / "acme")
    contract = tmp_path / "acme" / "openapi.yaml"
    long_name = {**INDIVIDUAL, "display_name": "x" * 40}
    monkeypatch.setenv(PROVIDERS_VARIABLE, str(tmp_path))
    try:
        reload_providers()
        assert tendlc.validate("acme.senders.create", long_name).valid
        text = contract.read_text()
        at = text.index("    SenderCreate:")
        contract.write_text(text[:at] + text[at:].replace("maxLength: 64", "maxLength: 30", 1))
        reload_providers()
        # the compiled contracts of both paths (yes/no and explaining) are compiled again
        report = tendlc.validate("acme.senders.create", long_name)
        assert _errors(report) == {("/display_name", "maxLength")}
        assert tendlc.validate("acme.senders.create", INDIVIDUAL).valid
    finally:
        monkeypatch.delenv(PROVIDERS_VARIABLE)
        reload_providers()


# -- validate -----------------------------------------------------------------------------------


def test_validate_judges_acme_bodies_with_its_rules(acme):
    assert tendlc.validate("acme.senders.create", BUSINESS).valid
    assert tendlc.validate("acme.senders.create", json.dumps(INDIVIDUAL).encode()).valid

    without_company = {key: value for key, value in BUSINESS.items() if key != "company_name"}
    report = tendlc.validate("acme.senders.create", without_company)
    assert _errors(report) == {("/company_name", "sender.business-needs-company-name")}
    assert "company_name is required when type is business" in report.errors[0].message
    # the rule fires for a business only
    assert tendlc.validate("acme.senders.create", INDIVIDUAL).valid

    typo = {**INDIVIDUAL, "dispaly_name": "Jo"}
    assert _errors(tendlc.validate("acme.senders.create", typo)) == {
        ("/dispaly_name", "additionalProperties")
    }
    drifted = tendlc.validate(
        "acme.senders.get", {**SENDER, "nickname": "jo"}, part="response", status=200
    )
    assert drifted.valid
    assert [(w.path, w.rule) for w in drifted.warnings] == [("/nickname", "additionalProperties")]

    wrong = tendlc.validate(
        "acme.senders.get", {**SENDER, "status": "archived"}, part="response", status=200
    )
    assert _errors(wrong) == {("/status", "enum")}
    error = {"error": {"code": "not_found", "message": "no sender"}}
    assert tendlc.validate("acme.senders.get", error, part="response", status=404).valid


def test_validate_checks_acme_parameters_and_their_bounds(acme):
    assert tendlc.validate("acme.senders.list", "page=1&per_page=100", part="query").valid
    assert _errors(tendlc.validate("acme.senders.list", "per_page=101", part="query")) == {
        ("?per_page", "maximum")
    }
    assert _errors(tendlc.validate("acme.senders.list", "page=0", part="query")) == {
        ("?page", "minimum")
    }
    # the sender id's schema is a $ref to the document's components
    path = {"account_id": ACCOUNT, "sender_id": "snd_0123456789AB"}
    assert tendlc.validate("acme.senders.get", path, part="path").valid
    bad = tendlc.validate("acme.senders.get", {**path, "sender_id": "snd_x"}, part="path")
    assert _errors(bad) == {(":sender_id", "pattern")}


def test_the_validate_command_infers_acme_operations(tmp_path):
    (tmp_path / "acme").mkdir()
    good = tmp_path / "sender.json"
    good.write_text(json.dumps(BUSINESS))
    named = tmp_path / "acme" / "senders.create.request.json"
    named.write_text(json.dumps({**BUSINESS, "company_name": ""}))
    outcome = _tendlc("validate", str(good), str(named))
    assert outcome.returncode == 1, outcome.stderr
    assert f"{good}: valid (acme.senders.create request;" in outcome.stdout
    assert f"{named}: INVALID (acme.senders.create request;" in outcome.stdout
    assert "/company_name  [minLength]" in outcome.stdout

    missing = tmp_path / "missing.json"
    missing.write_text(json.dumps({k: v for k, v in BUSINESS.items() if k != "company_name"}))
    outcome = _tendlc("validate", "acme.senders.create", str(missing))
    assert outcome.returncode == 1
    assert "/company_name  [sender.business-needs-company-name]" in outcome.stdout


def test_a_project_configuration_adds_the_provider_and_maps_its_files(tmp_path):
    project = tmp_path / "project"
    (project / "payloads").mkdir(parents=True)
    shutil.copytree(ACME, project / "vendors" / "acme")
    (project / "pyproject.toml").write_text(
        '[tool.tendlc]\nproviders = ["vendors"]\n\n'
        '[tool.tendlc.files]\n"payloads/*.json" = "acme.senders.create"\n'
    )
    # a payload the contract refuses cannot be inferred: only the mapping names its operation
    typo = project / "payloads" / "typo.json"
    typo.write_text(json.dumps({**INDIVIDUAL, "emial": "jo@acme.test"}))
    environment = _environment()
    del environment[PROVIDERS_VARIABLE]  # the configuration alone names the provider
    outcome = _tendlc("validate", "payloads/typo.json", cwd=project, environment=environment)
    assert outcome.returncode == 1, outcome.stderr
    assert "typo.json: INVALID (acme.senders.create request;" in outcome.stdout
    assert "/emial  [additionalProperties]" in outcome.stdout


# -- strategies ---------------------------------------------------------------------------------


def test_generated_acme_requests_are_valid_and_mutations_are_refused_where_labelled(acme):
    types, broken = set(), set()

    @settings(max_examples=30, database=None)
    @given(tst.requests("acme.senders.create"))
    def valid(payload):
        report = tendlc.validate("acme.senders.create", payload)
        assert report.valid, [str(issue) for issue in report.issues]
        types.add(payload["type"])

    @settings(max_examples=60, database=None)
    @given(tst.invalid_requests("acme.senders.create"))
    def invalid(mutation):
        report = tendlc.validate("acme.senders.create", mutation.payload)
        assert (mutation.path, mutation.rule) in _errors(report), mutation
        broken.add((mutation.path, mutation.rule))

    valid()
    invalid()
    assert types == {"individual", "business"}
    assert broken
    # the conditional rule's own mutation (about one a business in sixteen): a business
    # without its company name
    rule, without_company = "sender.business-needs-company-name", []

    @settings(max_examples=300, database=None)
    @given(tst.invalid_requests("acme.senders.create", overrides={"type": "business"}))
    def business(mutation):
        if mutation.rule == rule:
            assert mutation.path == "/company_name" and "company_name" not in mutation.payload
            report = tendlc.validate("acme.senders.create", mutation.payload)
            assert _errors(report) == {(mutation.path, rule)}
            without_company.append(mutation)

    business()
    assert without_company

    @settings(max_examples=10, database=None)
    @given(tst.requests("acme.senders.create", overrides={"type": "business"}, form="bytes"))
    def pinned(data):
        assert json.loads(data)["company_name"]
        assert tendlc.validate("acme.senders.create", data).valid

    pinned()


# -- the pytest plugin ----------------------------------------------------------------------------

PLUGIN_CONFTEST = f"""
import httpx
import pytest

SENDER = {SENDER!r}


def acme(request):
    # stands in for Acme: a sender, and one whose status the contract does not allow
    if request.url.path.endswith("/snd_0123456789AB"):
        return httpx.Response(200, json=SENDER)
    if request.url.path.endswith("/snd_ABCDEF012345"):
        return httpx.Response(200, json={{**SENDER, "status": "archived"}})
    return httpx.Response(404, json={{"error": {{"code": "not_found", "message": "no"}}}})


@pytest.fixture
def client():
    base = "{HOST}{SENDERS}"
    with httpx.Client(transport=httpx.MockTransport(acme), base_url=base) as client:
        yield client
"""

PLUGIN_TESTS = """
def test_a_documented_answer(client):
    assert client.get("/snd_0123456789AB").json()["status"] == "verified"

def test_an_answer_the_contract_refuses(client):
    assert client.get("/snd_ABCDEF012345").status_code == 200
"""


def test_the_plugin_checks_acme_traffic(acme, pytester):
    pytester.makeconftest(PLUGIN_CONFTEST)
    pytester.makepyfile(test_acme=PLUGIN_TESTS)
    result = pytester.runpytest("--tendlc-check", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            f"*GET {HOST}{SENDERS}/snd_ABCDEF012345 → 200 (acme.senders.get)*",
            "*response*/status  [[]enum]*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "2 exchange(s) checked, 0 unmatched, 1 error(s), 0 warning(s)",
            "acme: 1 of 5 operations exercised (2 exchange(s)): senders.get",
        ]
    )
    assert "test_a_documented_answer FAILED" not in result.stdout.str()


# -- cassettes ------------------------------------------------------------------------------------


def test_the_cassettes_command_checks_acme_cassettes(tmp_path):
    outcome = _tendlc("cassettes", "check", str(CASSETTES))
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert "2 cassette(s), 2 interaction(s): 0 error(s), 0 warning(s), 0 unmatched" in (
        outcome.stdout
    )

    recorded = read_cassette(CASSETTES / "senders.create.201.yaml")
    assert recorded.metadata["operation"] == "acme.senders.create"
    (exchange,) = recorded.exchanges
    body = json.loads(exchange.request.body)
    body["dispaly_name"] = body.pop("display_name")
    request = type(exchange.request)(
        exchange.request.method,
        exchange.request.url,
        type(exchange.request.headers)([*exchange.request.headers, ("X-Acme-Key", KEY)]),
        json.dumps(body).encode(),
    )
    write_cassette(tmp_path / "bad.yaml", [Exchange(request, exchange.response)])
    outcome = _tendlc("cassettes", "check", str(tmp_path / "bad.yaml"))
    assert outcome.returncode == 1
    assert "error   request   /dispaly_name  [additionalProperties]" in outcome.stdout
    # the record's token header is a credential: a cassette must not keep it
    assert "[secret]  request header X-Acme-Key" in outcome.stdout
    assert KEY not in outcome.stdout


# -- the sandbox ----------------------------------------------------------------------------------


def _client(app, key=KEY):
    headers = {"X-Acme-Key": key} if key else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sandbox", headers=headers
    )


def _checked(response, *, refused=False):
    """The response, once its exchange is checked: clean, or (a request the sandbox refused)
    with findings in the request only."""
    result = check_exchange(Exchange.from_httpx(response))
    assert result.operation and result.operation.startswith("acme.")
    found = [i for i in result.issues if not refused or i.direction != "request"]
    assert not found, [str(i) for i in found]
    assert result.valid != refused
    return response


def test_the_sandbox_enforces_acme_credentials_with_its_error_envelope(acme):
    app = create_app(SandboxConfig(credentials={"acme": ("", KEY)}))

    async def scenario():
        async with _client(app, key=None) as client:
            refused = [
                await client.get(SENDERS),
                await client.get(SENDERS, headers={"X-Acme-Key": "not-the-key"}),
                # the right key, sent another way than the record says
                await client.get(SENDERS, headers={"Authorization": f"Bearer {KEY}"}),
            ]
            for response in refused:
                assert response.status_code == 401
                assert response.json() == {
                    "error": {
                        "code": "unauthorized",
                        "message": "the request carries no valid credentials",
                    }
                }
                _checked(response)
            right = await client.get(SENDERS, headers={"X-Acme-Key": KEY})
            assert right.status_code == 200
            assert _checked(right).json()["data"] == []

    asyncio.run(scenario())


def test_the_sandbox_keeps_acme_senders_and_pages_them(acme):
    app = create_app(SandboxConfig(credentials={"acme": ("", KEY)}))

    async def scenario():
        async with _client(app) as client:
            created = _checked(await client.post(SENDERS, json=BUSINESS))
            assert created.status_code == 201
            sender = created.json()
            assert sender["id"].startswith("snd_") and len(sender["id"]) == 16
            assert {key: sender[key] for key in BUSINESS} == BUSINESS

            fetched = _checked(await client.get(f"{SENDERS}/{sender['id']}"))
            assert {key: fetched.json()[key] for key in BUSINESS} == BUSINESS
            updated = _checked(
                await client.patch(f"{SENDERS}/{sender['id']}", json={"display_name": "Acme West"})
            )
            assert updated.json()["display_name"] == "Acme West"
            assert updated.json()["company_name"] == BUSINESS["company_name"]

            more = []
            for number in range(4):
                made = await client.post(SENDERS, json={**INDIVIDUAL, "display_name": f"S{number}"})
                more.append(_checked(made).json()["id"])
            ids = [sender["id"], *more]
            pages = []
            for page in (1, 2, 3):
                listed = _checked(await client.get(f"{SENDERS}?page={page}&per_page=2"))
                assert listed.json()["total"] == 5
                pages.append([item["id"] for item in listed.json()["data"]])
            assert pages == [ids[0:2], ids[2:4], ids[4:5]]
            # no per_page: the record's default page (20) holds them all
            whole = _checked(await client.get(SENDERS)).json()["data"]
            assert [item["id"] for item in whole] == ids

            deleted = await client.delete(f"{SENDERS}/{sender['id']}")
            assert deleted.status_code == 204 and deleted.content == b""
            gone = _checked(await client.get(f"{SENDERS}/{sender['id']}"))
            assert gone.status_code == 404
            assert gone.json()["error"]["code"] == "not_found"
            # another account's senders are its own
            other = _checked(await client.get("/v2/accounts/acct-0001/senders"))
            assert other.json()["data"] == []

    asyncio.run(scenario())


def test_the_sandbox_keeps_to_the_acme_limits_and_takes_acme_seeds(acme):
    app = create_app(SandboxConfig(time_scale=1, credentials={"acme": ("", KEY)}))
    (seeded,) = app.state.sandbox.seed(
        [{"operation": "acme.senders.create", "account": ACCOUNT, "body": INDIVIDUAL}]
    )
    burst = 20  # limits.yaml: GET bursts of 20

    async def scenario():
        async with _client(app) as client:
            statuses = []
            for _ in range(burst + 2):
                response = await client.get(f"{SENDERS}?per_page=5")
                statuses.append(response.status_code)
            assert statuses == [200] * burst + [429, 429]
            assert response.headers["Retry-After"].isdigit()
            assert _checked(response).json()["error"]["code"] == "rate_limited"
            # writes have a burst of their own; the seeded sender is there to change
            renamed = _checked(
                await client.patch(f"{SENDERS}/{seeded}", json={"display_name": "Seeded"})
            )
            assert renamed.json()["id"] == seeded
            assert renamed.json()["display_name"] == "Seeded"

    asyncio.run(scenario())


def test_the_sandbox_answers_invalid_acme_requests_with_its_error_envelope(acme):
    app = create_app(SandboxConfig(credentials={"acme": ("", KEY)}))
    without_company = {key: value for key, value in BUSINESS.items() if key != "company_name"}

    async def scenario():
        async with _client(app) as client:
            refused = _checked(await client.post(SENDERS, json=without_company), refused=True)
            assert refused.status_code == 400
            assert refused.json() == {
                "error": {
                    "code": "invalid_sender",
                    "message": "/company_name: company_name is required when type is business.",
                }
            }
            out_of_bounds = _checked(await client.get(f"{SENDERS}?per_page=101"), refused=True)
            assert out_of_bounds.status_code == 400
            assert out_of_bounds.json()["error"]["code"] == "invalid_sender"
            assert out_of_bounds.json()["error"]["message"].startswith("?per_page:")
            bad_id = _checked(await client.get(f"{SENDERS}/snd_nope"), refused=True)
            assert bad_id.status_code == 400 and ":sender_id" in bad_id.text

    asyncio.run(scenario())


# -- conform and the proxy ------------------------------------------------------------------------


@pytest.fixture
def acme_sandbox(acme):
    running = serve_in_thread(
        create_app(SandboxConfig(time_scale=SCALE, credentials={"acme": ("", KEY)}))
    )
    yield running
    running.stop()


def test_conform_probes_acme_against_the_sandbox_and_it_conforms(acme_sandbox, tmp_path):
    options = ConformOptions(
        "acme", base_url=acme_sandbox, allow_writes=True, time_scale=SCALE, record=tmp_path
    )
    run = run_conformance(options, ENVIRONMENT)
    summary = run.summary()
    assert summary.conforms
    assert summary.errors == summary.warnings == summary.failed == summary.skipped == 0
    answered = [(e.name, e.result.exchange.response.status) for e in run.entries]
    assert answered == [
        ("create sender", 201),
        ("sender list", 200),
        ("sender", 200),
        ("update sender", 200),
        ("delete sender", 204),
    ]
    # the documented body came from the contract's own request example (a run keeps no body
    # of an exchange without findings: the recording has it); the key's header went with it
    # (the sandbox answers 401 without it), and the recording left it out
    from tendlc.cassettes import read_cassette

    (created,) = [p for p in tmp_path.rglob("*.yaml") if p.name.startswith("create-sender")]
    create = read_cassette(created).exchanges[0].request
    assert json.loads(create.body)["company_name"] == "Acme Deliveries Inc."
    assert "x-acme-key" not in create.headers
    recorded = "".join(path.read_text() for path in tmp_path.rglob("*.yaml"))
    assert KEY not in recorded and ACCOUNT not in recorded
    assert "/v2/accounts/acct-0000/senders" in recorded


def _fuzzed_acme_run(sandbox, examples):
    """A fuzzing conform run of acme against its sandbox, which conforms, and its fuzz entries
    that sent a request."""
    options = ConformOptions(
        "acme",
        base_url=sandbox,
        allow_writes=True,
        time_scale=SCALE,
        fuzz=True,
        fuzz_examples=examples,
        fuzz_seed=7,  # a drawn seed could leave an operation without a sendable case
    )
    run = run_conformance(options, ENVIRONMENT)
    assert run.summary().conforms
    return run, [entry for entry in run.entries if entry.name.startswith("fuzz ") and entry.result]


def test_fuzzed_acme_cases_act_for_the_run_account_and_reach_its_records(acme_sandbox):
    run, fuzzed = _fuzzed_acme_run(acme_sandbox, examples=3)
    assert {entry.result.operation for entry in fuzzed} == {
        "acme.senders.create",
        "acme.senders.list",
        "acme.senders.get",
        "acme.senders.update",
    }
    assert all(f"/accounts/{ACCOUNT}/" in entry.result.exchange.request.url for entry in fuzzed)
    valid = [entry for entry in fuzzed if not entry.note]
    updates = [e for e in valid if e.result.operation == "acme.senders.update"]
    assert updates and {entry.result.exchange.response.status for entry in updates} == {200}
    # the invalid cases (a sender id off its pattern, a bound broken) were refused with a 400
    invalid = [entry for entry in fuzzed if entry.note.startswith("invalid: ")]
    assert {entry.result.operation for entry in invalid} == {
        "acme.senders.create",
        "acme.senders.list",
        "acme.senders.get",
        "acme.senders.update",
    }
    assert {entry.result.exchange.response.status for entry in invalid} == {400}
    listed = {
        e.operation: e.note for e in run.entries if e.name.startswith("fuzz ") and not e.result
    }
    assert "clean-up probes" in listed["acme.senders.delete"]
    # its contract is an OpenAPI document: schemathesis drew every case
    assert run.context["fuzz_cases_by_driver"] == {"schemathesis": len(fuzzed)}
    assert run.context["fuzz_generator_fallbacks"] == []
    assert all("mutated by schemathesis" in entry.note for entry in invalid)


def test_fuzzing_without_schemathesis_falls_back_to_tendlcs_generators(acme_sandbox, monkeypatch):
    for module in [name for name in sys.modules if name.split(".")[0] == "schemathesis"]:
        monkeypatch.setitem(sys.modules, module, None)
    monkeypatch.setitem(sys.modules, "schemathesis", None)
    run, fuzzed = _fuzzed_acme_run(acme_sandbox, examples=2)
    assert fuzzed and run.context["fuzz_cases_by_driver"] == {"tendlc": len(fuzzed)}
    fallbacks = run.context["fuzz_generator_fallbacks"]
    assert "acme.senders.create valid: schemathesis is not installed" in fallbacks
    assert all(note.endswith(": schemathesis is not installed") for note in fallbacks)


def test_conform_reports_the_drift_of_a_misbehaving_acme_sandbox(acme, tmp_path):
    running = serve_in_thread(
        create_app(SandboxConfig(time_scale=SCALE, misbehave=("undocumented-field:acme.*",)))
    )
    try:
        outcome = CliRunner().invoke(
            main,
            [
                "conform",
                "--provider",
                "acme",
                "--base-url",
                running,
                "--allow-writes",
                "--time-scale",
                str(SCALE),
                "--json",
                str(tmp_path / "run.json"),
                "--junit-xml",
                str(tmp_path / "run.xml"),
                "--markdown",
                str(tmp_path / "run.md"),
                "--html",
                str(tmp_path / "run.html"),
            ],
            env=ENVIRONMENT,
        )
    finally:
        running.stop()
    # an undocumented field is a warning: drift the report shows, not a contract error
    assert outcome.exit_code == 0, outcome.output
    assert "conforms" in outcome.output
    report = json.loads((tmp_path / "run.json").read_text())
    drift = sorted(
        (entry["exchange"]["operation"], finding["path"], finding["rule"])
        for entry in report["entries"]
        for finding in entry["exchange"]["findings"]
    )
    assert drift == [
        (operation, "/sandbox_undocumented_field", "additionalProperties")
        for operation in (
            "acme.senders.create",
            "acme.senders.get",
            "acme.senders.list",
            "acme.senders.update",
        )
    ]
    assert KEY not in outcome.output
    for name in ("run.xml", "run.md", "run.html"):
        written = (tmp_path / name).read_text()
        assert "acme.senders.update" in written and "sandbox_undocumented_field" in written
        assert KEY not in written and ACCOUNT not in written


def test_the_proxy_checks_acme_traffic_and_records_it_scrubbed(acme_sandbox, tmp_path, monkeypatch):
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    state = ProxyState(acme_sandbox, record=tmp_path)
    proxy = serve_proxy(state)
    try:
        with httpx.Client(base_url=proxy, headers={"X-Acme-Key": KEY}) as client:
            created = client.post(SENDERS, json=INDIVIDUAL)
            assert created.status_code == 201
            direct = httpx.get(
                f"{acme_sandbox}{SENDERS}/{created.json()['id']}", headers={"X-Acme-Key": KEY}
            )
            through = client.get(f"{SENDERS}/{created.json()['id']}")
            assert through.content == direct.content
            refused = client.post(SENDERS, json={**INDIVIDUAL, "type": "robot"})
            assert refused.status_code == 400
    finally:
        proxy.stop()
    results = state.run.results
    assert [result.operation for result in results] == [
        "acme.senders.create",
        "acme.senders.get",
        "acme.senders.create",
    ]
    assert [result.valid for result in results] == [True, True, False]
    assert [(i.path, i.rule) for i in results[2].issues] == [("/type", "enum")]
    files = sorted(tmp_path.glob("*.yaml"))
    recorded = "".join(path.read_text() for path in files)
    assert len(files) == 3 and KEY not in recorded and ACCOUNT not in recorded
    assert "/v2/accounts/acct-0000/senders" in recorded
    # the recordings replay as the same operations, with the same verdicts
    replayed = [check_exchange(read_cassette(path).exchanges[0]) for path in files]
    assert [(r.operation, r.valid) for r in replayed] == [(r.operation, r.valid) for r in results]


# -- and afterwards, the catalog as shipped -------------------------------------------------------


def test_the_shipped_catalog_does_not_know_the_test_provider():
    assert "acme" not in provider_names()
    assert not tendlc.operations("acme")
    with pytest.raises(tendlc.UnknownOperationError):
        tendlc.get_operation("acme.senders.create")
    data = yaml.safe_load((ACME / "provider.yaml").read_text())
    assert data["name"] == "acme"  # the record is there: only the catalog does not read it
