"""Fidelity: what the providers send and accept is not refused, what the pages forbid still is.

The payloads here are written the way the providers' SDK test suites and API references write
them (order echoes that set other line options, abbreviated brand lists, websites without a
scheme, page tokens followed from a listing ...), not the way tendlc's own examples do. Each
acceptance is paired with the documented rule that must keep rejecting.
"""

from __future__ import annotations

import pytest

import tendlc
from tendlc._documented import documented_examples
from tendlc._edit import edit_xml

EXAMPLES = {example.name: example for example in documented_examples()}


def _errors(report):
    return [(issue.path, issue.rule) for issue in report.errors]


def _warnings(report):
    return [(issue.path, issue.rule) for issue in report.warnings]


# -- Bandwidth: response types require only what a response always contains ------------------

# A TN option order that sets line options other than A2P: no A2pSettings, and a second group
# without Sms, as the order echoes of the providers' SDK tests show them.
TN_OPTION_ORDER_WITHOUT_A2P = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<TnOptionOrderResponse>
  <TnOptionOrder>
    <OrderCreateDate>2016-01-15T12:01:14.324Z</OrderCreateDate>
    <AccountId>14</AccountId>
    <CreatedByUser>jbm</CreatedByUser>
    <OrderId>ddbdc72e-dc27-490c-904e-d0c11291b095</OrderId>
    <LastModifiedDate>2016-01-15T12:01:14.324Z</LastModifiedDate>
    <ProcessingStatus>RECEIVED</ProcessingStatus>
    <CustomerOrderId>TnOptionShortInboundOrder</CustomerOrderId>
    <TnOptionGroups>
      <TnOptionGroup>
        <CallForward>6042661720</CallForward>
        <CallingNameDisplay>on</CallingNameDisplay>
        <Sms>on</Sms>
        <TelephoneNumbers>
          <TelephoneNumber>2018551020</TelephoneNumber>
        </TelephoneNumbers>
      </TnOptionGroup>
      <TnOptionGroup>
        <CallingNameDisplay>off</CallingNameDisplay>
        <TelephoneNumbers>
          <TelephoneNumber>2018551025</TelephoneNumber>
        </TelephoneNumbers>
      </TnOptionGroup>
    </TnOptionGroups>
    <ErrorList/>
    <Warnings/>
  </TnOptionOrder>
</TnOptionOrderResponse>
"""

GROUP = "/TnOptionOrderResponse/TnOptionOrder/TnOptionGroups/TnOptionGroup"


def test_a_tn_option_order_echo_without_a2p_settings_is_accepted():
    report = tendlc.validate(
        "bandwidth.tnOptions.create", TN_OPTION_ORDER_WITHOUT_A2P, part="response", status=201
    )
    assert report.valid, _errors(report)
    # The other line options are not documented on the page: warnings, not errors.
    assert (f"{GROUP}[1]/CallForward", "additionalProperties") in _warnings(report)
    assert (f"{GROUP}[2]/CallingNameDisplay", "additionalProperties") in _warnings(report)


def test_the_tn_option_request_still_needs_its_a2p_settings():
    request = EXAMPLES["bandwidth/tnOptions.create.request.xml"].published()
    group = "/TnOptionOrder/TnOptionGroups/TnOptionGroup"
    report = tendlc.validate(
        "bandwidth.tnOptions.create", edit_xml(request, {}, [f"{group}/A2pSettings"])
    )
    assert (f"{group}/A2pSettings", "required") in _errors(report)
    report = tendlc.validate("bandwidth.tnOptions.create", edit_xml(request, {}, [f"{group}/Sms"]))
    assert (f"{group}/Sms", "required") in _errors(report)
    report = tendlc.validate(
        "bandwidth.tnOptions.create",
        edit_xml(request, {f"{group}/A2pSettings/Action": "delete"}, []),
    )
    assert (f"{group}/A2pSettings/CampaignId", "tn-option.delete-forbids-campaign-id") in _errors(
        report
    )


def test_a_tn_option_order_echo_still_checks_the_values_it_carries():
    bad = TN_OPTION_ORDER_WITHOUT_A2P.replace(b"<Sms>on</Sms>", b"<Sms>enabled</Sms>")
    report = tendlc.validate("bandwidth.tnOptions.create", bad, part="response", status=201)
    assert (f"{GROUP}[1]/Sms", "enum") in _errors(report)
    bad = TN_OPTION_ORDER_WITHOUT_A2P.replace(b"2018551025", b"201-855-1025")
    report = tendlc.validate("bandwidth.tnOptions.create", bad, part="response", status=201)
    assert (f"{GROUP}[2]/TelephoneNumbers/TelephoneNumber", "pattern") in _errors(report)
    # The success envelope still has to carry the order.
    empty = b"<TnOptionOrderResponse/>"
    report = tendlc.validate("bandwidth.tnOptions.create", empty, part="response", status=201)
    assert ("/TnOptionOrderResponse/TnOptionOrder", "required") in _errors(report)


# An abbreviated brand list ("limited detail"): brands with their BrandId and without most of the
# create table's mandatory fields.
ABBREVIATED_BRANDS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<BrandsResponse>
  <Brands>
    <Brand>
      <BrandId>BACME01</BrandId>
      <DisplayName>Acme Dental</DisplayName>
      <EntityType>PRIVATE_PROFIT</EntityType>
      <IsMain>false</IsMain>
    </Brand>
    <Brand>
      <BrandId>BACME02</BrandId>
      <CspId>CMHSJ9</CspId>
      <DisplayName>Acme</DisplayName>
      <Website>www.acme-dental.com</Website>
    </Brand>
  </Brands>
  <TotalCount>2</TotalCount>
</BrandsResponse>
"""


@pytest.mark.parametrize("operation", ["bandwidth.brands.list", "bandwidth.brands.listDetails"])
def test_a_brand_list_whose_brands_carry_few_fields_is_accepted(operation):
    report = tendlc.validate(operation, ABBREVIATED_BRANDS, part="response", status=200)
    assert report.valid, _errors(report)
    assert report.warnings == ()
    # Every returned brand still carries its id (errata BW-072).
    without = ABBREVIATED_BRANDS.replace(b"<BrandId>BACME02</BrandId>", b"")
    report = tendlc.validate(operation, without, part="response", status=200)
    assert _errors(report) == [("/BrandsResponse/Brands/Brand[2]/BrandId", "required")]


@pytest.mark.parametrize(
    ("operation", "status", "root"),
    [
        ("bandwidth.brands.create", 201, "BrandResponse"),
        ("bandwidth.brands.update", 200, "BrandResponse"),
        ("bandwidth.brands.get", 200, "BrandResponse"),
        ("bandwidth.brands.revet", 200, "BrandRevetResponse"),
    ],
)
def test_every_brand_response_takes_a_brand_with_its_id_and_few_fields(operation, status, root):
    body = (
        f"<{root}><Brand><BrandId>BACME01</BrandId><DisplayName>Acme</DisplayName>"
        f"<IsMain>true</IsMain></Brand></{root}>"
    )
    report = tendlc.validate(operation, body, part="response", status=status)
    assert report.valid, _errors(report)
    bad = body.replace("<IsMain>true</IsMain>", "<IsMain>yes</IsMain>")
    report = tendlc.validate(operation, bad, part="response", status=status)
    assert (f"/{root}/Brand/IsMain", "type") in _errors(report)
    report = tendlc.validate(
        operation, body.replace("<BrandId>BACME01</BrandId>", ""), part="response", status=status
    )
    assert _errors(report) == [(f"/{root}/Brand/BrandId", "required")]


def test_the_brand_create_request_still_needs_its_mandatory_fields():
    request = EXAMPLES["bandwidth/brands.create.request.xml"].published()
    report = tendlc.validate("bandwidth.brands.create", edit_xml(request, {}, ["/Brand/Phone"]))
    assert ("/Brand/Phone", "required") in _errors(report)
    # BrandId is assigned by the provider: a request that sends one is refused (closed request).
    report = tendlc.validate(
        "bandwidth.brands.create", edit_xml(request, {"/Brand/BrandId": "BJDHM3"}, [])
    )
    assert ("/Brand/BrandId", "additionalProperties") in _errors(report)


def test_campaign_settings_echoes_are_not_held_to_the_request_rules():
    body = (
        b"<CampaignSettingsResponse><CampaignSettings>"
        b"<BusinessIdentity>DirectCustomer</BusinessIdentity>"
        b"<Reseller><CompanyName>Old Reseller Inc</CompanyName></Reseller>"
        b"</CampaignSettings></CampaignSettingsResponse>"
    )
    report = tendlc.validate("bandwidth.campaignSettings.get", body, part="response", status=200)
    assert report.valid, _errors(report)
    request = (
        b"<CampaignSettings><BusinessIdentity>DirectCustomer</BusinessIdentity>"
        b"<Reseller><CompanyName>Old Reseller Inc</CompanyName></Reseller></CampaignSettings>"
    )
    found = _errors(tendlc.validate("bandwidth.campaignSettings.update", request))
    assert ("/CampaignSettings/Reseller", "campaign-settings.direct-customer-forbids-reseller") in (
        found
    )
    assert ("/CampaignSettings/Reseller/Phone", "required") in found


def test_an_imported_campaign_with_one_mno_status_per_carrier_and_few_fields_is_accepted():
    body = b"""<LongCodeImportCampaignsResponse><ImportedCampaigns>
      <ImportedCampaign>
        <CampaignId>CCOPVEY</CampaignId>
        <Description>Test 9</Description>
        <Status>ACTIVE</Status>
        <MnoStatusList>
          <MnoStatus><MnoName>ATT</MnoName><Status>APPROVED</Status></MnoStatus>
          <MnoStatus><MnoName>TMO</MnoName><MnoId>10035</MnoId></MnoStatus>
        </MnoStatusList>
      </ImportedCampaign>
    </ImportedCampaigns></LongCodeImportCampaignsResponse>"""
    report = tendlc.validate("bandwidth.campaignImports.list", body, part="response", status=200)
    assert report.valid, _errors(report)
    found = _errors(tendlc.validate("bandwidth.campaignImports.create", b"<ImportedCampaign/>"))
    assert ("/ImportedCampaign/CampaignId", "required") in found
    # The campaign's id and status are in every returned campaign (errata BW-075).
    without = body.replace(b"<CampaignId>CCOPVEY</CampaignId>", b"")
    report = tendlc.validate("bandwidth.campaignImports.list", without, part="response", status=200)
    path = "/LongCodeImportCampaignsResponse/ImportedCampaigns/ImportedCampaign/CampaignId"
    assert _errors(report) == [(path, "required")]


def test_a_vetting_record_echo_with_only_its_id_and_status_is_accepted():
    body = (
        b"<BrandVettingResponse><BrandVetting><VettingId>0FBBD8A674134C20A7D2193CE525FDF5</VettingId>"
        b"<VettingStatus>PENDING</VettingStatus></BrandVetting></BrandVettingResponse>"
    )
    report = tendlc.validate("bandwidth.vetting.create", body, part="response", status=201)
    assert report.valid, _errors(report)
    without = body.replace(b"<VettingStatus>PENDING</VettingStatus>", b"")
    report = tendlc.validate("bandwidth.vetting.create", without, part="response", status=201)
    assert _errors(report) == [("/BrandVettingResponse/BrandVetting/VettingStatus", "required")]
    found = _errors(
        tendlc.validate(
            "bandwidth.vetting.create", b"<BrandVetting><EvpId>WMC</EvpId></BrandVetting>"
        )
    )
    assert ("/BrandVetting/VettingClass", "required") in found


def test_a_fetched_import_order_still_carries_its_id_status_and_creation_information():
    order = EXAMPLES["bandwidth/importTnOrders.get.response.200.xml"].published()
    optional = ["/ImportTnOrder/AccountId", "/ImportTnOrder/CreatedByUser", "/ImportTnOrder/Errors"]
    report = tendlc.validate(
        "bandwidth.importTnOrders.get",
        edit_xml(order, {}, optional),
        part="response",
        status=200,
    )
    assert report.valid, _errors(report)
    required = [
        "/ImportTnOrder/ProcessingStatus",
        "/ImportTnOrder/Subscriber",
        "/ImportTnOrder/OrderId",
    ]
    report = tendlc.validate(
        "bandwidth.importTnOrders.get", edit_xml(order, {}, required), part="response", status=200
    )
    assert ("/ImportTnOrder/ProcessingStatus", "required") in _errors(report)
    assert ("/ImportTnOrder/Subscriber", "required") in _errors(report)
    assert ("/ImportTnOrder/OrderId", "required") in _errors(report)


# -- Bandwidth: loosely named formats ------------------------------------------------------


@pytest.mark.parametrize(
    "website",
    [
        "www.my.website.com",
        "my-website.com",
        "https://www.bandwidth.com",
        "http://bandwidth.com/about?lang=en",
        "www.bandwidth.com:8080",
    ],
)
@pytest.mark.parametrize(
    ("operation", "example"),
    [
        ("bandwidth.brands.create", "bandwidth/brands.create.request.xml"),
        ("bandwidth.brands.update", "bandwidth/brands.update.request.xml"),
    ],
)
def test_a_brand_website_is_any_url_the_provider_materials_send(operation, example, website):
    payload = edit_xml(EXAMPLES[example].published(), {"/Brand/Website": website}, [])
    report = tendlc.validate(operation, payload)
    assert report.valid, _errors(report)


@pytest.mark.parametrize(
    "website", ["bandwidth", "www.bandwidth com", "mailto:Test1@bandwidth.com", "https://", ""]
)
def test_a_brand_website_that_is_not_a_url_is_still_rejected(website):
    payload = edit_xml(
        EXAMPLES["bandwidth/brands.create.request.xml"].published(), {"/Brand/Website": website}, []
    )
    report = tendlc.validate("bandwidth.brands.create", payload)
    assert ("/Brand/Website", "brand.website-is-a-url") in _errors(report)
    long = "https://www." + "a" * 85 + ".com"
    payload = edit_xml(
        EXAMPLES["bandwidth/brands.create.request.xml"].published(), {"/Brand/Website": long}, []
    )
    assert ("/Brand/Website", "maxLength") in _errors(
        tendlc.validate("bandwidth.brands.create", payload)
    )


# -- Vonage: response schemas do not inherit request-only requirements ----------------------

# A sole proprietor's campaign as the API returns it: message_flow_details without brand_name
# ("NB: This is optional for sole proprietors."), every documented value well-formed.
SOLE_PROPRIETOR_CAMPAIGN = {
    "account_id": "abcd1234",
    "brand_id": "BSOLEPR",
    "campaign_id": "VC987XYZ",
    "status": "PENDING_REVIEW",
    "usecase": "LOW_VOLUME",
    "description": "Appointment reminders for the clients of a one-person practice.",
    "message_flow_details": {
        "consent_mechanisms": [
            {"method": "TEXT_TO_JOIN", "details": "Clients text JOIN to the practice number."}
        ],
        "pricing_disclosure": True,
        "frequency": "RECURRING",
        "privacy_policy": "https://jane-doe-therapy.com/privacy",
        "terms_and_conditions": "https://jane-doe-therapy.com/terms",
    },
    "opt_in_keywords": "JOIN",
    "opt_in_message": "Jane Doe Therapy: you are now opted in. Reply HELP for help, STOP to stop.",
}


@pytest.mark.parametrize(
    ("operation", "status"),
    [
        ("vonage.campaigns.get", 200),
        ("vonage.campaigns.create", 201),
        ("vonage.campaigns.update", 200),
    ],
)
def test_a_campaign_response_without_brand_name_in_its_message_flow_details(operation, status):
    report = tendlc.validate(operation, SOLE_PROPRIETOR_CAMPAIGN, part="response", status=status)
    assert report.valid, _errors(report)


def test_the_campaign_requests_still_need_brand_name():
    flow = {key: value for key, value in SOLE_PROPRIETOR_CAMPAIGN["message_flow_details"].items()}
    report = tendlc.validate("vonage.campaigns.previewMessageFlow", flow)
    assert ("/brand_name", "required") in _errors(report)
    report = tendlc.validate("vonage.campaigns.update", {"message_flow_details": flow})
    assert ("/message_flow_details/brand_name", "required") in _errors(report)


def test_a_campaign_response_still_checks_what_it_carries():
    campaign = {
        **SOLE_PROPRIETOR_CAMPAIGN,
        "message_flow_details": {
            **SOLE_PROPRIETOR_CAMPAIGN["message_flow_details"],
            "frequency": "DAILY",
        },
    }
    report = tendlc.validate("vonage.campaigns.get", campaign, part="response", status=200)
    assert ("/message_flow_details/frequency", "enum") in _errors(report)
    campaign = {**SOLE_PROPRIETOR_CAMPAIGN}
    del campaign["opt_in_message"]
    report = tendlc.validate("vonage.campaigns.get", campaign, part="response", status=200)
    assert ("/opt_in_message", "campaign.opt-in-keywords-need-opt-in-message") in _errors(report)


# -- Vonage: pagination the responses offer is accepted by the requests ---------------------


@pytest.mark.parametrize(
    ("operation", "example"),
    [
        ("vonage.appealEvidence.list", "vonage/appealEvidence.list.response.200.json"),
        ("vonage.resellers.list", "vonage/resellers.list.response.200.json"),
        ("vonage.throughputs.get", "vonage/throughputs.get.response.200.json"),
    ],
)
def test_following_the_page_token_of_a_listing_is_accepted(operation, example):
    import json

    listing = json.loads(EXAMPLES[example].published())
    for key in ("next_page", "previous_page", "first_page", "last_page"):
        token = listing[key]
        report = tendlc.validate(operation, {"page_token": token, "page_size": "10"}, part="query")
        assert report.valid, (key, _errors(report))
    # As a client builds the next request from a full URL.
    url = "https://api-eu.vonage.com/v1/10dlc/x?page_token=OWUwZTA5MmUtOGNjYS00ZGI0&page_size=10"
    assert tendlc.validate(operation, url, part="query").valid


def test_a_page_token_still_has_its_documented_bounds():
    for operation in ("vonage.appealEvidence.list", "vonage.resellers.list"):
        report = tendlc.validate(operation, "page_token=" + "A" * 513, part="query")
        assert ("?page_token", "maxLength") in _errors(report)
        report = tendlc.validate(operation, "page_tokn=abc", part="query")
        assert ("?page_tokn", "additionalProperties") in _errors(report)
    # The listings paginated by page numbers link pages by number, which they already accept.
    report = tendlc.validate("vonage.campaigns.list", "page_token=abc", part="query")
    assert ("?page_token", "additionalProperties") in _errors(report)


def test_both_status_filters_take_one_or_multiple_statuses():
    for operation, values in (
        ("vonage.brands.list", ("ACTIVE", "SUSPENDED")),
        ("vonage.campaigns.list", ("ACTIVE", "CANCELED")),
    ):
        one = tendlc.validate(operation, f"status={values[0]}", part="query")
        several = tendlc.validate(operation, f"status={values[0]}&status={values[1]}", part="query")
        assert one.valid and several.valid, (operation, _errors(one), _errors(several))
        joined = tendlc.validate(operation, f"status={values[0]},{values[1]}", part="query")
        assert ("?status", "enum") in _errors(joined)


# -- Vonage: loosely named formats and the prose rules on links ------------------------------


@pytest.mark.parametrize(
    "website", ["www.vonage.com", "vonage.com", "https://www.vonage.com/about"]
)
def test_a_vonage_brand_website_without_a_scheme_is_accepted(website):
    brand = json_example("vonage/brands.update.request.json")
    brand["website"] = website
    assert tendlc.validate("vonage.brands.update", brand).valid
    response = json_example("vonage/brands.get.response.200.json")
    response["website"] = website
    report = tendlc.validate("vonage.brands.get", response, part="response", status=200)
    assert ("/website", "brand.website-is-a-url") not in _errors(report)


def test_a_vonage_brand_website_that_is_not_a_url_is_rejected():
    brand = json_example("vonage/brands.update.request.json")
    brand["website"] = "Vonage Holdings"
    assert ("/website", "brand.website-is-a-url") in _errors(
        tendlc.validate("vonage.brands.update", brand)
    )


@pytest.mark.parametrize(
    "link", ["ftp://mybrand.com/optin.pdf", "mailto:optin@mybrand.com", "urn:isbn:0451450523"]
)
def test_a_consent_attachment_is_an_http_link(link):
    flow = json_example("vonage/campaigns.previewMessageFlow.request.json")
    flow["consent_mechanisms"][0]["attachment"] = link
    report = tendlc.validate("vonage.campaigns.previewMessageFlow", flow)
    assert ("/consent_mechanisms/0/attachment", "campaign.attachment-is-an-http-link") in (
        _errors(report)
    )
    flow["consent_mechanisms"][0]["attachment"] = "https://mybrand.com/optin"
    assert tendlc.validate("vonage.campaigns.previewMessageFlow", flow).valid


def test_shortened_urls_are_refused_in_campaign_messages():
    update = {"sample_one": "Your parcel is on its way, follow it at https://bit.ly/3xYz12 today."}
    report = tendlc.validate("vonage.campaigns.update", update)
    assert ("/sample_one", "campaign.no-shortened-urls") in _errors(report)
    update = {"sample_one": "Your parcel is on its way, follow it at https://mybrand.com/t/3xYz12."}
    assert tendlc.validate("vonage.campaigns.update", update).valid


def json_example(name):
    import json

    return json.loads(EXAMPLES[name].published())


# -- Vonage: a null in a response says "absent here" ----------------------------------------

# The qualification of a brand as the API answers it: each MNO entry sends the fields of the
# other carrier as null ("(Only for AT&T)", "(Only for T-Mobile)").
QUALIFICATION = {
    "usecase": "MARKETING",
    "mno_metadata": [
        {"network_id": "10017", "mno": "AT&T", "qualify": True, "att_tpm": 4500, "tmo_tpd": None},
        {"network_id": "10035", "mno": "TMO", "qualify": True, "att_msg_class": None},
    ],
}


def test_a_null_in_an_optional_response_field_is_a_warning_naming_the_field():
    report = tendlc.validate(
        "vonage.brands.qualifyUsecase", QUALIFICATION, part="response", status=200
    )
    assert report.valid, _errors(report)
    assert sorted(_warnings(report)) == [
        ("/mno_metadata/0/tmo_tpd", "null-for-absent"),
        ("/mno_metadata/1/att_msg_class", "null-for-absent"),
    ]
    warning = next(issue for issue in report.warnings if issue.path.endswith("tmo_tpd"))
    assert "'tmo_tpd' is null" in warning.message
    assert "does not document" in warning.message
    assert warning.location.startswith("vonage/openapi.yaml#/components/schemas/")


def test_a_value_that_is_not_null_still_follows_the_table():
    qualification = {
        **QUALIFICATION,
        "mno_metadata": [{**QUALIFICATION["mno_metadata"][0], "att_tpm": "4500"}],
    }
    report = tendlc.validate(
        "vonage.brands.qualifyUsecase", qualification, part="response", status=200
    )
    assert _errors(report) == [("/mno_metadata/0/att_tpm", "type")]


def test_a_null_in_a_required_response_field_is_an_error():
    reseller = json_example("vonage/resellers.get.response.200.json")
    reseller.update(status=None, rejection_reason=None)
    del reseller["tcr_reseller_id"]
    report = tendlc.validate("vonage.resellers.get", reseller, part="response", status=200)
    assert ("/status", "type") in _errors(report)
    assert ("/rejection_reason", "null-for-absent") in _warnings(report)
    assert ("/status", "null-for-absent") not in _warnings(report)


def test_a_null_that_a_rule_of_the_response_needs_is_an_error():
    campaign = {**SOLE_PROPRIETOR_CAMPAIGN, "opt_in_message": None, "label": None}
    report = tendlc.validate("vonage.campaigns.get", campaign, part="response", status=200)
    assert ("/opt_in_message", "type") in _errors(report)
    assert _warnings(report) == [("/label", "null-for-absent")]


def test_a_null_the_contract_documents_or_does_not_know_is_no_null_for_absent():
    campaign = {**SOLE_PROPRIETOR_CAMPAIGN, "hipaa": None, "next_review": None}
    report = tendlc.validate("vonage.campaigns.get", campaign, part="response", status=200)
    assert report.valid, _errors(report)
    assert _warnings(report) == [("/next_review", "additionalProperties")]


def test_a_null_item_of_a_response_array_is_an_error():
    campaign = {**SOLE_PROPRIETOR_CAMPAIGN, "sub_usecases": [None]}
    report = tendlc.validate("vonage.campaigns.get", campaign, part="response", status=200)
    assert ("/sub_usecases/0", "type") in _errors(report)


@pytest.mark.parametrize(
    ("operation", "payload", "path"),
    [
        ("vonage.campaigns.update", {"label": None}, "/label"),
        ("vonage.brands.update", {"website": None}, "/website"),
        (
            "vonage.vetting.create",
            {"evp_id": "CV", "vetting_class": "STANDARD", "vetting_political_details": None},
            "/vetting_political_details",
        ),
    ],
)
def test_a_null_in_a_request_is_an_error(operation, payload, path):
    report = tendlc.validate(operation, payload)
    assert not report.valid
    assert path in [issue.path for issue in report.errors]
    assert not [issue for issue in report.issues if issue.rule == "null-for-absent"]
