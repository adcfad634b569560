"""Advice test cases shared by the rule tests and the engine-equivalence test: a brand, a
clean campaign, and per rule a document it fires on and a look-alike it keeps quiet on; and the
advice corpus (tests/advice_corpus/) read as cases."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

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


def edited(base: dict[str, Any], edits: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(base)
    for key, value in edits.items():
        if value is None:
            document.pop(key, None)
        else:
            document[key] = value
    return document


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

CORPUS = Path(__file__).resolve().parent.parent / "advice_corpus"
BASE: dict[str, Any] = yaml.safe_load((CORPUS / "base.yaml").read_text(encoding="utf-8"))["base"]


def _corpus_cases() -> list[dict[str, Any]]:
    cases = []
    for path in sorted(CORPUS.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")).get("cases") or ():
            cases.append({**case, "file": path.name})
    return cases


#: the corpus's cases, each with the file it is in
CORPUS_CASES = _corpus_cases()


def corpus_body(case: dict[str, Any]) -> dict[str, Any]:
    """The request a corpus case stands for (a campaign: the corpus's base with its fields)."""
    if case.get("operation", CAMPAIGN) != CAMPAIGN:
        return dict(case["fields"])
    return {**BASE, **case["fields"]}
