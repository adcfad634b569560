"""A brand and a campaign under it, for the tests of the brand behind a campaign: the campaign
draws advice about its brand only when the brand is known (its opt-out reply does not name the
brand, which only the brand's own fields tell)."""

from __future__ import annotations

import json
from typing import Any

BRAND_ID = "B123456"
BRAND_REQUEST: dict[str, Any] = {
    "account_id": "abcd1234",
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
#: valid, and without advice but for its opt-out reply, which names no brand
CAMPAIGN: dict[str, Any] = {
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
    "opt_out_message": "You have been unsubscribed and will receive no further messages.",
    "help_message": "Acme Plumbing: For help, call 415-555-0100 or email "
    "support@acmeplumbing.com. Reply STOP to opt out.",
    "opt_in_keywords": "START",
    "opt_out_keywords": "STOP,CANCEL",
    "help_keywords": "HELP",
    "tc_agreed": True,
    "embedded_link": False,
    "embedded_phone": False,
}
#: the advice the campaign draws once its brand is known
BRAND_ADVICE = ("advice.opt-out-message.brand", "/opt_out_message")
#: the same campaign with its opt-out reply naming the brand: no advice at all
CLEAN_CAMPAIGN = dict(
    CAMPAIGN,
    opt_out_message="Acme Plumbing: You have been unsubscribed and will receive no further "
    "messages.",
)


def body(data: Any) -> bytes:
    return json.dumps(data).encode("utf-8")
