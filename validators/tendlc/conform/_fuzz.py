"""``conform --fuzz``: schemathesis-generated requests for every operation of a provider whose
contract is an OpenAPI document, sent and
checked like the probes' (path parameters taken from what the probes captured, so that the
generated cases reach records that exist). Reads only, unless writes are allowed; never a
DELETE (the clean-up probes run after the generated cases)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from .._catalog import Operation, get_operation, get_provider, load_contract
from ..traffic import RunEntry, check_request
from ._session import ProbeTimeout, Send, Session

__all__ = ["fuzz"]


class GenerationFailed(Exception):
    """Hypothesis could not produce the cases of one operation (the reason is the message)."""


def _cases(operation: Any, operation_id: str, examples: int) -> list[Any]:
    """Up to ``examples`` generated cases of one operation; :class:`GenerationFailed` when
    Hypothesis gives up on them."""
    from hypothesis import Phase, given, settings
    from hypothesis.errors import HypothesisException
    from schemathesis.core.errors import UnsupportedSchema

    drawn: list[Any] = []
    # The cases are collected for a run, not tested: shrinking and the database have nothing
    # to do, and no deadline applies to appending a case. (With the default deadline the
    # too_slow check allows the first draws one second in all: a busy machine ended runs
    # with its traceback. Without one it allows thirty; a slower strategy is reported.)
    collecting = settings(
        max_examples=examples, phases=[Phase.generate], database=None, deadline=None
    )

    @collecting
    @given(operation.as_strategy())
    def collect(case: Any) -> None:
        drawn.append(case)

    try:
        try:
            collect()
        except UnsupportedSchema:
            # schemathesis cannot generate this body (a oneOf of conditional rules): the case
            # carries a body tendlc's own generators built from the contract instead
            from ..strategies import requests

            drawn.clear()

            @collecting
            @given(requests(operation_id))
            def ours(body: Any) -> None:
                drawn.append(operation.Case(body=body, media_type="application/json"))

            ours()
    except HypothesisException as exc:
        text = str(exc).strip()
        reason = text.splitlines()[0][:200] if text else ""
        raise GenerationFailed(f"{type(exc).__name__}: {reason}") from None
    return drawn


def _known_parameters(session: Session, operation: Operation) -> dict[str, str]:
    """Path parameters the probes know values for: the account the run acts for (where the
    provider's record names its path parameter), then as the probe of this operation passes
    them (a partner campaign's id is not a campaign's), else by name."""
    from ._probes import probes, substitute

    names = [name for name in (operation.path_parameters or {}).get("properties", {})]
    account = get_provider(operation.provider).account.parameter
    known = {account: session.account} if account in names else {}
    for probe in probes(session.options.provider):
        if probe.operation is operation and not (probe.needs() - set(session.values)):
            passed = substitute(dict(probe.parameters), session.values)
            return {**known, **{k: str(v) for k, v in passed.items()}}
    return {**known, **{name: session.values[name] for name in names if name in session.values}}


def _acceptable(
    operation: Any, parameters: dict[str, Any], query: dict[str, Any], body: bytes, media: Any
) -> bool:
    found = check_request(
        operation,
        path_parameters={k: str(v) for k, v in parameters.items()},
        query=dict(query),
        body=body,
        media_type=media if body else None,
    )
    return not any(issue.severity == "error" for issue in found)


def fuzz(session: Session, send: Send) -> Iterator[RunEntry]:
    """Generated cases of every operation of the run's provider (its OpenAPI document), each
    sent with ``send`` and entered in the run."""
    import schemathesis

    provider = get_provider(session.options.provider)
    document = load_contract(f"{provider.name}/{provider.contract}")
    schema = schemathesis.openapi.from_dict(document)
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        ours = get_operation(f"{provider.name}.{operation.definition.raw['operationId']}")
        if ours.method != "GET" and not session.options.allow_writes:
            continue
        if ours.method == "DELETE":
            continue  # generated cases never delete what the others reach: the clean-up probes do
        request = ours.request
        if request is not None and request.binary:
            continue  # file uploads: the probes send a documented one
        examples = session.options.fuzz_examples
        try:
            cases = _cases(operation, ours.id, examples)
        except GenerationFailed as exc:
            yield RunEntry(f"fuzz {ours.id}", None, "skipped", f"no case generated: {exc}", ours.id)
            continue
        for index, case in enumerate(cases):
            name = f"fuzz {ours.id} #{index + 1}"
            parameters = dict(case.path_parameters or {})
            parameters.update(_known_parameters(session, ours))
            url = session.options.url + ours.url_template.format(**parameters)
            query = {k: v for k, v in (case.query or {}).items() if v is not None}
            if query:
                url += "?" + urlencode(query, doseq=True)
            body = b""
            if request is not None and request.structured and case.body is not None:
                body = json.dumps(case.body).encode("utf-8")
            media = request.media_types[0] if request is not None and request.media_types else None
            if not _acceptable(ours, parameters, query, body, media):
                # schemathesis does not know every rule of the contract (x-time, say): a case
                # tendlc refuses is not one the provider owes a documented answer
                session.fuzz_refused += 1
                continue
            try:
                checked = send(session, ours, url, body, media, name)
            except ProbeTimeout as exc:  # one generated case timing out is that case's finding
                yield RunEntry(name, None, "failed", str(exc), ours.id)
                continue
            yield RunEntry(name, checked)
