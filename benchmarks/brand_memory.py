"""What remembering brands costs a traffic check: ``check_exchange`` with a BrandMemory against
``check_exchange`` without one, measured in the same run.

    python benchmarks/brand_memory.py [--rounds 7] [--seconds 0.2]

Two exchanges: a Vonage brand create (the memory learns the brand: its request read through
its roles, its answer parsed once more) and a campaign create under that brand with advice
asked for. The baseline of the campaign is the same check with the brand given outright
(``brand=``), so the difference is the memory's look-up alone; the baseline of the brand
create is the check without a memory, so the difference is what learning costs. The sides are
measured in turns, ``--rounds`` times each, and each keeps its best round, so that a busy
machine slows all of them alike.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from tendlc.traffic import BrandMemory, Exchange, Headers, Request, Response, check_exchange

BASE = "https://api.nexmo.com/v1/10dlc/brands"
JSON = Headers({"Content-Type": "application/json"})
BRAND = {
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
CAMPAIGN = {
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


def _body(data: Any) -> bytes:
    return json.dumps(data).encode("utf-8")


def _rate(function: Callable[[], Any], seconds: float) -> float:
    """Calls per second of ``function`` over about ``seconds``."""
    calls = 1
    while True:
        started = time.perf_counter()
        for _ in range(calls):
            function()
        elapsed = time.perf_counter() - started
        if elapsed >= seconds or calls >= 1 << 22:
            return calls / elapsed
        calls = max(calls * 2, int(calls * seconds / max(elapsed, 1e-9) * 1.1))


def _best(functions: dict[str, Callable[[], Any]], rounds: int, seconds: float) -> dict[str, float]:
    """Each function's best rate over ``rounds`` turns (the functions take turns)."""
    best = dict.fromkeys(functions, 0.0)
    for _ in range(rounds):
        for name, function in functions.items():
            best[name] = max(best[name], _rate(function, seconds))
    return best


def main() -> int:
    options = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    options.add_argument("--rounds", type=int, default=7)
    options.add_argument("--seconds", type=float, default=0.2)
    args = options.parse_args()
    created = Exchange(
        Request("POST", BASE, JSON, _body(BRAND)),
        Response(201, JSON, _body({"brand_id": "B123456", **BRAND})),
    )
    campaign = Exchange(Request("POST", f"{BASE}/B123456/campaigns", JSON, _body(CAMPAIGN)))
    memory = BrandMemory()
    check_exchange(created, brands=memory)
    brand = memory.get("vonage", "B123456")
    remembered = check_exchange(campaign, advice=True, brands=memory)
    given = check_exchange(campaign, advice=True, brand=brand)
    if remembered.issues != given.issues or not remembered.advice:
        raise SystemExit("the remembered brand does not give the advice the brand itself gives")
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs")
    print(f"{args.rounds} rounds of {args.seconds}s per side, best round kept\n")
    print(f"{'exchange':<44} {'baseline':>10} {'memory':>10} {'ratio':>6}")
    print(f"{'-' * 44} {'-' * 10} {'-' * 10} {'-' * 6}")
    pairs = {
        "brand create (learns) vs no memory": (
            partial(check_exchange, created),
            partial(check_exchange, created, brands=memory),
        ),
        "campaign, advice (looks up) vs brand=": (
            partial(check_exchange, campaign, advice=True, brand=brand),
            partial(check_exchange, campaign, advice=True, brands=memory),
        ),
    }
    for label, (baseline, with_memory) in pairs.items():
        rates = _best({"baseline": baseline, "memory": with_memory}, args.rounds, args.seconds)
        print(
            f"{label:<44} {1e6 / rates['baseline']:>8.1f}us {1e6 / rates['memory']:>8.1f}us "
            f"{rates['baseline'] / rates['memory']:>5.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
