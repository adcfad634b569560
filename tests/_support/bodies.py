"""Cases over every operation's bodies, each distinct body once in a local run.

Many operations share a body: every Vonage operation answers 502 with the same error body,
every Bandwidth brand operation answers with the same BrandResponse. What ``tendlc.validate``
and the generators do with a body depends on the body alone (the default checks are the body,
media type, status and parameter checks), so a local run need only fuzz each distinct body
once; CI runs the slow-marked repeats too, for every operation.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pytest

import tendlc

_PARAM = type(pytest.param(None))  # pytest's ParameterSet, a name pytest does not export


def _key(operation_id: str, part: str, status: int | None) -> Any:
    operation = tendlc.get_operation(operation_id)
    if part == "request":
        return ("request", operation.request)
    if part == "response":
        return ("response", operation.responses.get(status) if status is not None else None)
    return (part, json.dumps(operation.query, sort_keys=True, default=str))


def each_body_once_locally(cases: Iterable[Any]) -> list[Any]:
    """``cases`` (``(operation_id, part, status, ...)`` tuples or pytest params) as pytest
    params in the same order, ids and marks, each case whose body an earlier one has marked
    ``slow``."""
    seen = set()
    found = []
    for case in cases:
        if isinstance(case, _PARAM):
            values, case_id, marks = case.values, case.id, list(case.marks)
        else:
            values, case_id, marks = tuple(case), None, []
        key = _key(*values[:3])
        if key in seen:
            marks.append(pytest.mark.slow)
        seen.add(key)
        found.append(pytest.param(*values, id=case_id, marks=marks))
    return found
