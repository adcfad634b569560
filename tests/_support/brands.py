"""A brand and a campaign under it, for the tests of the brand behind a campaign: the campaign
draws advice about its brand only when the brand is known (its opt-out reply does not name the
brand, which only the brand's own fields tell)."""

from __future__ import annotations

import json
from typing import Any

from . import advice_cases

BRAND_ID = "B123456"
#: a Vonage brand request (the advice cases' brand, with the account that sends it)
BRAND_REQUEST: dict[str, Any] = {"account_id": "abcd1234", **advice_cases.BRAND_REQUEST}
#: valid, and without advice but for its opt-out reply, which names no brand
CAMPAIGN: dict[str, Any] = dict(
    advice_cases.CLEAN,
    opt_out_message="You have been unsubscribed and will receive no further messages.",
)
#: the advice the campaign draws once its brand is known
BRAND_ADVICE = ("advice.opt-out-message.brand", "/opt_out_message")
#: the same campaign with its opt-out reply naming the brand: no advice at all
CLEAN_CAMPAIGN = advice_cases.CLEAN


def body(data: Any) -> bytes:
    return json.dumps(data).encode("utf-8")
