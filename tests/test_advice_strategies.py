"""The advice generators: registrations that pass every advice rule and the contract, and
labelled mutations that each break exactly the advice rule they name, at the field they name."""

import pytest
from hypothesis import Phase, given, settings
from hypothesis import find as _find

import tendlc
from tendlc import strategies as tst
from tendlc._validation._advice import advise, rules_for
from tendlc.strategies._advice import advice_mutations, breakable_rule
from tendlc.strategies._generate import _body, _memoized, _valid

CAMPAIGN = "vonage.campaigns.create"
BUDGET = settings(max_examples=settings.default.max_examples // 4)
ADVISED = ["vonage.campaigns.create", "vonage.brands.create", "bandwidth.brands.create"]


@pytest.mark.parametrize("operation_id", ADVISED)
def test_clean_registrations_pass_the_contract_and_every_advice_rule(operation_id):
    @BUDGET
    @given(tst.requests(operation_id, advice_clean=True))
    def check(payload):
        report = tendlc.validate(operation_id, payload)
        assert report.valid, [str(issue) for issue in report.errors]
        assert [str(issue) for issue in advise(operation_id, payload)] == []

    check()


@pytest.mark.parametrize("operation_id", [CAMPAIGN, "vonage.brands.create"])
def test_each_mutation_breaks_exactly_its_rule_at_its_path(operation_id):
    @BUDGET
    @given(tst.invalid_requests(operation_id, advice=True))
    def check(mutation):
        assert tendlc.validate(operation_id, mutation.payload).valid
        found = [(issue.path, issue.rule) for issue in advise(operation_id, mutation.payload)]
        assert {rule for _, rule in found} == {mutation.rule}, (mutation.description, found)
        assert (mutation.path, mutation.rule) in found, (mutation.description, found)

    check()


BREAKABLE = [rule.id for rule in rules_for(CAMPAIGN) if breakable_rule(rule)]


def test_the_mutations_reach_nearly_every_campaign_rule():
    assert len(BREAKABLE) >= 30
    assert {rule.split(".")[1] for rule in BREAKABLE} >= {
        "sample-brand-name",
        "sample-opt-out",
        "samples-distinct",
        "sample-count",
        "url-shortener",
        "embedded-link-flag",
        "embedded-phone-flag",
        "prohibited-content",
        "age-gate",
        "lending-flag",
        "call-to-action",
        "opt-in-message",
        "opt-out-message",
        "help-message",
        "placeholder",
        "language",
    }


@pytest.mark.parametrize("rule", BREAKABLE)
def test_every_breakable_rule_gets_a_mutation(rule):
    body = _body(CAMPAIGN, "request", None)
    valid = _memoized(_valid, "request", CAMPAIGN, None, (), "parsed")
    mutation = _find(
        advice_mutations(CAMPAIGN, body, valid, only=rule),
        lambda m: True,
        settings=settings(max_examples=200, phases=[Phase.generate], database=None),
    )
    assert mutation.rule == rule
    assert mutation.path.startswith("/")


@given(tst.requests(CAMPAIGN, advice_clean=True, form="bytes"))
def test_clean_registrations_come_encoded_too(payload):
    assert isinstance(payload, bytes)
    assert list(advise(CAMPAIGN, payload)) == []


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: tst.requests(CAMPAIGN, advice_clean="yes"), "True or False"),
        (lambda: tst.invalid_requests(CAMPAIGN, advice=1), "True or False"),
        (lambda: tst.requests("bandwidth.tnOptions.create", advice_clean=True), "no advice"),
        (lambda: tst.invalid_requests("vonage.vetting.create", advice=True), "no way to break"),
    ],
    ids=["clean-flag", "advice-flag", "no-rules", "no-mutations"],
)
def test_bad_advice_arguments_fail_early_and_clearly(call, words):
    with pytest.raises(tst.InvalidArgument, match=words):
        call()
