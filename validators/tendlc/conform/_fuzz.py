"""``conform --fuzz``: schemathesis-generated requests for every Vonage operation, sent and
checked like the probes' (path parameters taken from what the probes captured, so that the
generated cases reach records that exist)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

from .._catalog import get_operation, load_contract
from ..traffic import RunEntry
from ._runner import ProbeTimeout

__all__ = ["fuzz"]


def _cases(operation: Any, examples: int) -> list[Any]:
    from hypothesis import Phase, given, settings

    drawn: list[Any] = []

    # The cases are collected, not tested: shrinking and the database have nothing to do.
    @settings(max_examples=examples, phases=[Phase.generate], database=None)
    @given(operation.as_strategy())
    def collect(case: Any) -> None:
        drawn.append(case)

    collect()
    return drawn


def fuzz(session: Any, send: Callable[..., Any]) -> Iterator[RunEntry]:
    import schemathesis

    schema = schemathesis.openapi.from_dict(load_contract("vonage/openapi.yaml"))
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        ours = get_operation("vonage." + str(operation.definition.raw["operationId"]))
        if ours.method != "GET" and not session.options.allow_writes:
            continue
        request = ours.request
        if request is not None and request.binary:
            continue  # file uploads: the probes send a documented one
        for index, case in enumerate(_cases(operation, session.options.fuzz_examples)):
            name = f"fuzz {ours.id} #{index + 1}"
            parameters = dict(case.path_parameters or {})
            for key in parameters:
                if key in session.values:
                    parameters[key] = session.values[key]
            url = session.options.url + ours.url_template.format(**parameters)
            query = {k: v for k, v in (case.query or {}).items() if v is not None}
            if query:
                url += "?" + urlencode(query, doseq=True)
            body = b""
            if request is not None and request.structured and case.body is not None:
                body = json.dumps(case.body).encode("utf-8")
            media = request.media_types[0] if request is not None and request.media_types else None
            try:
                checked = send(session, ours, url, body, media, name)
            except ProbeTimeout as exc:  # one generated case timing out is that case's finding
                yield RunEntry(name, None, "failed", str(exc), ours.id)
                continue
            yield RunEntry(name, checked)
