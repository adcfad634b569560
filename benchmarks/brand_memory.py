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
from functools import partial
from pathlib import Path
from typing import Any

from _rates import best_rates

from tendlc.traffic import BrandMemory, Exchange, Headers, Request, Response, check_exchange

BASE = "https://api.nexmo.com/v1/10dlc/brands"
JSON = Headers({"Content-Type": "application/json"})
# the brand and campaign of the advice tests (tests/_support: one home for both)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from _support.brands import BRAND_REQUEST as BRAND  # noqa: E402
from _support.brands import CAMPAIGN  # noqa: E402


def _body(data: Any) -> bytes:
    return json.dumps(data).encode("utf-8")


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
        rates = best_rates({"baseline": baseline, "memory": with_memory}, args.rounds, args.seconds)
        print(
            f"{label:<44} {1e6 / rates['baseline']:>8.1f}us {1e6 / rates['memory']:>8.1f}us "
            f"{rates['baseline'] / rates['memory']:>5.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
