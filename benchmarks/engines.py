"""Throughput of tendlc.validate beside the reference engines, measured in the same run.

    python benchmarks/engines.py [--rounds 5] [--seconds 0.3]

For each case, bytes in and a verdict out: tendlc.validate's calls per second, the baseline's
on the same contract and the same bytes, and their ratio; for valid XML and JSON also a bare
parse of the same bytes (lxml with a reused safe parser, json.loads) and tendlc's share of it.
Baselines: xmlschema ``XMLSchema11.is_valid`` (valid) and ``iter_errors`` (invalid, the whole
list) on the contract file; jsonschema's ``Draft202012Validator`` built once with a
``FormatChecker``, ``is_valid`` and ``iter_errors`` after ``json.loads``. The sides are
measured in turns, ``--rounds`` times each, and each keeps its best round, so that a busy
machine slows all of them alike. Advice: ``tendlc.validate`` of the same bytes without advice
and with it (``advice=True`` and the brand behind a campaign), and the time with advice over
the time without. Then cold start: ``import tendlc`` in a fresh interpreter, and the first
validation per provider (which compiles that provider's contract).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from collections.abc import Callable
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

import jsonschema
import xmlschema
import yaml
from _rates import best_rates
from lxml import etree

import tendlc
from tendlc._documented import documented_examples
from tendlc._resources import contracts_dir
from tendlc._validation import _hot_xml

ROOT = Path(__file__).resolve().parent.parent
BOUNDARIES = ROOT / "tests" / "boundaries"


def _boundary_payload(file: str, operation: str) -> bytes:
    for group in yaml.safe_load((BOUNDARIES / file).read_text(encoding="utf-8")):
        if group["operation"] == operation and "payload" in group:
            return str(group["payload"]).encode("utf-8")
    raise LookupError(f"no inline payload for {operation} in {file}")


def _documented(operation: str, part: str = "request") -> bytes:
    for example in documented_examples():
        if example.operation == operation and example.part == part:
            return example.published()
    raise LookupError(operation)


def xml_cases() -> list[tuple[str, str, bytes]]:
    """(label, operation, bytes): every documented Bandwidth request the contracts accept,
    the two the errata correct, and a 5,000-number order built from the documented one."""
    cases = []
    for example in documented_examples():
        bandwidth = example.operation.startswith("bandwidth.")
        if example.part == "request" and bandwidth and example.expect == "valid":
            cases.append((example.operation, example.operation, example.published()))
    for operation in ("bandwidth.vetting.create", "bandwidth.vetting.import"):
        payload = _boundary_payload("bandwidth-vetting.yaml", operation)
        cases.append((f"{operation} (as the errata correct it)", operation, payload))
    order = _documented("bandwidth.tnOptions.create")
    start, end = order.index(b"<TelephoneNumber>"), order.rindex(b"</TelephoneNumbers>")
    numbers = b"".join(
        b"<TelephoneNumber>%010d</TelephoneNumber>\n" % (2000000000 + i) for i in range(5000)
    )
    big = order[:start] + numbers + order[end:]
    cases.append(("tnOptions.create, 5,000 numbers", "bandwidth.tnOptions.create", big))
    return cases


def json_cases() -> list[tuple[str, str, bytes]]:
    return [
        (
            "vonage.campaigns.create",
            "vonage.campaigns.create",
            _boundary_payload("vonage-b-campaigns-create.yaml", "vonage.campaigns.create"),
        ),
        (
            "vonage.brands.create",
            "vonage.brands.create",
            _boundary_payload("vonage-a-brands-create.yaml", "vonage.brands.create"),
        ),
    ]


#: the brand behind the campaigns below, as plain data
ADVICE_BRAND = {
    "display_name": "Bright Smile Dental",
    "company_name": "Bright Smile Dental PC",
    "website": "https://brightsmiledental.com",
}


def advice_cases() -> list[tuple[str, str, bytes, Any]]:
    """(label, operation, bytes, brand): the boundary campaign (its advice: one sample, no
    brand name in it, no opt-out wording ...), a campaign of the advice corpus that gets none,
    and a brand."""
    corpus = ROOT / "tests" / "advice_corpus"
    base = yaml.safe_load((corpus / "base.yaml").read_text(encoding="utf-8"))["base"]
    clean = next(
        case
        for case in yaml.safe_load((corpus / "clean.yaml").read_text(encoding="utf-8"))["cases"]
        if case["id"] == "clean-dental-reminders"
    )
    campaign = json.dumps({**base, **clean["fields"]}).encode()
    return [
        ("vonage.campaigns.create, boundary", "vonage.campaigns.create", json_cases()[0][2], None),
        ("vonage.campaigns.create, clean", "vonage.campaigns.create", campaign, ADVICE_BRAND),
        ("vonage.brands.create", "vonage.brands.create", json_cases()[1][2], None),
    ]


def invalid_cases() -> list[tuple[str, str, bytes]]:
    brand = _documented("bandwidth.brands.create")
    broken = (
        brand.replace(b"<State>NC</State>", b"<State>NCA</State>")
        .replace(b"<Email>Test1@bandwidth.com</Email>", b"")
        .replace(b"<IsMain>true</IsMain>", b"<IsMain>yes</IsMain>")
    )
    return [
        ("bandwidth.brands.create, 3 errors", "bandwidth.brands.create", broken),
        (
            "bandwidth.vetting.create, documented",
            "bandwidth.vetting.create",
            _documented("bandwidth.vetting.create"),
        ),
        (
            "vonage.campaigns.create, documented",
            "vonage.campaigns.create",
            _documented("vonage.campaigns.create"),
        ),
        (
            "vonage.brands.create, documented",
            "vonage.brands.create",
            _documented("vonage.brands.create"),
        ),
    ]


# ------------------------------------------------------------------------ baselines


def _xmlschema(contract: str) -> Any:
    return xmlschema.XMLSchema11(str(contracts_dir() / contract))


def _jsonschema(locator: str) -> Any:
    document = tendlc._catalog.load_contract("vonage/openapi.yaml")
    root = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": "#" + locator}
    root["components"] = document["components"]
    root["paths"] = document["paths"]
    return jsonschema.Draft202012Validator(
        root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _safe_parser() -> etree.XMLParser:
    """A safe parser, the options tendlc's own has (no DTD, entities, network or IDs)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        collect_ids=False,
    )


# -------------------------------------------------------------------------- measure


def _check(operation: str, payload: bytes, valid: bool) -> None:
    report = tendlc.validate(operation, payload)
    if report.valid != valid:
        raise SystemExit(f"{operation}: expected valid={valid}, got {report.issues}")


def _fmt(rate: float) -> str:
    return f"{rate:,.0f}/s" if rate >= 100 else f"{rate:,.1f}/s"


def _row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(
        cell.ljust(width) if index == 0 else cell.rjust(width)
        for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
    )


def _validating(operation: str, payload: bytes) -> Callable[[], Any]:
    return lambda: tendlc.validate(operation, payload)


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--rounds", type=int, default=5)
    options.add_argument("--seconds", type=float, default=0.3)
    args = options.parse_args()

    print(
        f"python {platform.python_version()}, lxml {version('lxml')} (libxml2 "
        f"{'.'.join(map(str, etree.LIBXML_VERSION))}), xmlschema {version('xmlschema')}, "
        f"jsonschema {version('jsonschema')}, jsonschema-rs {version('jsonschema-rs')}, "
        f"{os.cpu_count()} CPUs"
    )
    print(f"{args.rounds} rounds of {args.seconds}s per side, best round kept\n")
    widths = [51, 11, 27, 10, 6, 11, 8]
    header = ["case (bytes -> verdict)", "tendlc", "baseline", "", "ratio", "bare parse"]
    print(_row([*header, "of parse"], widths))
    print(_row(["-" * w for w in widths], widths))

    def line(label: str, baseline: str, rates: dict[str, float], extra: list[str]) -> None:
        ratio = rates["tendlc"] / rates["baseline"]
        ratio_text = f"{ratio:.2f}x" if ratio < 10 else f"{ratio:.1f}x"  # "no slower" needs 1.00
        cells = [label, _fmt(rates["tendlc"]), baseline, _fmt(rates["baseline"]), ratio_text]
        print(_row(cells + extra, widths))

    parser = _safe_parser()
    for label, operation, payload in xml_cases():
        _check(operation, payload, valid=True)
        xsd = _xmlschema(tendlc.get_operation(operation).request.contract)
        functions = {
            "tendlc": _validating(operation, payload),
            "baseline": partial(xsd.is_valid, payload),
            "parse": partial(etree.fromstring, payload, parser),
        }
        rates = best_rates(functions, args.rounds, args.seconds)
        share = f"{rates['tendlc'] / rates['parse']:.2f}"
        line(label, "xmlschema is_valid", rates, [_fmt(rates["parse"]), share])

    for label, operation, payload in json_cases():
        _check(operation, payload, valid=True)
        validator = _jsonschema(tendlc.get_operation(operation).request.locator)
        if not validator.is_valid(json.loads(payload)):
            raise SystemExit(f"{operation}: jsonschema disagrees")
        functions = {
            "tendlc": _validating(operation, payload),
            "baseline": partial(_json_then, validator.is_valid, payload),
            "parse": partial(json.loads, payload),
        }
        rates = best_rates(functions, args.rounds, args.seconds)
        share = f"{rates['tendlc'] / rates['parse']:.2f}"
        line(label, "jsonschema 2020-12 is_valid", rates, [_fmt(rates["parse"]), share])

    print()
    header = ["advice (bytes -> report)", "no advice", "with advice", "", "ratio", "advice", ""]
    print(_row(header, widths))
    print(_row(["-" * w for w in widths], widths))
    for label, operation, payload, brand in advice_cases():
        report = tendlc.validate(operation, payload, advice=True, brand=brand)
        if not report.valid:
            raise SystemExit(f"{operation}: the contract rejects it: {report.errors[0]}")
        functions = {
            "tendlc": _validating(operation, payload),
            "baseline": partial(tendlc.validate, operation, payload, advice=True, brand=brand),
        }
        rates = best_rates(functions, args.rounds, args.seconds)
        # rate without / rate with = the time with advice over the time without (goal: 2 at most)
        line(label, "validate(advice=True)", rates, [str(len(report.advice)), ""])

    print()
    print(
        _row(["invalid, full issue list", "tendlc", "baseline", "", "ratio", "issues", ""], widths)
    )
    print(_row(["-" * w for w in widths], widths))
    for label, operation, payload in invalid_cases():
        _check(operation, payload, valid=False)
        body = tendlc.get_operation(operation).request
        issues = len(tendlc.validate(operation, payload).issues)
        if body.is_xml:
            xsd = _xmlschema(body.contract)
            name, baseline = "xmlschema iter_errors", partial(_all, xsd.iter_errors, payload)
        else:
            validator = _jsonschema(body.locator)
            errors = partial(_all, validator.iter_errors)
            name, baseline = "jsonschema iter_errors", partial(_json_then, errors, payload)
        functions = {"tendlc": _validating(operation, payload), "baseline": baseline}
        rates = best_rates(functions, args.rounds, args.seconds)
        line(label, name, rates, [str(issues), ""])

    print()
    _cold_start()
    fallbacks = sorted(_hot_xml.FALLBACKS.items())
    print(
        "\nXML contract roots on xmlschema only: "
        + (", ".join(f"{c}:{r} ({why})" for (c, r), why in fallbacks) if fallbacks else "none")
    )
    return 0


def _all(iterate: Callable[[Any], Any], source: Any) -> list[Any]:
    return list(iterate(source))


def _json_then(function: Callable[[Any], Any], payload: bytes) -> Any:
    return function(json.loads(payload))


_COLD = r"""
import sys, time
started = time.perf_counter()
import tendlc
imported = time.perf_counter()
if len(sys.argv) > 1:
    tendlc.validate(sys.argv[1], sys.stdin.buffer.read())
done = time.perf_counter()
print(imported - started, done - imported)
"""


def _cold_start() -> None:
    def run(*argv: str, payload: bytes = b"") -> tuple[float, float]:
        best: tuple[float, float] | None = None
        for _ in range(3):
            out = subprocess.run(
                [sys.executable, "-c", _COLD, *argv],
                input=payload,
                capture_output=True,
                check=True,
            ).stdout.split()
            result = (float(out[0]), float(out[1]))
            best = result if best is None or result[1] + result[0] < sum(best) else best
        assert best is not None
        return best

    imported, _ = run()
    print(f"cold start (fresh interpreter, best of 3): import tendlc {imported * 1000:.0f} ms")
    for operation, payload in (
        ("bandwidth.brands.create", _documented("bandwidth.brands.create")),
        ("vonage.campaigns.create", json_cases()[0][2]),
    ):
        _, first = run(operation, payload=payload)
        print(f"  first validation, {operation}: {first * 1000:.0f} ms (compiles its contract)")


if __name__ == "__main__":
    sys.exit(main())
