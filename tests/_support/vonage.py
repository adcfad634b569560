"""Valid Vonage requests made from the documented examples, for the sandbox's tests: the
examples as published are not valid as they stand (errata), these are."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples" / "vonage"


def valid_brand(completed: str = "2019-08-24T14:15:22Z") -> dict[str, Any]:
    """The documented brand request, valid: no universal EIN beside its EIN, and the
    verification e-mail's completion date ``completed``."""
    brand: dict[str, Any] = json.loads((_EXAMPLES / "brands.create.request.json").read_bytes())
    brand.pop("universal_ein")
    brand["verification_email_completion_date"] = completed
    return brand


def valid_campaign() -> dict[str, Any]:
    """The documented campaign request, valid: no message flow, and a description long
    enough."""
    campaign: dict[str, Any] = json.loads(
        (_EXAMPLES / "campaigns.create.request.json").read_bytes()
    )
    campaign.pop("message_flow", None)
    campaign["description"] = "User notifications about appointments, orders and payments"
    return campaign
