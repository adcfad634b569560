"""Advice: every rule fires on what it names and keeps quiet on its look-alikes; the engine, the
rules file, the role maps and the report around them."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

import tendlc
from tendlc._documented import documented_examples
from tendlc._resources import contracts_dir
from tendlc._shared import load_yaml
from tendlc._validation._advice import advise, rule_set, rules

CAMPAIGN = "vonage.campaigns.create"
BRAND = {
    "display_name": "Acme Plumbing",
    "company_name": "Acme Plumbing LLC",
    "website": "https://acmeplumbing.com",
}
CLEAN: dict[str, Any] = {
    "account_id": "abcd1234",
    "usecase": "ACCOUNT_NOTIFICATION",
    "sub_usecases": ["ACCOUNT_NOTIFICATION"],
    "description": "Acme Plumbing sends appointment reminders and service updates to customers "
    "who booked a visit on the Acme Plumbing website.",
    "sample_one": "Acme Plumbing: your technician Sam will arrive tomorrow between 9 and 11 AM. "
    "Reply STOP to opt out.",
    "sample_two": "Acme Plumbing: your service visit on May 4 is complete and your invoice is in "
    "your account. Reply HELP for help, STOP to cancel.",
    "message_flow": "Customers opt in by checking an unticked box on the booking form at "
    "https://acmeplumbing.com/book to receive appointment reminders and service updates by "
    "text. Message frequency varies. Message & data rates may apply. Text HELP for help. "
    "Text STOP to opt out. Terms: https://acmeplumbing.com/terms "
    "Privacy Policy: https://acmeplumbing.com/privacy",
    "opt_in_message": "Acme Plumbing: You are now subscribed to appointment reminders. Msg "
    "frequency varies. Msg & data rates may apply. Reply HELP for help, STOP to opt out.",
    "opt_out_message": "Acme Plumbing: You have been unsubscribed and will receive no further "
    "messages.",
    "help_message": "Acme Plumbing: For help, call 415-555-0100 or email "
    "support@acmeplumbing.com. Reply STOP to opt out.",
    "opt_in_keywords": "START",
    "opt_out_keywords": "STOP,CANCEL",
    "help_keywords": "HELP",
    "tc_agreed": True,
    "embedded_link": False,
    "embedded_phone": False,
}
BRAND_REQUEST: dict[str, Any] = {
    "entity_type": "PRIVATE_PROFIT",
    "display_name": "Acme Plumbing",
    "company_name": "Acme Plumbing LLC",
    "ein": "20-1111111",
    "ein_issuing_country": "US",
    "phone": "14155550100",
    "street": "23 Main Street",
    "city": "Holmdel",
    "state": "NJ",
    "postal_code": "07733",
    "country": "US",
    "email": "support@acmeplumbing.com",
    "website": "https://www.acmeplumbing.com",
    "vertical": "CONSTRUCTION",
}


def _edited(base: dict[str, Any], edits: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(base)
    for key, value in edits.items():
        if value is None:
            document.pop(key, None)
        else:
            document[key] = value
    return document


def _rules_of(operation: str, document: Any, brand: Any = BRAND) -> list[tuple[str, str]]:
    return [(issue.rule, issue.path) for issue in advise(operation, document, brand=brand)]


def test_the_clean_campaign_is_valid_and_gets_no_advice():
    assert tendlc.validate(CAMPAIGN, CLEAN).valid
    assert _rules_of(CAMPAIGN, CLEAN) == []
    assert _rules_of(CAMPAIGN, CLEAN, brand=None) == []


# -- each rule: a document it fires on, and a look-alike it keeps quiet on -------------------

NO_BRAND = "Your technician will arrive tomorrow between 9 and 11 AM. Reply STOP to opt out."
# (rule, operation, base, edits that make it fire, edits of a look-alike it must not fire on)
CASES: list[tuple[str, str, dict[str, Any], dict[str, Any], dict[str, Any]]] = [
    ("advice.sample-count", CAMPAIGN, CLEAN, {"sample_two": None}, {}),
    (
        "advice.samples-distinct",
        CAMPAIGN,
        CLEAN,
        {"sample_two": CLEAN["sample_one"].upper()},
        {"sample_two": CLEAN["sample_one"].replace("tomorrow", "today")},
    ),
    (
        "advice.sample-brand-name",
        CAMPAIGN,
        CLEAN,
        {"sample_one": NO_BRAND, "sample_two": NO_BRAND.replace("9", "10")},
        # the possessive names the brand
        {"sample_one": "Acme Plumbing's technician will arrive at 9 AM. Reply STOP to opt out."},
    ),
    (
        "advice.sample-opt-out",
        CAMPAIGN,
        CLEAN,
        {
            "sample_one": "Acme Plumbing: non-stop service, 24/7. Use a stopwatch to time us!",
            "sample_two": "Acme Plumbing: visit done. Reply STOP2END.",
        },
        {
            "sample_one": "Acme Plumbing: visit done. reply stop to opt out",
            "sample_two": "Acme Plumbing: see you soon. STOP=stop",
        },
    ),
    (
        "advice.url-shortener",
        CAMPAIGN,
        CLEAN,
        {"description": CLEAN["description"] + " Book at bit.ly/acme-book."},
        {"description": CLEAN["description"] + " Book at https://acmeplumbing.com/book."},
    ),
    (
        "advice.embedded-link-flag.undeclared",
        CAMPAIGN,
        CLEAN,
        {"sample_one": CLEAN["sample_one"] + " Track: https://acmeplumbing.com/t/42"},
        {
            "sample_one": CLEAN["sample_one"] + " Track: https://acmeplumbing.com/t/42",
            "embedded_link": True,
        },
    ),
    (
        "advice.embedded-link-flag.unused",
        CAMPAIGN,
        CLEAN,
        {"embedded_link": True},
        {"embedded_link": True, "sample_one": CLEAN["sample_one"] + " See acmeplumbing.com/visit"},
    ),
    (
        "advice.embedded-phone-flag.unused",
        CAMPAIGN,
        CLEAN,
        {"embedded_phone": True},
        {"embedded_phone": True, "sample_one": CLEAN["sample_one"] + " Call (415) 555-0100."},
    ),
    (
        "advice.embedded-phone-flag.undeclared",
        CAMPAIGN,
        CLEAN,
        {"sample_one": CLEAN["sample_one"] + " Questions? Call 1-800-555-0199."},
        # a bank's verification code is not a phone number
        {"sample_one": "Acme Plumbing: your verification code is 482913. Reply STOP to opt out."},
    ),
    (
        "advice.prohibited-content.cannabis",
        CAMPAIGN,
        CLEAN,
        {"sample_two": "Acme Plumbing: CBD gummies are 20% off today. Reply STOP to opt out."},
        {"sample_two": "Acme Plumbing: thanks! Enjoy your pot roast. Reply STOP to opt out."},
    ),
    (
        "advice.prohibited-content.sex",
        CAMPAIGN,
        CLEAN,
        {"description": CLEAN["description"] + " We also promote adult entertainment."},
        {"description": CLEAN["description"] + " Oversize loads travel with a police escort."},
    ),
    (
        "advice.prohibited-content.firearms",
        CAMPAIGN,
        CLEAN,
        {"sample_two": "Acme Plumbing: ammo sale this weekend only. Reply STOP to opt out."},
        {"sample_two": "Acme Plumbing: glue guns are back in stock. Reply STOP to opt out."},
    ),
    (
        "advice.prohibited-content.tobacco",
        CAMPAIGN,
        CLEAN,
        {"sample_two": "Acme Plumbing: new vape juice flavors arrived. Reply STOP to opt out."},
        {"sample_two": "Acme Plumbing: ask us about nicotine patch refills. Reply STOP to end."},
    ),
    (
        "advice.prohibited-content.debt-collection",
        CAMPAIGN,
        CLEAN,
        {"description": CLEAN["description"] + " We also offer a debt relief program."},
        {"description": CLEAN["description"] + " Invoices are due in 30 days."},
    ),
    (
        "advice.prohibited-content.credit-repair",
        CAMPAIGN,
        CLEAN,
        {"sample_two": "Acme Plumbing: we can fix your credit in 30 days. Reply STOP to opt out."},
        {"sample_two": "Acme Plumbing: your credit card payment was received. Reply STOP to end."},
    ),
    (
        "advice.age-gate",
        CAMPAIGN,
        CLEAN,
        {"sample_two": "Acme Plumbing: craft beer on tap at our open house. Reply STOP to end."},
        {"sample_two": "Acme Plumbing: root beer floats at our open house. Reply STOP to end."},
    ),
    (
        "advice.lending-flag",
        CAMPAIGN,
        CLEAN,
        {"description": CLEAN["description"] + " Customers may apply for a personal loan."},
        {
            "description": CLEAN["description"] + " Customers may apply for a personal loan.",
            "direct_lending": True,
        },
    ),
    (
        "advice.call-to-action.consent",
        CAMPAIGN,
        CLEAN,
        {
            "message_flow": "Acme Plumbing appointment reminders. Message frequency varies. "
            "Message & data rates may apply. Text HELP for help, STOP to cancel. "
            "Terms & privacy: https://acmeplumbing.com/terms"
        },
        {},
    ),
    (
        "advice.call-to-action.purpose",
        CAMPAIGN,
        CLEAN,
        {
            "message_flow": CLEAN["message_flow"]
            .replace("appointment reminders and service updates", "texts")
            .replace("booking form", "form")
        },
        {},
    ),
    (
        "advice.call-to-action.frequency",
        CAMPAIGN,
        CLEAN,
        {"message_flow": CLEAN["message_flow"].replace("Message frequency varies. ", "")},
        {
            "message_flow": CLEAN["message_flow"].replace(
                "Message frequency varies.", "Up to 4 msgs/month."
            )
        },
    ),
    (
        "advice.call-to-action.rates",
        CAMPAIGN,
        CLEAN,
        {"message_flow": CLEAN["message_flow"].replace("Message & data rates may apply. ", "")},
        {
            "message_flow": CLEAN["message_flow"].replace(
                "Message & data rates may apply.", "Msg&data rates may apply."
            )
        },
    ),
    (
        "advice.call-to-action.help",
        CAMPAIGN,
        CLEAN,
        {"message_flow": CLEAN["message_flow"].replace("Text HELP for help. ", "")},
        {},
    ),
    (
        "advice.call-to-action.opt-out",
        CAMPAIGN,
        CLEAN,
        {"message_flow": CLEAN["message_flow"].replace("Text STOP to opt out. ", "")},
        {
            "message_flow": CLEAN["message_flow"].replace(
                "Text STOP to opt out.", "Text END to cancel."
            )
        },
    ),
    (
        "advice.call-to-action.privacy",
        CAMPAIGN,
        CLEAN,
        {
            "message_flow": CLEAN["message_flow"].replace(
                "Privacy Policy: https://acmeplumbing.com/privacy", ""
            )
        },
        {},
    ),
    (
        "advice.call-to-action.terms",
        CAMPAIGN,
        CLEAN,
        {
            "message_flow": CLEAN["message_flow"].replace(
                "Terms: https://acmeplumbing.com/terms ", ""
            )
        },
        {},
    ),
    (
        "advice.opt-in-message.brand",
        CAMPAIGN,
        CLEAN,
        {"opt_in_message": CLEAN["opt_in_message"].replace("Acme Plumbing: ", "")},
        # the legal suffix and the case do not matter
        {"opt_in_message": CLEAN["opt_in_message"].replace("Acme Plumbing", "ACME PLUMBING INC.")},
    ),
    (
        "advice.opt-in-message.help",
        CAMPAIGN,
        CLEAN,
        {"opt_in_message": CLEAN["opt_in_message"].replace("Reply HELP for help, ", "")},
        {},
    ),
    (
        "advice.opt-in-message.opt-out",
        CAMPAIGN,
        CLEAN,
        {"opt_in_message": CLEAN["opt_in_message"].replace(", STOP to opt out", "")},
        {
            "opt_in_message": CLEAN["opt_in_message"].replace(
                "STOP to opt out", "Text END to cancel"
            )
        },
    ),
    (
        "advice.opt-out-message",
        CAMPAIGN,
        CLEAN,
        {"opt_out_message": "Acme Plumbing: You have been unsubscribed. Thank you!"},
        {"opt_out_message": "Acme Plumbing: You are opted out and will no longer receive texts."},
    ),
    (
        "advice.opt-out-message.acknowledge",
        CAMPAIGN,
        CLEAN,
        {"opt_out_message": "Acme Plumbing: You will receive no further messages from us."},
        {},
    ),
    (
        "advice.opt-out-message.brand",
        CAMPAIGN,
        CLEAN,
        {"opt_out_message": "You have been unsubscribed and will receive no further messages."},
        {},
    ),
    (
        "advice.help-message.brand",
        CAMPAIGN,
        CLEAN,
        {"help_message": CLEAN["help_message"].replace("Acme Plumbing: ", "")},
        {},
    ),
    (
        "advice.help-message.contact",
        CAMPAIGN,
        CLEAN,
        {"help_message": "Acme Plumbing: For help, reply with your question. Reply STOP to end."},
        {"help_message": "Acme Plumbing: For help visit acmeplumbing.com/help. Reply STOP to end."},
    ),
    (
        "advice.placeholder",
        CAMPAIGN,
        CLEAN,
        {"sample_one": "<Brand Name>: your technician arrives tomorrow. Reply STOP to opt out."},
        # a templated field in brackets is how samples mark variable parts
        {"sample_one": "Acme Plumbing: Hi [First Name], we arrive at [Time]. Reply STOP to end."},
    ),
    (
        "advice.placeholder.reply",
        CAMPAIGN,
        CLEAN,
        {"help_message": CLEAN["help_message"].replace("Sam", "{agent}") + " Ask for {agent}."},
        {},
    ),
    (
        "advice.language",
        CAMPAIGN,
        CLEAN,
        {
            "sample_two": "Acme Plumbing: su cita es mañana a las 10. Responda STOP para "
            "cancelar los mensajes."
        },
        # a Spanish brand name in an English text
        {"sample_two": "Acme Plumbing: your visit from La Casa del Sol team is done. Reply STOP."},
    ),
    (
        "advice.brand-email-domain",
        "vonage.brands.create",
        BRAND_REQUEST,
        {"email": "acmeplumbing@gmail.com"},
        {"email": "help@support.acmeplumbing.com"},
    ),
    (
        "advice.brand-sole-proprietor.ein",
        "vonage.brands.create",
        BRAND_REQUEST,
        {"entity_type": "SOLE_PROPRIETOR", "display_name": "Jane Smith Plumbing"},
        {"entity_type": "SOLE_PROPRIETOR", "display_name": "Jane Smith Plumbing", "ein": None},
    ),
    (
        "advice.brand-sole-proprietor.legal-suffix",
        "vonage.brands.create",
        BRAND_REQUEST,
        {"entity_type": "SOLE_PROPRIETOR", "ein": None},
        {"entity_type": "PRIVATE_PROFIT"},
    ),
    (
        "advice.vetting-pin-email",
        "vonage.vetting.create",
        {
            "evp_id": "CV",
            "vetting_class": "POLITICAL",
            "vetting_political_details": {"pin_preference": "Email"},
        },
        {},
        {"vetting_political_details": {"pin_preference": "Email", "filing_email": "a@b.org"}},
    ),
]
CASE_IDS = [case[0] for case in CASES]


def test_every_rule_has_a_firing_and_a_quiet_case():
    assert sorted(set(CASE_IDS)) == sorted(rule.id for rule in rules())
    assert len(CASE_IDS) == len(set(CASE_IDS))


@pytest.mark.parametrize(("rule", "operation", "base", "fire", "quiet"), CASES, ids=CASE_IDS)
def test_the_rule_fires(rule, operation, base, fire, quiet):
    found = [rule_id for rule_id, _ in _rules_of(operation, _edited(base, fire))]
    assert rule in found, found


@pytest.mark.parametrize(("rule", "operation", "base", "fire", "quiet"), CASES, ids=CASE_IDS)
def test_the_rule_keeps_quiet_on_a_look_alike(rule, operation, base, fire, quiet):
    found = [rule_id for rule_id, _ in _rules_of(operation, _edited(base, quiet))]
    assert rule not in found, found


# -- what an advice issue says --------------------------------------------------------------


def test_an_advice_issue_names_the_field_the_fix_the_source_and_what_satisfies_it():
    document = _edited(CLEAN, {"description": CLEAN["description"] + " See bit.ly/x1"})
    (issue,) = advise(CAMPAIGN, document, brand=BRAND)
    assert issue.severity == "advice"
    assert (issue.path, issue.rule) == ("/description", "advice.url-shortener")
    assert "'bit.ly/x1'" in issue.message and "full link" in issue.message
    assert issue.location.startswith("004_94fe2f16f9cd02e3.txt#Set to true if the campaign")
    assert issue.expected == "links on the brand's own domain"
    assert issue.line is None
    by_url = next(advise(CAMPAIGN, _edited(CLEAN, {"sample_two": None}), brand=BRAND))
    assert by_url.location == "https://www.twilio.com/docs/api/errors/30893"
    assert (by_url.path, by_url.rule) == ("/sample_two", "advice.sample-count")


def test_advice_leaves_a_report_valid_and_is_kept_apart():
    report = tendlc.validate(
        CAMPAIGN, _edited(CLEAN, {"sample_two": None}), advice=True, brand=BRAND
    )
    assert report.valid
    assert [issue.rule for issue in report.advice] == ["advice.sample-count"]
    assert report.errors == () and report.warnings == ()
    assert report.to_dict()["issues"][0]["severity"] == "advice"
    assert report.best_match() is report.advice[0]


def test_errors_rank_before_advice():
    document = _edited(CLEAN, {"sample_two": None, "description": "too short"})
    report = tendlc.validate(CAMPAIGN, json.dumps(document).encode(), advice=True, brand=BRAND)
    assert not report.valid
    assert report.best_match().severity == "error"
    assert [issue.rule for issue in report.advice] == ["advice.sample-count"]


def test_issues_come_in_the_order_of_the_rules_file():
    document = _edited(
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
    without_samples_brand = _edited(
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
    document = _edited(CLEAN, {"opt_out_message": "You have been unsubscribed. No more messages."})
    assert _rules_of(CAMPAIGN, document, brand=brand) == [
        ("advice.opt-out-message.brand", "/opt_out_message")
    ]


@pytest.mark.parametrize("brand", [42, b"not a document", {"color": "blue"}])
def test_a_brand_that_cannot_be_read_is_a_programmer_error(brand):
    with pytest.raises(tendlc.InvalidArgument):
        list(advise(CAMPAIGN, CLEAN, brand=brand))


# -- documents and operations ---------------------------------------------------------------


def test_bodies_are_read_from_bytes_and_text_and_unreadable_ones_get_no_advice():
    document = _edited(CLEAN, {"sample_two": None})
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


def _seeds() -> Path | None:
    for parent in Path(__file__).resolve().parents:
        for candidate in (parent / "shared" / "seeds", parent / "seeds"):
            if (candidate / "004_94fe2f16f9cd02e3.txt").is_file():
                return candidate
    return None


@pytest.mark.skipif(_seeds() is None, reason="the seed pages are not beside this checkout")
def test_every_seed_quote_is_in_its_seed_page():
    seeds = _seeds()
    assert seeds is not None
    for citation in rule_set().citations.values():
        if citation.seed:
            page = " ".join((seeds / citation.seed).read_text(encoding="utf-8").split())
            assert citation.quote in page, citation.id


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
