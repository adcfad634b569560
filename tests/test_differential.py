"""Both speeds, one verdict: the compiled yes/no answer and the explained issue list agree.

For JSON the hot path is jsonschema-rs ``is_valid`` and the explaining path its error
iteration mapped to issues; for XML, xmlschema's ``is_valid`` and the explained issues. They
must agree on every documented example and on generated valid and invalid payloads.
"""

import pytest
from hypothesis import given, settings

import tendlc
from tendlc import strategies as tst
from tendlc._documented import documented_examples
from tendlc._parsing import ParseError, parse_json, parse_xml
from tendlc._validation import load_schema as schema
from tendlc._validation._json import compiled

BUDGET = settings(max_examples=settings.default.max_examples // 10)


def _hot_path(body, payload):
    """The compiled engine's verdict alone (request bodies are closed: no opening)."""
    if body.is_xml:
        return schema(body.contract).is_valid(parse_xml(payload))
    return compiled(body.contract, body.locator, opened=not body.closed).is_valid(
        parse_json(payload)
    )


def _agree(operation_id, payload):
    operation = tendlc.get_operation(operation_id)
    report = tendlc.validate(operation_id, payload)
    try:
        fast = _hot_path(operation.request, payload)
    except ParseError:
        fast = False
    assert fast == report.valid, [str(issue) for issue in report.issues]


@pytest.mark.parametrize(
    "example",
    [e for e in documented_examples() if e.part == "request" and not e.repair],
    ids=lambda e: e.name,
)
def test_documented_requests(example):
    _agree(example.operation, example.published())


OPERATIONS = [
    op.id
    for op in tendlc.operations()
    if op.request is not None
    and not op.request.empty
    and not op.request.binary
    and op.request.closed
]


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_generated_valid_and_invalid_requests(operation_id):
    @BUDGET
    @given(
        tst.requests(operation_id, form="bytes"), tst.invalid_requests(operation_id, form="bytes")
    )
    def check(valid, mutation):
        _agree(operation_id, valid)
        _agree(operation_id, mutation.payload)

    check()
