"""The Vonage OpenAPI 3.1 document: valid OpenAPI, complete, and the decisions errata records."""

import pytest
from openapi_spec_validator import validate as validate_openapi

import tendlc
from tendlc._catalog import load_contract

DOCUMENT = load_contract("vonage/openapi.yaml")

# The capture lost every status number: the statuses the errata (VG-025, VG-072) infer.
SUCCESS_STATUS = {
    "account.get": 200,
    "account.update": 204,
    "appealEvidence.delete": 200,
    "appealEvidence.download": 200,
    "appealEvidence.list": 200,
    "appealEvidence.upload": 200,
    "brands.create": 201,
    "brands.delete": 204,
    "brands.feedback": 200,
    "brands.get": 200,
    "brands.list": 200,
    "brands.qualifyUsecase": 200,
    "brands.revet": 200,
    "brands.startVerification": 200,
    "brands.update": 200,
    "brands.verificationStatus": 200,
    "brands.verify": 204,
    "campaignNumbers.get": 200,
    "campaignNumbers.link": 202,
    "campaignNumbers.list": 200,
    "campaignNumbers.unlink": 204,
    "campaigns.create": 201,
    "campaigns.delete": 204,
    "campaigns.get": 200,
    "campaigns.list": 200,
    "campaigns.previewMessageFlow": 200,
    "campaigns.resubmit": 200,
    "campaigns.termsAndConditions": 200,
    "campaigns.update": 200,
    "enum.get": 200,
    "partnerCampaigns.get": 200,
    "partnerCampaigns.import": 201,
    "resellers.create": 201,
    "resellers.get": 200,
    "resellers.list": 200,
    "throughputs.get": 200,
    "vetting.appeal": 204,
    "vetting.create": 201,
    "vetting.import": 200,
    "vetting.list": 200,
}

DOCUMENTED_ERROR_CODES = {
    "brand-conflict",
    "brand-parameters",
    "invalid-usecase-data",
    "use-case-denied",
    "vetting-conflict",
    "invalid-vetting-data",
    "invalid-json",
    "brand-not-qualified",
    "invalid-campaign-data",
    "numbers-already-linked",
    "invalid-number-data",
}


def test_the_document_is_valid_openapi_3_1():
    assert DOCUMENT["openapi"].startswith("3.1")
    validate_openapi(DOCUMENT)


def test_every_object_schema_is_written_closed():
    def walk(node, where):
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                assert (
                    node.get("unevaluatedProperties") is False
                    or node.get("additionalProperties") is False
                ), where
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}/{index}")

    walk(DOCUMENT["components"]["schemas"], "#/components/schemas")


@pytest.mark.parametrize("operation_id", sorted(SUCCESS_STATUS))
def test_inferred_success_status(operation_id):
    operation = tendlc.get_operation("vonage." + operation_id)
    successes = [code for code in operation.statuses if code < 300]
    assert successes == [SUCCESS_STATUS[operation_id]]


def test_only_statuses_the_page_states_are_documented():
    statuses = {code for op in tendlc.operations("vonage") for code in op.statuses}
    assert statuses <= {200, 201, 202, 204, 400, 409, 422, 502}
    assert 422 in tendlc.get_operation("vonage.brands.feedback").statuses
    assert 422 in tendlc.get_operation("vonage.campaigns.previewMessageFlow").statuses
    brand_scoped = [op for op in tendlc.operations("vonage") if "{brand_id}" in op.path]
    assert brand_scoped
    assert all(502 in op.statuses for op in brand_scoped)


def test_error_codes_are_recorded_and_the_set_stays_open():
    error = DOCUMENT["components"]["schemas"]["ErrorResponse"]
    recorded = error["x-error-codes"]
    codes = {entry["code"] for entry in recorded} if isinstance(recorded, list) else set(recorded)
    assert codes == DOCUMENTED_ERROR_CODES
    body = {
        "type": "https://developer.vonage.com/api-errors/10dlc#some-generic-code",
        "title": "Something else",
    }
    report = tendlc.validate("vonage.brands.create", body, part="response", status=400)
    assert report.valid, report
    assert not tendlc.validate(
        "vonage.brands.create", {"title": "no type"}, part="response", status=400
    ).valid


def test_schemathesis_loads_every_operation_without_warnings():
    import warnings

    import schemathesis

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        schema = schemathesis.openapi.from_dict(DOCUMENT)
        operations = [result.ok() for result in schema.get_all_operations()]
        for operation in operations:
            operation.as_strategy()  # builds the case strategy: every schema must be usable
    assert len(operations) == 40
