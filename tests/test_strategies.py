"""The generators agree with the contracts, for every operation of the catalog.

Every generated valid payload validates, and every labelled mutation is rejected with an issue
at the labelled path and rule. Budgets are modest here; raise them with
``--hypothesis-profile=thorough`` (see conftest.py).
"""

import pytest
from hypothesis import Phase, given, settings
from hypothesis import find as _find
from hypothesis import strategies as st
from lxml import etree

import tendlc
from tendlc import strategies as tst

# Per-operation budgets of the catalog-wide property tests (the CI run); the "thorough"
# profile multiplies them. Health checks and deadlines stay Hypothesis's defaults.
VALID_BUDGET = settings(max_examples=settings.default.max_examples // 10)
MUTATION_BUDGET = settings(max_examples=settings.default.max_examples // 4)


def find(strategy, condition):
    """An example meeting ``condition``, searched without shrinking (we only need one)."""
    return _find(
        strategy,
        condition,
        settings=settings(
            max_examples=1000,
            phases=[Phase.generate],
            database=None,
        ),
    )


def _structured(body):
    return body is not None and not body.empty and not body.binary


REQUESTS = [op.id for op in tendlc.operations() if _structured(op.request)]
RESPONSES = [
    (op.id, status)
    for op in tendlc.operations()
    for status, body in sorted(op.responses.items())
    if _structured(body)
]


def test_the_property_tests_cover_every_operation():
    covered = set(REQUESTS) | {op for op, _ in RESPONSES}
    without_bodies = {op.id for op in tendlc.operations()} - covered
    # Operations whose only documented bodies are files (LOA upload, evidence download).
    for operation_id in without_bodies:
        operation = tendlc.get_operation(operation_id)
        bodies = [operation.request, *operation.responses.values()]
        assert not any(_structured(body) for body in bodies), operation_id


@pytest.mark.parametrize("operation_id", REQUESTS)
def test_generated_requests_validate_under_hypothesis_default_settings(operation_id):
    # Hypothesis's own defaults (100 examples, deadline, every health check): what a user who
    # copies the README gets.
    @settings(settings.get_profile("default"))
    @given(tst.requests(operation_id))
    def check(payload):
        report = tendlc.validate(operation_id, payload)
        assert report.valid, [str(issue) for issue in report.issues]

    check()


@pytest.mark.parametrize(("operation_id", "status"), RESPONSES)
def test_generated_responses_validate(operation_id, status):
    @VALID_BUDGET
    @given(tst.responses(operation_id, status=status))
    def check(payload):
        report = tendlc.validate(operation_id, payload, part="response", status=status)
        assert report.valid, [str(issue) for issue in report.issues]

    check()


@pytest.mark.parametrize("operation_id", REQUESTS)
def test_labelled_mutations_are_rejected_at_their_path_and_rule(operation_id):
    @MUTATION_BUDGET
    @given(tst.invalid_requests(operation_id))
    def check(mutation):
        report = tendlc.validate(operation_id, mutation.payload)
        found = [(issue.path, issue.rule) for issue in report.errors]
        assert (mutation.path, mutation.rule) in found, (mutation.description, found)

    check()


# -- the generators reach the edges on purpose ----------------------------------------------


def _text(element, name):
    return element.findtext(name) or ""


@pytest.mark.parametrize("size", [1, 100])
def test_strings_reach_both_length_bounds(size):
    found = find(
        tst.requests("bandwidth.brands.create"),
        lambda brand: len(_text(brand, "DisplayName")) == size,
    )
    assert len(_text(found, "DisplayName")) == size


@pytest.mark.parametrize(
    "value", ["PRIVATE_PROFIT", "PUBLIC_PROFIT", "NON_PROFIT", "GOVERNMENT", "SOLE_PROPRIETOR"]
)
def test_every_enumeration_value_and_variant_is_reached(value):
    find(tst.requests("bandwidth.brands.create"), lambda b: _text(b, "EntityType") == value)
    found = find(tst.requests("vonage.brands.create"), lambda b: b["entity_type"] == value)
    assert tendlc.validate("vonage.brands.create", found).valid


def test_optional_fields_present_and_absent():
    find(tst.requests("bandwidth.brands.create"), lambda b: b.find("Website") is not None)
    find(tst.requests("bandwidth.brands.create"), lambda b: b.find("Website") is None)
    find(tst.requests("vonage.campaigns.create"), lambda c: "help_keywords" in c)


def test_lists_at_their_bounds():
    def numbers(order):
        return order.findall(".//TelephoneNumbers/TelephoneNumber")

    find(tst.requests("bandwidth.tnOptions.create"), lambda o: len(numbers(o)) == 1)
    find(tst.requests("bandwidth.tnOptions.create"), lambda o: len(numbers(o)) > 1)


def test_conditional_branches_are_reached():
    find(tst.requests("vonage.campaigns.create"), lambda c: "message_flow_details" in c)
    find(tst.requests("vonage.campaigns.create"), lambda c: "message_flow" in c)
    find(
        tst.requests("bandwidth.campaignSettings.create"), lambda s: s.find("Reseller") is not None
    )


def test_values_that_switch_rules_on_are_drawn_on_purpose():
    found = find(tst.requests("bandwidth.brands.create"), lambda b: _text(b, "Country") == "US")
    assert len(_text(found, "PostalCode")) == 5 and _text(found, "PostalCode").isdigit()
    found = find(tst.requests("vonage.brands.create"), lambda b: b["entity_type"] == "GOVERNMENT")
    assert found["country"] == "US"


def test_non_ascii_text_where_the_contract_allows_it():
    found = find(tst.requests("bandwidth.brands.create"), lambda b: not _text(b, "City").isascii())
    assert tendlc.validate("bandwidth.brands.create", found).valid


def test_mutations_cover_conditional_rules():
    find(
        tst.invalid_requests("vonage.campaigns.create"),
        lambda m: m.rule == "campaign.message-flow-xor-details",
    )
    find(
        tst.invalid_requests("bandwidth.brands.create"),
        lambda m: m.rule == "brand.public-profit-needs-stock-symbol",
    )
    find(
        tst.invalid_requests("bandwidth.tnOptions.create"),
        lambda m: m.rule == "tn-option.delete-forbids-campaign-id",
    )


# -- arguments --------------------------------------------------------------------------------


@given(tst.requests("bandwidth.brands.create", overrides={"EntityType": "PUBLIC_PROFIT"}))
def test_overrides_pin_a_field_and_the_rest_follows(brand):
    assert _text(brand, "EntityType") == "PUBLIC_PROFIT"
    assert brand.find("StockSymbol") is not None


@given(
    tst.requests(
        "vonage.brands.create",
        overrides={"/country": st.sampled_from(["US", "CA"]), "entity_type": "SOLE_PROPRIETOR"},
    )
)
def test_overrides_take_strategies_and_paths(brand):
    assert brand["country"] in ("US", "CA")
    assert {"first_name", "last_name", "mobile_phone"} <= set(brand)


@given(
    tst.requests("vonage.campaigns.create", form="bytes"),
    tst.requests("bandwidth.brands.create", form="text"),
)
def test_encoded_forms_are_ready_to_send(campaign, brand):
    assert isinstance(campaign, bytes)
    assert isinstance(brand, str)
    assert tendlc.validate("vonage.campaigns.create", campaign).valid
    assert tendlc.validate("bandwidth.brands.create", brand).valid
    assert etree.fromstring(brand.encode()).tag == "Brand"


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: tst.requests("bandwidth.brand.create"), "did you mean"),
        (
            lambda: tst.requests("bandwidth.brands.create", overrides={"EntityTyp": "X"}),
            "EntityType",
        ),
        (lambda: tst.requests("bandwidth.brands.create", form="xml"), "form must be"),
        (lambda: tst.responses("bandwidth.brands.create", status=418), "documented"),
        (lambda: tst.requests("bandwidth.brands.get"), "no request body"),
        (lambda: tst.requests("bandwidth.importTnOrders.uploadLoa"), "file upload"),
    ],
    ids=["operation", "override", "form", "status", "no-body", "binary"],
)
def test_bad_arguments_fail_early_and_clearly(call, words):
    with pytest.raises(tst.InvalidArgument, match=words):
        call()


def test_invalid_argument_is_a_value_error():
    assert issubclass(tst.InvalidArgument, ValueError)


@pytest.mark.parametrize("provider", ["bandwidth", "vonage"])
def test_issue_paths_map_onto_the_schema_paths_pins_are_written_in(provider):
    """The repair loop leaves pinned fields alone by comparing an issue's path with the pins'
    schema paths: every field, at any index of any list on the way, maps back onto its own."""
    from tendlc._shared import escape
    from tendlc.strategies._adapters import adapter_for

    checked = 0
    for operation in tendlc.operations(provider):
        body = operation.request
        if body is None or not body.structured:
            continue
        adapter = adapter_for(body, response=False)
        for path, _ in adapter._schema_fields():
            if body.is_xml:
                issue_path = "/" + "/".join([body.locator, *(f"{step}[2]" for step in path)])
            else:
                issue_path = "".join("/3" if step == "*" else "/" + escape(step) for step in path)
            assert adapter.schema_path(issue_path) == path, issue_path
            assert path in adapter.pin_paths(issue_path)
            checked += 1
    assert checked > 50
