"""What advice costs: validating a request with advice against validating it without, measured in
the same run.

    python benchmarks/advice.py [--rounds 7] [--seconds 0.2]

For each case, bytes in: ``tendlc.validate`` alone (the baseline, the contract's verdict), then
``validate(..., advice=True)`` (the same validation, the body parsed once more and every advice
rule applied),
and their ratio (time with advice / time without); then ``advise`` alone on the body already
parsed, which is what advice adds where the document is parsed once and shared. The sides are
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

import yaml
from _rates import best_rates
from lxml import etree

import tendlc
from tendlc._validation._advice import advise

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "advice_corpus"


def _corpus_case(case_id: str) -> tuple[str, dict[str, Any], Any]:
    base = yaml.safe_load((CORPUS / "base.yaml").read_text(encoding="utf-8"))["base"]
    for path in sorted(CORPUS.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")).get("cases") or ():
            if case["id"] == case_id:
                operation = case.get("operation", "vonage.campaigns.create")
                fields = case["fields"]
                body = {**base, **fields} if operation == "vonage.campaigns.create" else fields
                return operation, body, case.get("brand")
    raise LookupError(case_id)


def cases() -> list[tuple[str, str, bytes, Any]]:
    """(label, operation, bytes, brand): campaigns from the advice corpus (a clean one, one
    with two defects, one with long samples, one whose samples are not in English), a brand of
    each provider."""
    found = []
    for label, case_id in (
        ("vonage.campaigns.create, clean", "clean-dental-reminders"),
        ("vonage.campaigns.create, two defects", "shortener-and-undeclared-link"),
        ("vonage.campaigns.create, 3 samples", "trap-opt-out-wording"),
        ("vonage.campaigns.create, in Spanish", "spanish-samples"),
        ("vonage.brands.create", "brand-email-matching-domain"),
    ):
        operation, body, brand = _corpus_case(case_id)
        found.append((label, operation, json.dumps(body).encode(), brand))
    xml = (
        b"<Brand><EntityType>PRIVATE_PROFIT</EntityType><BrandRelationship>BASIC_ACCOUNT"
        b"</BrandRelationship><City>Raleigh</City><CompanyName>Acme Plumbing LLC</CompanyName>"
        b"<Country>US</Country><DisplayName>Acme Plumbing</DisplayName><Ein>111111111</Ein>"
        b"<Email>help@acmeplumbing.com</Email><Phone>+18009999999</Phone><PostalCode>27606"
        b"</PostalCode><State>NC</State><Street>1 Main St</Street><Vertical>CONSTRUCTION"
        b"</Vertical><Website>https://www.acmeplumbing.com</Website><IsMain>false</IsMain></Brand>"
    )
    found.append(("bandwidth.brands.create", "bandwidth.brands.create", xml, None))
    return found


def _parsed(operation: str, payload: bytes) -> Any:
    if tendlc.get_operation(operation).request.is_xml:  # type: ignore[union-attr]
        return etree.fromstring(payload)
    return json.loads(payload)


def main() -> int:
    options = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    options.add_argument("--rounds", type=int, default=7)
    options.add_argument("--seconds", type=float, default=0.2)
    args = options.parse_args()
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs")
    print(f"{args.rounds} rounds of {args.seconds}s per side, best round kept\n")
    header = ("case (bytes in)", "validate", "with advice", "ratio", "advise(parsed)", "issues")
    print(
        f"{header[0]:<40} {header[1]:>10} {header[2]:>12} {header[3]:>6} {header[4]:>15} "
        f"{header[5]:>6}"
    )
    print(f"{'-' * 40} {'-' * 10} {'-' * 12} {'-' * 6} {'-' * 15} {'-' * 6}")
    ratios = []
    for label, operation, payload, brand in cases():
        report = tendlc.validate(operation, payload, advice=True, brand=brand)
        if not report.valid and "defects" not in label:
            raise SystemExit(f"{label}: the contract rejects it: {report.errors[0]}")
        document = _parsed(operation, payload)
        rates = best_rates(
            {
                "validate": partial(tendlc.validate, operation, payload),
                "advice": partial(tendlc.validate, operation, payload, advice=True, brand=brand),
                "advise": partial(advise, operation, document, brand=brand),
            },
            args.rounds,
            args.seconds,
        )
        ratio = rates["validate"] / rates["advice"]
        ratios.append(ratio)
        print(
            f"{label:<40} {1e6 / rates['validate']:>8.1f}us {1e6 / rates['advice']:>10.1f}us "
            f"{ratio:>5.2f}x {1e6 / rates['advise']:>13.1f}us {len(report.advice):>6}"
        )
    print(f"\nwith advice / without: {min(ratios):.2f}x to {max(ratios):.2f}x (goal: 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
