"""The public strategies: valid payloads built from the contracts, and labelled mutations."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from hypothesis import assume
from hypothesis import strategies as st

from .._catalog import Body, Operation, Part, UnknownOperationError, get_operation
from .._validation import prepare, validate
from ._adapters import Adapter, adapter_for
from ._advice import advice_mutations, clean_requests, has_advice
from ._errors import InvalidArgument
from ._mutations import mutation_sites

Form = Literal["parsed", "bytes", "text"]
_FORMS = ("parsed", "bytes", "text")
#: rounds of the repair fallback, for the rare payload the construction did not get right
REPAIR_ROUNDS = 4
_INDEX = re.compile(r"\[\d+\]|/\d+(?=/|$)")


@dataclass(frozen=True)
class Mutation:
    """A payload that breaks exactly one rule, labelled with the path and rule it breaks."""

    payload: Any
    path: str
    rule: str
    description: str


def requests(
    operation_id: str,
    *,
    overrides: Mapping[str, Any] | None = None,
    form: Form = "parsed",
    advice_clean: bool = False,
) -> st.SearchStrategy[Any]:
    """Request bodies that the operation's contract accepts.

    ``form="parsed"`` gives JSON data or an lxml element; ``"bytes"`` / ``"text"`` give the
    encoded body, ready to send. ``overrides`` pins fields (by name, or by issue path such as
    ``/Brand/EntityType``) to a value or to a strategy; the rest of the payload follows the
    rules those values switch on. ``advice_clean=True`` draws bodies that also pass every
    advice rule (samples that name the brand and say how to opt out, a complete call to
    action ...), for operations advice rules judge.
    """
    body = _body(operation_id, "request", None)
    _check_form(form)
    _check_flag("advice_clean", advice_clean, operation_id)
    frozen = _frozen(body, operation_id, overrides)
    if advice_clean:
        return _memoized(_advice_clean, operation_id, frozen, form)
    return _memoized(_valid, "request", operation_id, None, frozen, form)


def responses(
    operation_id: str,
    *,
    status: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    form: Form = "parsed",
) -> st.SearchStrategy[Any]:
    """Response bodies of one documented status (default: the lowest success status)."""
    operation = _operation(operation_id)
    if status is not None and (isinstance(status, bool) or not isinstance(status, int)):
        raise InvalidArgument(f"status must be an HTTP status code (an int), not {status!r}")
    if status is None:
        successes = [code for code in operation.statuses if code < 300] or list(operation.statuses)
        if not successes:
            raise InvalidArgument(f"{operation_id} documents no response")
        status = successes[0]
    body = _body(operation_id, "response", status)
    _check_form(form)
    return _memoized(
        _valid, "response", operation_id, status, _frozen(body, operation_id, overrides), form
    )


def invalid_requests(
    operation_id: str,
    *,
    overrides: Mapping[str, Any] | None = None,
    form: Form = "parsed",
    advice: bool = False,
) -> st.SearchStrategy[Mutation]:
    """Request bodies that each break exactly one rule, labelled with its path and rule.

    With ``advice=True`` the rule is an advice rule (``advice.*``): the body passes the
    contract and every other advice rule."""
    body = _body(operation_id, "request", None)
    _check_form(form)
    _check_flag("advice", advice, operation_id)
    frozen = _frozen(body, operation_id, overrides)
    if advice:
        return _memoized(_advice_mutations, operation_id, frozen, form)
    return _memoized(_mutations, operation_id, frozen, form)


# -- arguments ------------------------------------------------------------------------------


def _operation(operation_id: Any) -> Operation:
    if not isinstance(operation_id, str):
        raise InvalidArgument(f"operation_id must be an operation id (str), not {operation_id!r}")
    try:
        return get_operation(operation_id)
    except UnknownOperationError as exc:
        raise InvalidArgument(str(exc)) from None


def _body(operation_id: str, part: Part, status: int | None) -> Body:
    operation = _operation(operation_id)
    body: Body | None = (
        operation.request if part == "request" else operation.responses.get(status or 0)
    )
    if part == "response" and body is None:
        documented = ", ".join(map(str, operation.statuses)) or "none"
        raise InvalidArgument(
            f"{operation_id} documents no {status} response (documented: {documented})"
        )
    if body is None or body.empty:
        raise InvalidArgument(f"{operation_id} has no {part} body to generate")
    if body.binary:
        raise InvalidArgument(f"{operation_id} takes a file upload, not a structured body")
    return body


def _check_flag(name: str, value: Any, operation_id: str) -> None:
    if not isinstance(value, bool):
        raise InvalidArgument(f"{name} must be True or False, not {value!r}")
    if value and not has_advice(operation_id):
        raise InvalidArgument(f"no advice rule judges the request bodies of {operation_id}")


def _check_form(form: Any) -> None:
    if form not in _FORMS:
        raise InvalidArgument(f"form must be one of {', '.join(_FORMS)}, not {form!r}")


def _frozen(
    body: Body, operation_id: str, overrides: Mapping[str, Any] | None
) -> tuple[tuple[str, Any], ...]:
    """The overrides, checked against the contract's field names, as a cache key."""
    if overrides is None:
        return ()
    if not isinstance(overrides, Mapping):
        raise InvalidArgument(f"overrides must be a mapping of field to value, not {overrides!r}")
    known = _adapter(body, False).field_names()
    for key in overrides:
        if not isinstance(key, str) or not key.strip("/"):
            raise InvalidArgument(f"override keys are field names or issue paths, not {key!r}")
        name = _INDEX.sub("", key).rstrip("/").rsplit("/", 1)[-1]
        if name not in known:
            nearest = sorted(known, key=lambda n: _distance(n, name))[:3]
            raise InvalidArgument(
                f"{key!r} is not a field of {operation_id}; nearest: {', '.join(nearest)}"
            )
    return tuple(overrides.items())


def _distance(a: str, b: str) -> int:
    return -int(difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio() * 100)


# -- building -------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _adapter(body: Body, response: bool) -> Adapter:
    return adapter_for(body, response=response)


_MEMO: dict[tuple[Any, ...], st.SearchStrategy[Any]] = {}


def _memoized(build: Callable[..., st.SearchStrategy[Any]], *key: Any) -> st.SearchStrategy[Any]:
    """``build(*key)``, once per distinct hashable key (strategies are costly to build)."""
    try:
        found = _MEMO.get((build, *key))
    except TypeError:  # an unhashable override value: build afresh
        return build(*key)
    if found is None:
        found = _MEMO[(build, *key)] = build(*key)
    return found


def _valid(
    part: Part,
    operation_id: str,
    status: int | None,
    overrides: tuple[tuple[str, Any], ...],
    form: str,
) -> st.SearchStrategy[Any]:
    body = _body(operation_id, part, status)
    adapter = _adapter(body, part == "response")
    pins = dict(overrides)
    pinned_paths = {path for key in pins for path in adapter.pin_paths(key)}
    initial = adapter.initial(pins)
    # Compile the contract now, not during the first draw.
    prepare(body)

    @st.composite
    def generated(draw: st.DrawFn) -> Any:
        payload = draw(initial)
        for _ in range(REPAIR_ROUNDS + 1):
            report = validate(operation_id, payload, part=part, status=status)
            if report.valid:
                return _encoded(adapter, payload, form)
            changed = False
            for issue in report.errors:
                if issue.path and adapter.schema_path(issue.path) not in pinned_paths:
                    changed |= _repair(draw, adapter, payload, issue.path, issue.rule)
            if not changed:
                break
        assume(False)
        return None

    return generated()


def _repair(draw: st.DrawFn, adapter: Adapter, payload: Any, path: str, rule: str) -> bool:
    if not adapter.exists(payload, path):
        strategy = adapter.value_strategy(path, rule)
        return strategy is not None and adapter.put(payload, path, draw(strategy))
    if not adapter.required(path) and rule not in (
        "maxLength",
        "minLength",
        "pattern",
        "format",
        "type",
        "maximum",
        "minimum",
    ):
        return adapter.delete(payload, path)
    strategy = adapter.value_strategy(path, rule)
    return strategy is not None and adapter.put(payload, path, draw(strategy))


def _encoded(adapter: Adapter, payload: Any, form: str) -> Any:
    if form == "parsed":
        return payload
    data = adapter.encode(payload)
    return data if form == "bytes" else data.decode("utf-8")


def _mutations(
    operation_id: str, overrides: tuple[tuple[str, Any], ...], form: str
) -> st.SearchStrategy[Mutation]:
    body = _body(operation_id, "request", None)
    adapter = _adapter(body, False)
    valid = _memoized(_valid, "request", operation_id, None, overrides, "parsed")

    @st.composite
    def mutated(draw: st.DrawFn) -> Mutation:
        payload = draw(valid)
        sites = mutation_sites(adapter, payload, body)
        assume(sites)
        # Rule first, then a site of that rule: rare conditional rules get their share.
        rule = draw(st.sampled_from(sorted({site.rule for site in sites})))
        site = draw(st.sampled_from([site for site in sites if site.rule == rule]))
        changed = adapter.clone(payload)
        value = draw(site.value) if site.value is not None else None
        if not site.apply(adapter, changed, value):
            assume(False)
        return Mutation(_encoded(adapter, changed, form), site.path, site.rule, site.description)

    return mutated()


def _advice_inputs(
    operation_id: str, overrides: tuple[tuple[str, Any], ...]
) -> tuple[Body, Adapter, st.SearchStrategy[Any]]:
    """What the advice strategies build on: the request body, its adapter, and the valid
    requests (parsed) they edit."""
    body = _body(operation_id, "request", None)
    valid = _memoized(_valid, "request", operation_id, None, overrides, "parsed")
    return body, _adapter(body, False), valid


def _advice_clean(
    operation_id: str, overrides: tuple[tuple[str, Any], ...], form: str
) -> st.SearchStrategy[Any]:
    body, adapter, valid = _advice_inputs(operation_id, overrides)
    return clean_requests(operation_id, body, valid).map(
        lambda payload: _encoded(adapter, payload, form)
    )


def _advice_mutations(
    operation_id: str, overrides: tuple[tuple[str, Any], ...], form: str
) -> st.SearchStrategy[Mutation]:
    body, adapter, valid = _advice_inputs(operation_id, overrides)
    return advice_mutations(operation_id, body, valid).map(
        lambda m: Mutation(_encoded(adapter, m.payload, form), m.path, m.rule, m.description)
    )
