"""Query and path parameters, checked with the same JSON Schema machinery as bodies."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jsonschema_rs

from .._parsing import ParseError
from .._shared import unescape
from ._json import explain
from ._messages import describe
from ._report import Issue, Severity

_INTEGER = re.compile(r"-?[0-9]{1,18}")
_NUMBER = re.compile(r"-?[0-9]{1,18}(\.[0-9]{1,18})?")


def parse_query(payload: Any) -> dict[str, list[str]]:
    """A query string (``a=1&b=2``, ``?a=1``, a full URL) or mapping, as name -> values."""
    if isinstance(payload, bytes | bytearray):
        try:
            payload = bytes(payload).decode("utf-8")
        except UnicodeDecodeError:
            raise ParseError("the query string is not valid UTF-8") from None
    if isinstance(payload, str):
        text = urlsplit(payload).query if "://" in payload else payload.lstrip("?")
        if len(text) > 8192:
            raise ParseError(f"the query string is {len(text):,} characters, more than 8,192")
        values: dict[str, list[str]] = {}
        try:
            pairs = parse_qsl(
                text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=100
            )
        except ValueError as exc:
            raise ParseError(f"cannot read the query string: {exc}") from None
        for name, value in pairs:
            values.setdefault(name, []).append(value)
        return values
    if isinstance(payload, Mapping):
        # a parameter given no values is not in the query string at all (as urlencode sends it)
        return {
            str(name): [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
            for name, value in payload.items()
            if not isinstance(value, list | tuple) or value
        }
    if payload is None:
        return {}
    raise ParseError(f"expected parameters as a string or a mapping, got {type(payload).__name__}")


def _coerce(raw: list[str], schema: Mapping[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "array":
        return [_coerce([item], schema.get("items", {})) for item in raw]
    value = raw[-1]
    if kind == "integer" and _INTEGER.fullmatch(value):
        return int(value)
    if kind == "number" and _NUMBER.fullmatch(value):
        return float(value)
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    return value


_VALIDATORS: dict[int, tuple[Mapping[str, Any], Any]] = {}


def _validator(schema: Mapping[str, Any]) -> Any:
    """The compiled validator of a parameter schema (once per schema object)."""
    cached = _VALIDATORS.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = (schema, jsonschema_rs.validator_for(dict(schema), validate_formats=True))
        _VALIDATORS[id(schema)] = cached
    return cached[1]


def validate_parameters(
    schema: Mapping[str, Any] | None, payload: Any, *, marker: str
) -> list[Issue]:
    """Validate parameters against the closed object schema the catalog built for them."""
    raw = parse_query(payload)
    if schema is None:
        return [
            Issue(
                Severity.ERROR,
                f"{marker}{name}",
                "additionalProperties",
                describe("additionalProperties", None, name, noun="parameter"),
            )
            for name in raw
        ]
    issues: list[Issue] = []
    properties = schema.get("properties", {})
    data: dict[str, Any] = {}
    for name, values in raw.items():
        declared = properties.get(name, {})
        if len(values) > 1 and declared.get("type") != "array":
            issues.append(
                Issue(
                    Severity.ERROR,
                    f"{marker}{name}",
                    "maxItems",
                    f"{name[:60]!r} is given {len(values)} times; once is allowed",
                )
            )
        data[name] = _coerce(values, declared)
    validator = _validator(schema)
    if validator.is_valid(data):
        return issues
    for issue in explain(validator, schema, data, closed=True, noun="parameter"):
        # Parameters are flat: the issue belongs to the parameter, whatever the depth.
        name = issue.path.lstrip("/").split("/")[0]
        issues.append(replace(issue, path=f"{marker}{unescape(name)}"))
    return issues
