"""Assertions sharing one typed XPath context per element give xmlschema's own verdicts.

``tendlc._validation._asserts`` lets the ``xs:assert``s of one type on one element evaluate in
copies of one context instead of building (and schema-annotating) a context each. Every
payload below goes through a schema loaded by tendlc and through a stock ``XMLSchema11`` of
the same file: the errors (element path, reason, failing component) must be the same, in the
same order, sequentially and from several threads at once.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import xmlschema
from hypothesis import given, settings

import tendlc
from _support.boundaries import CASES, edited
from _support.budgets import ENGINES
from tendlc import strategies as tst
from tendlc._documented import documented_examples
from tendlc._parsing import ParseError, parse_xml
from tendlc._resources import contracts_dir
from tendlc._validation import load_schema
from tendlc._validation._asserts import _SharedContextAssert

BUDGET = settings(deadline=ENGINES, max_examples=max(10, settings.default.max_examples // 4))
_STOCK: dict[str, xmlschema.XMLSchema11] = {}


def _stock(contract):
    if contract not in _STOCK:
        _STOCK[contract] = xmlschema.XMLSchema11(str(contracts_dir() / contract))
    return _STOCK[contract]


def _errors(schema, payload):
    root = parse_xml(payload)
    return [
        (error.path, str(error.reason), _component(error.validator))
        for error in schema.iter_errors(root)
    ]


def _component(validator):
    return repr(validator).replace(_SharedContextAssert.__name__, "XsdAssert", 1)


def _same_verdicts(contract, payload):
    try:
        ours = _errors(load_schema(contract), payload)
    except ParseError:
        return None
    assert ours == _errors(_stock(contract), payload)
    return ours


XML_BODIES = [
    (op.id, part, body.contract)
    for op in tendlc.operations()
    for part, body in [("request", op.request), *op.responses.items()]
    if body is not None and body.structured and body.is_xml
]
XML_REQUESTS = sorted({op for op, part, _ in XML_BODIES if part == "request"})


def test_every_assertion_of_every_contract_shares_contexts():
    contracts = {contract for _, _, contract in XML_BODIES}
    asserts = [
        component
        for contract in contracts
        for component in load_schema(contract).iter_components()
        if isinstance(component, xmlschema.validators.XsdAssert)
    ]
    assert asserts
    assert all(type(component) is _SharedContextAssert for component in asserts)


@pytest.mark.parametrize(
    "example",
    [e for e in documented_examples() if e.part in ("request", "response")],
    ids=lambda e: e.name,
)
def test_documented_examples(example):
    operation = tendlc.get_operation(example.operation)
    bodies = [operation.request, *operation.responses.values()]
    for body in bodies:
        if body is not None and body.structured and body.is_xml:
            for payload in {example.published(), example.repaired()}:
                _same_verdicts(body.contract, payload)


XML_CASES = [
    param
    for param in CASES
    if param.values[0]["part"] != "query" and param.values[0]["operation"].startswith("bandwidth.")
]


@pytest.mark.parametrize(("group", "case"), XML_CASES)
def test_boundary_cases(group, case):
    operation = tendlc.get_operation(group["operation"])
    body = operation.request if group["part"] == "request" else operation.responses[group["status"]]
    _same_verdicts(body.contract, edited(group, case))


@pytest.mark.parametrize("operation_id", XML_REQUESTS)
def test_generated_valid_and_broken_requests(operation_id):
    contract = tendlc.get_operation(operation_id).request.contract

    @BUDGET
    @given(
        tst.requests(operation_id, form="bytes"), tst.invalid_requests(operation_id, form="bytes")
    )
    def check(valid, mutation):
        assert _same_verdicts(contract, valid) == []
        _same_verdicts(contract, mutation.payload)

    # both schemas are loaded once, not inside the first example
    load_schema(contract)
    _stock(contract)
    check()


def test_threads_validating_different_documents_at_once():
    payloads = [
        (body.contract, edited(group, case))
        for group, case in (param.values for param in XML_CASES)
        for body in [tendlc.get_operation(group["operation"]).request]
        if group["part"] == "request"
    ]
    assert len(payloads) > 50
    alone = [_errors(load_schema(contract), payload) for contract, payload in payloads]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda item: _errors(load_schema(item[0]), item[1]), payloads * 4))
    assert together == alone * 4
    assert any(alone)  # some of the cases break an assertion or another rule
