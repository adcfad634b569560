"""contracts/errata.yaml: every contradiction of the pages, each decision proven by running it.

Every entry carries a ``proof``: a list of checks this module executes (the format is in
contracts/README.md, "Errata"). A check validates a payload and asserts the verdict the decision
says (``expect``), or asserts what the catalog or a contract holds. An optional ``test`` names a
boundary case, a documented example or a pytest test that also bears on the entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import etree

import tendlc
from tendlc._catalog import load_contract
from tendlc._documented import documented_examples
from tendlc._edit import dump_json, edit_json, edit_query, edit_xml
from tendlc._resources import contracts_dir
from tendlc._shared import get_at

ERRATA = yaml.safe_load((contracts_dir() / "errata.yaml").read_text(encoding="utf-8"))
BOUNDARIES = Path(__file__).parent / "boundaries"
EXAMPLES = {example.name: example for example in documented_examples()}
SEEDS = {
    "BW": {
        "000_52db188c5253bafe.txt",
        "001_f483efb7acf67f79.txt",
        "002_590a76e46376b3b2.txt",
        "003_04461e5ee27f5802.txt",
    },
    "VG": {"004_94fe2f16f9cd02e3.txt"},
}
KINDS = {"contradiction", "format", "gap"}
CHECKS = ("example", "operation", "catalog", "contract")


def test_errata_ids_are_unique_and_name_their_seed():
    ids = [entry["id"] for entry in ERRATA]
    assert len(ids) == len(set(ids))
    for entry in ERRATA:
        assert re.fullmatch(r"(BW|VG)-[0-9]{3}", entry["id"]), entry["id"]
        assert entry["seed"] in SEEDS[entry["id"][:2]], entry["id"]
        assert entry.get("kind", "contradiction") in KINDS, entry["id"]
        for key in ("where", "quote", "finding", "decision", "proof"):
            assert entry.get(key), (entry["id"], key)


def test_both_providers_have_contradictions_format_decisions_and_gaps():
    kinds = {(entry["id"][:2], entry.get("kind", "contradiction")) for entry in ERRATA}
    assert kinds >= {(p, k) for p in ("BW", "VG") for k in ("contradiction", "format")}
    assert {kind for _, kind in kinds} <= KINDS


@pytest.mark.parametrize("entry", ERRATA, ids=[entry["id"] for entry in ERRATA])
def test_every_proof_is_a_list_of_known_checks(entry):
    proof = entry["proof"]
    assert isinstance(proof, list) and proof, entry["id"]
    for check in proof:
        kinds = [key for key in CHECKS if key in check]
        allowed = (["example"], ["operation"], ["example", "operation"], ["catalog"], ["contract"])
        assert kinds in allowed, (entry["id"], check)
        if "catalog" not in check and "contract" not in check:
            assert "expect" in check, (entry["id"], check)
        # edits write UTF-8: an encoded payload is sent as written
        if "encode" in check:
            assert "payload" in check and not {"set", "delete"} & set(check), (entry["id"], check)
        # a check that asserts nothing would pass whatever the contracts say
        if "catalog" in check:
            assert set(check["catalog"]) & set(_CATALOG_ASSERTIONS), (entry["id"], check)
        if "contract" in check:
            spec = check["contract"]
            assert ("pointer" in spec) != ("xpath" in spec), (entry["id"], check)
            assert {"equals", "contains", "lacks"} & set(spec), (entry["id"], check)


PROOFS = [
    pytest.param(check, id=f"{entry['id']}-{index}")
    for entry in ERRATA
    for index, check in enumerate(entry["proof"], start=1)
]


@pytest.mark.parametrize("check", PROOFS)
def test_the_decision_holds(check):
    if "catalog" in check:
        _catalog(check["catalog"])
    elif "contract" in check:
        _contract(check["contract"])
    else:
        _verdict(check)


# -- validation checks ----------------------------------------------------------------------


def _verdict(check: Mapping[str, Any]) -> None:
    example = EXAMPLES[check["example"]] if "example" in check else None
    operation = check.get("operation") or example.operation
    part = check.get("part") or (example.part if example else "request")
    status = check.get("status", example.status if example else None)
    if "payload" in check:
        payload: Any = check["payload"]
        if "encode" in check:  # the bytes of the text in that encoding, whatever it declares
            payload = payload.encode(check["encode"])
    elif example is not None:
        payload = example.published() if check.get("published") else example.repaired()
    else:
        raise AssertionError(f"a check of {operation} needs an example or a payload")
    sets, deletes = check.get("set") or {}, check.get("delete") or []
    if sets or deletes:
        assert "encode" not in check, "edits write UTF-8: an encoded payload is sent as written"
        payload = _edited(operation, part, status, payload, sets, deletes)
    media_type = check.get("media_type")
    report = tendlc.validate(operation, payload, part=part, status=status, media_type=media_type)
    expected = check["expect"]
    for item in expected if isinstance(expected, list) else [expected]:
        _expect(report, item)


def _edited(operation_id, part, status, payload, sets, deletes):
    if part == "query":
        text = payload if isinstance(payload, str) else payload.decode()
        return edit_query(text, sets, deletes)
    operation = tendlc.get_operation(operation_id)
    body = operation.request if part == "request" else operation.responses[status]
    if body.is_xml:
        return edit_xml(payload, sets, deletes)
    return dump_json(edit_json(payload, sets, deletes)).encode("utf-8")


def _expect(report, item) -> None:
    errors = [(issue.path, issue.rule) for issue in report.errors]
    if item == "valid":
        assert report.valid, errors
        return
    if item == "invalid":
        assert not report.valid
        return
    wanted = (item["path"], item["rule"])
    if item.get("severity") == "warning":
        warnings = [(issue.path, issue.rule) for issue in report.warnings]
        assert report.valid, errors
        assert wanted in warnings, warnings
    elif item.get("absent"):
        assert wanted not in errors, errors
    else:
        assert wanted in errors, errors


# -- catalog and contract checks -------------------------------------------------------------


_CATALOG_ASSERTIONS = (
    "method",
    "path",
    "statuses",
    "query",
    "request_media_types",
    "request_binary",
)


def _catalog(spec: Mapping[str, Any]) -> None:
    operation = tendlc.get_operation(spec["operation"])
    if "method" in spec:
        assert operation.method == spec["method"]
    if "path" in spec:
        assert operation.path == spec["path"]
    if "statuses" in spec:
        assert list(operation.statuses) == list(spec["statuses"])
    if "query" in spec:
        names = sorted((operation.query or {}).get("properties", {}))
        assert names == sorted(spec["query"])
    if "request_media_types" in spec:
        assert operation.request is not None
        assert list(operation.request.media_types) == list(spec["request_media_types"])
    if "request_binary" in spec:
        assert operation.request is not None
        assert operation.request.binary is spec["request_binary"]


def _contract(spec: Mapping[str, Any]) -> None:
    if "pointer" in spec:
        node: Any = get_at(load_contract(spec["file"]), spec["pointer"])
    else:
        tree = etree.parse(str(contracts_dir() / spec["file"]))
        found = tree.xpath(
            spec["xpath"],
            namespaces={"xs": "http://www.w3.org/2001/XMLSchema", "t": "urn:tendlc:contract"},
        )
        node = [str(item) for item in found] if isinstance(found, list) else [str(found)]
    if "equals" in spec:
        assert node == spec["equals"], node
    if "contains" in spec:
        assert spec["contains"] in node, node
    if "lacks" in spec:
        assert spec["lacks"] not in node, node


# -- the optional references -----------------------------------------------------------------

REFERENCED = [entry for entry in ERRATA if entry.get("test")]


@pytest.mark.parametrize("entry", REFERENCED, ids=[entry["id"] for entry in REFERENCED])
def test_each_referenced_test_exists(entry):
    test = entry["test"]
    if "example" in test:
        assert test["example"] in EXAMPLES
    elif "pytest" in test:
        module, _, function = test["pytest"].partition("::")
        source = (Path(__file__).parent.parent / module).read_text(encoding="utf-8")
        assert f"def {function}(" in source
    else:
        cases = {
            case["name"]
            for group in yaml.safe_load((BOUNDARIES / test["boundary"]).read_text("utf-8"))
            for case in group["cases"]
        }
        assert test["case"] in cases


def test_repairs_reference_errata():
    ids = {entry["id"] for entry in ERRATA}
    for example in EXAMPLES.values():
        if example.repair:
            assert example.repair["errata"] in ids, example.name
