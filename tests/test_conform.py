"""Conformance runs against a real sandbox on a loopback port, and the validating proxy."""

import base64
import contextlib
import gzip
import json
import logging
import socket
import time
import tracemalloc
import zlib
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
from click.testing import CliRunner

import tendlc
from _support.budgets import ENGINES
from _support.hostile import hostile_payloads, large_payloads
from _support.processes import proxy_command
from tendlc._catalog import rate_limits
from tendlc._parsing import DEFAULT_LIMITS
from tendlc._resources import examples_dir
from tendlc.cli import main
from tendlc.conform import ConformOptions, probes, run_conformance
from tendlc.proxy import ProxyState, serve_proxy
from tendlc.sandbox import SandboxConfig, create_app, serve_in_thread
from tendlc.traffic import arrivals_within_limits

SCALE = 60  # limits and order progress a minute to the second
ENVIRONMENT = {
    "BANDWIDTH_USERNAME": "conform-user-7f3a",
    "BANDWIDTH_PASSWORD": "conform-pass-9c1e",
    "BANDWIDTH_ACCOUNT_ID": "5551234",
    "VONAGE_API_KEY": "vkey4e2b",
    "VONAGE_API_SECRET": "vsecret-8d0f",
}
SECRETS = [
    ENVIRONMENT["BANDWIDTH_PASSWORD"],
    ENVIRONMENT["VONAGE_API_SECRET"],
    base64.b64encode(b"conform-user-7f3a:conform-pass-9c1e").decode(),
    base64.b64encode(b"vkey4e2b:vsecret-8d0f").decode(),
]


@pytest.fixture
def sandbox():
    running = serve_in_thread(create_app(SandboxConfig(time_scale=SCALE)))
    yield running
    running.stop()


def _conform(provider, url, **options):
    return run_conformance(
        ConformOptions(provider, base_url=url, allow_writes=True, time_scale=SCALE, **options),
        ENVIRONMENT,
    )


@pytest.mark.parametrize("provider", ["bandwidth", "vonage"])
def test_every_probe_runs_and_conforms_against_the_sandbox(sandbox, provider):
    run = _conform(provider, sandbox)
    summary = run.summary()
    assert summary.errors == summary.warnings == summary.failed == summary.skipped == 0, [
        (e.name, e.note, [str(i) for i in (e.result.issues if e.result else ())])
        for e in run.entries
        if not e.valid or e.status != "checked" or (e.result and e.result.issues)
    ]
    assert summary.conforms
    exercised = {entry.result.operation for entry in run.entries if entry.result}
    assert exercised == {probe.operation.id for probe in probes(provider)}
    # each probe runs once what it reads exists: every body checked is a documented success
    # (a read answered 404 because it ran before the write that makes its record is checked
    # against the error body only, and drift in its success body is never seen)
    assert [
        (e.name, e.result.exchange.response.status)
        for e in run.entries
        if e.result.exchange.response.status >= 300
    ] == []


def test_read_only_by_default_writes_only_when_allowed(sandbox):
    run = run_conformance(ConformOptions("vonage", base_url=sandbox, time_scale=SCALE), ENVIRONMENT)
    methods = {e.result.exchange.request.method for e in run.entries if e.result}
    assert methods == {"GET"}
    skipped = [e for e in run.entries if e.status == "skipped"]
    assert skipped and all("allow-writes" in e.note or "needs" in e.note for e in skipped)
    arrivals = httpx.get(f"{sandbox}/_sandbox/arrivals").json()
    assert {a["method"] for a in arrivals} == {"GET"}


def test_the_client_keeps_under_the_documented_limits():
    # A minute in three seconds: the client keeps 10% under the limits, so the arrivals stay
    # within them unless one request reaches the sandbox 0.2 s later than the ones after it
    # (at SCALE, 67 ms: a busy machine comes near that).
    scale = 20
    sandbox = serve_in_thread(create_app(SandboxConfig(time_scale=scale)))
    try:
        # run the Bandwidth suite twice: more requests than one burst allows
        for _ in range(2):
            options = ConformOptions(
                "bandwidth", base_url=sandbox, allow_writes=True, time_scale=scale
            )
            assert run_conformance(options, ENVIRONMENT).summary().conforms
        arrivals = httpx.get(f"{sandbox}/_sandbox/arrivals").json()
    finally:
        sandbox.stop()
    limit = rate_limits("bandwidth")[0]
    limited = [
        (a["at"], a["method"])
        for a in arrivals
        if a["operation"] and limit.applies(tendlc.get_operation(a["operation"]))
    ]
    assert len(limited) > limit.burst_of("GET")
    assert arrivals_within_limits(limited, limit, time_scale=scale) == []
    # the second run imports the documented campaign again: the documented 409
    assert {a["status"] for a in arrivals} <= {200, 201, 404, 409}


def test_429_storms_are_ridden_out_with_retry_after():
    running = serve_in_thread(
        create_app(SandboxConfig(time_scale=SCALE, misbehave=("429-storm:bandwidth.*=3",)))
    )
    try:
        run = _conform("bandwidth", running)
        injected = httpx.get(f"{running}/_sandbox/injected").json()
    finally:
        running.stop()
    assert run.summary().conforms
    assert run.context["rate_limited"] == 3
    assert [i["rule"] for i in injected] == ["429-storm"] * 3


MISBEHAVIOUR = {
    "vonage": (
        "undocumented-field:vonage.brands.get",
        "drop-required-field:vonage.throughputs.get",
        "wrong-status:vonage.campaigns.termsAndConditions",
        "wrong-root:vonage.resellers.get",
    ),
    "bandwidth": (
        # read only once the run has made the settings: its 200 body is checked
        "drop-required-field:bandwidth.campaignSettings.get",
        "undocumented-field:bandwidth.brands.get",
        "wrong-status:bandwidth.vetting.list",
        "wrong-root:bandwidth.campaignImports.get",
    ),
}
# what each injected change must be reported as: rule (and the path the injection names)
REPORTED_AS = {
    "undocumented-field": ("warning", "additionalProperties"),
    "drop-required-field": ("error", "required"),
    "wrong-status": ("error", "status"),
    "wrong-root": ("error", "type"),  # a JSON body wrapped in an array
}
REPORTED_AS_XML = {**REPORTED_AS, "wrong-root": ("error", "root")}  # the root element renamed


@pytest.mark.parametrize("provider", ["vonage", "bandwidth"])
def test_a_misbehaving_sandbox_is_reported_with_exactly_the_injected_drift(provider):
    table = MISBEHAVIOUR[provider]
    running = serve_in_thread(create_app(SandboxConfig(time_scale=SCALE, misbehave=table)))
    try:
        run = _conform(provider, running)
        injected = httpx.get(f"{running}/_sandbox/injected").json()
    finally:
        running.stop()
    reported_as = REPORTED_AS_XML if provider == "bandwidth" else REPORTED_AS
    # every rule changed the answer of the operation it names: none went unprobed
    assert sorted((i["rule"], i["operation"]) for i in injected) == sorted(
        tuple(rule.split(":")) for rule in table
    )
    expected = sorted(
        (i["operation"], *reported_as[i["rule"]], i["path"] if i["rule"] != "wrong-status" else "")
        for i in injected
    )
    found = sorted(
        (entry.result.operation, i.severity, i.rule, i.path)
        for entry in run.entries
        if entry.result
        for i in entry.result.issues
    )
    assert found == expected
    assert not [e for e in run.entries if e.status != "checked"]


def test_a_slow_answer_past_the_timeout_is_a_failed_probe():
    # The client waits 5 s, twenty times the slowest answer of a run on a busy machine (0.28 s
    # measured at a load average of 7); the slow answer would take ten minutes, and the server
    # cancels it a second after it is told to stop.
    running = serve_in_thread(
        create_app(SandboxConfig(time_scale=SCALE, misbehave=("slow:vonage.enum.get=600",))),
        timeout_graceful_shutdown=1,
    )
    try:
        run = _conform("vonage", running, timeout=5)
    finally:
        running.stop()
    (failed,) = [e for e in run.entries if e.status == "failed"]
    assert failed.name == "enumerations" and "timeout" in failed.note
    assert not run.summary().conforms


def test_the_command_line_exit_codes_and_no_credential_anywhere(sandbox, tmp_path, monkeypatch):
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    record = tmp_path / "recorded"
    outcome = CliRunner().invoke(
        main,
        [
            "conform",
            "--provider",
            "bandwidth",
            "--base-url",
            sandbox,
            "--allow-writes",
            "--time-scale",
            str(SCALE),
            "--record",
            str(record),
        ],
    )
    assert outcome.exit_code == 0, outcome.output
    assert "conforms" in outcome.output
    recorded = "".join(p.read_text() for p in record.rglob("*.yaml"))
    assert "/api/accounts/9900000/" in recorded  # the account id became the placeholder
    for secret in [*SECRETS, ENVIRONMENT["BANDWIDTH_ACCOUNT_ID"]]:
        assert secret not in outcome.output
        assert secret not in recorded
    check = CliRunner().invoke(main, ["cassettes", "check", str(record)])
    assert check.exit_code == 0, check.output

    monkeypatch.delenv("BANDWIDTH_PASSWORD")
    missing = CliRunner().invoke(main, ["conform", "--provider", "bandwidth"])
    assert missing.exit_code == 2 and "BANDWIDTH_PASSWORD" in missing.output

    monkeypatch.setenv("BANDWIDTH_PASSWORD", "x")
    closed = _free_port()
    unreachable = CliRunner().invoke(
        main, ["conform", "--provider", "bandwidth", "--base-url", f"http://127.0.0.1:{closed}"]
    )
    assert unreachable.exit_code == 2 and "cannot reach" in unreachable.output


def test_drift_exits_1(tmp_path, monkeypatch):
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    running = serve_in_thread(
        create_app(SandboxConfig(misbehave=("undocumented-field:vonage.enum.get",)))
    )
    try:
        outcome = CliRunner().invoke(
            main, ["conform", "--provider", "vonage", "--base-url", running]
        )
    finally:
        running.stop()
    # an undocumented field is a warning: drift the report shows, not a contract error
    assert outcome.exit_code == 0, outcome.output
    assert "sandbox_undocumented_field" in outcome.output
    running = serve_in_thread(
        create_app(SandboxConfig(misbehave=("wrong-status:vonage.enum.get",)))
    )
    try:
        outcome = CliRunner().invoke(
            main, ["conform", "--provider", "vonage", "--base-url", running]
        )
    finally:
        running.stop()
    assert outcome.exit_code == 1
    assert "DOES NOT CONFORM" in outcome.output


def _free_port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


# -- the proxy ------------------------------------------------------------------------------


@pytest.fixture
def proxied(sandbox):
    state = ProxyState(sandbox)
    running = serve_proxy(state)
    yield sandbox, running, state
    running.stop()


def _comparable(response):
    headers = {k: v for k, v in response.headers.items() if k.lower() not in ("date", "server")}
    return response.status_code, headers, response.content


def test_the_proxy_passes_answers_through_byte_for_byte(proxied):
    sandbox, proxy, state = proxied
    with httpx.Client(auth=("u", "p")) as client:
        for path in (
            "/v1/10dlc/enum",
            "/v1/10dlc/account",
            "/api/accounts/1/campaignManagement/10dlc",
        ):
            direct = client.get(f"{sandbox}{path}")
            through = client.get(f"{proxy}{path}")
            assert _comparable(direct) == _comparable(through)
    assert len(state.run.results) == 3
    assert state.run.summary().conforms


def test_bodies_too_large_to_hold_are_refused_and_entered_as_failed():
    upstream = serve_in_thread(create_app(SandboxConfig(rate_limits=False)))
    state = ProxyState(upstream)
    proxy = serve_proxy(state, max_body=2048)
    try:
        listing = "/api/accounts/1/campaignManagement/10dlc/brands"
        with httpx.Client(auth=("u", "p")) as client:
            small = client.get(f"{proxy}/v1/10dlc/account")  # an answer under the bound
            for index in range(6):  # records enough for the listing to outgrow the bound
                brand = _brand_body(index)
                assert client.post(f"{upstream}{listing}", content=brand).status_code == 201
            large_answer = client.get(f"{proxy}{listing}")
            large_request = client.post(f"{proxy}{listing}", content=b"<Brand>" + b" " * 4096)
    finally:
        proxy.stop()
        upstream.stop()
    assert small.status_code == 200 and len(small.content) <= 2048
    assert large_answer.status_code == 502 and b"larger than 2,048 bytes" in large_answer.content
    assert large_request.status_code == 413
    entries = {entry.name: entry for entry in state.run.entries}
    assert entries[f"GET {listing}"].status == "failed"
    assert entries[f"POST {listing}"].status == "failed"
    assert not state.run.summary().conforms


def _brand_body(index):
    from tendlc._documented import documented_examples

    example = next(
        e
        for e in documented_examples()
        if e.operation == "bandwidth.brands.create" and e.part == "request"
    )
    return example.repaired().replace(
        b"<DisplayName>Bandwidth</DisplayName>", f"<DisplayName>B{index}</DisplayName>".encode()
    )


def test_the_proxy_reports_an_injected_error():
    upstream = serve_in_thread(
        create_app(SandboxConfig(misbehave=("wrong-status:vonage.throughputs.get",)))
    )
    state = ProxyState(upstream)
    proxy = serve_proxy(state)
    try:
        response = httpx.get(f"{proxy}/v1/10dlc/throughputs", auth=("u", "p"))
    finally:
        proxy.stop()
        upstream.stop()
    assert response.status_code == 201  # the upstream's (undocumented) status, unchanged
    (result,) = state.run.results
    assert [i.rule for i in result.errors] == ["status"]


def test_the_proxy_forwards_only_to_its_upstream(proxied):
    sandbox, proxy, _ = proxied
    other = socket.socket()  # a listener no request may reach
    other.bind(("127.0.0.1", 0))
    other.listen(5)
    elsewhere = f"127.0.0.1:{other.getsockname()[1]}"
    port = int(proxy.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall(
            f"GET http://{elsewhere}/v1/10dlc/enum HTTP/1.1\r\nHost: {elsewhere}\r\n"
            "Authorization: Basic dTpw\r\nConnection: close\r\n\r\n".encode()
        )
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    with httpx.Client() as client:
        client.get(f"{proxy}/v1/10dlc/enum", headers={"Host": elsewhere}, auth=("u", "p"))
    # a connection made to it would be waiting in its backlog now
    other.setblocking(False)
    hits = []
    with contextlib.suppress(BlockingIOError):
        hits.append(other.accept())
    other.close()
    assert hits == []
    assert answer.startswith(b"HTTP/1.1 200")
    arrivals = httpx.get(f"{sandbox}/_sandbox/arrivals").json()
    assert [a["path"] for a in arrivals] == ["/v1/10dlc/enum", "/v1/10dlc/enum"]


# -- the proxy command ----------------------------------------------------------------------

BANDWIDTH_BRANDS = (
    f"/api/accounts/{ENVIRONMENT['BANDWIDTH_ACCOUNT_ID']}/campaignManagement/10dlc/brands"
)


def _proxy_command(upstream, tmp_path, *options):
    """`tendlc proxy` with the run's credentials in its environment."""
    return proxy_command(upstream, tmp_path, *options, environment=ENVIRONMENT)


@pytest.mark.parametrize("stop", ["SIGINT", "SIGTERM"])
def test_the_proxy_command_checks_and_reports_on_stop_without_a_credential(sandbox, tmp_path, stop):
    import json
    import signal
    import xml.etree.ElementTree as ElementTree

    import jsonschema
    import lxml.html

    from tendlc.reports import JSON_SCHEMA

    paths = {kind: tmp_path / "reports" / f"proxy.{kind}" for kind in ("xml", "json", "md", "html")}
    process, proxy, stdout, stderr = _proxy_command(
        sandbox,
        tmp_path,
        "--advice",
        *_report_options(paths),
    )
    try:
        credentials = (ENVIRONMENT["BANDWIDTH_USERNAME"], ENVIRONMENT["BANDWIDTH_PASSWORD"])
        with httpx.Client(base_url=proxy, auth=credentials, timeout=30) as client:
            valid = client.get(BANDWIDTH_BRANDS)
            invalid = client.post(
                BANDWIDTH_BRANDS, content=b"<Brand/>", headers={"Content-Type": "application/xml"}
            )
        process.send_signal(getattr(signal, stop))
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert valid.status_code == 200 and invalid.status_code == 400  # the sandbox's answers
    logged, printed = stderr.read_text(), stdout.read_text()
    assert code == 1, logged  # an exchange did not conform
    assert "Traceback" not in logged
    # a line per exchange as it passes, account id masked; the reports written on stop
    assert "ok   GET http://127.0.0.1:" in logged and "FAIL POST http://127.0.0.1:" in logged
    assert "/api/accounts/***/campaignManagement/10dlc/brands" in logged
    assert all(f"wrote {path}" in logged for path in paths.values())
    assert "2 exchange(s): " in printed and "DOES NOT CONFORM" in printed

    document = json.loads(paths["json"].read_text())
    jsonschema.validate(document, JSON_SCHEMA)
    assert document["kind"] == "proxy"
    assert document["summary"]["exchanges"] == 2 and document["summary"]["errors"] > 0
    first, second = document["entries"]
    assert first["verdict"] == "pass" and first["operation"] == "bandwidth.brands.list"
    assert second["verdict"] == "fail" and second["operation"] == "bandwidth.brands.create"
    assert second["exchange"]["url"].endswith("/api/accounts/***/campaignManagement/10dlc/brands")
    assert document["context"]["advice"] is True  # --advice reached the checks' settings
    # each exchange timed; the failing one keeps what it sent and got back, the passing none
    assert all(entry["exchange"]["elapsed"] > 0 for entry in (first, second))
    assert first["exchange"]["excerpt"] is None
    assert second["exchange"]["excerpt"]["request"]["body"] == "<Brand/>"
    assert second["exchange"]["excerpt"]["response"]["status"] == 400
    curl = lxml.html.fromstring(paths["html"].read_text()).xpath("string(//pre[@class='curl'])")
    assert '"$BANDWIDTH_USERNAME:$BANDWIDTH_PASSWORD"' in curl
    assert "/api/accounts/${BANDWIDTH_ACCOUNT_ID}/campaignManagement/10dlc/brands" in curl
    issue = {"direction": "request", "path": "/Brand/EntityType", "rule": "required"}
    assert any(
        {key: finding[key] for key in issue} == issue for finding in second["exchange"]["findings"]
    )
    suite = ElementTree.parse(paths["xml"]).getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    (failure,) = [case.find("failure") for case in suite if case.find("failure") is not None]
    assert "/Brand/EntityType" in failure.get("message", "") + (failure.text or "")
    markdown = paths["md"].read_text()
    page = lxml.html.fromstring(paths["html"].read_text()).text_content()
    for text in (markdown, page):
        assert "/Brand/EntityType" in text and "bandwidth.brands.create" in text

    for secret in [*ENVIRONMENT.values(), *SECRETS]:
        assert secret not in logged, secret
        assert secret not in printed, secret
        for path in paths.values():
            assert secret not in path.read_text(), (path.name, secret)


def test_the_proxy_command_refuses_an_address_it_cannot_listen_on(sandbox):
    taken = int(sandbox.rsplit(":", 1)[1])
    for options, message in [
        (["--port", str(taken)], f"cannot listen on 127.0.0.1:{taken}"),
        (["--host", "no-such-host.invalid"], "cannot listen on 'no-such-host.invalid'"),
        (["--port", "70000"], "70000 is not in the range"),
    ]:
        outcome = CliRunner().invoke(main, ["proxy", "--upstream", sandbox, *options])
        assert outcome.exit_code == 2, (options, outcome.output)
        assert message in outcome.output, (options, outcome.output)
        assert outcome.exception is None or isinstance(outcome.exception, SystemExit)
    outcome = CliRunner().invoke(main, ["proxy", "--upstream", "ftp://elsewhere"])
    assert outcome.exit_code == 2 and "must be an http(s) URL" in outcome.output


def test_the_proxy_masks_the_log_lines_of_the_server_it_runs():
    import logging

    from tendlc._cli._traffic import _MaskingFilter
    from tendlc.traffic import SecretRules

    account = ENVIRONMENT["BANDWIDTH_ACCOUNT_ID"]
    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(handler.format(record))
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("tendlc-test-masking")
    logger.addHandler(handler)
    logger.addFilter(_MaskingFilter(SecretRules.from_environment(ENVIRONMENT)))
    try:
        logger.warning("GET %s failed", f"http://127.0.0.1/api/accounts/{account}/brands")
        try:
            raise ValueError(f"no answer for {ENVIRONMENT['BANDWIDTH_PASSWORD']}")
        except ValueError:
            logger.exception("Exception in ASGI application for %s", account)
    finally:
        logger.removeHandler(handler)
    text = "\n".join(lines)
    assert "GET http://127.0.0.1/api/accounts/***/brands failed" in text
    assert "ValueError: no answer for ***" in text
    for secret in [*ENVIRONMENT.values(), *SECRETS]:
        assert secret not in text, secret


# -- hostile input never breaks the sandbox or the proxy -------------------------------------------

BANDWIDTH_PATH = "/api/accounts/9900000/campaignManagement/10dlc"
LIMIT = DEFAULT_LIMITS.max_bytes
# the validator's hostile-input corpus (tests/_support/hostile.py), the large bodies made
# only when their case runs
HOSTILE = dict(hostile_payloads())
LARGE = large_payloads()
HOSTILE_TARGETS = (
    ("bandwidth.brands.create", f"{BANDWIDTH_PATH}/brands", "application/xml"),
    ("vonage.brands.create", "/v1/10dlc/brands", "application/json"),
)


@pytest.fixture(scope="module")
def hostile_servers():
    """One sandbox and a proxy before it for every hostile case, so that each case also shows
    that the cases before it left both answering (no rate limits: the corpus is more than a
    burst)."""
    sandbox = serve_in_thread(create_app(SandboxConfig(rate_limits=False)))
    state = ProxyState(sandbox)
    proxy = serve_proxy(state)
    yield sandbox, proxy, state
    proxy.stop()
    sandbox.stop()


class _Collected(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def server_errors():
    """What the servers log as errors meanwhile (uvicorn logs an exception in the application
    there, with its traceback, whatever it answered)."""
    handler = _Collected()
    logger = logging.getLogger("uvicorn.error")
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)


def _refusal(response):
    """The message of a documented error body: Bandwidth's Description, Vonage's detail."""
    if "xml" in response.headers["content-type"]:
        return ElementTree.fromstring(response.content).findtext(".//Description")
    return response.json()["detail"]


def _still_answering(client, sandbox, proxy):
    brand = (
        Path(__file__).parent.parent / "examples/bandwidth/brands.create.request.xml"
    ).read_bytes()
    for base in (sandbox, proxy):
        assert httpx.get(f"{sandbox}/_sandbox/health").json()["status"] == "ok"
        made = client.post(
            f"{base}{BANDWIDTH_PATH}/brands",
            content=brand,
            headers={"Content-Type": "application/xml"},
        )
        assert made.status_code == 201, made.text[:200]
        assert client.get(f"{base}/v1/10dlc/account").status_code == 200


@pytest.mark.slow
@pytest.mark.parametrize("name", [*HOSTILE, *LARGE])
def test_hostile_bodies_get_the_documented_error_from_the_sandbox_and_through_the_proxy(
    hostile_servers, server_errors, name
):
    sandbox, proxy, state = hostile_servers
    payload = HOSTILE[name] if name in HOSTILE else LARGE[name]()
    body = payload.encode("utf-8") if isinstance(payload, str) else payload
    with httpx.Client(auth=("u", "p"), timeout=60) as client:
        for operation, path, media in HOSTILE_TARGETS:
            verdict = tendlc.validate(operation, body, media_type=media)
            first = verdict.errors[0]
            said = " ".join(f"{first.path or '/'}: {first.message}".split())[:500]
            for base in (sandbox, proxy):
                seen = len(state.run.results)
                response = client.post(
                    f"{base}{path}", content=body, headers={"Content-Type": media}
                )
                where = (name, "proxy" if base == proxy else "sandbox", operation)
                assert response.status_code == 400, (*where, response.text[:200])
                assert b"Traceback" not in response.content, where
                answer = tendlc.validate(
                    operation,
                    response.content,
                    part="response",
                    status=400,
                    media_type=response.headers["content-type"],
                )
                assert answer.valid, (*where, [str(i) for i in answer.issues])
                # the refusal says what the validator says of the same body
                if len(body) > LIMIT:  # refused unread, by its size alone
                    assert first.rule == "parse" and f"{LIMIT:,}" in first.message
                    assert f"larger than {LIMIT:,} bytes" in _refusal(response), where
                else:
                    assert _refusal(response).startswith(said), (*where, _refusal(response))
                if base == proxy:  # and the proxy reports the request as the validator does
                    (result,) = state.run.results[seen:]
                    assert result.operation == operation
                    errors = tuple(replace(i, direction="") for i in result.request.errors)
                    assert errors == verdict.errors, where
                    assert not result.response.issues, where
        _still_answering(client, sandbox, proxy)
    assert server_errors == []


def _gzip_bomb(size):
    """A gzip body of ``size`` zero bytes (a multiple of 16 MiB) in about a thousandth of
    that: one member repeated, as gzip allows."""
    member = gzip.compress(b"\0" * (16 << 20))
    return member * (size // (16 << 20))


BOMB = 1 << 30  # 1 GiB inflated, 1 MiB sent


def test_a_gzip_bomb_request_is_refused_without_being_inflated(hostile_servers, server_errors):
    # The sandbox and the proxy take a request body as it comes: the contracts document no
    # compressed requests, so a gzip body is refused as not the XML it is declared to be.
    sandbox, proxy, state = hostile_servers
    bomb = _gzip_bomb(BOMB)
    verdict = tendlc.validate("bandwidth.brands.create", bomb, media_type="application/xml")
    headers = {"Content-Type": "application/xml", "Content-Encoding": "gzip"}
    with httpx.Client(auth=("u", "p"), timeout=60) as client:
        tracemalloc.start()
        try:
            for base in (sandbox, proxy):
                response = client.post(
                    f"{base}{BANDWIDTH_PATH}/brands", content=bomb, headers=headers
                )
                assert response.status_code == 400
                assert tendlc.validate(
                    "bandwidth.brands.create", response.content, part="response", status=400
                ).valid
                assert verdict.errors[0].message in _refusal(response)
            # the proxy's check of the request is the validator's of the bytes sent
            errors = state.run.results[-1].request.errors
            assert tuple(replace(i, direction="") for i in errors) == verdict.errors
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 64 << 20, f"{peak >> 20} MiB"
        _still_answering(client, sandbox, proxy)
    assert server_errors == []


def _deflate_bomb(size):
    compressor = zlib.compressobj(9)
    chunk = b"\0" * (1 << 20)
    return b"".join(compressor.compress(chunk) for _ in range(size >> 20)) + compressor.flush()


@pytest.mark.parametrize(
    ("encoding", "bomb"),
    [("gzip", lambda: _gzip_bomb(BOMB)), ("deflate", lambda: _deflate_bomb(64 << 20))],
    ids=["gzip", "deflate"],
)
def test_a_compressed_bomb_from_upstream_is_inflated_only_to_the_size_limit(
    server_errors, encoding, bomb
):
    body = bomb()

    async def upstream_app(scope, receive, send):
        assert scope["type"] == "http"
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/xml"),
                    (b"content-encoding", encoding.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    upstream = serve_in_thread(upstream_app)
    state = ProxyState(upstream)
    proxy = serve_proxy(state)
    try:
        tracemalloc.start()
        try:
            with httpx.stream(
                "GET", f"{proxy}{BANDWIDTH_PATH}/brands/B12345", auth=("u", "p")
            ) as r:
                passed = b"".join(r.iter_raw())
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        again = httpx.get(f"{proxy}{BANDWIDTH_PATH}/brands/B12345", auth=("u", "p"))
    finally:
        proxy.stop()
        upstream.stop()
    # the client gets the upstream's bytes, compressed as they came
    assert r.status_code == 200 and r.headers["content-encoding"] == encoding
    assert passed == body
    # the check inflated the answer no further than the limit, and refused it for its size
    assert peak < 64 << 20, f"{peak >> 20} MiB"
    result = state.run.results[0]
    assert result.operation == "bandwidth.brands.get"
    assert [(i.direction, i.rule) for i in result.errors] == [("response", "parse")]
    assert f"more than the {LIMIT:,} allowed" in result.errors[0].message
    assert again.status_code == 200  # the proxy keeps answering
    assert server_errors == []


@pytest.mark.slow
def test_the_sandbox_passes_schemathesis_with_the_vonage_contract():
    import requests
    import schemathesis
    from hypothesis import Phase, given, settings
    from schemathesis.checks import (
        content_type_conformance,
        not_a_server_error,
        response_schema_conformance,
    )
    from schemathesis.core.errors import UnsupportedSchema

    from tendlc import strategies as tst
    from tendlc._catalog import load_contract

    running = serve_in_thread(create_app(SandboxConfig(rate_limits=False)))
    schema = schemathesis.openapi.from_dict(load_contract("vonage/openapi.yaml"))
    session = requests.Session()
    session.auth = ("u", "p")
    checks = [not_a_server_error, response_schema_conformance, content_type_conformance]
    checked, unsupported = set(), []
    budget = settings(max_examples=5, phases=[Phase.generate], database=None, deadline=ENGINES)

    def validate(case):
        case.call_and_validate(base_url=f"{running}/v1/10dlc", session=session, checks=checks)
        checked.add(case.operation.label)

    def ours(operation, operation_id):
        @budget
        @given(tst.requests(operation_id))
        def generated(body):
            validate(operation.Case(body=body, media_type="application/json"))

        generated()

    try:
        for result in schema.get_all_operations():
            operation = result.ok()

            @budget
            @given(operation.as_strategy())
            def generated(case):
                validate(case)

            try:
                generated()
            except UnsupportedSchema:
                # schemathesis cannot generate this body (a oneOf of if/then rules): send
                # tendlc's own generated bodies through the same schemathesis checks
                unsupported.append(operation.label)
                operation_id = "vonage." + operation.definition.raw["operationId"]

                ours(operation, operation_id)
    finally:
        running.stop()
    assert len(checked) == 40
    assert unsupported == ["POST /brands"]


@pytest.mark.parametrize("provider", ["bandwidth", "vonage"])
def test_conform_writes_all_four_reports(sandbox, tmp_path, monkeypatch, provider):
    import json
    import xml.etree.ElementTree as ElementTree
    from html.parser import HTMLParser

    import jsonschema

    from tendlc.reports import JSON_SCHEMA

    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    paths = {kind: tmp_path / f"report.{kind}" for kind in ("xml", "json", "md", "html")}
    outcome = CliRunner().invoke(
        main,
        [
            "conform",
            "--provider",
            provider,
            "--base-url",
            sandbox,
            "--time-scale",
            str(SCALE),
            *_report_options(paths),
        ],
    )
    assert outcome.exit_code == 0, outcome.output
    suite = ElementTree.parse(paths["xml"]).getroot().find("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == len(probes(provider))
    assert int(suite.get("failures")) == 0
    document = json.loads(paths["json"].read_text())
    skipped = [e for e in document["entries"] if e["status"] == "skipped"]
    assert int(suite.get("skipped")) == len(skipped) > 0  # read-only: the writes are skipped
    assert all(e["operation"] for e in skipped)
    jsonschema.validate(document, JSON_SCHEMA)
    assert document["kind"] == "conform" and document["summary"]["conforms"] is True
    groups = {group["id"] for group in document["operations"]}
    assert groups <= {p.operation.id for p in probes(provider)}
    assert "| Operation |" in paths["md"].read_text() or "| operation |" in paths["md"].read_text()
    parser = HTMLParser()
    parser.feed(paths["html"].read_text())
    text = paths["html"].read_text()
    assert "PASS" in text and probes(provider)[0].operation.id in text
    # every credential of the run: the account id of every Bandwidth URL path, the usernames
    # (a Vonage API key is also its account id), the passwords and their Basic encodings
    for secret in [*ENVIRONMENT.values(), *SECRETS]:
        for path in paths.values():
            assert secret not in path.read_text(), (path.name, secret)
    if provider == "bandwidth":
        assert all("/api/accounts/***/" in e["exchange"]["url"] for e in exchanged(document))
    # each exchange's time, in JSON and as its JUnit test case's time
    times = {e["name"]: e["exchange"]["elapsed"] for e in exchanged(document)}
    assert all(t > 0 for t in times.values())
    junit = {case.get("name"): float(case.get("time")) for case in cases}
    assert all(junit[name] == pytest.approx(t, abs=0.0006) for name, t in times.items())
    # coverage by documented status: what the run saw of what each operation documents
    for group in document["operations"]:
        statuses = group["statuses"]
        if group["kind"] == "operation":
            documented = sorted(tendlc.get_operation(group["id"]).responses)
            assert statuses["documented"] == documented
            assert set(statuses["seen"]) <= set(documented)
    assert "## Coverage by documented status" in paths["md"].read_text()
    assert 'id="coverage"' in text


def exchanged(document):
    entries = [e for e in document["entries"] if e["exchange"] is not None]
    assert entries
    return entries


def test_the_conform_and_record_tables_of_the_configuration_are_applied(
    sandbox, tmp_path, monkeypatch
):
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "pyproject.toml").write_text(
        "[tool.tendlc.conform]\n"
        f'bandwidth-base-url = "{sandbox}"\n'
        f"time-scale = {SCALE}\n"
        "allow-writes = true\n"
        "[tool.tendlc.record]\n"
        'path-parameters = {accountId = "ACCOUNT"}\n'
    )
    monkeypatch.chdir(tmp_path)
    outcome = CliRunner().invoke(main, ["conform", "--provider", "bandwidth", "--record", "rec"])
    assert outcome.exit_code == 0, outcome.output  # the base URL came from the configuration
    recorded = {p.name: p.read_text() for p in (tmp_path / "rec").rglob("*.yaml")}
    # allow-writes from the configuration: the probes that create records ran and were kept
    assert any("method: POST" in text for text in recorded.values()), sorted(recorded)
    every = "".join(recorded.values())
    assert "/api/accounts/ACCOUNT/" in every  # the configured placeholder
    assert ENVIRONMENT["BANDWIDTH_ACCOUNT_ID"] not in every

    read_only = CliRunner().invoke(
        main, ["conform", "--provider", "bandwidth", "--read-only", "--record", "ro"]
    )
    assert read_only.exit_code == 0, read_only.output  # the command line wins
    kept = "".join(p.read_text() for p in (tmp_path / "ro").rglob("*.yaml"))
    assert "method: POST" not in kept


def _report_options(paths):
    """The command-line options writing the four reports to ``paths`` (by extension)."""
    options = {"xml": "--junit-xml", "json": "--json", "md": "--markdown", "html": "--html"}
    return [part for kind, flag in options.items() for part in (flag, str(paths[kind]))]


# -- time budget, warnings as errors, timings, waits, the limiter's state, advice -----------


def _vonage_cli(url, *options, env=None):
    return CliRunner().invoke(
        main,
        [
            "conform",
            "--provider",
            "vonage",
            "--base-url",
            url,
            "--time-scale",
            str(SCALE),
            *options,
        ],
        env={**ENVIRONMENT, **(env or {})},
    )


def _read_only(provider, url, **options):
    return run_conformance(
        ConformOptions(provider, base_url=url, time_scale=SCALE, **options), ENVIRONMENT
    )


def test_warnings_as_errors_from_the_flag_or_the_configuration_the_flag_first(
    tmp_path, monkeypatch
):
    running = serve_in_thread(
        create_app(
            SandboxConfig(time_scale=SCALE, misbehave=("undocumented-field:vonage.enum.get",))
        )
    )
    monkeypatch.chdir(tmp_path)
    try:
        assert _vonage_cli(running).exit_code == 0  # drift alone passes
        flagged = _vonage_cli(running, "--warnings-as-errors", "--json", "flag.json")
        (tmp_path / "pyproject.toml").write_text(
            "[tool.tendlc.conform]\nwarnings-as-errors = true\n"
        )
        configured = _vonage_cli(running)
        overruled = _vonage_cli(running, "--no-warnings-as-errors")
    finally:
        running.stop()
    assert flagged.exit_code == 1, flagged.output
    assert "DOES NOT CONFORM" in flagged.output
    report = json.loads((tmp_path / "flag.json").read_text())
    (finding,) = [f for e in report["entries"] if e["exchange"] for f in e["exchange"]["findings"]]
    assert (finding["severity"], finding["rule"], finding["path"]) == (
        "error",
        "additionalProperties",
        "/sandbox_undocumented_field",
    )
    assert report["context"]["warnings_as_errors"] is True
    assert configured.exit_code == 1, configured.output
    assert overruled.exit_code == 0, overruled.output


def test_an_answer_slower_than_the_time_budget_is_a_response_time_error(tmp_path, monkeypatch):
    running = serve_in_thread(
        create_app(SandboxConfig(time_scale=SCALE, misbehave=("slow:vonage.enum.get=1.5",)))
    )
    monkeypatch.chdir(tmp_path)
    try:
        # a budget a busy machine's ordinary answers stay well within (0.28 s the slowest seen)
        run = _read_only("vonage", running, max_response_time=1.0)
        (tmp_path / "pyproject.toml").write_text("[tool.tendlc.conform]\nmax-response-time = 1.0\n")
        configured = _vonage_cli(running, "--json", "configured.json", "--junit-xml", "run.xml")
        generous = _vonage_cli(running, "--max-response-time", "30")
    finally:
        running.stop()
    slow = [
        (e.result.operation, i.rule, i.check, i.direction)
        for e in run.entries
        if e.result
        for i in e.result.issues
    ]
    assert slow == [("vonage.enum.get", "response-time", "response_time", "exchange")]
    (entry,) = [e for e in run.entries if e.result and e.result.operation == "vonage.enum.get"]
    assert entry.result.elapsed >= 1.5
    # every exchange is timed, the slow one slowest
    timed = [e.result.elapsed for e in run.entries if e.result]
    assert all(t is not None and t > 0 for t in timed) and max(timed) == entry.result.elapsed
    assert configured.exit_code == 1, configured.output
    report = json.loads((tmp_path / "configured.json").read_text())
    assert [
        f["rule"] for e in report["entries"] if e["exchange"] for f in e["exchange"]["findings"]
    ] == ["response-time"]
    cases = ElementTree.parse(tmp_path / "run.xml").getroot().iter("testcase")
    times = {case.get("classname"): float(case.get("time")) for case in cases}
    assert times["vonage.enum.get"] >= 1.5
    assert generous.exit_code == 0, generous.output  # the command line beats the configuration


def test_429s_and_retries_are_listed_per_operation_in_the_run_and_every_report():
    from tendlc.reports import to_html, to_json, to_junit_xml, to_markdown

    running = serve_in_thread(
        create_app(SandboxConfig(time_scale=SCALE, misbehave=("429-storm:vonage.enum.get=2",)))
    )
    try:
        run = _read_only("vonage", running)
    finally:
        running.stop()
    assert run.summary().conforms
    waits = {e.result.operation: e.result.waits for e in run.entries if e.result and e.result.waits}
    storm = waits["vonage.enum.get"]
    assert (storm.rate_limited, storm.retries) == (2, 2)
    assert storm.waited >= 1.95  # each 429 said Retry-After: 1
    assert sum(w.rate_limited for w in waits.values()) == 2 == run.context["rate_limited"]
    document = json.loads(to_json(run))
    groups = {g["id"]: g for g in document["operations"]}
    assert groups["vonage.enum.get"]["waits"]["rate_limited"] == 2
    assert groups["vonage.enum.get"]["waits"]["retries"] == 2
    assert groups["vonage.enum.get"]["waits"]["waited"] >= 1.95
    assert all(g["waits"]["rate_limited"] == 0 for k, g in groups.items() if k != "vonage.enum.get")
    row = next(line for line in to_markdown(run).splitlines() if "`vonage.enum.get`" in line)
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[6:8] == ["2", "2"]  # 429s, retries
    properties = {
        p.get("name"): p.get("value")
        for p in ElementTree.fromstring(to_junit_xml(run)).iter("property")
    }
    assert properties["waits vonage.enum.get"].startswith("2 429s, 2 retries")
    assert "2 429s, 2 retries" in to_html(run)


def test_a_second_run_waits_only_what_is_left_of_a_retry_after(tmp_path):
    # The last probe of a read-only Vonage run is answered 429 (Retry-After: 1) and not
    # retried: the run ends inside the wait it was asked for. The next run keeps it (its
    # state saved), and waits only the rest of it; a run without the state does not wait.
    state = tmp_path / "limits.json"
    running = serve_in_thread(
        create_app(
            SandboxConfig(time_scale=SCALE, misbehave=("429-storm:vonage.resellers.list=1",))
        )
    )
    try:
        options = ConformOptions(
            "vonage", base_url=running, time_scale=SCALE, retries=0, limiter_state=state
        )
        first = run_conformance(options, ENVIRONMENT)
        ended = time.monotonic()
        second = run_conformance(options, ENVIRONMENT)
        fresh = run_conformance(
            replace(options, limiter_state=tmp_path / "other.json"), ENVIRONMENT
        )
    finally:
        running.stop()
    (stopped,) = [e for e in first.entries if e.status == "failed"]
    assert "429" in stopped.note and stopped.waits.rate_limited == 1
    saved = json.loads(state.read_text())
    assert list(saved["limiters"]) == [f"vonage {running}"]
    waited = next(e for e in second.entries if e.result).result.waits.waited
    gap = time.monotonic() - ended
    assert 0.4 < waited <= 1.05, waited  # the rest of the second, not a whole one more
    assert gap >= waited
    assert next(e for e in fresh.entries if e.result).result.waits.waited < 0.1
    assert second.summary().conforms


@pytest.mark.parametrize("content", ["{not json", '{"version": 99, "limiters": {}}', "[1, 2]"])
def test_a_corrupt_limiter_state_is_ignored_with_a_warning(tmp_path, sandbox, content):
    (tmp_path / "limits.json").write_text(content)
    outcome = _vonage_cli(sandbox, env={"TENDLC_CACHE_DIR": str(tmp_path)})
    assert outcome.exit_code == 0, outcome.output
    assert "tendlc: warning: ignoring the rate limits' state" in outcome.output
    assert "Traceback" not in outcome.output
    # the run wrote a good state in its place
    assert json.loads((tmp_path / "limits.json").read_text())["version"] == 1


def test_a_limiter_takes_up_the_state_another_left():
    from tendlc.traffic import Limiter

    operation = tendlc.get_operation("bandwidth.brands.list")
    limit = rate_limits("bandwidth")[0]
    now = [100.0]
    first = Limiter(time_scale=60, clock=lambda: now[0])
    admitted = 0
    while first.delay(operation) == 0:
        admitted += 1
    assert admitted == limit.burst_of("GET")  # the whole burst at once, then a wait
    saved = json.loads(json.dumps(first.export(1000.0)))  # the wall clock read 1000 then
    first.hold(0.8)
    held = first.export(1000.0)

    later = [5.0]
    second = Limiter(time_scale=60, clock=lambda: later[0])
    second.restore(saved, 1000.0)
    assert second.delay(operation) > 0  # the burst the other one spent is still spent
    third = Limiter(time_scale=60, clock=lambda: later[0])
    third.restore(held, 1000.3)  # 0.3 s later on the wall clock
    assert third.delay(operation) == pytest.approx(0.5)  # what is left of the 0.8 s hold
    later[0] += 0.5
    assert third.delay(operation) == 0.0
    with pytest.raises((KeyError, TypeError, ValueError)):
        Limiter().restore({"limits": {"x": {"arrivals": "soon"}}}, 0.0)


def test_advice_is_asked_for_on_the_command_line_and_fails_only_as_errors(sandbox, tmp_path):
    def conform(name, *options):
        outcome = _vonage_cli(sandbox, "--allow-writes", *options, "--json", str(tmp_path / name))
        assert "Traceback" not in outcome.output
        return outcome, json.loads((tmp_path / name).read_text())

    _, plain = conform("plain.json")
    _, advised = conform("advice.json", "--advice", "--markdown", str(tmp_path / "advice.md"))
    failed, as_errors = conform("errors.json", "--advice-as-errors")
    assert plain["advice"] == [] and plain["summary"]["advice"] == 0
    assert advised["advice"] and advised["summary"]["advice"] == len(advised["advice"])
    assert all(a["rule"].startswith("advice.") for a in advised["advice"])
    # advice is a section of its own and fails nothing...
    assert advised["summary"]["errors"] == plain["summary"]["errors"]
    assert "## Advice" in (tmp_path / "advice.md").read_text()
    # ...unless it is made errors
    assert as_errors["summary"]["errors"] == plain["summary"]["errors"] + len(advised["advice"])
    assert failed.exit_code == 1 and as_errors["context"]["advice_as_errors"] is True


def test_the_proxy_passes_advice_on_to_its_checks(sandbox):
    state = ProxyState(sandbox, advice=True)
    running = serve_proxy(state)
    try:
        body = json.loads((examples_dir() / "vonage/campaigns.create.request.json").read_text())
        with httpx.Client(auth=("u", "p")) as client:
            client.post(f"{running}/v1/10dlc/brands/BLQKOPK/campaigns", json=body)
    finally:
        running.stop()
    (entry,) = state.run.entries
    assert entry.result.advice, [str(i) for i in entry.result.issues]
    assert state.run.context["advice"] is True


def test_the_reproduce_command_of_a_failing_exchange_sends_it_again(tmp_path):
    import subprocess

    import lxml.html

    from tendlc.reports import to_html

    running = serve_in_thread(
        create_app(
            SandboxConfig(time_scale=SCALE, misbehave=("wrong-status:vonage.brands.create",))
        )
    )
    try:
        run = _conform("vonage", running)
        page = lxml.html.fromstring(to_html(run))
        section = page.xpath("//section[@data-operation='vonage.brands.create']")[0]
        command = section.xpath("string(.//pre[@class='curl'])")
        answer = tmp_path / "answer.json"
        sent = subprocess.run(
            ["bash", "-c", f"{command} -o {answer} -w '%{{http_code}}'"],
            env={"PATH": "/usr/bin:/bin", **ENVIRONMENT},
            capture_output=True,
            text=True,
            timeout=60,
        )
        log = httpx.get(f"{running}/_sandbox/requests").json()
    finally:
        running.stop()
    (entry,) = [e for e in run.entries if e.result and e.result.operation == "vonage.brands.create"]
    excerpt = entry.result.to_dict()["excerpt"]
    assert "vsecret-8d0f" not in command and '"$VONAGE_API_KEY:$VONAGE_API_SECRET"' in command
    # the sandbox took the same request again, credentials and all, and answered as before
    assert sent.returncode == 0, sent.stderr
    assert int(sent.stdout) == excerpt["response"]["status"] != 401
    again = [r for r in log if r.get("operation") == "vonage.brands.create"]
    assert len(again) == 2
    assert json.loads(answer.read_text()).keys() == json.loads(excerpt["response"]["body"]).keys()
