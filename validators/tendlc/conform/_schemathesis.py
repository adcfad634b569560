"""The generated cases of an operation whose contract is an OpenAPI document, drawn by
schemathesis: its positive mode for valid requests, its negative mode for invalid ones, each
negative case labelled with what schemathesis mutated (the component, the parameter or the
place in the body, the keywords it broke).

schemathesis is imported here only, and only when a run fuzzes. The caller decides which
operations go through it (by the provider's contract kind) and falls back to tendlc's own
generators where it cannot generate (an error of :func:`errors`).
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote

from .._catalog import Operation, forget_with_catalog, get_provider, load_contract

__all__ = ["DRIVER", "errors", "invalid_cases", "serializable", "valid_cases"]

#: the name this driver's cases are counted under in a run's context
DRIVER = "schemathesis"
#: the value of a header parameter in generated cases: the run sends its own credentials, so
#: headers are fixed (never mutated) and a case is not spent on a header it would not send
_HEADER = "fixed"
#: path values that change which URL a request reaches rather than what it carries
_UNROUTABLE = ("", ".", "..")

_lock = threading.Lock()
#: contract name -> {(METHOD, path): schemathesis's operation}
_loaded: dict[str, dict[tuple[str, str], Any]] = {}


def _forget() -> None:
    with _lock:
        _loaded.clear()


forget_with_catalog(_forget)


def errors() -> tuple[type[BaseException], ...]:
    """The exceptions schemathesis raises where it cannot generate (an unsupported schema, an
    invalid one), which send an operation's cases back to tendlc's generators."""
    from schemathesis.errors import SchemathesisError

    return (SchemathesisError,)


def serializable(operation: Operation) -> bool:
    """True when a case of ``operation`` can be sent as schemathesis draws it: no request
    body, or a JSON one."""
    request = operation.request
    if request is None or request.empty:
        return True
    return not request.binary and all(m.endswith("json") for m in request.media_types)


def _operations(contract: str) -> dict[tuple[str, str], Any]:
    with _lock:
        if contract not in _loaded:
            import schemathesis

            # the catalog's document is shared by every reader: schemathesis gets a copy
            document = copy.deepcopy(dict(load_contract(contract)))
            schema = schemathesis.openapi.from_dict(document)
            found: dict[tuple[str, str], Any] = {}
            for result in schema.get_all_operations():
                if hasattr(result, "ok"):  # an operation it cannot read is left to tendlc's
                    api = result.ok()
                    found[(api.method.upper(), api.path)] = api
            _loaded[contract] = found
        return _loaded[contract]


def _api_operation(operation: Operation) -> Any:
    provider = get_provider(operation.provider)
    api = _operations(f"{provider.name}/{provider.contract}").get(
        (operation.method, operation.path)
    )
    if api is None:
        from schemathesis.errors import InvalidSchema

        raise InvalidSchema(f"schemathesis reads no {operation.method} {operation.path}")
    return api


def _headers(api: Any) -> dict[str, str]:
    return {parameter.name: _HEADER for parameter in api.headers}


def valid_cases(
    operation: Operation,
    known: Mapping[str, str],
    choices: Mapping[str, Any],
    make: Callable[..., Any],
) -> Any:
    """A strategy of valid cases of ``operation`` (built by ``make(body, query, parameters)``)
    from schemathesis's positive mode: the path parameters the probes know are fixed, the
    documented values of the others (``choices``) drawn."""
    from schemathesis import GenerationMode

    api = _api_operation(operation)
    fixed = {name: value for name, value in known.items() if name not in choices}
    strategy = api.as_strategy(
        GenerationMode.POSITIVE, path_parameters=fixed or None, headers=_headers(api) or None
    )

    def build(case: Any) -> Any:
        drawn = {name: unquote(str(case.path_parameters[name])) for name in choices}
        return make(_body(operation, case), _query(case), drawn)

    return strategy.map(build)


def invalid_cases(
    operation: Operation, known: Mapping[str, str], account: str | None, make: Callable[..., Any]
) -> Any:
    """A strategy of labelled invalid cases of ``operation`` (built by
    ``make(body, query, parameters, label)``) from schemathesis's negative mode. The account
    the run acts for is fixed; a path parameter schemathesis did not mutate is the probes'
    value, one it mutated is what it drew."""
    from schemathesis import GenerationMode

    api = _api_operation(operation)
    fixed = {account: known[account]} if account is not None and account in known else None
    strategy = api.as_strategy(
        GenerationMode.NEGATIVE, path_parameters=fixed, headers=_headers(api) or None
    )

    def build(case: Any) -> Any:
        mutations = _mutations(case)
        mutated = {m.parameter for m in mutations if m.parameter_location.value == "path"}
        drawn = {
            name: unquote(str(value))
            for name, value in (case.path_parameters or {}).items()
            if name in mutated and name != account
        }
        if not all(map(_routable, drawn.values())):
            drawn = {}  # kept valid: the pre-filter finds nothing broken and does not send it
        return make(_body(operation, case), _query(case), drawn, _label(operation, case))

    return strategy.map(build)


def _routable(value: str) -> bool:
    """True when a path segment of ``value`` reaches the operation: not a dot segment, and
    no control character (which HTTP servers refuse before any API sees the request)."""
    return value not in _UNROUTABLE and not any(ord(c) < 0x20 or ord(c) == 0x7F for c in value)


def _mutations(case: Any) -> tuple[Any, ...]:
    meta = case.meta
    return tuple(getattr(meta.phase.data, "mutations", ())) if meta is not None else ()


def _label(operation: Operation, case: Any) -> tuple[str, str, str]:
    """(where, rule, description) of what schemathesis broke: the first mutation's place and
    keywords, and every component it made negative."""
    meta = case.meta
    components = sorted(
        location.value
        for location, info in (meta.components.items() if meta is not None else ())
        if info.mode.is_negative
    )
    mutations = _mutations(case)
    if not mutations:
        where = "/" if "body" in components else ""
        return (where, "negative", f"{'/'.join(components) or 'nothing'} of {operation.id} mutated")
    first = mutations[0]
    location = first.parameter_location.value
    if location == "body":
        where = "/" + "/".join(str(step) for step in first.path)
    else:
        where = {"query": "?", "path": ":"}.get(location, f"{location}:") + str(first.parameter)
    rule = "/".join(first.keywords) or first.operator.value
    more = f" and {len(mutations) - 1} more mutation(s)" if len(mutations) > 1 else ""
    description = (
        f"{location} of {operation.id} mutated by schemathesis ({first.operator.value}"
        f" of {rule}){more}; negative: {', '.join(components)}"
    )
    return where, rule, description


def _body(operation: Operation, case: Any) -> bytes:
    request = operation.request
    if request is None or request.empty or not _has_body(case):
        return b""
    try:
        return json.dumps(case.body, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError):
        # raw bytes or a non-finite number: not JSON, and meant not to be
        body = case.body
        return body if isinstance(body, bytes) else str(body).encode("utf-8")


def _has_body(case: Any) -> bool:
    from schemathesis.core import NOT_SET

    return case.body is not NOT_SET


def _query(case: Any) -> dict[str, Any]:
    """The query parameters of ``case`` as they go on the wire."""
    return {
        name: [_wire(item) for item in value] if isinstance(value, list) else _wire(value)
        for name, value in (case.query or {}).items()
        if value is not None
    }


def _wire(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return "" if value is None else str(value)
