"""Responses keep the value rules of the same field in requests, and require what every response
of the kind carries.

A mock of a provider answer (httpx MockTransport, respx, responses, a cassette) is checked against
the response contracts: a value a request may not send (a state name where a 2-letter code is due)
is refused in a response too, and an answer without the ids and status the pages always show is
not an answer of that operation. The contracts are read as data: every field a response schema
shares with a request schema of the same resource has the same value rules, save the exceptions
contracts/errata.yaml records.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from lxml import etree

import tendlc
from tendlc._catalog import load_contract
from tendlc._resources import contracts_dir
from tendlc._shared import load_yaml

OPENAPI = load_contract("vonage/openapi.yaml")
SCHEMAS = OPENAPI["components"]["schemas"]
ERRATA = {entry["id"]: entry for entry in load_yaml(contracts_dir() / "errata.yaml")}

# The keywords that constrain a value (not whether it is there).
VALUE_KEYWORDS = (
    "type",
    "enum",
    "const",
    "pattern",
    "format",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "items",
    "allOf",
    "not",
    "x-rule",
)

# -- Vonage ----------------------------------------------------------------------------------

# (response schema, request schema) of the same resource.
VONAGE_PAIRS = [
    ("Brand", "BrandCreateRequest"),
    ("Brand", "BrandUpdateRequest"),
    ("Campaign", "CampaignCreateRequest"),
    ("Campaign", "CampaignUpdateRequest"),
    ("MessageFlowDetailsResult", "MessageFlowDetails"),
    ("VettingRecord", "VettingCreateRequest"),
    ("VettingRecord", "VettingImportRequest"),
    ("VettingAdditionalInfo", "VettingPoliticalDetails"),
    ("Number", "NumberLinkRequest"),
    ("Reseller", "ResellerCreateRequest"),
    ("PartnerCampaignImportResponse", "PartnerCampaignImportRequest"),
    ("AccountSettings", "AccountSettingsUpdate"),
]

# Where a response legitimately differs, and the erratum that records why.
VONAGE_EXCEPTIONS = {
    ("Campaign", "CampaignUpdateRequest", "status"): "VG-078",
    ("VettingRecord", "VettingCreateRequest", "evp_id"): "VG-117",
    ("VettingRecord", "VettingImportRequest", "evp_id"): "VG-117",
    ("VettingAdditionalInfo", "VettingPoliticalDetails", "election_date"): "VG-011",
    ("AccountSettings", "AccountSettingsUpdate", "account.opt-out-assist-enable-only"): "VG-136",
}


def _resolve(node: Any) -> Any:
    while isinstance(node, Mapping) and "$ref" in node:
        target = SCHEMAS[node["$ref"].rsplit("/", 1)[-1]]
        node = {**target, **{key: value for key, value in node.items() if key != "$ref"}}
    return node


def _value_rules(node: Any) -> Any:
    """A field schema reduced to what constrains its value, every ``$ref`` followed."""
    node = _resolve(node)
    if isinstance(node, list):
        return [_value_rules(item) for item in node]
    if not isinstance(node, Mapping):
        return node
    return {key: _value_rules(node[key]) for key in VALUE_KEYWORDS if key in node}


def _rule_nodes(schema: Any) -> Iterator[Mapping[str, Any]]:
    stack = [schema]
    while stack:
        node = _resolve(stack.pop())
        if isinstance(node, Mapping):
            if "x-rule" in node:
                yield node
            stack.extend(node.get("allOf", []))


def _constrains_values(node: Mapping[str, Any]) -> bool:
    """A rule that says what a value may be (a pattern, a constant ...), as opposed to one that
    says whether a field is there (``required``, ``dependentRequired``, ``not: required``)."""
    effect = node.get("then", node)
    return "properties" in effect and "required" not in effect and "not" not in effect


def _value_rule_nodes(schema_name: str) -> dict[str, Mapping[str, Any]]:
    return {
        node["x-rule"]: node
        for node in _rule_nodes(SCHEMAS[schema_name])
        if _constrains_values(node)
    }


@pytest.mark.parametrize(("response", "request_schema"), VONAGE_PAIRS)
def test_a_vonage_response_field_keeps_the_value_rules_of_the_request_field(
    response, request_schema
):
    answer = _resolve(SCHEMAS[response])["properties"]
    sent = _resolve(SCHEMAS[request_schema])["properties"]
    shared = sorted(set(answer) & set(sent))
    assert shared, (response, request_schema)
    differing = {
        field
        for field in shared
        if _value_rules(answer[field]) != _value_rules(sent[field])
        and (response, request_schema, field) not in VONAGE_EXCEPTIONS
    }
    assert differing == set()


@pytest.mark.parametrize(("response", "request_schema"), VONAGE_PAIRS)
def test_a_vonage_response_keeps_the_conditional_value_rules_of_the_request(
    response, request_schema
):
    kept = _value_rule_nodes(response)
    for rule, node in _value_rule_nodes(request_schema).items():
        if (response, request_schema, rule) in VONAGE_EXCEPTIONS:
            assert rule not in kept
            continue
        assert rule in kept, f"{response} lacks {rule} of {request_schema}"
        assert kept[rule] == node, f"{response} words {rule} otherwise than {request_schema}"


def test_the_vonage_exceptions_are_recorded_in_the_errata():
    for (response, _, field), erratum in VONAGE_EXCEPTIONS.items():
        entry = ERRATA[erratum]
        text = " ".join(str(entry.get(key, "")) for key in ("finding", "decision", "where"))
        assert field in text, (erratum, field)
        assert response in SCHEMAS


# -- Bandwidth -------------------------------------------------------------------------------

XSD = "{http://www.w3.org/2001/XMLSchema}"
T = "{urn:tendlc:contract}"
BANDWIDTH_FILES = [
    "brands.xsd",
    "campaign_settings.xsd",
    "campaign_imports.xsd",
    "tn_options.xsd",
    "vetting.xsd",
    "hosted_messaging.xsd",
    "types.xsd",
]


def _complex_types() -> dict[str, etree._Element]:
    found = {}
    for name in BANDWIDTH_FILES:
        tree = etree.parse(str(contracts_dir() / "bandwidth" / name))
        for node in tree.getroot().iterfind(f"{XSD}complexType[@name]"):
            found[node.get("name")] = node
    return found


TYPES = _complex_types()

# (response type, request type) of the same element.
BANDWIDTH_PAIRS = [
    ("BrandResult", "BrandCreate"),
    ("BrandResult", "BrandUpdate"),
    ("ResellerResult", "Reseller"),
    ("CampaignSettingsResult", "CampaignSettings"),
    ("ImportedCampaignResult", "ImportedCampaignRequest"),
    ("A2pSettingsResult", "A2pSettings"),
    ("TnOptionGroupResult", "TnOptionGroup"),
    ("TnOptionOrderResult", "TnOptionOrderRequest"),
    ("BrandVettingResult", "BrandVettingRequest"),
    ("BrandVettingResult", "BrandVettingImport"),
    ("ServiceAddressResult", "ServiceAddress"),
    ("SubscriberResult", "Subscriber"),
    ("ImportTnOrderResult", "ImportTnOrderRequest"),
    ("TelephoneNumberResults", "TelephoneNumbers"),
    ("TnOptionGroupsResult", "TnOptionGroups"),
    ("Notification", "ImportTnOrderRequest"),
]
# A complex child of a response is the response type of the request's child.
RESULT_OF = {request: response for response, request in BANDWIDTH_PAIRS}

BANDWIDTH_EXCEPTIONS = {
    ("BrandVettingResult", "BrandVettingRequest", "EvpId"): "BW-065",
    ("Notification", "ImportTnOrderRequest", "CustomerOrderId"): "BW-080",
}


def _children(complex_type: etree._Element) -> dict[str, str]:
    return {
        element.get("name"): element.get("type")
        for element in complex_type.iter(f"{XSD}element")
        if element.get("name")
    }


def _value_asserts(complex_type: etree._Element) -> dict[str, str]:
    """The asserts that say what a value may be (``t:kind="invalid"``), by rule id."""
    return {
        node.get(f"{T}rule"): node.get("test")
        for node in complex_type.iterfind(f"{XSD}assert")
        if node.get(f"{T}kind") == "invalid"
    }


@pytest.mark.parametrize(("response", "request_type"), BANDWIDTH_PAIRS)
def test_a_bandwidth_response_element_keeps_the_type_of_the_request_element(response, request_type):
    answer, sent = _children(TYPES[response]), _children(TYPES[request_type])
    shared = sorted(set(answer) & set(sent))
    assert shared, (response, request_type)
    differing = {
        name: (answer[name], sent[name])
        for name in shared
        if answer[name] != sent[name]
        and answer[name] != RESULT_OF.get(sent[name])
        and (response, request_type, name) not in BANDWIDTH_EXCEPTIONS
    }
    assert differing == {}


@pytest.mark.parametrize(("response", "request_type"), BANDWIDTH_PAIRS)
def test_a_bandwidth_response_keeps_the_value_asserts_of_the_request(response, request_type):
    kept = _value_asserts(TYPES[response])
    for rule, test in _value_asserts(TYPES[request_type]).items():
        assert kept.get(rule) == test, f"{response} lacks {rule} of {request_type}"


def test_the_bandwidth_exceptions_are_recorded_in_the_errata():
    for (response, _, name), erratum in BANDWIDTH_EXCEPTIONS.items():
        entry = ERRATA[erratum]
        text = " ".join(str(entry.get(key, "")) for key in ("quote", "finding", "decision"))
        assert name in text and response in TYPES, (erratum, name)


# -- the wrong mocks this catches -------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "status", "body", "path", "rule"),
    [
        (
            "bandwidth.brands.get",
            200,
            b"<BrandResponse><Brand><BrandId>BJDHM3</BrandId><Country>US</Country>"
            b"<State>California</State></Brand></BrandResponse>",
            "/BrandResponse/Brand/State",
            "brand.us-state-two-letters",
        ),
        (
            "bandwidth.brands.list",
            200,
            b"<BrandsResponse><Brands><Brand><BrandId>BJDHM3</BrandId><Country>US</Country>"
            b"<State>North Carolina</State></Brand></Brands></BrandsResponse>",
            "/BrandsResponse/Brands/Brand/State",
            "brand.us-state-two-letters",
        ),
        (
            "vonage.brands.get",
            200,
            {"brand_id": "BLQKOPK", "country": "US", "state": "California"},
            "/state",
            "brand.us-state-two-letter-code",
        ),
        (
            "vonage.brands.create",
            201,
            {"brand_id": "BLQKOPK", "country": "US", "state": "New Jersey"},
            "/state",
            "brand.us-state-two-letter-code",
        ),
    ],
)
def test_a_state_name_in_a_mocked_brand_answer_is_refused(operation, status, body, path, rule):
    report = tendlc.validate(operation, body, part="response", status=status)
    assert [(issue.path, issue.rule) for issue in report.errors] == [(path, rule)]


def test_an_empty_object_is_not_a_vonage_campaign_201():
    report = tendlc.validate("vonage.campaigns.create", {}, part="response", status=201)
    assert sorted((issue.path, issue.rule) for issue in report.errors) == [
        ("/brand_id", "required"),
        ("/campaign_id", "required"),
        ("/status", "required"),
    ]
    minimal = {"campaign_id": "VC987XYZ", "brand_id": "BLQKOPK", "status": "PENDING_REVIEW"}
    assert tendlc.validate("vonage.campaigns.create", minimal, part="response", status=201).valid


@pytest.mark.parametrize(
    ("operation", "status", "missing"),
    [
        ("vonage.brands.create", 201, ["/brand_id"]),
        ("vonage.vetting.create", 201, ["/vetting_id", "/vetting_status"]),
        ("vonage.campaignNumbers.link", 202, ["/number", "/status"]),
        ("vonage.partnerCampaigns.import", 201, ["/brand_id", "/campaign_id", "/sharing_status"]),
        ("vonage.partnerCampaigns.get", 200, ["/campaign_id", "/sharing_status"]),
        ("vonage.campaigns.resubmit", 200, ["/brand_id", "/campaign_id"]),
        ("vonage.brands.startVerification", 200, ["/brand_id"]),
        ("vonage.brands.verificationStatus", 200, ["/brand_id", "/reference_id"]),
        ("vonage.appealEvidence.upload", 200, ["/id"]),
        ("vonage.campaigns.previewMessageFlow", 200, ["/message_flow"]),
    ],
)
def test_an_empty_object_names_the_fields_every_answer_carries(operation, status, missing):
    report = tendlc.validate(operation, {}, part="response", status=status)
    assert sorted(issue.path for issue in report.errors) == missing
    assert {issue.rule for issue in report.errors} == {"required"}


@pytest.mark.parametrize(
    ("operation", "status", "body", "missing"),
    [
        (
            "bandwidth.brands.create",
            201,
            b"<BrandResponse><Brand/></BrandResponse>",
            ["/BrandResponse/Brand/BrandId"],
        ),
        (
            "bandwidth.campaignSettings.get",
            200,
            b"<CampaignSettingsResponse><CampaignSettings/></CampaignSettingsResponse>",
            ["/CampaignSettingsResponse/CampaignSettings/BusinessIdentity"],
        ),
        (
            "bandwidth.campaignImports.create",
            201,
            b"<LongCodeImportCampaignResponse><ImportedCampaign/></LongCodeImportCampaignResponse>",
            [
                "/LongCodeImportCampaignResponse/ImportedCampaign/CampaignId",
                "/LongCodeImportCampaignResponse/ImportedCampaign/Status",
            ],
        ),
        (
            "bandwidth.tnOptions.create",
            201,
            b"<TnOptionOrderResponse><TnOptionOrder/></TnOptionOrderResponse>",
            [
                "/TnOptionOrderResponse/TnOptionOrder/OrderId",
                "/TnOptionOrderResponse/TnOptionOrder/ProcessingStatus",
            ],
        ),
        (
            "bandwidth.vetting.create",
            201,
            b"<BrandVettingResponse><BrandVetting/></BrandVettingResponse>",
            [
                "/BrandVettingResponse/BrandVetting/VettingId",
                "/BrandVettingResponse/BrandVetting/VettingStatus",
            ],
        ),
    ],
)
def test_an_empty_bandwidth_answer_names_the_fields_every_answer_carries(
    operation, status, body, missing
):
    report = tendlc.validate(operation, body, part="response", status=status)
    assert sorted(issue.path for issue in report.errors) == missing
    assert {issue.rule for issue in report.errors} == {"required"}
