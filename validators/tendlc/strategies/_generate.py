from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from hypothesis import assume
from hypothesis import strategies as st

from ..catalog import Body, UnknownOperationError, get_operation
from ..validation import validate
from ._adapters import Adapter, adapter_for
from ._errors import InvalidArgument
from ._mutations import mutation_sites

Form = Literal["parsed", "bytes", "text"]
_FORMS = ("parsed", "bytes", "text")
REPAIR_ROUNDS = 12


@dataclass(frozen=True)
class Mutation:
    """A payload that breaks exactly one rule, labelled with the path and rule it breaks."""

    payload: Any
    path: str
    rule: str
    description: str


def requests(
    operation_id: str, *, overrides: Mapping[str, Any] | None = None, form: Form = "parsed"
) -> st.SearchStrategy[Any]:
    """Request bodies that the operation's contract accepts.

    ``form="parsed"`` gives JSON data or an lxml element; ``"bytes"`` / ``"text"`` give the
    encoded body, ready to send. ``overrides`` pins fields (by name, or by issue path such as
    ``/Brand/EntityType``) to a value or to a strategy.
    """
    body = _body(operation_id, "request", None)
    return _valid(operation_id, body, "request", None, overrides, form)


def responses(
    operation_id: str,
    *,
    status: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    form: Form = "parsed",
) -> st.SearchStrategy[Any]:
    """Response bodies of one documented status (default: the lowest success status)."""
    operation = _operation(operation_id)
    if status is None:
        successes = [code for code in operation.statuses if code < 300] or list(operation.statuses)
        if not successes:
            raise InvalidArgument(f"{operation_id} documents no response")
        status = successes[0]
    body = _body(operation_id, "response", status)
    return _valid(operation_id, body, "response", status, overrides, form)


def invalid_requests(
    operation_id: str, *, overrides: Mapping[str, Any] | None = None, form: Form = "parsed"
) -> st.SearchStrategy[Mutation]:
    """Request bodies that each break exactly one rule, labelled with its path and rule."""
    body = _body(operation_id, "request", None)
    adapter = adapter_for(body, response=False)
    valid = _valid(operation_id, body, "request", None, overrides, "parsed", adapter=adapter)

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


def _operation(operation_id: str) -> Any:
    try:
        return get_operation(operation_id)
    except UnknownOperationError as exc:
        raise InvalidArgument(str(exc)) from None


def _body(operation_id: str, part: str, status: int | None) -> Body:
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


def _valid(
    operation_id: str,
    body: Body,
    part: str,
    status: int | None,
    overrides: Mapping[str, Any] | None,
    form: str,
    adapter: Adapter | None = None,
) -> st.SearchStrategy[Any]:
    if form not in _FORMS:
        raise InvalidArgument(f"form must be one of {', '.join(_FORMS)}, not {form!r}")
    adapter = adapter or adapter_for(body, response=part == "response")
    pinned = dict(overrides or {})
    known = adapter.field_names()
    for key in pinned:
        name = key.rstrip("/").rsplit("/", 1)[-1]
        if name not in known:
            nearest = sorted(known, key=lambda n: _distance(n, name))[:3]
            raise InvalidArgument(
                f"{key!r} is not a field of {operation_id} {part}; nearest: {', '.join(nearest)}"
            )

    @st.composite
    def generated(draw: st.DrawFn) -> Any:
        payload = draw(adapter.initial())
        protected = set()
        for key, value in pinned.items():
            drawn = draw(value) if isinstance(value, st.SearchStrategy) else value
            for path in _override_paths(adapter, payload, key):
                adapter.put(payload, path, _as_value(adapter, drawn, path))
                protected.add(path)
        for _ in range(REPAIR_ROUNDS):
            report = validate(operation_id, payload, part=part, status=status)  # type: ignore[arg-type]
            if report.valid:
                return _encoded(adapter, payload, form)
            changed = False
            for issue in report.errors:
                if issue.path in protected or not issue.path:
                    continue
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


def _override_paths(adapter: Adapter, payload: Any, key: str) -> list[str]:
    if key.startswith("/"):
        return [key]
    found = _paths_named(adapter, payload, key)
    if found:
        return found
    return [f"/{payload.tag}/{key}" if hasattr(payload, "tag") else f"/{key}"]


def _paths_named(adapter: Adapter, payload: Any, name: str) -> list[str]:
    if hasattr(payload, "tag"):
        from ..validation._xml import element_path

        return [element_path(element) for element in payload.iter(name)]
    paths: list[str] = []
    stack: list[tuple[Any, str]] = [(payload, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                here = f"{path}/{key}"
                if key == name:
                    paths.append(here)
                stack.append((value, here))
        elif isinstance(node, list):
            stack.extend((item, f"{path}/{index}") for index, item in enumerate(node))
    return sorted(paths)


def _as_value(adapter: Adapter, value: Any, path: str) -> Any:
    if hasattr(adapter, "root_name"):  # XML: element text
        if isinstance(value, bool):
            return "true" if value else "false"
        return value if not isinstance(value, int | float) else str(value)
    return value


def _encoded(adapter: Adapter, payload: Any, form: str) -> Any:
    if form == "parsed":
        return payload
    data = adapter.encode(payload)
    return data if form == "bytes" else data.decode("utf-8")


def _distance(a: str, b: str) -> int:
    import difflib

    return -int(difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio() * 100)
