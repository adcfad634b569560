"""What each rule says to a person: one table for both engines.

An engine (jsonschema-rs, xmlschema) reports which keyword or facet failed, with its bound; the
explainers turn that into an :class:`~tendlc.Issue` whose ``rule`` is the shared vocabulary
(contracts/README.md) and whose message comes from :func:`describe`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ._report import excerpt

Describe = Callable[[Any, Any, str], str]

_MAX_OPTIONS = 12


def _length(value: Any) -> str:
    return f"{excerpt(value)} is {len(value)} characters long" if isinstance(value, str) else ""


def _options(expected: Any) -> str:
    options = [str(option) for option in (expected if isinstance(expected, Sequence) else ())]
    shown = ", ".join(options[:_MAX_OPTIONS])
    return shown + (", …" if len(options) > _MAX_OPTIONS else "")


def _count(value: Any) -> str:
    if isinstance(value, list):
        return f"has {len(value)} item{'s' if len(value) != 1 else ''}"
    return f"{excerpt(value)}"


def _type_name(value: Any) -> str:
    """A JSON value's type in the words a person would use."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return f"the text {excerpt(value)}"
    if isinstance(value, list):
        return f"an array of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        return f"an object with {len(value)} field{'s' if len(value) != 1 else ''}"
    return type(value).__name__


_ARTICLES = {"object": "a JSON object", "array": "an array", "integer": "an integer"}


def _expected_type(expected: Any) -> str:
    names = expected if isinstance(expected, list | tuple) else [expected]
    return " or ".join(_ARTICLES.get(str(name), f"a {name}") for name in names)


MESSAGES: dict[str, Describe] = {
    "maxLength": lambda expected, value, _: (
        f"{_length(value) or excerpt(value)}; at most {expected} allowed"
    ),
    "minLength": lambda expected, value, _: (
        f"{_length(value) or excerpt(value)}; at least {expected} required"
    ),
    "pattern": lambda expected, value, _: f"{excerpt(value)} does not match the pattern {expected}",
    "enum": lambda expected, value, _: f"{excerpt(value)} is not one of: {_options(expected)}",
    "format": lambda expected, value, _: f"{excerpt(value)} is not a valid {expected}",
    "type": lambda expected, value, _: (
        f"expected {_expected_type(expected)}, got {_type_name(value)}"
    ),
    "minimum": lambda expected, value, _: f"{excerpt(value)} is below the minimum {expected}",
    "maximum": lambda expected, value, _: f"{excerpt(value)} is above the maximum {expected}",
    "exclusiveMinimum": lambda expected, value, _: (
        f"{excerpt(value)} must be greater than {expected}"
    ),
    "exclusiveMaximum": lambda expected, value, _: f"{excerpt(value)} must be less than {expected}",
    "totalDigits": lambda expected, value, _: f"{excerpt(value)} has more than {expected} digits",
    "fractionDigits": lambda expected, value, _: (
        f"{excerpt(value)} has more than {expected} digits after the decimal point"
    ),
    "multipleOf": lambda expected, value, _: f"{excerpt(value)} is not a multiple of {expected}",
    "minItems": lambda expected, value, _: f"{_count(value)}; at least {expected} required",
    "maxItems": lambda expected, value, _: f"{_count(value)}; at most {expected} allowed",
    "uniqueItems": lambda expected, value, _: "items must be unique",
    "minProperties": lambda expected, value, _: f"needs at least {expected} fields",
    "maxProperties": lambda expected, value, _: f"takes at most {expected} fields",
    "required": lambda expected, value, noun: f"{str(expected)[:60]!r} is required",
    "additionalProperties": lambda expected, value, noun: (
        f"{str(value)[:60]!r} is not a documented {noun}"
    ),
    "not": lambda expected, value, _: "this combination of fields is not allowed",
    "null-for-absent": lambda expected, value, noun: (
        f"{str(value)[:60]!r} is null, which the contract does not document for this optional "
        f"{noun}: read as absent"
    ),
    "const": lambda expected, value, _: f"{excerpt(value)} must be {expected!r}",
}


def describe(rule: str, expected: Any, value: Any, *, noun: str = "field") -> str:
    """The sentence for a failed ``rule`` (``noun``: ``field`` or ``parameter``)."""
    explain = MESSAGES.get(rule)
    if explain is None:
        return f"{excerpt(value)} breaks the {rule or 'schema'} rule"
    return explain(expected, value, noun)
