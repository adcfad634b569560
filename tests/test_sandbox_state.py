"""The sandbox's state is like the provider's: imported records keep their ids, made ids are
unique and shaped as documented, answers carry the caller's account and user, the sandbox's
clock and links to itself (no example placeholder), lists page as the provider's record
says, both kinds of order notify, seeds are checked and a reset returns to them, every request
is logged, and a Prefer header picks the answer. In-process through httpx's ASGI transport,
on a loopback port where a real server matters."""

import asyncio
import calendar
import io
import json
import logging
import re
import shutil
import time
import uuid
from pathlib import Path

import httpx
import pytest
import yaml

import tendlc
from _support.listener import WebhookListener
from _support.vonage import valid_brand, valid_campaign
from tendlc._catalog import PROVIDERS_VARIABLE, reload_providers
from tendlc.sandbox import (
    Sandbox,
    SandboxConfig,
    access_log,
    create_app,
    parse_seed,
    seed_file,
    seed_schema,
    serve_in_thread,
)
from tendlc.traffic import Exchange, check_exchange

EXAMPLES = Path(__file__).parent.parent / "examples"
ACME = Path(__file__).parent / "providers" / "acme"
ACCOUNT = "9900123"
USER = "sandbox-user-41"
BANDWIDTH = f"/api/accounts/{ACCOUNT}/campaignManagement/10dlc"
BASE = "http://sandbox.test:8123"
XML = {"Content-Type": "application/xml"}
JSON = {"Content-Type": "application/json"}
#: the sandbox's clock in these tests: 2031-05-17 08:09:10.250 UTC
NOW = calendar.timegm((2031, 5, 17, 8, 9, 10)) + 0.25
#: what the documentation's examples show that is no caller's: other accounts and users,
#: placeholders, the providers' hosts
FOREIGN = (
    "9900012",
    "9900674",
    "000000000",
    "abcd1234",
    "{username}",
    "mmacchioni",
    "CMHSJ9",
    "BLQKOPK",
    "api.nexmo.com",
    "dashboard.bandwidth.com",
)
DATE = re.compile(r"\d{4}-\d\d-\d\d([T ]\d\d:\d\d:\d\d(\.\d+)?Z?)?")


def _example(name):
    return (EXAMPLES / name).read_bytes()


def _app(**options):
    sandbox = Sandbox(SandboxConfig(rate_limits=False, **options), clock=lambda: NOW)
    return create_app(sandbox=sandbox)


def _client(app, auth=(USER, "secret-5")):
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE, auth=auth)


def _checked(response):
    result = check_exchange(Exchange.from_httpx(response))
    assert result.valid and not result.warnings, [i.render() for i in result.issues]
    return response


def _xml_id(response, element):
    return re.search(rf"<{element}>([^<]+)</{element}>", response.text).group(1)


def _multipart(name, media, content):
    boundary = "tendlc-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: {media}\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


# -- ids --------------------------------------------------------------------------------------


def test_an_imported_campaign_keeps_its_id_and_a_second_import_of_it_conflicts():
    app = _app()
    body = b"<ImportedCampaign><CampaignId>CXYZ789</CampaignId></ImportedCampaign>"

    async def scenario():
        async with _client(app) as client:
            imported = _checked(
                await client.post(f"{BANDWIDTH}/campaigns/imports", content=body, headers=XML)
            )
            assert imported.status_code == 201
            assert _xml_id(imported, "CampaignId") == "CXYZ789"
            fetched = _checked(await client.get(f"{BANDWIDTH}/campaigns/imports/CXYZ789"))
            assert fetched.status_code == 200 and _xml_id(fetched, "CampaignId") == "CXYZ789"
            listed = _checked(await client.get(f"{BANDWIDTH}/campaigns/imports?page=0&size=25"))
            assert re.findall(r"<CampaignId>([^<]+)<", listed.text) == ["CXYZ789"]
            again = _checked(
                await client.post(f"{BANDWIDTH}/campaigns/imports", content=body, headers=XML)
            )
            assert again.status_code == 409  # documented for the import
            # a vetting record and a Vonage number keep theirs too
            vonage = (
                await client.post("/v1/10dlc/brands", json=valid_brand("2030-08-24T14:15:22Z"))
            ).json()
            numbers = f"/v1/10dlc/brands/{vonage['brand_id']}/campaigns"
            campaign = (await client.post(numbers, json=valid_campaign())).json()
            numbers += f"/{campaign['campaign_id']}/numbers"
            linked = _checked(
                await client.post(numbers, json={"country": "US", "number": "14155550177"})
            )
            assert linked.json()["number"] == "14155550177"
            assert _checked(await client.get(f"{numbers}/14155550177")).status_code == 200
            twice = await client.post(numbers, json={"country": "US", "number": "14155550177"})
            assert twice.status_code == 409
            assert _checked(twice).json()["type"].endswith("numbers-already-linked")

    asyncio.run(scenario())


def test_brands_get_ids_of_the_documented_shape_unique_within_a_sandbox_and_across_runs():
    async def two_brands(app):
        async with _client(app) as client:
            made = []
            for _ in range(2):
                created = _checked(
                    await client.post(
                        f"{BANDWIDTH}/brands",
                        content=_example("bandwidth/brands.create.request.xml"),
                        headers=XML,
                    )
                )
                made.append(_xml_id(created, "BrandId"))
            order = await client.post(
                f"/api/accounts/{ACCOUNT}/importTnOrders",
                content=_example("bandwidth/importTnOrders.create.request.xml"),
                headers=XML,
            )
            made.append(_xml_id(order, "OrderId"))
            return made

    first = asyncio.run(two_brands(_app()))
    second = asyncio.run(two_brands(_app()))
    for made in (first, second):
        assert all(re.fullmatch(r"B[A-Z0-9]{5}", brand) for brand in made[:2]), made  # B#####
        assert uuid.UUID(made[2]).version == 4
    assert first[0] != first[1]  # the second brand is another brand
    assert first[0] != second[0]  # a restarted sandbox does not repeat the main brand's id
    # a seeded sandbox makes the same ids every run, for tests that want them
    assert asyncio.run(two_brands(_app(seed=7))) == asyncio.run(two_brands(_app(seed=7)))


# -- no example placeholder in any answer -------------------------------------------------------


def _strings(text, media):
    """Every text value of an answer: element texts (XML), string values (JSON)."""
    if "json" in media:
        found = []
        stack = [json.loads(text)]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, str):
                found.append(node)
        return found
    return [value.strip() for value in re.findall(r">([^<]+)<", text) if value.strip()]


def _sent_values(body):
    if not body:
        return set()
    try:
        return set(_strings(body.decode(), "json"))
    except ValueError:
        return set(_strings(body.decode(), "xml"))


async def _bandwidth_flow(client, call):
    await call("POST", BANDWIDTH, content=_example("bandwidth/campaignSettings.create.request.xml"))
    await call("GET", BANDWIDTH)
    made = await call(
        "POST", f"{BANDWIDTH}/brands", content=_example("bandwidth/brands.create.request.xml")
    )
    brand = _xml_id(made, "BrandId")
    await call("GET", f"{BANDWIDTH}/brands/{brand}")
    await call(
        "PUT",
        f"{BANDWIDTH}/brands/{brand}",
        content=_example("bandwidth/brands.update.request.xml"),
    )
    await call("GET", f"{BANDWIDTH}/brands?type=main")
    await call("GET", f"{BANDWIDTH}/brands/details?type=main&page=0&size=25")
    await call("PUT", f"{BANDWIDTH}/brands/{brand}/revet")
    await call(
        "POST",
        f"{BANDWIDTH}/brands/{brand}/vetting",
        content=b"<BrandVetting><EvpId>WMC</EvpId><VettingClass>STANDARD</VettingClass>"
        b"</BrandVetting>",
    )
    await call(
        "PUT",
        f"{BANDWIDTH}/brands/{brand}/vetting",
        content=b"<BrandVetting><EvpId>WMC</EvpId>"
        b"<VettingId>531D1FD09D68401EA0E4624B8B7D4A14</VettingId></BrandVetting>",
    )
    await call("GET", f"{BANDWIDTH}/brands/{brand}/vetting")
    await call(
        "POST",
        f"{BANDWIDTH}/campaigns/imports",
        content=b"<ImportedCampaign><CampaignId>CFLOW01</CampaignId></ImportedCampaign>",
    )
    await call("GET", f"{BANDWIDTH}/campaigns/imports/CFLOW01")
    await call("GET", f"{BANDWIDTH}/campaigns/imports?page=0&size=2")
    await call(
        "POST",
        f"/api/accounts/{ACCOUNT}/tnoptions",
        content=_example("bandwidth/tnOptions.create.request.xml"),
    )
    order = await call(
        "POST",
        f"/api/accounts/{ACCOUNT}/importTnOrders",
        content=_example("bandwidth/importTnOrders.create.request.xml"),
    )
    order_id = _xml_id(order, "OrderId")
    await call("GET", f"/api/accounts/{ACCOUNT}/importTnOrders/{order_id}")
    await call(
        "POST",
        f"/api/accounts/{ACCOUNT}/importTnOrders/{order_id}/loas",
        content=b"%PDF-1.4 the letter",
        headers={"Content-Type": "application/pdf"},
    )


async def _vonage_flow(client, call):
    await call("GET", "/v1/10dlc/account")
    brand = (
        await call("POST", "/v1/10dlc/brands", json=valid_brand("2030-08-24T14:15:22Z"))
    ).json()["brand_id"]
    brands = f"/v1/10dlc/brands/{brand}"
    await call("GET", brands)
    await call("PATCH", brands, content=_example("vonage/brands.update.request.json"))
    await call("GET", "/v1/10dlc/brands")
    started = await call(
        "POST",
        f"{brands}/start_verification",
        content=_example("vonage/brands.startVerification.request.json"),
    )
    await call("GET", f"{brands}/verification/{started.json()['reference_id']}")
    await call(
        "POST", f"{brands}/vetting/requests", json={"evp_id": "Aegis", "vetting_class": "STANDARD"}
    )
    await call(
        "PUT",
        f"{brands}/vetting/requests",
        json={"evp_id": "Aegis", "vetting_id": "v-2f7d", "vetting_token": "t-81aa"},
    )
    await call("GET", f"{brands}/vetting/requests")
    campaign = (await call("POST", f"{brands}/campaigns", json=valid_campaign())).json()
    campaigns = f"{brands}/campaigns/{campaign['campaign_id']}"
    await call("GET", campaigns)
    await call("GET", f"{brands}/campaigns")
    await call("GET", brands)
    await call("POST", f"{campaigns}/numbers", json={"country": "US", "number": "14155550110"})
    await call("GET", f"{campaigns}/numbers/14155550110")
    await call("GET", f"{campaigns}/numbers")
    reseller = await call(
        "POST", "/v1/10dlc/resellers", content=_example("vonage/resellers.create.request.json")
    )
    await call("GET", f"/v1/10dlc/resellers/{reseller.json()['id']}")
    await call("GET", "/v1/10dlc/resellers")
    await call(
        "POST",
        "/v1/10dlc/partnercampaigns/import",
        json={"account_id": USER, "campaign_id": "CPART01", "label": "Partner campaign"},
    )
    await call("GET", "/v1/10dlc/partnercampaigns/CPART01")
    body, headers = _multipart("proof.txt", "text/plain", b"the evidence")
    await call("POST", f"{brands}/appeal/evidence", content=body, headers=headers)
    await call("GET", f"{brands}/appeal/evidence")


@pytest.mark.parametrize("flow", [_bandwidth_flow, _vonage_flow], ids=["bandwidth", "vonage"])
def test_no_answer_of_a_full_flow_carries_an_example_placeholder(flow):
    app = _app(time_scale=60)
    answers = []

    async def scenario():
        async with _client(app) as client:

            async def call(method, path, headers=None, **sent):
                if "content" in sent and headers is None:
                    is_xml = sent["content"].lstrip().startswith(b"<")
                    headers = XML if is_xml else JSON
                response = await client.request(method, path, headers=headers, **sent)
                assert response.status_code < 300, (method, path, response.text)
                _checked(response)
                answers.append((method, path, response, response.request.content))
                return response

            await flow(client, call)

    asyncio.run(scenario())
    sent = set().union(*(_sent_values(request) for _, _, _, request in answers))
    today = time.strftime("%Y-%m-%d", time.gmtime(NOW))
    accounts = 0
    for method, path, response, _ in answers:
        media = response.headers.get("content-type", "")
        if not response.content or not ("xml" in media or "json" in media):
            continue
        for value in _strings(response.text, media):
            accounts += value in (ACCOUNT, USER)
            if value in sent:
                continue  # what the client sent comes back as it was sent
            where = f"{method} {path}: {value!r}"
            assert "{" not in value and "..." not in value and value != "string", where
            assert not any(foreign in value for foreign in FOREIGN), where
            for date in DATE.finditer(value):
                assert date.group(0).startswith(today), where
            if "http" in value:
                assert value.startswith(BASE + "/"), where  # links go to the sandbox
    assert accounts > 0  # the caller's account and user are where the examples showed others'


def test_answers_carry_the_callers_account_and_user_and_the_sandboxs_clock():
    clock = [NOW]
    app = create_app(
        sandbox=Sandbox(SandboxConfig(rate_limits=False, time_scale=60), clock=lambda: clock[0])
    )

    async def scenario():
        async with _client(app) as client:
            order = _checked(
                await client.post(
                    f"/api/accounts/{ACCOUNT}/importTnOrders",
                    content=_example("bandwidth/importTnOrders.create.request.xml"),
                    headers=XML,
                )
            )
            assert _xml_id(order, "AccountId") == ACCOUNT
            assert _xml_id(order, "CreatedByUser") == USER
            assert _xml_id(order, "OrderCreateDate") == "2031-05-17T08:09:10.250Z"
            brand = _checked(
                await client.post("/v1/10dlc/brands", json=valid_brand("2030-08-24T14:15:22Z"))
            ).json()
            assert brand["account_id"] == brand["primary_account_id"] == USER
            assert brand["created_date"] == brand["last_updated"] == "2031-05-17 08:09:10"
            assert brand["campaign_count"] == 0
            assert brand["_links"]["self"]["href"] == f"{BASE}/v1/10dlc/brands/{brand['brand_id']}"
            brands = f"/v1/10dlc/brands/{brand['brand_id']}"
            await client.post(f"{brands}/campaigns", json=valid_campaign())
            clock[0] += 3600  # an hour later, the brand changes
            changed = await client.patch(brands, json={"display_name": "Renamed"})
            assert changed.json()["created_date"] == "2031-05-17 08:09:10"
            assert changed.json()["last_updated"] == "2031-05-17 09:09:10"
            assert changed.json()["campaign_count"] == 1

    asyncio.run(scenario())


# -- paging --------------------------------------------------------------------------------------


def test_vonage_lists_page_with_totals_and_links_to_the_sandbox():
    app = _app()

    async def scenario():
        async with _client(app) as client:
            made = []
            for _ in range(5):
                made.append(
                    (
                        await client.post(
                            "/v1/10dlc/brands", json=valid_brand("2030-08-24T14:15:22Z")
                        )
                    ).json()
                )
            pages = {}
            for page in (1, 2, 3, 4):
                listed = _checked(await client.get(f"/v1/10dlc/brands?page={page}&page_size=2"))
                pages[page] = listed.json()
            whole = _checked(await client.get("/v1/10dlc/brands")).json()
            return made, pages, whole

    made, pages, whole = asyncio.run(scenario())
    ids = [brand["brand_id"] for brand in made]
    for number, body in pages.items():
        assert (body["page"], body["page_size"]) == (number, 2)
        assert (body["total_items"], body["total_pages"]) == (5, 3)
        shown = [brand["brand_id"] for brand in body["_embedded"]["brands"]]
        assert shown == ids[(number - 1) * 2 : number * 2]
        links = {name: link["href"] for name, link in body["_links"].items()}
        assert all(href.startswith(f"{BASE}/v1/10dlc/brands?") for href in links.values())
        assert links["self"].endswith(f"page={number}&page_size=2")
        assert links["first"].endswith("page=1&page_size=2")
        assert links["last"].endswith("page=3&page_size=2")
    assert "previous" not in pages[1]["_links"] and pages[1]["_links"]["next"]["href"].endswith(
        "page=2&page_size=2"
    )
    assert "next" not in pages[3]["_links"]  # the last page
    assert pages[3]["_embedded"]["brands"] == [made[4] | pages[3]["_embedded"]["brands"][0]]
    assert pages[4]["_embedded"]["brands"] == []  # beyond the last page: none
    assert pages[4]["_links"]["previous"]["href"].endswith("page=3&page_size=2")
    # no page asked for: the record's first page and default size (10)
    assert (whole["page"], whole["page_size"], whole["total_pages"]) == (1, 10, 1)
    assert len(whole["_embedded"]["brands"]) == 5


def test_lists_with_page_tokens_give_tokens_and_take_them_back():
    app = _app()

    async def scenario():
        async with _client(app) as client:
            for _ in range(3):
                await client.post(
                    "/v1/10dlc/resellers",
                    content=_example("vonage/resellers.create.request.json"),
                    headers=JSON,
                )
            first = _checked(await client.get("/v1/10dlc/resellers?page_size=2")).json()
            second = _checked(
                await client.get(f"/v1/10dlc/resellers?page_size=2&page_token={first['next_page']}")
            ).json()
            return first, second

    first, second = asyncio.run(scenario())
    assert (first["first_page"], first["next_page"], first["last_page"]) == ("1", "2", "2")
    assert "previous_page" not in first
    assert len(first["_embedded"]["resellers"]) == 2 and len(second["_embedded"]["resellers"]) == 1
    assert second["previous_page"] == "1" and "next_page" not in second
    assert "page_token" not in second["_links"]["previous"]["href"]


def test_bandwidth_lists_page_from_zero_and_count_every_record():
    app = _app()

    async def scenario():
        async with _client(app) as client:
            for _ in range(3):
                await client.post(
                    f"{BANDWIDTH}/brands",
                    content=_example("bandwidth/brands.create.request.xml"),
                    headers=XML,
                )
            return [
                _checked(await client.get(f"{BANDWIDTH}/brands/details?page={page}&size=2")).text
                for page in (0, 1, 2)
            ]

    pages = asyncio.run(scenario())
    assert [page.count("<Brand>") for page in pages] == [2, 1, 0]
    assert all("<TotalCount>3</TotalCount>" in page for page in pages)


# -- notifications ---------------------------------------------------------------------------


def test_both_kinds_of_order_notify_a_listener_with_their_real_values():
    listener = WebhookListener()
    webhook = listener.url
    running = serve_in_thread(
        create_app(SandboxConfig(time_scale=40, webhook_url=webhook, rate_limits=False))
    )
    tn_order = _example("bandwidth/tnOptions.create.request.xml").replace(
        b"<TnOptionGroups>", b"<CustomerOrderId>tn-order-77</CustomerOrderId><TnOptionGroups>"
    )
    try:
        with httpx.Client(base_url=running, auth=(USER, "secret-5")) as client:
            tn = _checked(
                client.post(f"/api/accounts/{ACCOUNT}/tnoptions", content=tn_order, headers=XML)
            )
            imported = _checked(
                client.post(
                    f"/api/accounts/{ACCOUNT}/importTnOrders",
                    content=_example("bandwidth/importTnOrders.create.request.xml"),
                    headers=XML,
                )
            )
            # TN option orders: RECEIVED, PROCESSING, COMPLETE; import orders: PROCESSING, COMPLETE
            deadline = time.monotonic() + 20
            while len(listener.received) < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            done = client.get(
                f"/api/accounts/{ACCOUNT}/importTnOrders/{_xml_id(imported, 'OrderId')}"
            )
    finally:
        running.stop()
        listener.shutdown()
    # the order changed when it moved on: its last change is after its creation
    assert _xml_id(done, "ProcessingStatus") == "COMPLETE"
    assert _xml_id(done, "LastModifiedDate") > _xml_id(done, "OrderCreateDate")
    bodies = {}
    for path, media, body in listener.received:
        assert path == "/webhookService" and media == "application/xml"
        assert tendlc.validate("bandwidth.webhooks.orderNotification", body).valid
        assert b"..." not in body
        order = re.search(rb"<OrderId>([^<]+)</OrderId>", body).group(1).decode()
        status = re.search(rb"<Status>([^<]+)</Status>", body).group(1).decode()
        bodies[(order, status)] = body
    tn_id, import_id = _xml_id(tn, "OrderId"), _xml_id(imported, "OrderId")
    assert set(bodies) == {(tn_id, "PROCESSING"), (tn_id, "COMPLETE"), (import_id, "COMPLETE")}
    assert b"<OrderType>tnoptions</OrderType>" in bodies[(tn_id, "COMPLETE")]
    assert b"<CustomerOrderId>tn-order-77</CustomerOrderId>" in bodies[(tn_id, "COMPLETE")]
    assert b"<OrderType>importtnorders</OrderType>" in bodies[(import_id, "COMPLETE")]
    assert b"<CustomerOrderId>marktestorders</CustomerOrderId>" in bodies[(import_id, "COMPLETE")]
    subscriptions = {
        re.search(rb"<SubscriptionId>([^<]+)<", body).group(1) for body in bodies.values()
    }
    assert len(subscriptions) == 2  # one subscription per order kind of the account


# -- seeds --------------------------------------------------------------------------------------

BRAND_XML = _example("bandwidth/brands.create.request.xml").decode()


@pytest.mark.parametrize(
    ("seed", "words"),
    [
        ({"operation": "bandwidth.brands.create"}, "the seed: "),
        ([{"body": BRAND_XML}], "seed entry 1: "),
        (
            [{"operation": "bandwidth.brands.create", "body": BRAND_XML, "acount": "9900000"}],
            "seed entry 1 (bandwidth.brands.create): Additional properties",
        ),
        (
            [{"operation": "bandwidth.brands.create", "body": BRAND_XML}, {"operation": 7}],
            "seed entry 2: field operation: 7 is not of type",
        ),
        (
            [{"operation": "bandwidth.brands.create", "body": 12}],
            "seed entry 1 (bandwidth.brands.create): field body: 12 is not of types",
        ),
        ([{"operation": "bandwidth.brand.create"}], "seed entry 1: field operation: unknown"),
        (
            [{"operation": "bandwidth.brands.get", "parameters": {"brandId": "B1"}}],
            "seed entry 1 (bandwidth.brands.get): field operation: bandwidth.brands.get makes no "
            "record",
        ),
        (
            [{"operation": "vonage.campaigns.create", "parameters": {"brandid": "B1"}}],
            "seed entry 1 (vonage.campaigns.create): field parameters.brandid: not a path "
            "parameter",
        ),
        (
            [{"operation": "bandwidth.brands.create", "body": "<Brand/>"}],
            "seed entry 1 (bandwidth.brands.create): field body: refused by its contract",
        ),
        (
            [
                {
                    "operation": "vonage.campaigns.create",
                    "parameters": {"brand_id": "BNONE01"},
                    "body": {"usecase": "MARKETING"},
                }
            ],
            "seed entry 1 (vonage.campaigns.create): field",
        ),
    ],
)
def test_a_seed_that_cannot_be_honoured_names_the_entry_and_the_field(seed, words):
    app = _app()
    with pytest.raises(tendlc.InvalidArgument) as refused:
        app.state.sandbox.seed(seed)
    assert words in str(refused.value)
    assert app.state.sandbox.seeded == []


def test_a_seed_refused_part_way_keeps_nothing_and_the_endpoint_says_why():
    app = _app()
    seed = [
        {
            "operation": "vonage.brands.create",
            "account": USER,
            "id": "BSEEDV1",
            "body": valid_brand("2030-08-24T14:15:22Z"),
        },
        {
            "operation": "vonage.brands.create",
            "account": USER,
            "id": "BSEEDV1",
            "body": valid_brand("2030-08-24T14:15:22Z"),
        },
    ]
    refused_id = r"seed entry 2 \(vonage\.brands\.create\): field id"
    with pytest.raises(tendlc.InvalidArgument, match=refused_id):
        app.state.sandbox.seed(seed)
    assert app.state.sandbox.records("vonage.brands") == []

    async def scenario():
        async with _client(app) as client:
            refused = await client.post(
                "/_sandbox/seed", json=[{"operation": "vonage.brand.create"}]
            )
            assert refused.status_code == 400
            assert "seed entry 1: field operation" in refused.json()["error"]
            assert "vonage.brands.create" in refused.json()["suggestions"]
            taken = await client.post("/_sandbox/seed", json=seed[:1])
            assert taken.json() == {"created": ["BSEEDV1"], "notes": []}
            assert (await client.get("/v1/10dlc/brands/BSEEDV1")).status_code == 200

    asyncio.run(scenario())


def test_a_seed_entry_without_an_account_takes_the_placeholder_and_says_so(tmp_path):
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        yaml.safe_dump(
            [
                {
                    "operation": "vonage.brands.create",
                    "id": "BPLACE1",
                    "body": valid_brand("2030-08-24T14:15:22Z"),
                },
                {
                    "operation": "vonage.campaigns.create",
                    "parameters": {"brand_id": "BPLACE1"},
                    "body": valid_campaign(),
                },
            ]
        )
    )
    app = _app()
    created = app.state.sandbox.seed(seed_file(seed))
    assert created[0] == "BPLACE1" and re.fullmatch(r"C[A-Z0-9]{7}", created[1])
    notes = app.state.sandbox.seed_notes
    assert len(notes) == 2 and "seed entry 1 (vonage.brands.create)" in notes[0]
    assert "'abcd1234', the vonage account placeholder" in notes[0]

    async def scenario():
        async with _client(app, auth=("abcd1234", "x")) as client:
            assert (await client.get("/v1/10dlc/brands/BPLACE1")).status_code == 200
        async with _client(app) as client:  # another account does not see it
            assert (await client.get("/v1/10dlc/brands/BPLACE1")).status_code == 404

    asyncio.run(scenario())


def test_the_sandbox_command_says_what_a_seed_left_to_the_placeholder_and_refuses_a_bad_one(
    tmp_path, monkeypatch
):
    from click.testing import CliRunner

    from tendlc._cli import _traffic
    from tendlc.cli import main

    served = []
    monkeypatch.setattr(_traffic, "_serve", lambda app, listener, rules: served.append(app))
    good = tmp_path / "good.json"
    good.write_text(json.dumps([{"operation": "bandwidth.brands.create", "body": BRAND_XML}]))
    outcome = CliRunner().invoke(main, ["sandbox", "--port", "0", "--seed", str(good)])
    assert outcome.exit_code == 0, outcome.output
    assert "seeded 1 record(s)" in outcome.output
    assert "seed entry 1 (bandwidth.brands.create) names no account" in outcome.output
    assert "'9900000', the bandwidth account placeholder" in outcome.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("- operation: bandwidth.brands.create\n  body: [1]\n  user: ''\n")
    outcome = CliRunner().invoke(main, ["sandbox", "--port", "0", "--seed", str(bad)])
    assert outcome.exit_code == 2 and len(served) == 1
    assert f"{bad}: the seed is refused: seed entry 1 (bandwidth.brands.create): field" in (
        outcome.output.replace("\n", " ")
    )
    assert "Traceback" not in outcome.output


def test_the_seed_schema_is_shipped_and_checks_the_documented_example():
    schema = seed_schema()
    assert schema["$schema"].endswith("2020-12/schema") and schema["type"] == "array"
    readme = (Path(__file__).parent.parent / "contracts" / "README.md").read_text()
    example = re.search(r"```yaml\n(# a seed.*?)```", readme, re.S).group(1)
    entries = parse_seed(yaml.safe_load(example))
    assert [entry.operation.id for entry in entries][:2] == [
        "bandwidth.brands.create",
        "bandwidth.campaignImports.create",
    ]
    app = _app()
    assert len(app.state.sandbox.seed(entries)) == len(entries)


def test_reset_returns_to_the_seeded_state_with_the_same_ids():
    app = _app()
    seeded = app.state.sandbox.seed(
        [
            {
                "operation": "vonage.brands.create",
                "account": USER,
                "body": valid_brand("2030-08-24T14:15:22Z"),
            },
            {
                "operation": "bandwidth.campaignImports.create",
                "account": ACCOUNT,
                "body": "<ImportedCampaign><CampaignId>CSEED42</CampaignId></ImportedCampaign>",
            },
        ]
    )
    brand = seeded[0]
    assert seeded[1] == "CSEED42"

    async def scenario():
        async with _client(app) as client:
            await client.post(f"/v1/10dlc/brands/{brand}/campaigns", json=valid_campaign())
            made = (
                await client.post("/v1/10dlc/brands", json=valid_brand("2030-08-24T14:15:22Z"))
            ).json()
            await client.delete(f"/v1/10dlc/brands/{brand}")
            assert (await client.post("/_sandbox/reset")).json() == {
                "reset": True,
                "seeded": seeded,
            }
            assert (await client.get("/_sandbox/requests")).json() == []  # a fresh log
            back = _checked(await client.get(f"/v1/10dlc/brands/{brand}")).json()
            assert back["campaign_count"] == 0  # the campaign made after the seed is gone
            assert (await client.get(f"/v1/10dlc/brands/{made['brand_id']}")).status_code == 404
            listed = (await client.get("/v1/10dlc/brands")).json()
            assert [b["brand_id"] for b in listed["_embedded"]["brands"]] == [brand]
            imported = await client.get(f"{BANDWIDTH}/campaigns/imports/CSEED42")
            assert imported.status_code == 200

    asyncio.run(scenario())


# -- the request log ---------------------------------------------------------------------------


def test_every_request_is_logged_with_its_operation_status_time_duration_and_issues():
    app = _app()

    async def scenario():
        async with _client(app) as client:
            await client.get(f"{BANDWIDTH}/brands?type=main")
            await client.post(f"{BANDWIDTH}/brands", content=b"<Brand/>", headers=XML)
            await client.get("/not/a/path")
            await client.get("/v1/10dlc/account", auth=None)
            return (await client.get("/_sandbox/requests")).json()

    log = asyncio.run(scenario())
    assert [(e["method"], e["path"], e["operation"], e["status"]) for e in log] == [
        ("GET", f"{BANDWIDTH}/brands", "bandwidth.brands.list", 200),
        ("POST", f"{BANDWIDTH}/brands", "bandwidth.brands.create", 400),
        ("GET", "/not/a/path", None, 404),
        ("GET", "/v1/10dlc/account", "vonage.account.get", 401),
    ]
    assert all(e["time"] == "2031-05-17T08:09:10.250Z" for e in log)
    assert all(0 < e["duration"] < 10 for e in log)
    refused = log[1]["issues"]
    assert refused and {issue["severity"] for issue in refused} == {"error"}
    assert any(
        issue["rule"] == "required" and issue["path"].startswith("/Brand/") for issue in refused
    )
    assert [e["issues"] for e in log if e is not log[1]] == [[], [], []]


def test_one_access_log_line_per_request_only_where_asked_for(capsys):
    app = _app()

    async def requests():
        async with _client(app) as client:
            await client.get(f"{BANDWIDTH}/brands?type=main")
            await client.post("/v1/10dlc/brands", json={"entity_type": 1})

    asyncio.run(requests())
    assert capsys.readouterr().err == ""  # quiet unless asked
    stream = io.StringIO()
    with access_log(stream):
        asyncio.run(requests())
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert re.fullmatch(
        rf"GET {BANDWIDTH}/brands 200 \d+\.\dms bandwidth\.brands\.list", lines[0]
    ), lines[0]
    assert re.fullmatch(r"POST /v1/10dlc/brands 400 \d+\.\dms vonage\.brands\.create", lines[1])
    assert not logging.getLogger("tendlc.sandbox.access").handlers


def test_the_sandbox_command_logs_each_request_unless_quiet(monkeypatch):
    from click.testing import CliRunner

    from tendlc._cli import _traffic
    from tendlc.cli import main

    def serve(app, listener, rules):
        listener.close()

        async def request():
            async with _client(app) as client:
                await client.get("/v1/10dlc/account")

        asyncio.run(request())

    monkeypatch.setattr(_traffic, "_serve", serve)
    loud = CliRunner().invoke(main, ["sandbox", "--port", "0"])
    assert loud.exit_code == 0, loud.output
    assert re.search(
        r"^GET /v1/10dlc/account 200 \d+\.\dms vonage\.account\.get$", loud.output, re.M
    )
    quiet = CliRunner().invoke(main, ["sandbox", "--port", "0", "--quiet"])
    assert quiet.exit_code == 0 and "/v1/10dlc/account" not in quiet.output


# -- Prefer ------------------------------------------------------------------------------------


def test_prefer_code_answers_a_documented_status_with_its_documented_body():
    app = _app()

    async def scenario():
        async with _client(app) as client:
            made = await client.post(
                f"{BANDWIDTH}/brands",
                content=_example("bandwidth/brands.create.request.xml"),
                headers=XML,
            )
            brand = _xml_id(made, "BrandId")
            missing = _checked(
                await client.get(f"{BANDWIDTH}/brands/{brand}", headers={"Prefer": "code=404"})
            )
            assert missing.status_code == 404
            assert missing.content == _example("bandwidth/brands.get.response.404.xml")
            assert missing.headers["Preference-Applied"] == "code=404"
            # a documented status the pages show no body for: the provider's error envelope
            conflict = _checked(
                await client.post(
                    f"{BANDWIDTH}/brands",
                    content=_example("bandwidth/brands.create.request.xml"),
                    headers={**XML, "Prefer": "code=409"},
                )
            )
            assert conflict.status_code == 409 and "<ErrorCode>409</ErrorCode>" in conflict.text
            limited = await client.get("/v1/10dlc/brands", headers={"Prefer": "code=429"})
            assert limited.status_code == 400  # not documented for the Vonage list
            assert "its documented statuses: 200" in limited.json()["detail"]
            wrong = await client.get(f"{BANDWIDTH}/brands/{brand}", headers={"Prefer": "code=418"})
            assert wrong.status_code == 400
            assert "code=418 is not a documented status of bandwidth.brands.get" in wrong.text
            assert "200, 400, 403, 404, 409, 429" in wrong.text
            # nothing was kept by the Prefer answers: one brand
            listed = await client.get(f"{BANDWIDTH}/brands?type=main")
            assert listed.text.count("<Brand>") == 1

    asyncio.run(scenario())


def test_prefer_delay_waits_and_bad_values_are_refused():
    app = _app()

    async def scenario():
        async with _client(app) as client:
            started = time.perf_counter()
            slow = await client.get("/v1/10dlc/account", headers={"Prefer": "delay=0.4"})
            elapsed = time.perf_counter() - started
            assert slow.status_code == 200 and slow.headers["Preference-Applied"] == "delay=0.4"
            assert elapsed >= 0.4
            for value in ("soon", "-1", "61", "nan"):
                bad = await client.get("/v1/10dlc/account", headers={"Prefer": f"delay={value}"})
                assert bad.status_code == 400
                assert "not a number of seconds from 0 to 60" in bad.json()["detail"]
            # preferences the sandbox does not know are ignored (RFC 7240)
            other = await client.get("/v1/10dlc/account", headers={"Prefer": "return=minimal"})
            assert other.status_code == 200 and "Preference-Applied" not in other.headers

    asyncio.run(scenario())


@pytest.fixture
def acme_with_two_examples(tmp_path, monkeypatch):
    """acme, its single sender answer given as two named examples."""
    directory = tmp_path / "acme"
    shutil.copytree(ACME, directory)
    contract = yaml.safe_load((directory / "openapi.yaml").read_text())
    media = contract["components"]["responses"]["OneSender"]["content"]["application/json"]
    individual = media.pop("example")
    business = {
        **individual,
        "type": "business",
        "display_name": "Acme Deliveries",
        "company_name": "Acme Deliveries Inc.",
    }
    media["examples"] = {"individual": {"value": individual}, "business": {"value": business}}
    (directory / "openapi.yaml").write_text(yaml.safe_dump(contract, sort_keys=False))
    monkeypatch.setenv(PROVIDERS_VARIABLE, str(directory))
    reload_providers()
    yield
    monkeypatch.delenv(PROVIDERS_VARIABLE)
    reload_providers()


def test_prefer_example_picks_a_named_documented_example(acme_with_two_examples):
    app = _app()
    sender = "/v2/accounts/acct-5150/senders/snd_0123456789AB"

    async def scenario():
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=BASE, headers={"X-Acme-Key": "k"}
        ) as client:
            business = await client.get(sender, headers={"Prefer": "example=business"})
            individual = await client.get(sender, headers={"Prefer": 'example="individual"'})
            unknown = await client.get(sender, headers={"Prefer": "example=partner"})
            missing = await client.get(sender)
            return business, individual, unknown, missing

    business, individual, unknown, missing = asyncio.run(scenario())
    assert business.status_code == 200 and business.json()["type"] == "business"
    assert business.headers["Preference-Applied"] == 'example="business"'
    assert individual.json()["type"] == "individual"
    assert unknown.status_code == 400
    assert (
        "example=partner is not a documented example of acme.senders.get 200"
        in (unknown.json()["error"]["message"])
    )
    assert "individual, business" in unknown.json()["error"]["message"]
    assert missing.status_code == 404  # without Prefer, the sandbox's state answers
