"""The local provider sandbox: documented answers, state, errors, credentials, limits, orders
that move on, seeds and reset. In-process through httpx's ASGI transport, and on a real
loopback port where a real server matters."""

import asyncio
import json
import math
import re
import time
from pathlib import Path

import httpx
import pytest

import tendlc
from _support.listener import WebhookListener
from _support.vonage import valid_brand, valid_campaign
from tendlc._catalog import rate_limits
from tendlc.sandbox import Sandbox, SandboxConfig, create_app, serve_in_thread
from tendlc.traffic import Exchange, arrivals_within_limits, check_exchange

EXAMPLES = Path(__file__).parent.parent / "examples"
BANDWIDTH = "/api/accounts/9900000/campaignManagement/10dlc"
XML = {"Content-Type": "application/xml"}
JSON = {"Content-Type": "application/json"}
AUTH = ("sandbox-user", "sandbox-password")


def _example(name):
    return (EXAMPLES / name).read_bytes()


def _client(app, auth=AUTH):
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sandbox", auth=auth
    )


def _checked(response):
    result = check_exchange(Exchange.from_httpx(response))
    assert result.valid and not result.warnings, [str(i) for i in result.issues]
    return result


def run(coroutine):
    return asyncio.run(coroutine)


def test_bandwidth_brands_are_kept_and_answered_as_documented():
    app = create_app(SandboxConfig(time_scale=60))

    async def scenario():
        async with _client(app) as client:
            created = await client.post(
                f"{BANDWIDTH}/brands",
                content=_example("bandwidth/brands.create.request.xml"),
                headers=XML,
            )
            assert created.status_code == 201
            _checked(created)
            brand_id = re.search(r"<BrandId>(\w+)</BrandId>", created.text).group(1)
            fetched = await client.get(f"{BANDWIDTH}/brands/{brand_id}")
            _checked(fetched)
            assert "<DisplayName>Bandwidth</DisplayName>" in fetched.text
            update = _example("bandwidth/brands.update.request.xml").replace(
                b"<DisplayName>", b"<DisplayName>Renamed "
            )
            updated = await client.put(
                f"{BANDWIDTH}/brands/{brand_id}", content=update, headers=XML
            )
            _checked(updated)
            listed = await client.get(f"{BANDWIDTH}/brands/details?type=main&page=0&size=25")
            _checked(listed)
            assert listed.text.count("<Brand>") == 1
            assert "<TotalCount>1</TotalCount>" in listed.text
            assert "Renamed" in listed.text
            missing = await client.get(f"{BANDWIDTH}/brands/BNOPE1")
            assert missing.status_code == 404
            _checked(missing)
            assert "<ErrorCode>12183</ErrorCode>" in missing.text

    run(scenario())


def test_vonage_campaigns_live_under_their_brand():
    app = create_app(SandboxConfig())

    async def scenario():
        async with _client(app) as client:
            brand = valid_brand()
            created = await client.post("/v1/10dlc/brands", json=brand)
            assert created.status_code == 201, created.text
            _checked(created)
            brand_id = created.json()["brand_id"]
            assert created.json()["display_name"] == brand["display_name"]
            campaign = valid_campaign()
            made = await client.post(f"/v1/10dlc/brands/{brand_id}/campaigns", json=campaign)
            assert made.status_code == 201, made.text
            _checked(made)
            listed = await client.get(f"/v1/10dlc/brands/{brand_id}/campaigns")
            _checked(listed)
            assert [c["campaign_id"] for c in listed.json()["_embedded"]["campaigns"]] == [
                made.json()["campaign_id"]
            ]
            orphan = await client.get("/v1/10dlc/brands/BNOBRAND/campaigns")
            assert orphan.status_code == 404
            deleted = await client.delete(f"/v1/10dlc/brands/{brand_id}")
            assert deleted.status_code == 204 and deleted.content == b""
            gone = await client.get(f"/v1/10dlc/brands/{brand_id}")
            assert gone.status_code == 404

    run(scenario())


def test_the_qualification_is_answered_without_the_other_carriers_nulls():
    """The page's qualification sends null for the fields of the other carrier; the sandbox
    answers with what the contract describes: those fields left out, nothing to warn about."""
    app = create_app(SandboxConfig())

    async def scenario():
        async with _client(app) as client:
            brand = valid_brand()
            created = await client.post("/v1/10dlc/brands", json=brand)
            brand_id = created.json()["brand_id"]
            answer = await client.get(f"/v1/10dlc/brands/{brand_id}/usecases/POLITICAL")
            assert answer.status_code == 200, answer.text
            _checked(answer)
            carriers = answer.json()["mno_metadata"]
            assert len(carriers) == 2
            assert all(value is not None for entry in carriers for value in entry.values())

    run(scenario())


@pytest.mark.parametrize(
    ("path", "content", "headers", "status", "rule_words"),
    [
        (
            f"{BANDWIDTH}/brands",
            b"<Brand><EntityType>NOPE</EntityType></Brand>",
            XML,
            400,
            "<ErrorCode>1003</ErrorCode>",
        ),
        ("/v1/10dlc/brands", b'{"entity_type": 1}', JSON, 400, '"type": "brand-parameters"'),
        ("/v1/10dlc/brands/BLQKOPK/campaigns", b"{", JSON, 400, "not valid JSON"),
    ],
)
def test_refused_requests_get_the_documented_error_body(path, content, headers, status, rule_words):
    app = create_app(SandboxConfig())

    async def scenario():
        async with _client(app) as client:
            if "campaigns" in path:  # the brand must exist for its campaigns to be judged
                sandbox = app.state.sandbox
                sandbox.seed(
                    [
                        {
                            "operation": "vonage.brands.create",
                            "account": AUTH[0],
                            "id": "BLQKOPK",
                            "body": valid_brand(),
                        }
                    ]
                )
            response = await client.post(path, content=content, headers=headers)
            assert response.status_code == status
            assert rule_words in response.text
            result = check_exchange(Exchange.from_httpx(response))
            assert not [i for i in result.issues if i.direction == "response"]

    run(scenario())


def test_credentials_are_required_and_checked_when_configured():
    app = create_app(SandboxConfig(credentials={"vonage": ("key", "secret")}))

    async def scenario():
        async with _client(app, auth=None) as client:
            bare = await client.get(f"{BANDWIDTH}/brands?type=main")
            assert bare.status_code == 403  # Bandwidth's pages: "403 Unauthorized"
            assert "<ResponseStatus>" in bare.text
            assert (await client.get("/v1/10dlc/account")).status_code == 401
            wrong = await client.get("/v1/10dlc/account", auth=("key", "nope"))
            assert wrong.status_code == 401
            right = await client.get("/v1/10dlc/account", auth=("key", "secret"))
            assert right.status_code == 200
            _checked(right)
            bearer = await client.get(
                f"{BANDWIDTH}/brands?type=main", headers={"Authorization": "Bearer a-token-value"}
            )
            assert bearer.status_code == 200

    run(scenario())


def test_bursts_above_the_documented_limits_get_429_with_retry_after():
    limit = rate_limits("bandwidth")[0]
    # the clock at a tenth of real time: the bucket gets a request back every 20 s, so the last
    # request after the burst is refused unless sending them all takes that long, which no
    # machine, however busy, comes near
    app = create_app(SandboxConfig(time_scale=0.1))

    async def scenario():
        async with _client(app) as client:
            statuses = []
            for _ in range(limit.burst_of("GET") + 3):
                response = await client.get(f"{BANDWIDTH}/brands?type=main")
                statuses.append(response.status_code)
            assert statuses[: limit.burst_of("GET")] == [200] * limit.burst_of("GET")
            assert statuses[-1] == 429
            assert response.headers["Retry-After"].isdigit()
            _checked(response)  # 429 is documented, with its error body
            # Vonage's pages state no limit
            for _ in range(40):
                assert (await client.get("/v1/10dlc/account")).status_code == 200

    run(scenario())


def test_unknown_paths_are_not_operations():
    app = create_app(SandboxConfig(providers=("vonage",)))

    async def scenario():
        async with _client(app) as client:
            assert (await client.get("/nothing/here")).status_code == 404
            assert (await client.get(f"{BANDWIDTH}/brands?type=main")).status_code == 404

    run(scenario())


def test_seeds_create_records_and_reset_returns_to_them(tmp_path):
    seeds = tmp_path / "seed.yaml"
    seeds.write_text(
        json.dumps(
            [
                {
                    "operation": "bandwidth.brands.create",
                    "account": "9900000",
                    "id": "BSEED1",
                    "body": _example("bandwidth/brands.create.request.xml").decode(),
                },
            ]
        )
    )
    from tendlc.sandbox import seed_file

    app = create_app(SandboxConfig())
    assert app.state.sandbox.seed(seed_file(str(seeds))) == ["BSEED1"]

    async def scenario():
        async with _client(app) as client:
            assert (await client.get(f"{BANDWIDTH}/brands/BSEED1")).status_code == 200
            made = await client.post(
                f"{BANDWIDTH}/brands",
                content=_example("bandwidth/brands.create.request.xml"),
                headers=XML,
            )
            made_id = re.search(r"<BrandId>(\w+)</BrandId>", made.text).group(1)
            reset = await client.post("/_sandbox/reset")
            assert reset.status_code == 200 and reset.json()["seeded"] == ["BSEED1"]
            # the seeded brand is there again, the one made since is not
            assert (await client.get(f"{BANDWIDTH}/brands/BSEED1")).status_code == 200
            assert (await client.get(f"{BANDWIDTH}/brands/{made_id}")).status_code == 404

    run(scenario())
    with pytest.raises(tendlc.InvalidArgument, match="refused by its contract"):
        app.state.sandbox.seed([{"operation": "bandwidth.brands.create", "body": "<Brand/>"}])


def test_an_import_order_moves_on_and_its_notification_reaches_a_listener():
    listener = WebhookListener()
    webhook = listener.url
    running = serve_in_thread(create_app(SandboxConfig(time_scale=20, webhook_url=webhook)))
    try:
        with httpx.Client(base_url=running, auth=AUTH) as client:
            created = client.post(
                "/api/accounts/9900000/importTnOrders",
                content=_example("bandwidth/importTnOrders.create.request.xml"),
                headers=XML,
            )
            assert created.status_code == 201, created.text
            _checked(created)
            order = re.search(r"<OrderId>([^<]+)</OrderId>", created.text).group(1)
            assert "<ProcessingStatus>PROCESSING</ProcessingStatus>" in created.text
            deadline = time.monotonic() + 60  # the order completes in 0.2 s
            while not listener.received and time.monotonic() < deadline:
                time.sleep(0.05)
            status = client.get(f"/api/accounts/9900000/importTnOrders/{order}")
            _checked(status)
            assert "<ProcessingStatus>COMPLETE</ProcessingStatus>" in status.text
    finally:
        running.stop()
        listener.shutdown()
    (path, media, body) = listener.received[0]
    assert path == "/webhookService" and media == "application/xml"
    assert f"<OrderId>{order}</OrderId>".encode() in body
    assert b"<Status>COMPLETE</Status>" in body
    assert tendlc.validate("bandwidth.webhooks.orderNotification", body).valid


def test_the_sandbox_binds_loopback_by_default(tmp_path):
    import socket
    import subprocess
    import sys

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    child = subprocess.Popen(
        [sys.executable, "-m", "tendlc", "sandbox", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        health = None
        deadline = time.monotonic() + 60
        while health is None and time.monotonic() < deadline and child.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/_sandbox/health", timeout=10)
            except httpx.TransportError:
                time.sleep(0.1)
        assert health is not None, child.poll()
        assert health.json()["status"] == "ok"
        listening = _listening_addresses(port)
        assert listening == {"127.0.0.1"}, listening
    finally:
        child.terminate()
        child.wait(10)


def _listening_addresses(port):
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, port_hex = local.split(":")
        if int(port_hex, 16) == port and state == "0A":  # LISTEN
            octets = bytes.fromhex(address)[::-1]
            found.add(".".join(str(b) for b in octets))
    return found


LOAD_CLIENTS = 8
LOAD_ROUNDS = 3
#: the p99 of one request with LOAD_CLIENTS clients at once. Measured on 2 cores: 56-80 ms
#: idle, 64-126 ms with one to four busy loops competing for the cores, 89-252 ms on a machine
#: shared at a load average of 7-8. The bound is far above all of these: it fails when each
#: request stalls the event loop, or holds a lock the others wait on, for about a fifth of a
#: second (every client queues behind it), not on a busy machine. benchmarks/servers.py
#: measures the latencies themselves
LOAD_P99_BOUND = 2.0


def _show(request, line):
    """A line in the terminal output of a normal run (no -s needed)."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)


def test_state_survives_concurrent_clients_without_loss_or_duplication(request):
    running = serve_in_thread(create_app(SandboxConfig(rate_limits=False)))
    bandwidth_brand = _example("bandwidth/brands.create.request.xml")
    imported = iter(range(10_000))  # an import keeps the TCR campaign id it names
    vonage_brand = valid_brand()
    vonage_campaign = valid_campaign()
    latencies = []
    unexpected = []

    async def call(client, expected, method, path, **sent):
        started = time.perf_counter()
        response = await client.request(method, path, **sent)
        latencies.append(time.perf_counter() - started)
        if response.status_code != expected:
            unexpected.append((method, path, response.status_code, response.text[:200]))
            return None
        return response

    async def created_and_read(client, path, id_of, **sent):
        """Create a record, read it back by its id; the id (None when either call failed)."""
        made = await call(client, 201, "POST", path, **sent)
        if made is None:
            return None
        record_id = id_of(made)
        fetched = await call(client, 200, "GET", f"{path}/{record_id}")
        if fetched is not None and record_id not in fetched.text:
            unexpected.append(("GET", f"{path}/{record_id}", "another record", fetched.text[:200]))
        return record_id

    def xml_id(element):
        return lambda r: re.search(rf"<{element}>(\w+)</{element}>", r.text).group(1)

    async def worker(client, rounds=LOAD_ROUNDS):
        made = {kind: [] for kind in ("bw brands", "bw campaigns", "vonage brands")}
        campaigns = {}
        for _ in range(rounds):
            ids = (
                await created_and_read(
                    client,
                    f"{BANDWIDTH}/brands",
                    xml_id("BrandId"),
                    content=bandwidth_brand,
                    headers=XML,
                ),
                await created_and_read(
                    client,
                    f"{BANDWIDTH}/campaigns/imports",
                    xml_id("CampaignId"),
                    content=b"<ImportedCampaign><CampaignId>CL%05d</CampaignId></ImportedCampaign>"
                    % next(imported),
                    headers=XML,
                ),
                await created_and_read(
                    client,
                    "/v1/10dlc/brands",
                    lambda r: r.json()["brand_id"],
                    json=vonage_brand,
                ),
            )
            for kind, record_id in zip(made, ids, strict=True):
                made[kind].append(record_id)
            if ids[2] is not None:
                campaigns[ids[2]] = await created_and_read(
                    client,
                    f"/v1/10dlc/brands/{ids[2]}/campaigns",
                    lambda r: r.json()["campaign_id"],
                    json=vonage_campaign,
                )
        return made, campaigns

    async def scenario():
        # made before the clock starts: making a client takes long enough (its TLS context)
        # that the requests already sent would measure it
        clients = [
            httpx.AsyncClient(base_url=running, auth=AUTH, timeout=30) for _ in range(LOAD_CLIENTS)
        ]
        try:
            # one of each call first, untimed: the first use of a contract loads and compiles
            # it, and the clients queued behind that would measure the warm-up
            await worker(clients[0], rounds=1)
            assert (await clients[0].post("/_sandbox/reset")).status_code == 200
            latencies.clear()
            started = time.perf_counter()
            batches = await asyncio.gather(*(worker(client) for client in clients))
            return batches, time.perf_counter() - started
        finally:
            for client in clients:
                await client.aclose()

    try:
        batches, elapsed = asyncio.run(scenario())
        with httpx.Client(base_url=running, auth=AUTH) as client:
            listed = {
                "bw brands": re.findall(
                    r"<BrandId>(\w+)</BrandId>", client.get(f"{BANDWIDTH}/brands?type=main").text
                ),
                "bw campaigns": re.findall(
                    r"<CampaignId>(\w+)</CampaignId>",
                    client.get(f"{BANDWIDTH}/campaigns/imports").text,
                ),
                "vonage brands": [
                    b["brand_id"]
                    # more than the default page: the one page that holds them all
                    for b in client.get("/v1/10dlc/brands?page_size=100").json()["_embedded"][
                        "brands"
                    ]
                ],
            }
            campaigns = {brand: c for _, batch in batches for brand, c in batch.items()}
            listed_campaigns = {
                brand: [
                    c["campaign_id"]
                    for c in client.get(f"/v1/10dlc/brands/{brand}/campaigns").json()["_embedded"][
                        "campaigns"
                    ]
                ]
                for brand in campaigns
            }
    finally:
        running.stop()
    latencies.sort()
    p50 = latencies[len(latencies) // 2]
    p99 = latencies[math.ceil(len(latencies) * 0.99) - 1]
    _show(
        request,
        f"\nsandbox load: {len(latencies)} requests (Bandwidth and Vonage brands and campaigns, "
        f"created and read) from {LOAD_CLIENTS} clients in {elapsed:.2f} s: "
        f"p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms",
    )
    assert not unexpected, unexpected[:5]  # no 5xx, no 404 for a record just made
    total = LOAD_CLIENTS * LOAD_ROUNDS
    assert len(latencies) == 8 * total
    for kind, ids in listed.items():
        created = [record for made, _ in batches for record in made[kind]]
        assert len(created) == len(set(created)) == total, kind
        assert sorted(ids) == sorted(created), kind  # none lost, none listed twice
    assert len(campaigns) == total
    assert len(set(campaigns.values())) == total
    assert listed_campaigns == {brand: [campaign] for brand, campaign in campaigns.items()}
    assert p99 < LOAD_P99_BOUND, f"p99 {p99 * 1000:.0f} ms"


def test_the_behaviour_table_names_only_catalog_operations_and_every_action_is_served():
    sandbox = Sandbox()
    for operation in tendlc.operations():
        plan = sandbox.table.of(operation)
        assert plan.operation is operation
        if plan.action != "template":
            assert plan.resource is not None, operation.id


def test_arrivals_are_logged_for_the_limits_check():
    app = create_app(SandboxConfig(time_scale=60))

    async def scenario():
        async with _client(app) as client:
            for _ in range(5):
                await client.get(f"{BANDWIDTH}/brands?type=main")
            return (await client.get("/_sandbox/arrivals")).json()

    arrivals = run(scenario())
    assert len(arrivals) == 5 and {a["operation"] for a in arrivals} == {"bandwidth.brands.list"}
    limit = rate_limits("bandwidth")[0]
    assert (
        arrivals_within_limits([(a["at"], a["method"]) for a in arrivals], limit, time_scale=60)
        == []
    )


FIXTURE = """
import httpx

def test_against_the_sandbox(tendlc_sandbox, tendlc_traffic):
    response = httpx.get(f"{tendlc_sandbox}/v1/10dlc/account", auth=("key", "secret"))
    assert response.status_code == 200
    assert tendlc_traffic.operations == ["vonage.account.get"]
    assert tendlc_traffic.valid

def test_same_sandbox_for_the_session(tendlc_sandbox):
    assert tendlc_sandbox.startswith("http://127.0.0.1:")
"""


def test_the_tendlc_sandbox_fixture_serves_the_session(pytester):
    pytester.makepyfile(test_fixture=FIXTURE)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


# -- a misbehaviour that could never happen is refused ----------------------------------------

UNKNOWN_TARGETS = [
    ("wrong-status:bandwidth.tnOptions.lisst", "bandwidth.tnOptions.create"),
    ("drop-required-field:vonage.brand.get", "vonage.brands.get"),
    ("undocumented-field:bandwidth.nope.*", "bandwidth.brands.get"),  # a glob matching none
]


@pytest.fixture
def served(monkeypatch):
    """The listeners `tendlc sandbox` would have served on (the server is not started)."""
    from tendlc._cli import _traffic

    calls = []

    def serve(app, listener, rules):
        calls.append(listener.getsockname())
        listener.close()

    monkeypatch.setattr(_traffic, "_serve", serve)
    return calls


@pytest.mark.parametrize(("spec", "nearest"), UNKNOWN_TARGETS)
def test_a_misbehaviour_for_an_operation_not_in_the_catalog_is_a_usage_error(served, spec, nearest):
    from click.testing import CliRunner

    from tendlc.cli import main

    outcome = CliRunner().invoke(main, ["sandbox", "--port", "0", "--misbehave", spec])
    assert outcome.exit_code == 2, outcome.output
    assert served == []  # refused before serving anything
    assert isinstance(outcome.exception, SystemExit)  # a message, not a traceback
    assert f"Error: '{spec}': " in outcome.output
    assert "did you mean" in outcome.output and nearest in outcome.output

    with pytest.raises(tendlc.InvalidArgument) as refused:
        create_app(SandboxConfig(misbehave=("slow", spec)))
    assert nearest in refused.value.suggestions
    assert spec in str(refused.value)


@pytest.mark.parametrize("spec", ["slow=inf", "slow=nan", "429-storm=-1", "slow=soon"])
def test_a_misbehaviour_value_that_cannot_be_honoured_is_a_usage_error(served, spec):
    from click.testing import CliRunner

    from tendlc.cli import main

    outcome = CliRunner().invoke(main, ["sandbox", "--port", "0", "--misbehave", spec])
    assert outcome.exit_code == 2, outcome.output
    assert f"Error: '{spec}': the value after = must be a number" in outcome.output
    assert served == []


def test_catalog_operations_and_globs_that_match_some_are_accepted(served):
    from click.testing import CliRunner

    from tendlc.cli import main

    specs = ["wrong-status:bandwidth.tnOptions.create", "slow:vonage.brands.*=0", "429-storm"]
    arguments = [part for spec in specs for part in ("--misbehave", spec)]
    outcome = CliRunner().invoke(main, ["sandbox", "--port", "0", *arguments])
    assert outcome.exit_code == 0, outcome.output
    assert len(served) == 1


def test_the_misbehave_endpoint_refuses_bad_rules_and_keeps_those_in_force():
    app = create_app(SandboxConfig(rate_limits=False))

    async def scenario():
        async with _client(app) as client:
            kept = await client.put("/_sandbox/misbehave", json=["wrong-status:vonage.enum.get"])
            assert kept.status_code == 200 and kept.json() == {"rules": ["wrong-status"]}
            refused = await client.put(
                "/_sandbox/misbehave", json=["slow", "wrong-status:bandwidth.tnOptions.lisst"]
            )
            assert refused.status_code == 400
            assert "bandwidth.tnOptions.lisst" in refused.json()["error"]
            assert "bandwidth.tnOptions.create" in refused.json()["suggestions"]
            for body in (b"not json", b'{"rules": 1}', b"[1, 2]"):
                bad = await client.put("/_sandbox/misbehave", content=body)
                assert bad.status_code == 400, body
                assert "JSON array of rules" in bad.json()["error"]
            # the rule set before the refusals is still the one in force
            enum = await client.get("/v1/10dlc/enum")
            assert enum.status_code == 201  # the injected, undocumented status
            assert [i["rule"] for i in (await client.get("/_sandbox/injected")).json()] == [
                "wrong-status"
            ]

    run(scenario())


def test_the_sandbox_command_takes_a_free_port_serves_it_and_stops_on_sigterm(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    stderr = tmp_path / "stderr"
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("BANDWIDTH_", "VONAGE_"))
    }
    with stderr.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "tendlc", "sandbox", "--port", "0", "--no-rate-limits"],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=environment,
        )
    try:
        deadline, found = time.monotonic() + 60, None
        while time.monotonic() < deadline and process.poll() is None and found is None:
            found = re.search(r"tendlc sandbox on (http://127\.0\.0\.1:(\d+)) ", stderr.read_text())
            time.sleep(0.05)
        assert found is not None, stderr.read_text()
        url, port = found.group(1), int(found.group(2))
        assert port != 0  # the port it took, not the 0 it was given
        answer = httpx.get(
            f"{url}/api/accounts/9900000/campaignManagement/10dlc/brands", auth=("u", "p")
        )
        assert answer.status_code == 200, answer.text
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert "Traceback" not in stderr.read_text()
        # one access log line for the request, on stderr
        line = r"GET /api/accounts/9900000/campaignManagement/10dlc/brands 200 [\d.]+ms bandwidth"
        assert re.search(line + r"\.brands\.list\n", stderr.read_text()), stderr.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_the_sandbox_command_refuses_an_address_it_cannot_have():
    import socket

    from click.testing import CliRunner

    from tendlc.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        outcome = CliRunner().invoke(main, ["sandbox", "--port", str(port)])
    assert outcome.exit_code == 2 and "cannot listen on" in outcome.output, outcome.output
