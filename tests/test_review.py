"""The brand behind a campaign in the front ends, on loopback: the sandbox's strict review
(a campaign that draws advice is refused as a carrier would), the proxy's and conform's
memory of the brands their exchanges showed."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from lxml import etree

import tendlc
from _support.brands import BRAND_REQUEST, CAMPAIGN, CLEAN_CAMPAIGN, body
from tendlc.cli import main
from tendlc.conform import ConformOptions, run_conformance
from tendlc.proxy import ProxyState, serve_proxy
from tendlc.sandbox import REVIEWS, SandboxConfig, create_app, serve_in_thread
from tendlc.traffic import BrandMemory, Exchange, Headers, Request, Response

AUTH = ("vkey4e2b", "vsecret-8d0f")
JSON = {"Content-Type": "application/json"}
#: a campaign the contract accepts and the advice does not: it also sells vape juice
TOBACCO = dict(CLEAN_CAMPAIGN, description=CLEAN_CAMPAIGN["description"] + " Vape juice sale.")


@pytest.fixture(scope="module")
def strict():
    running = serve_in_thread(create_app(SandboxConfig(rate_limits=False, review="strict")))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def lenient():
    running = serve_in_thread(create_app(SandboxConfig(rate_limits=False)))
    yield running
    running.stop()


def _brand(client: httpx.Client) -> str:
    created = client.post("/v1/10dlc/brands", content=body(BRAND_REQUEST), headers=JSON)
    assert created.status_code == 201, created.text
    return str(created.json()["brand_id"])


def _campaign(client: httpx.Client, brand_id: str, data) -> httpx.Response:
    url = f"/v1/10dlc/brands/{brand_id}/campaigns"
    return client.post(url, content=body(data), headers=JSON)


# -- the sandbox's strict review -----------------------------------------------------------


def test_a_strict_review_refuses_a_campaign_with_advice_in_the_documented_envelope(strict):
    with httpx.Client(base_url=strict, auth=AUTH) as client:
        brand_id = _brand(client)
        refused = _campaign(client, brand_id, CAMPAIGN)
    assert refused.status_code == 400
    assert refused.headers["content-type"].startswith("application/json")
    problem = refused.json()
    # Vonage's problem details, with the code the sandbox gives an invalid campaign
    assert set(problem) == {"type", "title", "detail", "instance"}
    assert problem["type"] == "invalid-campaign-data"
    # the advice about the brand the sandbox keeps under the id the path names
    assert problem["detail"].startswith("rejected in review (advice.opt-out-message.brand): ")
    assert "/opt_out_message" in problem["detail"]
    assert "brand" in problem["detail"].split(": ", 1)[1]
    # and the refusal is what the contract documents for the operation
    report = tendlc.validate(
        "vonage.campaigns.create", refused.content, part="response", status=400
    )
    assert report.valid, report.issues


def test_a_strict_review_passes_a_campaign_without_advice_and_refuses_each_advice(strict):
    with httpx.Client(base_url=strict, auth=AUTH) as client:
        brand_id = _brand(client)
        accepted = _campaign(client, brand_id, CLEAN_CAMPAIGN)
        refused = _campaign(client, brand_id, TOBACCO)
        campaign_id = accepted.json()["campaign_id"]
        patch = client.patch(
            f"/v1/10dlc/brands/{brand_id}/campaigns/{campaign_id}",
            content=body({"opt_out_message": CAMPAIGN["opt_out_message"]}),
            headers=JSON,
        )
        log = client.get("/_sandbox/requests").json()
    assert accepted.status_code == 201, accepted.text
    assert refused.status_code == 400
    assert "advice.prohibited-content.tobacco" in refused.json()["detail"]
    # an update is reviewed too, against the brand the campaign lives under
    assert patch.status_code == 400
    assert "advice.opt-out-message.brand" in patch.json()["detail"]
    # the request log names what the review refused
    refusals = [e for e in log if e["status"] == 400 and f"/{brand_id}/" in e["path"]]
    assert [[issue["rule"] for issue in entry["issues"]] for entry in refusals] == [
        ["advice.prohibited-content.tobacco"],
        ["advice.opt-out-message.brand"],
    ]
    assert {issue["severity"] for entry in refusals for issue in entry["issues"]} == {"advice"}


def test_a_strict_review_answers_in_each_providers_envelope_xml_too(strict):
    """Every request the advice rules read is reviewed: a Bandwidth brand whose contact email
    is not on its website's domain is refused in Bandwidth's documented XML envelope."""
    example = (
        Path(__file__).parent.parent / "examples/bandwidth/brands.create.request.xml"
    ).read_bytes()
    url = "/api/accounts/9900000/campaignManagement/10dlc/brands"
    xml = {"Content-Type": "application/xml"}
    with httpx.Client(base_url=strict, auth=AUTH) as client:
        refused = client.post(
            url, content=example.replace(b"Test1@bandwidth.com", b"owner@gmail.com"), headers=xml
        )
        accepted = client.post(url, content=example, headers=xml)
    assert accepted.status_code == 201, accepted.text
    assert refused.status_code == 400
    root = etree.fromstring(refused.content)
    assert root.tag == "BrandResponse"
    assert root.findtext("ResponseStatus/Description").startswith(
        "rejected in review (advice.brand-email-domain): "
    )
    report = tendlc.validate(
        "bandwidth.brands.create", refused.content, part="response", status=400
    )
    assert report.valid, report.issues


def test_the_review_is_off_by_default(lenient):
    with httpx.Client(base_url=lenient, auth=AUTH) as client:
        brand_id = _brand(client)
        assert _campaign(client, brand_id, CAMPAIGN).status_code == 201
        assert _campaign(client, brand_id, TOBACCO).status_code == 201


def test_a_contract_error_is_refused_as_before_under_a_strict_review(strict):
    with httpx.Client(base_url=strict, auth=AUTH) as client:
        brand_id = _brand(client)
        broken = dict(CAMPAIGN, usecase="NOT_A_USECASE")
        refused = _campaign(client, brand_id, broken)
    assert refused.status_code == 400
    assert "rejected in review" not in refused.json()["detail"]
    assert "/usecase" in refused.json()["detail"]


def test_a_review_is_off_or_strict():
    assert REVIEWS == ("off", "strict")
    with pytest.raises(tendlc.InvalidArgument, match="review must be one of off, strict"):
        SandboxConfig(review="lenient")
    outcome = CliRunner().invoke(main, ["sandbox", "--review", "lenient"])
    assert outcome.exit_code == 2
    assert "'lenient' is not one of 'off', 'strict'" in outcome.output
    assert "--review [off|strict]" in CliRunner().invoke(main, ["sandbox", "--help"]).output


@pytest.mark.parametrize(("options", "expected"), [([], "off"), (["--review", "strict"], "strict")])
def test_the_sandbox_command_passes_its_review_to_the_sandbox(monkeypatch, options, expected):
    import tendlc._cli._traffic as command

    served = []

    def serve(app, listener, rules, **_):
        served.append(app.state.sandbox.config.review)
        listener.close()

    monkeypatch.setattr(command, "_serve", serve)
    outcome = CliRunner().invoke(main, ["sandbox", "--port", "0", "--quiet", *options])
    assert outcome.exit_code == 0, outcome.output
    assert served == [expected]


# -- the proxy's and conform's memory --------------------------------------------------------


def test_the_proxy_remembers_the_brands_its_exchanges_show():
    state = ProxyState("https://api.nexmo.com")
    exchange = Exchange(
        Request(
            "POST", "https://api.nexmo.com/v1/10dlc/brands", Headers(JSON), body(BRAND_REQUEST)
        ),
        Response(201, Headers(JSON), body({"brand_id": "B765432"})),
    )
    state.observe(exchange)
    assert state.brands.get("vonage", "B765432")["display_name"] == "Acme Plumbing"


def test_a_proxy_in_front_of_the_sandbox_learns_the_brands_created_through_it(lenient):
    state = ProxyState(lenient)
    proxy = serve_proxy(state)
    try:
        with httpx.Client(base_url=proxy, auth=AUTH) as client:
            brand_id = _brand(client)
            assert _campaign(client, brand_id, CAMPAIGN).status_code == 201
    finally:
        proxy.stop()
    assert list(state.brands) == [("vonage", brand_id)]
    assert state.brands.get("vonage", brand_id)["company_name"] == "Acme Plumbing LLC"


def test_conform_keeps_one_memory_per_run_and_it_learns_the_brands_the_probes_make(
    lenient, monkeypatch
):
    import tendlc.conform._runner as runner

    seen: list[BrandMemory] = []
    created: list[str] = []
    original = runner.check_exchange

    def checking(exchange, **options):
        seen.append(options["brands"])
        result = original(exchange, **options)
        # a run keeps no bodies of passing exchanges: the brand ids are read as they pass
        if result.operation == "vonage.brands.create" and exchange.response.status == 201:
            created.append(json.loads(exchange.response.body)["brand_id"])
        return result

    monkeypatch.setattr(runner, "check_exchange", checking)
    environment = {"VONAGE_API_KEY": AUTH[0], "VONAGE_API_SECRET": AUTH[1]}
    options = ConformOptions("vonage", base_url=lenient, allow_writes=True, time_scale=60)
    run_conformance(options, environment)
    assert seen and all(memory is seen[0] for memory in seen)
    assert created and all(("vonage", brand_id) in set(seen[0]) for brand_id in created)
    # another run starts with a memory of its own
    run_conformance(options, environment)
    assert seen[-1] is not seen[0]
