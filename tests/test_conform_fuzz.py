"""``conform --fuzz`` against a real sandbox on a loopback port: valid and labelled invalid
requests for every operation of a provider, each operation fuzzed or listed with the reason."""

import json
import time
from urllib.parse import quote, urlsplit

import httpx
import pytest
from click.testing import CliRunner
from hypothesis import strategies as st

import tendlc
from tendlc import strategies as tst
from tendlc._catalog import rate_limits
from tendlc.cli import main
from tendlc.conform import ConformOptions, run_conformance
from tendlc.conform._fuzz import Case, GenerationFailed, _cases, _judged
from tendlc.sandbox import SandboxConfig, create_app, serve_in_thread
from tendlc.traffic import Exchange, Request, Response, arrivals_within_limits, check_exchange

SCALE = 60  # limits and order progress a minute to the second
ENVIRONMENT = {
    "BANDWIDTH_USERNAME": "fuzz-user-31c0",
    "BANDWIDTH_PASSWORD": "fuzz-pass-77aa",
    "BANDWIDTH_ACCOUNT_ID": "5557777",
    "VONAGE_API_KEY": "vkeyf00d",
    "VONAGE_API_SECRET": "vsecret-1b2c",
}
# one operation of each provider that takes a body and documents a 400 refusal
REFUSING = {"bandwidth": "bandwidth.brands.create", "vonage": "vonage.campaigns.create"}
# who draws each provider's cases: schemathesis for an OpenAPI document, tendlc for XSD
DRIVER = {"bandwidth": "tendlc", "vonage": "schemathesis"}


def _sandbox(*misbehave):
    return serve_in_thread(create_app(SandboxConfig(time_scale=SCALE, misbehave=misbehave)))


@pytest.fixture
def sandbox():
    running = _sandbox()
    yield running
    running.stop()


def _fuzz(provider, url, **options):
    settings = {"fuzz_examples": 2, "fuzz_seed": 7, **options}
    return run_conformance(
        ConformOptions(
            provider, base_url=url, allow_writes=True, time_scale=SCALE, fuzz=True, **settings
        ),
        ENVIRONMENT,
    )


def _fuzzed(run):
    return [e for e in run.entries if e.name.startswith("fuzz ")]


def _problems(entries):
    return [
        (e.name, e.note, [str(i) for i in e.result.issues] if e.result else None)
        for e in entries
        if not e.valid or (e.result and e.result.errors)
    ]


@pytest.mark.parametrize("provider", ["bandwidth", "vonage"])
def test_every_operation_is_fuzzed_or_listed_and_the_sandbox_conforms(sandbox, provider):
    started = time.perf_counter()
    run = _fuzz(provider, sandbox)
    elapsed = time.perf_counter() - started
    fuzzed = _fuzzed(run)
    assert run.summary().conforms, _problems(fuzzed)
    sent = [e for e in fuzzed if e.result]
    listed = {e.operation: e.note for e in fuzzed if e.status == "skipped"}
    reached = {e.result.operation for e in sent}
    # every operation of the provider: cases sent, or a skipped entry saying why not
    every = {op.id for op in tendlc.operations(provider)}
    assert reached | set(listed) == every
    assert all(note for note in listed.values())
    assert not [e for e in sent if e.result.exchange.request.method == "DELETE"]
    assert all("clean-up probes" in note for op, note in listed.items() if ".delete" in op)
    # valid cases answered with documented statuses (the run conforms); invalid ones refused
    invalid = [e for e in sent if e.note.startswith("invalid: ")]
    valid = [e for e in sent if not e.note]
    assert valid and invalid
    for entry in invalid:
        status = entry.result.exchange.response.status
        assert (
            400 <= status < 500 and status in tendlc.get_operation(entry.result.operation).responses
        )
    assert {e.result.operation for e in invalid} >= {REFUSING[provider]}
    # both kinds within --fuzz-examples per operation
    for operation in reached:
        names = [e.name for e in sent if e.result.operation == operation]
        assert sum(" invalid " not in n for n in names) <= 2
        assert sum(" invalid " in n for n in names) <= 2
    context = run.context
    assert context["fuzz_seed"] == 7
    assert context["fuzz_cases_valid"] == len(valid)
    assert context["fuzz_cases_invalid"] == len(invalid)
    assert context["fuzz_operations"] == len(reached)
    # every case sent is counted under the driver that drew it: the contract kind's own, and
    # tendlc's generators only where schemathesis named why it could not generate
    drivers = context["fuzz_cases_by_driver"]
    assert sum(drivers.values()) == len(valid) + len(invalid)
    assert drivers[DRIVER[provider]] > len(sent) / 2
    fallbacks = context["fuzz_generator_fallbacks"]
    assert bool(fallbacks) == ("tendlc" in drivers and DRIVER[provider] != "tendlc")
    print(
        f"{provider}: {len(reached)} operations fuzzed, {len(every - reached)} not, "
        f"{len(valid)} valid + {len(invalid)} invalid cases {drivers} in {elapsed:.1f} s"
    )


@pytest.mark.parametrize("provider", ["bandwidth", "vonage"])
def test_a_sandbox_that_accepts_invalid_requests_is_reported_with_the_broken_rule(provider):
    operation = REFUSING[provider]
    running = _sandbox(f"accept-invalid:{operation}")
    try:
        run = _fuzz(provider, running)
        injected = httpx.get(f"{running}/_sandbox/injected").json()
    finally:
        running.stop()
    assert not run.summary().conforms
    accepted = [i for i in injected if i["rule"] == "accept-invalid"]
    assert accepted and {i["operation"] for i in accepted} == {operation}
    findings = [
        (entry, issue) for entry in _fuzzed(run) if entry.result for issue in entry.result.errors
    ]
    # every finding is an invalid case of that operation answered with a success, and names
    # the rule and the place the request broke
    assert findings and len(findings) == len(accepted)
    for entry, issue in findings:
        assert entry.result.operation == operation
        assert issue.rule == "refuses-invalid" and issue.severity == "error"
        assert entry.result.exchange.response.status < 300
        rule_and_path = entry.note.removeprefix("invalid: ").split(" (")[0]
        assert rule_and_path in issue.message
        assert "must be refused with a documented 4xx" in issue.message
    # the other operations' invalid cases were refused as documented
    assert not _problems(e for e in _fuzzed(run) if e.result and e.result.operation != operation)


def test_the_command_exits_1_on_an_accepted_invalid_request(monkeypatch, tmp_path):
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    running = _sandbox("accept-invalid:vonage.resellers.create")
    try:
        outcome = CliRunner().invoke(
            main,
            [
                "conform",
                "--provider",
                "vonage",
                "--base-url",
                running,
                "--allow-writes",
                "--time-scale",
                str(SCALE),
                "--fuzz",
                "--fuzz-examples",
                "1",
                "--fuzz-seed",
                "3",
                "--json",
                str(tmp_path / "run.json"),
            ],
        )
    finally:
        running.stop()
    assert outcome.exit_code == 1, outcome.output
    assert "[refuses-invalid]" in outcome.output
    assert "--fuzz-seed 3 sends them again" in outcome.output
    assert "by schemathesis" in outcome.output
    assert "1 kind(s) of case schemathesis could not generate" in outcome.output
    document = json.loads((tmp_path / "run.json").read_text())
    skipped = [e for e in document["entries"] if e["status"] == "skipped"]
    assert {"vonage.brands.delete", "vonage.appealEvidence.upload"} <= {
        e["operation"] for e in skipped
    }


def test_the_same_seed_sends_the_same_requests(sandbox):
    def sent(run):
        return [
            (e.name, urlsplit(e.result.exchange.request.url).query, e.result.exchange.request.body)
            for e in _fuzzed(run)
            if e.result
        ]

    first = sent(_fuzz("bandwidth", sandbox, fuzz_seed=11, fuzz_examples=1))
    assert len(first) > 10
    assert first == sent(_fuzz("bandwidth", sandbox, fuzz_seed=11, fuzz_examples=1))
    # and another seed other requests (of one strategy, drawn without a sandbox)
    strategy = tst.requests("bandwidth.brands.create", form="bytes")
    assert _cases(strategy, 3, 11) == _cases(strategy, 3, 11) != _cases(strategy, 3, 12)


def test_an_openapi_providers_cases_come_from_schemathesis_and_replay(sandbox):
    def sent(run):
        return [
            (
                e.name,
                e.note,
                urlsplit(e.result.exchange.request.url).query,
                e.result.exchange.request.body,
            )
            for e in _fuzzed(run)
            if e.result
        ]

    run = _fuzz("vonage", sandbox, fuzz_seed=11, fuzz_examples=1)
    assert run.summary().conforms, _problems(_fuzzed(run))
    drivers = run.context["fuzz_cases_by_driver"]
    fallbacks = run.context["fuzz_generator_fallbacks"]
    # schemathesis cannot generate a brand's body (a oneOf of conditional rules): that kind
    # of case, and it alone, is drawn by tendlc's generators, and the run says why
    assert drivers["schemathesis"] >= 30 and drivers["tendlc"] == len(fallbacks)
    assert fallbacks == [
        "vonage.brands.create valid: UnsupportedSchema: " + fallbacks[0].split(": ", 2)[2]
    ]
    assert "fuzz vonage.brands.create #1" in [name for name, *_ in sent(run)]
    # an invalid case names the operation and the component schemathesis mutated
    invalid = [e for e in _fuzzed(run) if e.result and e.note.startswith("invalid: ")]
    assert invalid
    markers = {"body": "/", "query": "?", "path": ":"}
    for entry in invalid:
        place, rule = entry.note.removeprefix("invalid: ").split(" (")[0].split(" at ")[::-1]
        component = entry.note.split(" (", 1)[1].split(" of ")[0]
        assert f"of {entry.result.operation} mutated by schemathesis" in entry.note
        assert place.startswith(markers[component]) and rule
    # the same seed sends the same requests
    assert sent(run) == sent(_fuzz("vonage", sandbox, fuzz_seed=11, fuzz_examples=1))


def test_read_only_runs_fuzz_the_reads_and_list_the_writes(sandbox):
    run = run_conformance(
        ConformOptions("bandwidth", base_url=sandbox, time_scale=SCALE, fuzz=True, fuzz_examples=1),
        ENVIRONMENT,
    )
    assert run.summary().conforms
    fuzzed = _fuzzed(run)
    assert {e.result.exchange.request.method for e in fuzzed if e.result} == {"GET"}
    writes = {e.operation for e in fuzzed if "--allow-writes" in e.note}
    assert "bandwidth.brands.create" in writes and "bandwidth.tnOptions.create" in writes
    # a random seed was drawn and reported, so that the run can be repeated
    assert isinstance(run.context["fuzz_seed"], int)


def test_the_fuzzing_time_bound_lists_the_operations_it_did_not_reach(sandbox):
    run = _fuzz("vonage", sandbox, fuzz_time=0.001)
    fuzzed = _fuzzed(run)
    ran_out = [e for e in fuzzed if "ran out" in e.note]
    assert len(ran_out) >= len(tendlc.operations("vonage")) - 2
    assert all(e.status == "skipped" and e.operation for e in ran_out)


def test_fuzzing_settings_come_from_the_configuration(sandbox, tmp_path, monkeypatch):
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "pyproject.toml").write_text(
        "[tool.tendlc.conform]\n"
        f'vonage-base-url = "{sandbox}"\n'
        "allow-writes = true\n"
        "fuzz = true\n"
        "fuzz-examples = 1\n"
        "fuzz-seed = 5\n"
    )
    monkeypatch.chdir(tmp_path)
    outcome = CliRunner().invoke(
        main, ["conform", "--provider", "vonage", "--time-scale", str(SCALE), "--json", "r.json"]
    )
    assert outcome.exit_code == 0, outcome.output
    assert "--fuzz-seed 5 sends them again" in outcome.output
    document = json.loads((tmp_path / "r.json").read_text())
    names = [e["name"] for e in document["entries"] if e["name"].startswith("fuzz ")]
    assert "fuzz vonage.brands.create #1" in names and "fuzz vonage.brands.create #2" not in names

    (tmp_path / "pyproject.toml").write_text("[tool.tendlc.conform]\nfuzz-examples = 0\n")
    refused = CliRunner().invoke(main, ["conform", "--provider", "vonage"])
    assert refused.exit_code == 2 and "fuzz-examples" in refused.output


def test_collection_survives_slow_generation():
    def slowly(value):
        time.sleep(0.15)  # ten of these outlast the second a test's first draws are allowed
        return value

    cases = _cases(st.integers().map(slowly), 10)
    assert 1 <= len(cases) <= 10 and all(isinstance(case, int) for case in cases)


def test_an_operation_nothing_can_be_generated_for_is_a_reason_not_a_traceback():
    with pytest.raises(GenerationFailed, match=r"Unsatisfiable|FailedHealthCheck"):
        _cases(st.integers().filter(lambda _: False), 3)


def test_the_sandbox_accepts_invalid_requests_only_where_told_and_refuses_as_documented():
    running = _sandbox("accept-invalid:vonage.resellers.create")
    auth = (ENVIRONMENT["VONAGE_API_KEY"], ENVIRONMENT["VONAGE_API_SECRET"])
    try:
        with httpx.Client(base_url=f"{running}/v1/10dlc", auth=auth) as client:
            accepted = client.post("/resellers", json={"undocumented": 1})
            refused = client.post("/brands", json={"undocumented": 1})
            # vonage.brands.feedback documents 422, not 400, for what it refuses
            feedback = client.get(f"/brands/{'x' * 51}/feedback")
            # an encoded "%" or "/" is part of the id, decoded once: too long, not unknown
            encoded = [client.get(f"/brands/{quote(c * 51, safe='')}/feedback") for c in "%/"]
        injected = httpx.get(f"{running}/_sandbox/injected").json()
    finally:
        running.stop()
    assert accepted.status_code == 201
    assert refused.status_code == 400
    assert feedback.status_code == 422
    assert [answer.status_code for answer in encoded] == [422, 422]
    assert all("brand_id" in answer.text for answer in encoded)
    assert [(i["rule"], i["operation"]) for i in injected] == [
        ("accept-invalid", "vonage.resellers.create")
    ]
    assert "/undocumented" in injected[0]["detail"]


@pytest.mark.parametrize(
    ("status", "rules"),
    [
        (422, set()),  # the documented refusal
        (400, {"status"}),  # a refusal, of a status the operation does not document
        (200, {"refuses-invalid"}),  # accepted
        (502, {"refuses-invalid"}),  # documented, but no refusal
    ],
)
def test_an_invalid_request_must_be_refused_with_a_documented_4xx(status, rules):
    operation = tendlc.get_operation("vonage.brands.feedback")  # documents 200, 422, 502
    url = f"https://api.nexmo.com/v1/10dlc/brands/{'x' * 51}/feedback"
    exchange = Exchange(Request("GET", url), Response(status))
    case = Case(parameters={"brand_id": "x" * 51}, label=(":brand_id", "maxLength", "too long"))
    judged = _judged(check_exchange(exchange, operation=operation), operation, case)
    # the request's own error is what the case was made of, not a finding
    assert not [i for i in judged.issues if i.direction == "request"]
    assert {i.rule for i in judged.errors} & {"status", "refuses-invalid"} == rules
    for issue in judged.errors:
        if issue.rule == "refuses-invalid":
            assert issue.path == ":brand_id"
            assert "breaks maxLength at :brand_id (too long)" in issue.message
            assert f"with {status}" in issue.message and "(422)" in issue.message


@pytest.mark.slow
def test_generated_requests_keep_under_the_documented_limits():
    # A minute in three seconds, as the probes' own test of the limits runs them
    scale = 20
    running = serve_in_thread(create_app(SandboxConfig(time_scale=scale)))
    try:
        options = ConformOptions(
            "bandwidth",
            base_url=running,
            allow_writes=True,
            time_scale=scale,
            fuzz=True,
            fuzz_examples=2,
            fuzz_seed=7,
        )
        run = run_conformance(options, ENVIRONMENT)
        arrivals = httpx.get(f"{running}/_sandbox/arrivals").json()
    finally:
        running.stop()
    assert run.summary().conforms, _problems(run.entries)
    limit = rate_limits("bandwidth")[0]
    limited = [
        (a["at"], a["method"])
        for a in arrivals
        if a["operation"] and limit.applies(tendlc.get_operation(a["operation"]))
    ]
    generated = [e for e in _fuzzed(run) if e.result]
    assert len(generated) > limit.burst_of("GET") + limit.burst_of("POST")
    assert arrivals_within_limits(limited, limit, time_scale=scale) == []
