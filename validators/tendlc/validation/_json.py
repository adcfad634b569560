"""JSON bodies against the Vonage OpenAPI document: compiled hot path, explained errors."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import jsonschema_rs

from ..catalog import Body, load_contract
from ._once import once
from ._pointer import json_pointer, split_pointer, walk
from ._report import Issue, Severity, excerpt, unique

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
_RULE_ALIASES = {
    "const": "enum",
    "unevaluatedProperties": "additionalProperties",
    "dependentRequired": "required",
    "unevaluatedItems": "maxItems",
}


@once
def _document(contract: str, opened: bool) -> Mapping[str, Any]:
    document: Mapping[str, Any] = load_contract(contract)
    return _open(copy.deepcopy(document)) if opened else document


def _open(node: Any) -> Any:
    """Drop the closing keywords so that undocumented fields no longer fail a response."""
    if isinstance(node, dict):
        for keyword in _CLOSING_KEYWORDS:
            if node.get(keyword) is False:
                del node[keyword]
        for value in node.values():
            _open(value)
    elif isinstance(node, list):
        for value in node:
            _open(value)
    return node


@once
def compiled(contract: str, locator: str, opened: bool = False) -> Any:
    """The compiled validator of the schema at ``locator`` (once per process)."""
    document = _document(contract, opened)
    root = {key: value for key, value in document.items() if key in ("paths", "components")}
    # A URI fragment: characters such as the braces of path templates must be escaped.
    root.update({"$schema": _DIALECT, "$ref": "#" + quote(locator, safe="/~-_.!$&'()*+,;=:@")})
    return jsonschema_rs.validator_for(root, validate_formats=True)


def validate_json_data(document_name: str, locator: str, data: Any, *, closed: bool) -> list[Issue]:
    """Validate already-parsed JSON data; return every issue (empty when valid)."""
    validator = compiled(document_name, locator, opened=not closed)
    if closed:
        if validator.is_valid(data):
            return []
        return list(_explain(validator, document_name, data, closed=True))
    strict = compiled(document_name, locator, opened=False)
    if strict.is_valid(data):
        return []
    issues = (
        []
        if validator.is_valid(data)
        else list(_explain(validator, document_name, data, closed=False))
    )
    # Undocumented response fields: warnings, taken from the closed contract.
    seen = {issue.path for issue in issues}
    for issue in _explain(strict, document_name, data, closed=False):
        if issue.rule == "additionalProperties" and issue.path not in seen:
            issues.append(issue)
    return issues


def validate_json_body(body: Body, data: Any) -> list[Issue]:
    """Validate a parsed body against its contract."""
    return validate_json_data(body.contract, body.locator, data, closed=body.closed)


def _explain(validator: Any, contract: str, data: Any, *, closed: bool) -> Iterator[Issue]:
    document = _document(contract, False)
    yield from unique(
        issue
        for error in validator.iter_errors(data)
        for issue in _issues(error, document, data, closed)
    )


def _issues(error: Any, document: Any, data: Any, closed: bool) -> Iterator[Issue]:
    schema_path = [str(token) for token in error.schema_path]
    instance_path = list(error.instance_path)
    keyword = schema_path[-1] if schema_path else ""
    kind = getattr(error.kind, "name", "")

    annotated, advances = _annotation(document, schema_path)
    if (
        keyword in ("oneOf", "anyOf", "not")
        and annotated is not None
        and annotated is walk(document, schema_path[:-1], None)
    ):
        # The rule is the whole combination: report it once, at the field it names.
        field = annotated.get("x-field")
        base = instance_path[: len(instance_path) - advances] if advances else instance_path
        path = [*base, *str(field).split("/")] if field else instance_path
        yield Issue(
            "error",
            json_pointer(path),
            annotated["x-rule"],
            annotated.get("x-message") or f"the rule {annotated['x-rule']} is not met",
        )
        return

    if kind in ("one_of_not_valid", "any_of") or keyword in ("oneOf", "anyOf"):
        branches = list(getattr(error.kind, "context", None) or [])
        chosen = _best_branch(branches)
        if chosen is not None:
            for inner in chosen:
                yield from _issues(inner, document, data, closed)
            return
        discriminators = _discriminators(branches, document)
        if discriminators:
            # Every variant was refused by the value that selects it: name that field.
            for pointer, allowed in discriminators.items():
                selector = walk(data, split_pointer(pointer), None)
                yield Issue("error", pointer, "enum", _message("enum", allowed, selector))
            return

    rule = (annotated or {}).get("x-rule") or _RULE_ALIASES.get(keyword, keyword or "schema")
    severity: Severity = "error"
    value = walk(data, instance_path, None)
    keyword_value = walk(document, schema_path, None)
    custom = (annotated or {}).get("x-message")

    if keyword in _CLOSING_KEYWORDS:
        names = _unexpected_names(error, value)
        if not closed:
            severity = "warning"
        for name in names:
            yield Issue(
                severity,
                json_pointer([*instance_path, name]),
                "additionalProperties",
                custom
                or f"{name[:60]!r} is not a documented field"
                + ("" if closed else " (undocumented in the contract)"),
            )
        return

    field = (annotated or {}).get("x-field")
    if keyword in ("required", "dependentRequired") and not field:
        missing = getattr(error.kind, "property", None)
        if missing is None:
            missing = str(error.message).split('"')[1] if '"' in str(error.message) else ""
        yield Issue(
            severity,
            json_pointer([*instance_path, missing]),
            rule,
            custom or f"{missing!r} is required" + _because(annotated),
        )
        return

    path = instance_path
    if field:
        base = instance_path[: len(instance_path) - advances] if advances else instance_path
        path = [*base, *str(field).split("/")]
    yield Issue(
        severity, json_pointer(path), rule, custom or _message(keyword, keyword_value, value)
    )


def _best_branch(branches: Sequence[Sequence[Any]]) -> Sequence[Any] | None:
    """The oneOf/anyOf branch a person most likely meant: not refused by a discriminator."""
    candidates = [
        branch
        for branch in branches
        if not any(
            str(list(e.schema_path)[-1]) in ("const", "enum")
            and len(list(e.instance_path)) <= _min_depth(branch)
            for e in branch
        )
    ]
    if not candidates:
        return None
    return min(candidates, key=len)


def _discriminators(branches: Sequence[Sequence[Any]], document: Any) -> dict[str, list[Any]]:
    allowed: dict[str, list[Any]] = {}
    for branch in branches:
        for error in branch:
            schema_path = [str(token) for token in error.schema_path]
            if schema_path and schema_path[-1] in ("const", "enum"):
                value = walk(document, schema_path, None)
                values = value if isinstance(value, list) else [value]
                path = json_pointer(list(error.instance_path))
                allowed.setdefault(path, [])
                allowed[path].extend(v for v in values if v not in allowed[path])
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
        if isinstance(node, Mapping) and "x-rule" in node:
            found, found_at = node, index
        node = walk(node, [token], None)
        if node is None:
            break
    if isinstance(node, Mapping) and "x-rule" in node:
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


def _unexpected_names(error: Any, value: Any) -> list[str]:
    names = getattr(error.kind, "unexpected", None)
    if names:
        return [str(name) for name in names]
    return sorted(value) if isinstance(value, Mapping) else []


def _because(annotated: Mapping[str, Any] | None) -> str:
    if annotated and annotated.get("description"):
        return f" ({annotated['description']})"
    return ""


def _message(keyword: str, limit: Any, value: Any) -> str:
    shown = excerpt(value)
    if keyword == "maxLength" and isinstance(value, str):
        return f"{shown} is {len(value)} characters long; at most {limit} allowed"
    if keyword == "minLength" and isinstance(value, str):
        return f"{shown} is {len(value)} characters long; at least {limit} required"
    if keyword == "pattern":
        return f"{shown} does not match the pattern {limit}"
    if keyword == "enum" and isinstance(limit, list):
        options = ", ".join(map(str, limit[:12])) + (", …" if len(limit) > 12 else "")
        return f"{shown} is not one of: {options}"
    if keyword == "const":
        return f"{shown} must be {limit!r}"
    if keyword == "type":
        return f"{shown} is not of type {limit}"
    if keyword == "format":
        return f"{shown} is not a valid {limit}"
    if keyword in ("minimum", "exclusiveMinimum"):
        return f"{shown} is below the minimum {limit}"
    if keyword in ("maximum", "exclusiveMaximum"):
        return f"{shown} is above the maximum {limit}"
    if keyword in ("minItems", "maxItems") and isinstance(value, list):
        bound = "at least" if keyword == "minItems" else "at most"
        return f"has {len(value)} items; {bound} {limit} allowed"
    if keyword == "uniqueItems":
        return "items must be unique"
    if keyword == "not":
        return "this combination of fields is not allowed"
    return f"{shown} breaks the {keyword or 'schema'} rule"
