"""The brand behind a campaign, remembered across exchanges: what each provider's exchanges
teach a BrandMemory, and the advice a campaign that names a remembered brand gets."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import tendlc
from _support.brands import BRAND_ADVICE, BRAND_ID, BRAND_REQUEST, CAMPAIGN, body
from tendlc.traffic import BrandMemory, Exchange, Headers, Request, Response, check_exchange

EXAMPLES = Path(__file__).parent.parent / "examples"
VONAGE = "https://api.nexmo.com/v1/10dlc/brands"
BANDWIDTH = "https://dashboard.bandwidth.com/api/accounts/9900000/campaignManagement/10dlc/brands"
JSON = Headers({"Content-Type": "application/json"})
XML = Headers({"Content-Type": "application/xml"})


def _example(name):
    return (EXAMPLES / name).read_bytes()


def _exchange(method, url, sent=b"", status=200, answer=b"", headers=JSON):
    return Exchange(
        Request(method, url, headers=headers if sent else Headers(), body=sent),
        Response(status, headers=headers if answer else Headers(), body=answer),
    )


def _created(brand_id=BRAND_ID, answer=None):
    answer = {"brand_id": brand_id} if answer is None else answer
    return _exchange("POST", VONAGE, body(BRAND_REQUEST), 201, body(answer))


def _campaign(brand_id=BRAND_ID, data=CAMPAIGN):
    return _exchange("POST", f"{VONAGE}/{brand_id}/campaigns", body(data), 201, b"")


def _advice(result):
    return [(issue.rule, issue.path) for issue in result.advice]


# -- what exchanges teach ---------------------------------------------------------------------


def test_a_brand_create_teaches_the_request_fields_under_the_answer_id():
    memory = BrandMemory()
    assert memory.learn(_created()) == [BRAND_ID]
    assert memory.get("vonage", BRAND_ID) == {
        "display_name": "Acme Plumbing",
        "company_name": "Acme Plumbing LLC",
        "website": "https://www.acmeplumbing.com",
        "email": "support@acmeplumbing.com",
        "entity_type": "PRIVATE_PROFIT",
        "ein": "20-1111111",
    }
    # another provider's brand of the same id is another brand
    assert memory.get("bandwidth", BRAND_ID) is None


@pytest.mark.parametrize(
    ("exchange", "learned", "name"),
    [
        (
            _exchange(
                "GET",
                f"{VONAGE}/BLQKOPK",
                answer=(EXAMPLES / "vonage/brands.get.response.200.json").read_bytes(),
            ),
            ("vonage", "BLQKOPK"),
            "Vonage",
        ),
        (
            _exchange(
                "GET",
                VONAGE,
                answer=(EXAMPLES / "vonage/brands.list.response.200.json").read_bytes(),
            ),
            ("vonage", "BLQKOPK"),
            "Vonage",
        ),
        (
            _exchange(
                "POST",
                BANDWIDTH,
                (EXAMPLES / "bandwidth/brands.create.request.xml").read_bytes(),
                201,
                (EXAMPLES / "bandwidth/brands.create.response.201.xml").read_bytes(),
                XML,
            ),
            ("bandwidth", "BJDHM3"),
            "Bandwidth",
        ),
        (
            _exchange(
                "GET",
                BANDWIDTH + "?type=main",
                answer=(EXAMPLES / "bandwidth/brands.list.response.200.xml").read_bytes(),
                headers=XML,
            ),
            ("bandwidth", "BJDHM3"),
            "Bandwidth Customer",
        ),
    ],
    ids=["vonage-get", "vonage-list", "bandwidth-create", "bandwidth-list"],
)
def test_the_documented_brand_answers_teach_their_brands(exchange, learned, name):
    memory = BrandMemory()
    assert memory.learn(exchange) == [learned[1]]
    assert list(memory) == [learned]
    assert memory.get(*learned)["display_name"] == name


def test_every_brand_of_a_list_is_learned():
    listed = {
        "_embedded": {
            "brands": [
                {"brand_id": "B000001", "display_name": "One"},
                {"brand_id": "B000002", "display_name": "Two"},
                {"display_name": "No id, not kept"},
            ]
        }
    }
    memory = BrandMemory()
    assert memory.learn(_exchange("GET", VONAGE, answer=body(listed))) == ["B000001", "B000002"]
    assert memory.get("vonage", "B000002") == {"display_name": "Two"}


def test_an_update_lays_its_fields_over_the_brand_and_an_empty_answer_keeps_the_path_id():
    memory = BrandMemory()
    memory.learn(_created())
    patch = _exchange("PATCH", f"{VONAGE}/{BRAND_ID}", body({"display_name": "Acme Pipes"}), 200)
    assert memory.learn(patch) == [BRAND_ID]
    brand = memory.get("vonage", BRAND_ID)
    assert brand["display_name"] == "Acme Pipes"
    assert brand["company_name"] == "Acme Plumbing LLC"


@pytest.mark.parametrize(
    "exchange",
    [
        _exchange("POST", VONAGE, body(BRAND_REQUEST), 400, body({"type": "x"})),
        _exchange("POST", VONAGE, body(BRAND_REQUEST), 201, b"{not json"),
        _exchange("POST", VONAGE, body(BRAND_REQUEST), 201, b""),
        Exchange(Request("POST", VONAGE, headers=JSON, body=body(BRAND_REQUEST))),
        _exchange("GET", f"{VONAGE}/{BRAND_ID}/campaigns", answer=b"{}"),
        _exchange("GET", "https://example.com/nothing/documented", answer=b"{}"),
    ],
    ids=["refused", "unreadable", "empty", "unanswered", "not-a-brand", "unmatched"],
)
def test_what_shows_no_brand_teaches_nothing(exchange):
    memory = BrandMemory()
    assert memory.learn(exchange) == []
    assert len(memory) == 0


def test_an_operation_given_outright_is_learned_from_even_at_an_unknown_url():
    exchange = _exchange(
        "POST",
        "http://127.0.0.1:9/elsewhere",
        body(BRAND_REQUEST),
        201,
        body({"brand_id": "B000009"}),
    )
    memory = BrandMemory()
    assert memory.learn(exchange) == []
    assert memory.learn(exchange, operation="vonage.brands.create") == ["B000009"]
    # a path parameter of another operation's URL is not the brand's id
    update = _exchange("PATCH", f"{VONAGE}/B000010/campaigns/C1", body({"display_name": "X"}), 200)
    assert memory.learn(update, operation="vonage.brands.update") == []


def test_the_memory_forgets_the_oldest_beyond_its_size():
    memory = BrandMemory(size=2)
    for index in range(3):
        memory.remember("vonage", f"B00000{index}", {"display_name": str(index)})
    assert list(memory) == [("vonage", "B000001"), ("vonage", "B000002")]
    memory.remember("vonage", "B000001", {"website": "https://one.example"})
    assert list(memory) == [("vonage", "B000002"), ("vonage", "B000001")]
    assert memory.get("vonage", "B000001") == {
        "display_name": "1",
        "website": "https://one.example",
    }
    memory.clear()
    assert len(memory) == 0


def test_threads_remember_without_losing_brands():
    memory = BrandMemory()

    def learn(start):
        for index in range(start, start + 200):
            memory.remember("vonage", f"B{index:06d}", {"display_name": str(index)})

    threads = [threading.Thread(target=learn, args=(n * 200,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(memory) == 800


# -- the advice of a campaign under a remembered brand ----------------------------------------


def test_a_campaign_under_a_remembered_brand_gets_the_brand_advice():
    memory = BrandMemory()
    created = check_exchange(_created(), advice=True, brands=memory)
    assert created.operation == "vonage.brands.create"
    result = check_exchange(_campaign(), advice=True, brands=memory)
    assert result.operation == "vonage.campaigns.create"
    assert _advice(result) == [BRAND_ADVICE]
    # the same campaign with no memory, or under a brand never seen: nothing to compare with
    assert _advice(check_exchange(_campaign(), advice=True)) == []
    assert _advice(check_exchange(_campaign("B999999"), advice=True, brands=memory)) == []


def test_a_brand_given_outright_wins_and_no_advice_asked_means_no_advice():
    memory = BrandMemory()
    check_exchange(_created(), brands=memory)  # learned even when advice is not asked for
    assert memory.get("vonage", BRAND_ID) is not None
    assert _advice(check_exchange(_campaign(), brands=memory)) == []
    # another brand given outright is the one read: the samples do not name it
    other = {"display_name": "Zeta Pipes"}
    result = check_exchange(_campaign(), advice=True, brands=memory, brand=other)
    assert ("advice.sample-brand-name", "/sample_one") in _advice(result)
    assert ("advice.sample-brand-name", "/sample_one") not in _advice(
        check_exchange(_campaign(), advice=True, brands=memory)
    )


def test_a_campaign_update_names_its_brand_by_the_path_too():
    memory = BrandMemory()
    check_exchange(_created(), brands=memory)
    update = _exchange(
        "PATCH",
        f"{VONAGE}/{BRAND_ID}/campaigns/C1234567",
        body({"opt_out_message": CAMPAIGN["opt_out_message"]}),
        200,
    )
    assert _advice(check_exchange(update, advice=True, brands=memory)) == [BRAND_ADVICE]


def test_advice_as_errors_applies_to_the_remembered_brand_advice():
    memory = BrandMemory()
    check_exchange(_created(), brands=memory)
    result = check_exchange(_campaign(), advice=True, advice_as_errors=True, brands=memory)
    assert [(i.rule, i.path) for i in result.errors if i.rule.startswith("advice.")] == [
        BRAND_ADVICE
    ]


def test_brand_for_names_the_brand_of_the_operations_that_name_one():
    memory = BrandMemory()
    memory.learn(_created())
    assert memory.brand_for("vonage.campaigns.create", {"brand_id": BRAND_ID}) is not None
    assert memory.brand_for("vonage.campaigns.create", {"brand_id": "B999999"}) is None
    # a brand read names its brand by id too, but no advice reads its body
    assert memory.brand_for("vonage.brands.get", {"brand_id": BRAND_ID}) is None
    with pytest.raises(tendlc.UnknownOperationError):
        memory.brand_for("vonage.campaign.create", {})


def test_the_memory_reads_every_shipped_provider_from_data():
    """Every operation a provider's advice.yaml says shows brands, or names one, exists; and
    every operation whose body the brand rules read under a brand id says where the id is."""
    from tendlc._resources import contracts_dir
    from tendlc._shared import load_yaml

    for path in sorted(contracts_dir().glob("*/advice.yaml")):
        data = load_yaml(path)
        for operation_id, spec in (data.get("brand_exchanges") or {}).items():
            operation = tendlc.get_operation(operation_id)
            parameter = spec.get("parameter")
            assert parameter is None or parameter in (operation.path_parameters or {}).get(
                "properties", {}
            ), (operation_id, parameter)
        for operation_id, parameter in (data.get("brand_references") or {}).items():
            operation = tendlc.get_operation(operation_id)
            assert parameter in operation.path_parameters["properties"], operation_id
            assert operation_id in data["operations"], operation_id


def test_the_exchange_result_is_the_same_with_or_without_a_memory_when_no_brand_is_known():
    plain = check_exchange(_campaign(), advice=True)
    remembered = check_exchange(_campaign(), advice=True, brands=BrandMemory())
    assert json.dumps(plain.to_dict(), sort_keys=True) == json.dumps(
        remembered.to_dict(), sort_keys=True
    )


# -- noted now, read when asked ---------------------------------------------------------------

_DEFERRED = """
import json, sys
from tendlc.traffic import BrandMemory, Exchange, Headers, Request, Response, check_exchange

JSON = Headers({"Content-Type": "application/json"})
sent, answer = (item.encode() for item in json.loads(sys.argv[1]))
memory = BrandMemory()
exchange = Exchange(
    Request("POST", "https://api.nexmo.com/v1/10dlc/brands", headers=JSON, body=sent),
    Response(201, headers=JSON, body=answer),
)
check_exchange(exchange, brands=memory)
loaded = "tendlc._validation._advice" in sys.modules
learned = memory.get("vonage", json.loads(answer)["brand_id"])
print(json.dumps([loaded, learned, "tendlc._validation._advice" in sys.modules]))
"""


def _deferred(tmp_path, answer):
    bodies = json.dumps([body(BRAND_REQUEST).decode(), body(answer).decode()])
    done = subprocess.run(
        [sys.executable, "-c", _DEFERRED, bodies],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    return json.loads(done.stdout)


def test_checking_traffic_notes_brands_and_reads_them_only_when_asked(tmp_path):
    loaded, learned, then = _deferred(tmp_path, {"brand_id": BRAND_ID})
    # checked without advice: nothing parsed for brands, the advice rules not even loaded
    assert loaded is False
    # the first read learns from what was noted
    assert learned["display_name"] == json.loads(body(BRAND_REQUEST))["display_name"]
    assert then is True


def test_a_large_exchange_is_learned_from_at_once_rather_than_kept(tmp_path):
    padded = {"brand_id": BRAND_ID, "display_name": "x" * (70 << 10)}
    loaded, learned, _ = _deferred(tmp_path, padded)
    assert loaded is True  # read when checked: its bodies are not kept waiting
    assert learned["display_name"] == "x" * (70 << 10)


def test_noted_exchanges_are_read_in_order_before_anything_else():
    memory = BrandMemory()
    found = tendlc.get_operation("vonage.brands.create")
    memory.observe(_created(), operation=found, path_parameters={})
    memory.remember("vonage", BRAND_ID, {"display_name": "Renamed"})
    assert memory.get("vonage", BRAND_ID)["display_name"] == "Renamed"  # the later one wins
    memory.observe(_created("B000002"), operation=found, path_parameters={})
    assert len(memory) == 2 and list(memory)[-1] == ("vonage", "B000002")
    memory.observe(_created("B000003"), operation=found, path_parameters={})
    memory.clear()
    assert len(memory) == 0  # what was noted is forgotten too
