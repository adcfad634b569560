"""Fuzzing ``tendlc.validate``: arbitrary bytes and mutated valid payloads, for every operation
and every documented part. Whatever comes in, a Report comes out, never an exception.

CI runs a bounded version; the long run is documented in README.md:
    python -m pytest tests/test_fuzz.py --hypothesis-profile=fuzz
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tendlc
from _support.bodies import each_body_once_locally
from _support.budgets import CALLS
from tendlc import strategies as tst
from tendlc._validation import prepare

TARGETS = (
    [(op.id, "request", None) for op in tendlc.operations()]
    + [(op.id, "response", status) for op in tendlc.operations() for status in op.statuses]
    + [(op.id, "query", None) for op in tendlc.operations()]
)


def _warm(operation_id, part, status):
    """Compile the contracts before the examples run: Hypothesis's deadline is about each
    example's latency, and the one-off compilation is not an example."""
    operation = tendlc.get_operation(operation_id)
    body = operation.request if part == "request" else operation.responses.get(status)
    prepare(body)


def _check(tally, operation_id, part, status, payload):
    tally.fuzz_inputs += 1  # reported in the terminal summary
    report = tendlc.validate(operation_id, payload, part=part, status=status)
    assert isinstance(report, tendlc.Report)
    for issue in report.issues:
        assert issue.rule and isinstance(issue.message, str)
        assert len(issue.message) < 600


@pytest.mark.parametrize(("operation_id", "part", "status"), each_body_once_locally(TARGETS))
def test_arbitrary_bytes_never_raise(tally, operation_id, part, status):
    @settings(deadline=CALLS)
    @given(st.binary(max_size=2048) | st.text(max_size=512))
    def fuzz(payload):
        _check(tally, operation_id, part, status, payload)

    _warm(operation_id, part, status)
    fuzz()


def _byte_mutations(data: bytes) -> st.SearchStrategy[bytes]:
    edits = st.lists(
        st.tuples(
            st.sampled_from(["flip", "insert", "delete", "duplicate"]),
            st.integers(0, max(len(data) - 1, 0)),
            st.binary(min_size=1, max_size=4),
        ),
        min_size=1,
        max_size=6,
    )

    def apply(changes):
        buffer = bytearray(data)
        for kind, at, chunk in changes:
            at = min(at, len(buffer))
            if kind == "flip" and buffer:
                buffer[min(at, len(buffer) - 1)] ^= chunk[0] or 1
            elif kind == "insert":
                buffer[at:at] = chunk
            elif kind == "delete":
                del buffer[at : at + len(chunk)]
            else:
                buffer[at:at] = buffer[at : at + 16]
        return bytes(buffer)

    return edits.map(apply)


STRUCTURED = [
    (op.id, part, status)
    for op in tendlc.operations()
    for part, status, body in [("request", None, op.request)]
    + [("response", code, body) for code, body in op.responses.items()]
    if body is not None and not body.empty and not body.binary
]


@pytest.mark.parametrize(("operation_id", "part", "status"), each_body_once_locally(STRUCTURED))
def test_mutated_valid_payloads_never_raise(tally, operation_id, part, status):
    valid = (
        tst.requests(operation_id, form="bytes")
        if part == "request"
        else tst.responses(operation_id, status=status, form="bytes")
    )

    @settings(deadline=CALLS)
    @given(valid.flatmap(_byte_mutations))
    def fuzz(payload):
        _check(tally, operation_id, part, status, payload)

    _warm(operation_id, part, status)
    fuzz()


@pytest.mark.parametrize(
    "payload", [None, 7, 3.5, True, [], {}, {1: "x"}, {"a": {1, 2}}, object(), b"\x00" * 10, "\x00"]
)
@pytest.mark.parametrize("operation_id", ["bandwidth.brands.create", "vonage.brands.create"])
def test_any_python_value_gets_a_report(operation_id, payload):
    report = tendlc.validate(operation_id, payload)
    assert not report.valid
