"""JSON bodies against OpenAPI documents: compiled hot path, explained errors.

The explainer reads jsonschema-rs's typed error kinds (``error.kind.name`` and the kind's own
attributes), never its English messages; the rule vocabulary and the sentences come from
:mod:`._messages`.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

import jsonschema_rs

from .._catalog import Body, load_contract, per_catalog
from .._errors import ContractError
from .._shared import (
    DYNAMIC_KEYWORDS,
    JSON_FIELD,
    JSON_MESSAGE,
    JSON_RULE,
    JSON_TIME,
    json_pointer,
    openapi_schema_roots,
    reachable,
    reference_to,
    schema_map,
    split_pointer,
    walk,
)
from ._clock import TimeKeyword
from ._messages import describe
from ._report import Issue, Severity, unique

__all__ = ["compiled", "explain", "validate_json_body", "validate_json_data", "validator_at"]

_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_CLOSING_KEYWORDS = ("unevaluatedProperties", "additionalProperties")
# Schema keywords that move the instance location one level down; the first group is followed
# in a schema path by a property name, pattern or index, the second group is not.
_DESCEND_NAMED = ("properties", "patternProperties", "prefixItems")
_DESCEND = (
    "items",
    "additionalProperties",
    "unevaluatedProperties",
    "contains",
    "unevaluatedItems",
)
# Keywords followed by a name or index that do not move the instance location.
_NAMED = ("allOf", "anyOf", "oneOf", "dependentSchemas", "$defs", "definitions")

#: jsonschema-rs error kind → (the rule reported, the kind attribute holding the expected value)
_KINDS: dict[str, tuple[str, str | None]] = {
    "maxLength": ("maxLength", "limit"),
    "minLength": ("minLength", "limit"),
    "pattern": ("pattern", "pattern"),
    "enum": ("enum", "options"),
    "const": ("enum", "expected_value"),
    "type": ("type", "types"),
    "format": ("format", "format"),
    "minimum": ("minimum", "limit"),
    "maximum": ("maximum", "limit"),
    "exclusiveMinimum": ("exclusiveMinimum", "limit"),
    "exclusiveMaximum": ("exclusiveMaximum", "limit"),
    "multipleOf": ("multipleOf", "multiple_of"),
    "minItems": ("minItems", "limit"),
    "maxItems": ("maxItems", "limit"),
    "minProperties": ("minProperties", "limit"),
    "maxProperties": ("maxProperties", "limit"),
    "uniqueItems": ("uniqueItems", None),
    "unevaluatedItems": ("maxItems", None),
    "contains": ("contains", None),
    "not": ("not", None),
}
_COMBINATIONS = ("oneOf", "anyOf", "not")
#: The rule of a null, in a response, where the contract documents no null (contracts/README.md).
NULL_FOR_ABSENT = "null-for-absent"

_LOCK = threading.Lock()


@per_catalog
def _document(contract: str, opened: bool) -> Mapping[str, Any]:
    document: Mapping[str, Any] = load_contract(contract)
    return _open(copy.deepcopy(dict(document))) if opened else document


def _open(document: dict[str, Any]) -> dict[str, Any]:
    """Drop the closing keywords of the document's schemas so that undocumented fields no
    longer fail a response (a mapping that is also data, or a name map, is left alone)."""
    found = schema_map(document, openapi_schema_roots(document))
    for node in found.schemas:
        if id(node) not in found.shared:
            for keyword in _CLOSING_KEYWORDS:
                if node.get(keyword) is False:
                    del node[keyword]
    return document


@per_catalog
def _compiled(contract: str, locator: str, opened: bool) -> Any:
    return validator_at(_document(contract, opened), locator)


def validator_at(document: Mapping[str, Any], locator: str) -> Any:
    """A jsonschema-rs validator (formats checked) of the schema at ``locator`` in an OpenAPI
    document, its ``$ref``s resolved within the document; :class:`~tendlc.ContractError` when
    the schema does not compile (a reference outside the document, an unknown anchor ...)."""
    root = {key: value for key, value in document.items() if key in ("paths", "components")}
    root.update({"$schema": _DIALECT, "$ref": reference_to(locator)})
    # A custom keyword slows every validation by about a fifth, even where no schema uses it:
    # registered only for a body whose schema reaches one.
    nodes = reachable(document, locator)
    uses_time = nodes is None or any(JSON_TIME in node for node in nodes)
    schemas = walk(document, ["components", "schemas"], None)
    if isinstance(schemas, Mapping) and (
        nodes is None or any(DYNAMIC_KEYWORDS.intersection(node) for node in nodes)
    ):
        # jsonschema-rs finds anchors and identifiers, and follows a base URI, only where JSON
        # Schema keeps subschemas, and an OpenAPI document's components are not such a place:
        # it is shown the component schemas under $defs, their references pointing there.
        root["$defs"] = _as_defs(schemas)
        if locator.startswith(_COMPONENTS):
            root["$ref"] = reference_to("/$defs/" + locator[len(_COMPONENTS) :])
    try:
        return jsonschema_rs.validator_for(
            root,
            validate_formats=True,
            keywords={JSON_TIME: TimeKeyword} if uses_time else {},
            retriever=_outside,
        )
    except (ValueError, jsonschema_rs.ReferencingError) as exc:
        reason = str(exc).strip().split("\n")[0]
        raise ContractError(f"the schema at {locator} does not compile: {reason}") from None


_COMPONENTS = "/components/schemas/"


def _as_defs(schemas: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the component schemas whose references to one another go through $defs."""
    copied = copy.deepcopy(dict(schemas))
    prefix = "#" + _COMPONENTS
    for node in schema_map({"components": {"schemas": copied}}, copied.values()).schemas:
        reference = node.get("$ref")
        if isinstance(reference, str) and reference.startswith(prefix):
            node["$ref"] = "#/$defs/" + reference[len(prefix) :]
    return copied


def _outside(uri: str) -> Any:
    """Contracts are read alone: no reference leads to a file or the network."""
    raise ValueError(f"{uri} is outside the contract; references must stay within it")


def compiled(contract: str, locator: str, opened: bool = False) -> Any:
    """The compiled validator of the schema at ``locator`` (once per process, thread-safe)."""
    with _LOCK:
        return _compiled(contract, locator, opened)


def validate_json_data(document_name: str, locator: str, data: Any, *, closed: bool) -> list[Issue]:
    """Validate already-parsed JSON data; return every issue (empty when valid)."""
    strict = compiled(document_name, locator, opened=False)
    if strict.is_valid(data):
        return []
    document = _document(document_name, False)
    if closed:
        return _explained(strict, document, data, document_name, closed=True)
    opened = compiled(document_name, locator, opened=True)
    data, absent, explained = _nulls_read_as_absent(opened, document, data, document_name)
    if explained is not None:
        issues = explained + absent
    else:
        issues = (
            []
            if opened.is_valid(data)
            else _explained(opened, document, data, document_name, closed=False)
        )
    # Undocumented response fields: warnings, taken from the closed contract.
    seen = {issue.path for issue in issues}
    for issue in explain(strict, document, data, contract=document_name, closed=False):
        if issue.rule == "additionalProperties" and issue.path not in seen:
            issues.append(issue)
    return issues


def _nulls_read_as_absent(
    validator: Any, document: Any, data: Any, contract: str
) -> tuple[Any, list[Issue], list[Issue] | None]:
    """A response's nulls in optional fields whose schema takes no null, read as absent.

    A JSON API says "this does not apply here" (a field of another carrier) with ``null``. Such
    a null is a warning, not an error, where leaving the field out would be valid: the data is
    judged without those members, and each gets a ``null-for-absent`` warning. A null the
    object cannot do without (a required field, or one a rule needs) stays, and so does its
    error. Only fields are concerned: a null item of an array is an error as before.

    Returns the data to judge, the warnings, and the issues of that data under ``validator``
    when they had to be worked out (None when the data has no such null).
    """
    nulls = _refused_nulls(validator.iter_errors(data), data)
    while nulls:
        without = _without(data, nulls)
        issues = list(explain(validator, document, without, contract=contract, closed=False))
        needed = {issue.path for issue in issues if issue.severity == "error"}
        kept = {path: where for path, where in nulls.items() if json_pointer(path) not in needed}
        if len(kept) == len(nulls):
            warnings = [
                Issue(
                    Severity.WARNING,
                    json_pointer(path),
                    NULL_FOR_ABSENT,
                    describe(NULL_FOR_ABSENT, None, path[-1]),
                    location=f"{contract}#{json_pointer(where)}" if contract else "",
                )
                for path, where in nulls.items()
            ]
            return without, warnings, issues
        nulls = kept
    return data, [], None


def _refused_nulls(errors: Iterator[Any], data: Any) -> dict[tuple[Any, ...], list[str]]:
    """The members of objects whose null value an error (or an error inside a oneOf/anyOf
    branch) refuses: instance path → the schema path of the first such error."""
    found: dict[tuple[Any, ...], list[str]] = {}
    pending = list(errors)
    for error in pending:  # grows with the errors inside each combination's branches
        for branch in getattr(error.kind, "context", None) or []:
            pending.extend(branch)
        path = tuple(error.instance_path)
        if not path or not isinstance(path[-1], str) or path in found:
            continue
        parent = walk(data, list(path[:-1]), None)
        if isinstance(parent, dict) and path[-1] in parent and parent[path[-1]] is None:
            found[path] = [str(token) for token in error.schema_path]
    return found


def _without(data: Any, paths: Mapping[tuple[Any, ...], Any]) -> Any:
    """A copy of ``data`` without the members at ``paths`` (the input is left as it is)."""
    copied = copy.deepcopy(data)
    for path in paths:
        parent = walk(copied, list(path[:-1]), None)
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
    return copied


def _explained(
    validator: Any, document: Any, data: Any, contract: str, *, closed: bool
) -> list[Issue]:
    """The issues of data ``validator`` refuses: at least one, whatever the explainer makes of
    the errors (a verdict is never turned into "valid" by an error it cannot word)."""
    issues = list(explain(validator, document, data, contract=contract, closed=closed))
    if any(issue.severity == "error" for issue in issues):
        return issues
    error = next(iter(validator.iter_errors(data)))
    schema_path = [str(token) for token in error.schema_path]
    issues.append(
        Issue(
            Severity.ERROR,
            json_pointer(list(error.instance_path)),
            error.kind.name,
            "the value does not match the contract here",
            location=f"{contract}#{json_pointer(schema_path)}" if contract else "",
        )
    )
    return issues


def validate_json_body(body: Body, data: Any) -> list[Issue]:
    """Validate a parsed body against its contract."""
    return validate_json_data(body.contract, body.locator, data, closed=body.closed)


def explain(
    validator: Any,
    document: Any,
    data: Any,
    *,
    contract: str = "",
    closed: bool = True,
    noun: str = "field",
) -> Iterator[Issue]:
    """Every issue of ``data`` under ``validator`` (compiled from ``document``), each once."""
    context = _Context(document, data, contract, closed, noun)
    errors = list(validator.iter_errors(data))
    # A value of the wrong shape (not the object or array the contract describes) makes every
    # other rule about it and below it moot: report the shape alone.
    mistyped = [
        list(e.instance_path)
        for e in errors
        if e.kind.name == "type" and {"object", "array"} & set(map(str, e.kind.types))
    ]
    if mistyped:
        errors = [
            e
            for e in errors
            if e.kind.name == "type"
            or not any(list(e.instance_path)[: len(p)] == p for p in mistyped)
        ]
    yield from unique(issue for error in errors for issue in context.issues(error))


class _Context:
    """What every error of one validation run is explained against."""

    def __init__(self, document: Any, data: Any, contract: str, closed: bool, noun: str) -> None:
        self.document = document
        self.data = data
        self.contract = contract
        self.closed = closed
        self.noun = noun

    def location(self, schema_path: Sequence[str]) -> str:
        return f"{self.contract}#{json_pointer(schema_path)}" if self.contract else ""

    def issues(self, error: Any) -> Iterator[Issue]:
        """The issues one error of the validator stands for."""
        failure = self._failure(error)
        if (
            error.kind.name in _COMBINATIONS
            and failure.annotated is not None
            and (failure.annotated is walk(self.document, failure.schema_path[:-1], None))
        ):
            return self._whole_rule(failure)
        return _BY_KIND.get(error.kind.name, _Context._rule)(self, failure)

    def _failure(self, error: Any) -> _Failure:
        schema_path = [str(token) for token in error.schema_path]
        instance_path = list(error.instance_path)
        annotated, advances = _annotation(self.document, schema_path)
        base = instance_path[: len(instance_path) - advances] if advances else instance_path
        field = (annotated or {}).get(JSON_FIELD)
        return _Failure(
            error,
            schema_path,
            instance_path,
            self.location(schema_path),
            annotated,
            (annotated or {}).get(JSON_MESSAGE),
            [*base, *str(field).split("/")] if field else instance_path,
            bool(field),
        )

    def _whole_rule(self, failure: _Failure) -> Iterator[Issue]:
        """The rule is the whole combination: report it once, at the field it names."""
        assert failure.annotated is not None
        rule = failure.annotated[JSON_RULE]
        yield Issue(
            Severity.ERROR,
            json_pointer(failure.here),
            rule,
            failure.custom or f"the rule {rule} is not met",
            location=failure.location,
        )

    def _one_of(self, failure: _Failure) -> Iterator[Issue]:
        if not isinstance(failure.error.kind, jsonschema_rs.ValidationErrorKind.OneOfMultipleValid):
            return self._combination(failure.error)
        issue = Issue(
            Severity.ERROR,
            json_pointer(failure.instance_path),
            "oneOf",
            failure.custom or "matches more than one documented variant",
            location=failure.location,
        )
        return iter((issue,))

    def _any_of(self, failure: _Failure) -> Iterator[Issue]:
        return self._combination(failure.error)

    def _closing(self, failure: _Failure) -> Iterator[Issue]:
        return self._undocumented(
            failure.error, failure.instance_path, failure.custom, failure.location
        )

    def _false_schema(self, failure: _Failure) -> Iterator[Issue]:
        """A ``false`` schema: a closing keyword's (an undocumented member), or a rule's."""
        if (
            failure.schema_path
            and failure.schema_path[-1] in _CLOSING_KEYWORDS
            and _is_schema(self.document, failure.schema_path[:-1])
        ):
            return self._closing(failure)
        return self._rule(failure)

    def _custom(self, failure: _Failure) -> Iterator[Issue]:
        kind = failure.error.kind
        yield Issue(
            Severity.ERROR,
            json_pointer(failure.here),
            failure.rule or str(kind.keyword),
            failure.custom or str(kind.message),
            location=failure.location,
        )

    def _required(self, failure: _Failure) -> Iterator[Issue]:
        missing = str(failure.error.kind.property)
        path = failure.here if failure.named else [*failure.instance_path, missing]
        because = _because(failure.annotated)
        yield Issue(
            Severity.ERROR,
            json_pointer(path),
            failure.rule or "required",
            failure.custom or describe("required", missing, None, noun=self.noun) + because,
            location=failure.location,
            expected=missing,
        )

    def _rule(self, failure: _Failure) -> Iterator[Issue]:
        """Any other keyword: its rule, what it expected, and the value found."""
        kind = failure.error.kind
        rule, attribute = _KINDS.get(kind.name, (kind.name, None))
        expected = getattr(kind, attribute, None) if attribute else None
        if kind.name == "const":
            expected = [expected]
        value = walk(self.data, failure.instance_path, None)
        yield Issue(
            Severity.ERROR,
            json_pointer(failure.here),
            failure.rule or rule,
            failure.custom or describe(rule, expected, value, noun=self.noun),
            location=failure.location,
            expected=expected,
        )

    def _undocumented(
        self, error: Any, instance_path: list[Any], custom: str | None, location: str
    ) -> Iterator[Issue]:
        severity = Severity.ERROR if self.closed else Severity.WARNING
        if error.kind.name == "falseSchema":
            # A closing keyword alone (no properties beside it): every member is undocumented.
            value = walk(self.data, instance_path, None)
            if isinstance(value, Mapping):
                names = [str(name) for name in value]
            else:
                names = [str(instance_path[-1])] if instance_path else []
                instance_path = instance_path[:-1]
        else:
            names = [str(name) for name in (getattr(error.kind, "unexpected", None) or [])]
        for name in names:
            message = custom or describe("additionalProperties", None, name, noun=self.noun)
            yield Issue(
                severity,
                json_pointer([*instance_path, name]),
                "additionalProperties",
                message if self.closed else message + " (undocumented in the contract)",
                location=location,
            )

    def _combination(self, error: Any) -> Iterator[Issue]:
        branches = list(getattr(error.kind, "context", None) or [])
        chosen = _best_branch(branches)
        if chosen is not None:
            for inner in chosen:
                yield from self.issues(inner)
            return
        discriminators = _discriminators(branches, self.document)
        if discriminators:
            # Every variant was refused by the value that selects it: name that field.
            for pointer, (allowed, where) in discriminators.items():
                selector = walk(self.data, split_pointer(pointer), None)
                yield Issue(
                    Severity.ERROR,
                    pointer,
                    "enum",
                    describe("enum", allowed, selector),
                    location=self.location(where),
                    expected=allowed,
                )
            return
        schema_path = [str(token) for token in error.schema_path]
        yield Issue(
            Severity.ERROR,
            json_pointer(list(error.instance_path)),
            error.kind.name,
            "matches none of the documented variants",
            location=self.location(schema_path),
        )


_SCHEMA_IDS: dict[int, tuple[Any, frozenset[int]]] = {}


def _is_schema(document: Any, tokens: list[str]) -> bool:
    """Whether the node at ``tokens`` is one of the schemas of ``document`` (an OpenAPI
    document, or a schema) rather than a name map or data."""
    entry = _SCHEMA_IDS.get(id(document))
    if entry is None or entry[0] is not document:
        if len(_SCHEMA_IDS) > 64:
            _SCHEMA_IDS.clear()
        openapi = isinstance(document, Mapping) and not {
            "openapi",
            "paths",
            "components",
        }.isdisjoint(document)
        roots = openapi_schema_roots(document) if openapi else [document]
        found = schema_map(document, roots)
        entry = _SCHEMA_IDS[id(document)] = (document, frozenset(map(id, found.schemas)))
    return id(walk(document, tokens, None)) in entry[1]


class _Failure(NamedTuple):
    """One error of the validator, read once for every kind's explanation: where it is in the
    schema and the data, and the annotated rule it falls under (if any)."""

    error: Any
    schema_path: list[str]
    instance_path: list[Any]
    location: str
    annotated: Mapping[str, Any] | None
    custom: str | None  # the rule's own message
    here: list[Any]  # where to report it: the field the rule names, else the error's place
    named: bool  # whether the rule names its field

    @property
    def rule(self) -> str | None:
        """The rule id of the annotated rule, if any."""
        return (self.annotated or {}).get(JSON_RULE)


#: jsonschema-rs error kind → how it is explained (any other kind: :meth:`_Context._rule`)
_BY_KIND: Mapping[str, Callable[[_Context, _Failure], Iterator[Issue]]] = {
    "oneOf": _Context._one_of,
    "anyOf": _Context._any_of,
    **dict.fromkeys(_CLOSING_KEYWORDS, _Context._closing),
    "falseSchema": _Context._false_schema,
    "custom": _Context._custom,
    "required": _Context._required,
}


def _best_branch(branches: Sequence[Sequence[Any]]) -> Sequence[Any] | None:
    """The oneOf/anyOf branch a person most likely meant: not refused by a discriminator."""
    candidates = [
        branch
        for branch in branches
        if not any(
            e.kind.name in ("const", "enum") and len(list(e.instance_path)) <= _min_depth(branch)
            for e in branch
        )
    ]
    if not candidates:
        return None
    return min(candidates, key=len)


def _discriminators(
    branches: Sequence[Sequence[Any]], document: Any
) -> dict[str, tuple[list[Any], list[str]]]:
    allowed: dict[str, tuple[list[Any], list[str]]] = {}
    for branch in branches:
        for error in branch:
            if error.kind.name not in ("const", "enum"):
                continue
            schema_path = [str(token) for token in error.schema_path]
            value = walk(document, schema_path, None)
            values = value if isinstance(value, list) else [value]
            path = json_pointer(list(error.instance_path))
            found, _ = allowed.setdefault(path, ([], schema_path[:-1]))
            found.extend(v for v in values if v not in found)
    return allowed


def _min_depth(branch: Sequence[Any]) -> int:
    return min((len(list(e.instance_path)) for e in branch), default=0) + 1


def _annotation(document: Any, schema_path: list[str]) -> tuple[Mapping[str, Any] | None, int]:
    """The innermost schema node on the path that names a rule, and how many instance levels
    the path descends below it."""
    node: Any = document
    found: Mapping[str, Any] | None = None
    found_at = -1
    for index, token in enumerate(schema_path):
        if isinstance(node, Mapping) and JSON_RULE in node:
            found, found_at = node, index
        node = walk(node, [token], None)
        if node is None:
            break
    if isinstance(node, Mapping) and JSON_RULE in node:
        found, found_at = node, len(schema_path)
    if found is None:
        return None, 0
    return found, _instance_levels(schema_path[found_at:])


def _instance_levels(schema_path: list[str]) -> int:
    """How many instance levels a schema path descends."""
    levels = 0
    index = 0
    while index < len(schema_path):
        token = schema_path[index]
        if token in _DESCEND_NAMED:
            levels += 1
            index += 2
        elif token in _DESCEND:
            levels += 1
            index += 1
        elif token in _NAMED:
            index += 2
        else:
            index += 1
    return levels


def _because(annotated: Mapping[str, Any] | None) -> str:
    if annotated and annotated.get("description"):
        return f" ({annotated['description']})"
    return ""
