"""Advice: every rule fires on what it names and keeps quiet on its look-alikes; the engine, the
rules file, the role maps and the report around them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

import tendlc
from _support.advice_cases import BRAND, BRAND_REQUEST, CAMPAIGN, CASES, CLEAN, NO_BRAND, edited
from tendlc._documented import documented_examples
from tendlc._resources import contracts_dir
from tendlc._shared import load_yaml
from tendlc._validation._advice import advise, rule_set, rules


def _rules_of(operation: str, document: Any, brand: Any = BRAND) -> list[tuple[str, str]]:
    return [(issue.rule, issue.path) for issue in advise(operation, document, brand=brand)]


def test_the_clean_campaign_is_valid_and_gets_no_advice():
    assert tendlc.validate(CAMPAIGN, CLEAN).valid
    assert _rules_of(CAMPAIGN, CLEAN) == []
    assert _rules_of(CAMPAIGN, CLEAN, brand=None) == []


# -- each rule: a document it fires on, and a look-alike it keeps quiet on -------------------

CASE_IDS = [case[0] for case in CASES]


def test_every_rule_has_a_firing_and_a_quiet_case():
    assert sorted(set(CASE_IDS)) == sorted(rule.id for rule in rules())
    assert len(CASE_IDS) == len(set(CASE_IDS))


@pytest.mark.parametrize(("rule", "operation", "base", "fire", "quiet"), CASES, ids=CASE_IDS)
def test_the_rule_fires(rule, operation, base, fire, quiet):
    found = [rule_id for rule_id, _ in _rules_of(operation, edited(base, fire))]
    assert rule in found, found


@pytest.mark.parametrize(("rule", "operation", "base", "fire", "quiet"), CASES, ids=CASE_IDS)
def test_the_rule_keeps_quiet_on_a_look_alike(rule, operation, base, fire, quiet):
    found = [rule_id for rule_id, _ in _rules_of(operation, edited(base, quiet))]
    assert rule not in found, found


# -- what an advice issue says --------------------------------------------------------------


def test_an_advice_issue_names_the_field_the_fix_the_source_and_what_satisfies_it():
    document = edited(CLEAN, {"description": CLEAN["description"] + " See bit.ly/x1"})
    (issue,) = advise(CAMPAIGN, document, brand=BRAND)
    assert issue.severity == "advice"
    assert (issue.path, issue.rule) == ("/description", "advice.url-shortener")
    assert "'bit.ly/x1'" in issue.message and "full link" in issue.message
    assert issue.location.startswith("004_94fe2f16f9cd02e3.txt#Set to true if the campaign")
    assert issue.expected == "links on the brand's own domain"
    assert issue.line is None
    by_url = next(advise(CAMPAIGN, edited(CLEAN, {"sample_two": None}), brand=BRAND))
    assert by_url.location == "https://www.twilio.com/docs/api/errors/30893"
    assert (by_url.path, by_url.rule) == ("/sample_two", "advice.sample-count")


def test_advice_leaves_a_report_valid_and_is_kept_apart():
    report = tendlc.validate(
        CAMPAIGN, edited(CLEAN, {"sample_two": None}), advice=True, brand=BRAND
    )
    assert report.valid
    assert [issue.rule for issue in report.advice] == ["advice.sample-count"]
    assert report.errors == () and report.warnings == ()
    assert report.to_dict()["issues"][0]["severity"] == "advice"
    assert report.best_match() is report.advice[0]


def test_errors_rank_before_advice():
    document = edited(CLEAN, {"sample_two": None, "description": "too short"})
    report = tendlc.validate(CAMPAIGN, json.dumps(document).encode(), advice=True, brand=BRAND)
    assert not report.valid
    assert report.best_match().severity == "error"
    assert [issue.rule for issue in report.advice] == ["advice.sample-count"]


def test_issues_come_in_the_order_of_the_rules_file():
    document = edited(
        CLEAN,
        {
            "help_message": "For help, reply with your question. Ask for {agent}.",
            "sample_two": None,
            "description": CLEAN["description"] + " Vape juice sale.",
        },
    )
    order = {rule.id: index for index, rule in enumerate(rules())}
    found = [order[issue.rule] for issue in advise(CAMPAIGN, document, brand=BRAND)]
    assert len(found) >= 4 and found == sorted(found)


# -- the brand behind a campaign ------------------------------------------------------------


def test_the_brand_name_comes_from_the_campaign_or_the_brand():
    without_samples_brand = edited(
        CLEAN, {"sample_one": NO_BRAND, "sample_two": NO_BRAND.replace("9", "10")}
    )
    flow = dict(without_samples_brand)
    flow["message_flow"] = "Brand: Acme Plumbing \\\n" + CLEAN["message_flow"]
    # from the message flow's "Brand:" line, with no brand given
    assert "advice.sample-brand-name" in [r for r, _ in _rules_of(CAMPAIGN, flow, brand=None)]
    # nothing to compare with: no brand name known, no advice on it
    assert "advice.sample-brand-name" not in [
        r for r, _ in _rules_of(CAMPAIGN, without_samples_brand, brand=None)
    ]


@pytest.mark.parametrize(
    "brand",
    [
        BRAND,
        BRAND_REQUEST,
        json.dumps(BRAND_REQUEST),
        b"<Brand><DisplayName>Acme Plumbing</DisplayName>"
        b"<Website>https://acmeplumbing.com</Website></Brand>",
        b"<BrandResponse><Brand><CompanyName>Acme Plumbing LLC</CompanyName></Brand>"
        b"</BrandResponse>",
        etree.fromstring(b"<Brand><CompanyName>ACME PLUMBING, LLC</CompanyName></Brand>"),
    ],
    ids=["plain", "request", "json-text", "xml-request", "xml-response", "xml-element"],
)
def test_a_brand_of_either_provider_names_the_campaign_brand(brand):
    document = edited(CLEAN, {"opt_out_message": "You have been unsubscribed. No more messages."})
    assert _rules_of(CAMPAIGN, document, brand=brand) == [
        ("advice.opt-out-message.brand", "/opt_out_message")
    ]


@pytest.mark.parametrize("brand", [42, b"not a document", {"color": "blue"}])
def test_a_brand_that_cannot_be_read_is_a_programmer_error(brand):
    with pytest.raises(tendlc.InvalidArgument):
        list(advise(CAMPAIGN, CLEAN, brand=brand))


# -- documents and operations ---------------------------------------------------------------


def test_bodies_are_read_from_bytes_and_text_and_unreadable_ones_get_no_advice():
    document = edited(CLEAN, {"sample_two": None})
    expected = _rules_of(CAMPAIGN, document)
    assert _rules_of(CAMPAIGN, json.dumps(document).encode()) == expected
    assert _rules_of(CAMPAIGN, json.dumps(document)) == expected
    assert _rules_of(CAMPAIGN, b"{not json") == []
    report = tendlc.validate(CAMPAIGN, b"{not json", advice=True)
    assert not report.valid and report.advice == ()
    assert _rules_of(CAMPAIGN, [1, 2]) == []


def test_operations_no_rule_reads_get_no_advice_and_unknown_ids_raise():
    assert list(advise("vonage.enum.get", {})) == []
    assert list(advise("bandwidth.tnOptions.create", b"<TnOptionOrder/>")) == []
    with pytest.raises(tendlc.UnknownOperationError):
        advise("vonage.campaign.create", {})


def test_a_partial_update_is_not_asked_for_what_it_leaves_alone():
    assert _rules_of("vonage.campaigns.update", {"label": "Spring"}) == []
    found = _rules_of("vonage.campaigns.update", {"sample_one": "Visit bit.ly/x to book now!"})
    assert ("advice.url-shortener", "/sample_one") in found
    assert "advice.sample-count" not in [rule for rule, _ in found]


def test_xml_brands_are_read_through_element_paths():
    body = (
        b"<Brand><EntityType>SOLE_PROPRIETOR</EntityType><DisplayName>Smith Consulting LLC"
        b"</DisplayName><Email>jo@gmail.com</Email><Website>https://smith.example</Website>"
        b"<Ein>111111111</Ein></Brand>"
    )
    assert _rules_of("bandwidth.brands.create", body) == [
        ("advice.brand-email-domain", "/Brand/Email"),
        ("advice.brand-sole-proprietor.ein", "/Brand/Ein"),
        ("advice.brand-sole-proprietor.legal-suffix", "/Brand/DisplayName"),
    ]


def test_the_documented_brand_examples_get_no_advice():
    for example in documented_examples():
        if example.part == "request" and ".brands." in example.operation:
            assert _rules_of(example.operation, example.repaired()) == [], example.name


def test_the_documented_campaign_example_gets_the_advice_its_template_text_earns():
    (example,) = [
        e for e in documented_examples() if e.operation == CAMPAIGN and e.part == "request"
    ]
    found = {rule for rule, _ in _rules_of(CAMPAIGN, example.published(), brand=None)}
    # "<Brand Name>: You are now opted-in ..." is the page's template, not a reply to send
    assert {"advice.placeholder.reply", "advice.opt-in-message.brand"} <= found
    assert "advice.sample-opt-out" in found  # none of its five samples says how to opt out


def test_vetting_pin_email_is_advice_not_an_error():
    (example,) = [
        e for e in documented_examples() if e.name == "vonage/vetting.create.request.json"
    ]
    details = json.loads(example.repaired())["vetting_political_details"]
    details.update(pin_preference="Email", election_date="2099-11-03")
    del details["filing_email"]
    document = {"evp_id": "CV", "vetting_class": "POLITICAL", "vetting_political_details": details}
    report = tendlc.validate("vonage.vetting.create", document, advice=True)
    assert report.valid, [str(issue) for issue in report.errors]
    assert [(i.path, i.rule) for i in report.advice] == [
        ("/vetting_political_details/filing_email", "advice.vetting-pin-email")
    ]


# -- the rules file -------------------------------------------------------------------------

FAMILIES = {
    "advice.sample-brand-name",
    "advice.sample-opt-out",
    "advice.samples-distinct",
    "advice.sample-count",
    "advice.url-shortener",
    "advice.embedded-link-flag",
    "advice.embedded-phone-flag",
    "advice.prohibited-content",
    "advice.age-gate",
    "advice.lending-flag",
    "advice.call-to-action",
    "advice.opt-in-message",
    "advice.opt-out-message",
    "advice.help-message",
    "advice.placeholder",
    "advice.language",
}


def test_the_rule_families_are_covered_and_every_rule_cites_a_source():
    assert {rule.family for rule in rules()} >= FAMILIES
    for rule in rules():
        assert rule.sources and rule.rationale and rule.problem and rule.fix, rule.id
        for source in rule.sources:
            assert source.url.startswith("https://") or (source.seed and source.quote), rule.id
            if source.url:
                assert source.fact and not source.quote, rule.id


def test_every_lexicon_and_source_is_used():
    used_lexicons = {rule.lexicon.name for rule in rules() if rule.lexicon is not None}
    assert set(rule_set().lexicons) - {"legal_suffix"} <= used_lexicons | {"help"}
    used_sources = {source.id for rule in rules() for source in rule.sources}
    assert set(rule_set().citations) == used_sources


def test_role_maps_name_only_operations_of_their_provider_and_roles_rules_read():
    known_roles = {role for rule in rules() for role in (*rule.reads, *rule.names, rule.flag)}
    known_roles |= {rule.email for rule in rules()} | {rule.website for rule in rules()}
    known_roles |= {role for rule in rules() for role in rule.when}
    for path in sorted(contracts_dir().glob("*/advice.yaml")):
        data = load_yaml(path)
        for operation_id, roles in data["operations"].items():
            assert tendlc.get_operation(operation_id).provider == path.parent.name
            assert set(roles) - {"partial"} <= known_roles, (operation_id, set(roles))
            for role, sources in roles.items():
                if role == "partial":
                    continue
                for source in sources:
                    pointer = source["pointer"] if isinstance(source, dict) else source
                    assert pointer.startswith("/"), (operation_id, role)


def test_the_advice_engine_names_no_provider():
    package = Path(tendlc.__file__).parent / "_validation" / "_advice"
    for path in sorted(package.glob("*")):
        if path.suffix in (".py", ".yaml"):
            text = path.read_text(encoding="utf-8").lower()
            assert not re.search(r"vonage|bandwidth", text), path.name
