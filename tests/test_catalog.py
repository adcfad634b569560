import pytest

import tendlc
from tendlc._catalog import load_contract
from tendlc._validation import load_schema as schema

# The public vocabulary of operation ids: one per documented exchange.
BANDWIDTH = {
    "bandwidth.campaignSettings.create": ("POST", "/campaignManagement/10dlc"),
    "bandwidth.campaignSettings.update": ("PUT", "/campaignManagement/10dlc"),
    "bandwidth.campaignSettings.get": ("GET", "/campaignManagement/10dlc"),
    "bandwidth.brands.create": ("POST", "/campaignManagement/10dlc/brands"),
    "bandwidth.brands.update": ("PUT", "/campaignManagement/10dlc/brands/{brandId}"),
    "bandwidth.brands.get": ("GET", "/campaignManagement/10dlc/brands/{brandId}"),
    "bandwidth.brands.listDetails": ("GET", "/campaignManagement/10dlc/brands/details"),
    "bandwidth.brands.list": ("GET", "/campaignManagement/10dlc/brands"),
    "bandwidth.brands.revet": ("PUT", "/campaignManagement/10dlc/brands/{brandId}/revet"),
    "bandwidth.vetting.create": ("POST", "/campaignManagement/10dlc/brands/{brandId}/vetting"),
    "bandwidth.vetting.import": ("PUT", "/campaignManagement/10dlc/brands/{brandId}/vetting"),
    "bandwidth.vetting.list": ("GET", "/campaignManagement/10dlc/brands/{brandId}/vetting"),
    "bandwidth.campaignImports.get": (
        "GET",
        "/campaignManagement/10dlc/campaigns/imports/{campaignId}",
    ),
    "bandwidth.campaignImports.list": ("GET", "/campaignManagement/10dlc/campaigns/imports"),
    "bandwidth.campaignImports.create": ("POST", "/campaignManagement/10dlc/campaigns/imports"),
    "bandwidth.tnOptions.create": ("POST", "/tnoptions"),
    "bandwidth.importTnChecker.check": ("POST", "/importTnChecker"),
    "bandwidth.importTnOrders.create": ("POST", "/importTnOrders"),
    "bandwidth.importTnOrders.get": ("GET", "/importTnOrders/{orderId}"),
    "bandwidth.importTnOrders.uploadLoa": ("POST", "/importTnOrders/{orderId}/loas"),
}
VONAGE = {
    "vonage.enum.get": ("GET", "/enum"),
    "vonage.account.get": ("GET", "/account"),
    "vonage.account.update": ("PATCH", "/account"),
    "vonage.brands.list": ("GET", "/brands"),
    "vonage.brands.create": ("POST", "/brands"),
    "vonage.brands.get": ("GET", "/brands/{brand_id}"),
    "vonage.brands.update": ("PATCH", "/brands/{brand_id}"),
    "vonage.brands.delete": ("DELETE", "/brands/{brand_id}"),
    "vonage.brands.feedback": ("GET", "/brands/{brand_id}/feedback"),
    "vonage.brands.qualifyUsecase": ("GET", "/brands/{brand_id}/usecases/{usecase}"),
    "vonage.brands.startVerification": ("POST", "/brands/{brand_id}/start_verification"),
    "vonage.brands.verify": ("POST", "/brands/{brand_id}/verify"),
    "vonage.brands.verificationStatus": ("GET", "/brands/{brand_id}/verification/{reference_id}"),
    "vonage.vetting.list": ("GET", "/brands/{brand_id}/vetting/requests"),
    "vonage.vetting.create": ("POST", "/brands/{brand_id}/vetting/requests"),
    "vonage.vetting.import": ("PUT", "/brands/{brand_id}/vetting/requests"),
    "vonage.vetting.appeal": ("POST", "/brands/{brand_id}/vetting/requests/{vetting_id}/appeal"),
    "vonage.brands.revet": ("POST", "/brands/{brand_id}/revet"),
    "vonage.appealEvidence.list": ("GET", "/brands/{brand_id}/appeal/evidence"),
    "vonage.appealEvidence.upload": ("POST", "/brands/{brand_id}/appeal/evidence"),
    "vonage.appealEvidence.download": ("GET", "/brands/{brand_id}/appeal/evidence/{evidence_id}"),
    "vonage.appealEvidence.delete": ("DELETE", "/brands/{brand_id}/appeal/evidence/{evidence_id}"),
    "vonage.campaigns.list": ("GET", "/brands/{brand_id}/campaigns"),
    "vonage.campaigns.create": ("POST", "/brands/{brand_id}/campaigns"),
    "vonage.campaigns.previewMessageFlow": ("POST", "/campaigns/message_flow"),
    "vonage.campaigns.get": ("GET", "/brands/{brand_id}/campaigns/{campaign_id}"),
    "vonage.campaigns.update": ("PATCH", "/brands/{brand_id}/campaigns/{campaign_id}"),
    "vonage.campaigns.delete": ("DELETE", "/brands/{brand_id}/campaigns/{campaign_id}"),
    "vonage.campaigns.resubmit": ("PUT", "/brands/{brand_id}/campaigns/{campaign_id}/resubmit"),
    "vonage.campaigns.termsAndConditions": ("GET", "/campaigns/terms_and_conditions"),
    "vonage.partnerCampaigns.import": ("POST", "/partnercampaigns/import"),
    "vonage.partnerCampaigns.get": ("GET", "/partnercampaigns/{campaign_id}"),
    "vonage.throughputs.get": ("GET", "/throughputs"),
    "vonage.campaignNumbers.list": ("GET", "/brands/{brand_id}/campaigns/{campaign_id}/numbers"),
    "vonage.campaignNumbers.link": ("POST", "/brands/{brand_id}/campaigns/{campaign_id}/numbers"),
    "vonage.campaignNumbers.get": (
        "GET",
        "/brands/{brand_id}/campaigns/{campaign_id}/numbers/{number}",
    ),
    "vonage.campaignNumbers.unlink": (
        "DELETE",
        "/brands/{brand_id}/campaigns/{campaign_id}/numbers/{number}",
    ),
    "vonage.resellers.create": ("POST", "/resellers"),
    "vonage.resellers.list": ("GET", "/resellers"),
    "vonage.resellers.get": ("GET", "/resellers/{reseller_id}"),
}


def test_the_catalog_holds_exactly_the_documented_operations():
    ids = {operation.id for operation in tendlc.operations()}
    assert ids == set(BANDWIDTH) | set(VONAGE) | {"bandwidth.webhooks.orderNotification"}
    assert len(ids) == 61


@pytest.mark.parametrize("operation_id", sorted({**BANDWIDTH, **VONAGE}))
def test_method_and_path_follow_the_catalog_table(operation_id):
    method, suffix = {**BANDWIDTH, **VONAGE}[operation_id]
    operation = tendlc.get_operation(operation_id)
    assert operation.method == method
    assert operation.path.endswith(suffix), operation.path
    if operation.provider == "bandwidth" and "tnoptions" not in suffix.lower():
        assert operation.path.startswith("/api/accounts/{accountId}")


def test_both_providers_load_into_the_same_operation_type():
    providers = {op.provider for op in tendlc.operations()}
    assert providers == {"bandwidth", "vonage"}
    assert len(tendlc.operations("bandwidth")) == 21
    assert len(tendlc.operations("vonage")) == 40
    for operation in tendlc.operations():
        assert isinstance(operation, tendlc.Operation)
        assert operation.responses or operation.id == "bandwidth.webhooks.orderNotification"


def test_every_referenced_contract_loads():
    for operation in tendlc.operations():
        bodies = [operation.request, *operation.responses.values()]
        for body in bodies:
            if body is None or body.empty or not body.contract:
                continue
            if body.is_xml:
                assert body.locator in schema(body.contract).elements, (operation.id, body)
            else:
                document = load_contract(body.contract)
                node = document
                for token in body.locator.split("/")[1:]:
                    node = node[token.replace("~1", "/").replace("~0", "~")]
                assert isinstance(node, dict), (operation.id, body.locator)


def test_query_bounds_come_from_the_catalog():
    report = tendlc.validate(
        "bandwidth.brands.listDetails", "type=main&page=0&size=26", part="query"
    )
    assert [(i.path, i.rule) for i in report.errors] == [("?size", "maximum")]
    assert tendlc.validate(
        "bandwidth.brands.listDetails", "type=main&page=0&size=25", part="query"
    ).valid
    report = tendlc.validate("bandwidth.brands.list", "?type=mine", part="query")
    assert [(i.path, i.rule) for i in report.errors] == [("?type", "enum")]
    report = tendlc.validate("bandwidth.brands.list", "kind=main", part="query")
    assert [(i.path, i.rule) for i in report.errors] == [("?kind", "additionalProperties")]


def test_query_parameters_given_no_values_are_absent_as_on_the_wire():
    # {"page": []} encodes to no page at all: nothing to check, and nothing to fail on
    report = tendlc.validate(
        "bandwidth.brands.listDetails", {"type": "main", "page": [], "size": ["26"]}, part="query"
    )
    assert [(i.path, i.rule) for i in report.errors] == [("?size", "maximum")]
    assert tendlc.validate("bandwidth.brands.list", {"kind": []}, part="query").valid
    report = tendlc.validate("bandwidth.brands.list", {"kind": ["main"]}, part="query")
    assert [(i.path, i.rule) for i in report.errors] == [("?kind", "additionalProperties")]
