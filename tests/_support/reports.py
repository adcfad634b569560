"""A sample conformance run for the report writers: real checks of the providers' documented
examples (examples/), so what a report says is what tendlc.traffic.check found."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from tendlc._resources import examples_dir
from tendlc.traffic import (
    Exchange,
    ExchangeResult,
    Headers,
    Request,
    Response,
    Run,
    RunEntry,
    check_exchange,
)

EXAMPLES = examples_dir()
BANDWIDTH = "https://dashboard.bandwidth.com/api/accounts/9900000/campaignManagement/10dlc"
VONAGE = "https://api.nexmo.com/v1/10dlc"
XML = Headers({"Content-Type": "application/xml"})
JSON = Headers({"Content-Type": "application/json"})
#: a hostile value: it must show in a report as text, never as markup
PAYLOAD = "<script>alert(1)</script> \"x\" 'y'"
#: a credential in a URL: no report may show it
SECRET = "abc-secret-123"
STARTED = datetime(2025, 3, 4, 10, 0, 0, tzinfo=timezone.utc)


def example(name: str) -> bytes:
    """The bytes of a documented example, by its path under examples/."""
    return (EXAMPLES / name).read_bytes()


def campaign_import() -> ExchangeResult:
    """The documented Bandwidth campaign import and its 201: valid."""
    return check_exchange(
        Exchange(
            Request(
                "POST",
                f"{BANDWIDTH}/campaigns/imports",
                XML,
                example("bandwidth/campaignImports.create.request.xml"),
            ),
            Response(201, XML, example("bandwidth/campaignImports.create.response.201.xml")),
        )
    )


def invalid_brand() -> ExchangeResult:
    """The documented Vonage brand (an undocumented field, a bad date) with a hostile value in
    the date, and the documented 201 (its own documented defects)."""
    brand = json.loads(example("vonage/brands.create.request.json"))
    brand["verification_email_completion_date"] = PAYLOAD
    return check_exchange(
        Exchange(
            Request("POST", f"{VONAGE}/brands", JSON, json.dumps(brand).encode()),
            Response(201, JSON, example("vonage/brands.create.response.201.json")),
        )
    )


def unmatched() -> ExchangeResult:
    """A request to no documented operation, its URL carrying SECRET."""
    return check_exchange(
        Exchange(
            Request("GET", f"{VONAGE}/nothing/here?api_key={SECRET}"),
            Response(200, JSON, b"{}"),
        )
    )


def drifting_brand() -> ExchangeResult:
    """The documented brand, repaired as the errata say, plus a field the contract lacks."""
    body = json.loads(example("vonage/brands.get.response.200.json"))
    body["verification_email_completion_date"] = "2019-08-24T14:15:22Z"
    body["carrier_suspensions"] = [{}]
    body["loyalty_tier"] = "gold"
    return check_exchange(
        Exchange(
            Request("GET", f"{VONAGE}/brands/BLQKOPK"),
            Response(200, JSON, json.dumps(body).encode()),
        )
    )


def sample_run() -> Run:
    """A conformance run with one of each: pass, errors both ways, unmatched, drift (twice),
    a skipped and a failed probe."""
    run = Run(
        "conform",
        started=STARTED,
        finished=STARTED + timedelta(seconds=12.5),
        context={"provider": "vonage", "base_url": "http://127.0.0.1:8765/v1/10dlc"},
    )
    run.add("import a campaign", campaign_import())
    run.add("create an invalid brand", invalid_brand())
    run.add("GET /v1/10dlc/nothing/here", unmatched())
    run.add("get a brand", drifting_brand())
    run.add("get the brand again", drifting_brand())
    run.extend(
        [
            RunEntry("vonage.brands.delete", None, status="skipped", note="destructive: skipped"),
            RunEntry("probe the account", None, status="failed", note="connection refused"),
        ]
    )
    return run
