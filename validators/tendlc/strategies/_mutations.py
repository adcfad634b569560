"""Labelled mutations: each one breaks exactly one rule the contract states for one field."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .._catalog import Body
from ._adapters import Adapter, FieldConstraint, JsonAdapter, XmlAdapter
from ._conditions import json_conditional_sites, xml_conditional_sites
from ._sites import Action, Site

UNKNOWN_XML_FIELD = "UndocumentedField"
UNKNOWN_JSON_FIELD = "undocumented_field"


def _set(path: str, value: Any) -> Action:
    def act(adapter: Adapter, payload: Any, _drawn: Any) -> bool:
        return adapter.put(payload, path, value)

    return act


def _delete(path: str) -> Action:
    def act(adapter: Adapter, payload: Any, _drawn: Any) -> bool:
        return adapter.delete(payload, path)

    return act


def _duplicate(path: str) -> Action:
    def act(adapter: Adapter, payload: Any, _drawn: Any) -> bool:
        return adapter.duplicate(payload, path)

    return act


def _grow(path: str, extra: int) -> Action:
    def act(adapter: Adapter, payload: Any, _drawn: Any) -> bool:
        return adapter.grow(payload, path, extra)

    return act


def _shrink(path: str, keep: int) -> Action:
    def act(adapter: Adapter, payload: Any, _drawn: Any) -> bool:
        return adapter.shrink(payload, path, keep)

    return act


def _matches(pattern: str, value: str, anchored: bool) -> bool:
    return bool(re.fullmatch(pattern, value) if anchored else re.search(pattern, value))


def _matches_all(patterns: tuple[tuple[str, str], ...], value: str, anchored: bool) -> bool:
    return all(_matches(pattern, value, anchored) for pattern, _ in patterns)


def _first_broken(patterns: tuple[tuple[str, str], ...], value: str, anchored: bool) -> str | None:
    """The rule of the first pattern ``value`` fails, when it fails exactly one."""
    broken = [rule for pattern, rule in patterns if not _matches(pattern, value, anchored)]
    return broken[0] if len(broken) == 1 else None


def mutation_sites(adapter: Adapter, payload: Any, body: Body) -> list[Site]:
    """Every single-rule mutation available on this payload."""
    sites: list[Site] = []
    for constraint in adapter.fields(payload):
        sites.extend(_field_sites(constraint))
    for path in adapter.closed_objects(payload) if body.closed else []:
        name = UNKNOWN_XML_FIELD if adapter.wire == "xml" else UNKNOWN_JSON_FIELD
        target = f"{path}/{name}"
        sites.append(
            Site(
                target,
                "additionalProperties",
                f"add the undocumented field {name}",
                _set(target, "x"),
            )
        )
    sites.extend(_conditional_sites(adapter, payload))
    return sites


def _conditional_sites(adapter: Adapter, payload: Any) -> list[Site]:
    """The mutations of the conditional rules, read from the contract's own annotations."""
    if isinstance(adapter, XmlAdapter):
        return xml_conditional_sites(adapter, payload)
    assert isinstance(adapter, JsonAdapter)
    return json_conditional_sites(adapter, payload)


def _field_sites(c: FieldConstraint) -> list[Site]:
    sites = _presence_sites(c)
    if c.kind == "list":
        return sites + _list_sites(c)
    value = c.value
    if not isinstance(value, str | int | float | bool) or c.kind in ("object", "const"):
        return sites
    text = value if isinstance(value, str) else str(value)
    if c.enum is not None:
        return sites + _enum_sites(c)
    return sites + _SITES_BY_KIND.get(c.kind, _string_sites)(c, text)


def _presence_sites(c: FieldConstraint) -> list[Site]:
    """Leave out a required field; repeat an XML element that occurs once."""
    path = c.path
    sites: list[Site] = []
    if c.required:
        sites.append(Site(path, "required", f"remove the required field {path}", _delete(path)))
    if c.wire == "xml" and not c.repeatable:
        description = f"repeat {path}, which occurs once"
        sites.append(Site(f"{path}[2]", "maxItems", description, _duplicate(path)))
    return sites


def _list_sites(c: FieldConstraint) -> list[Site]:
    path = c.path
    sites: list[Site] = []
    if c.max_items is not None and c.size and not c.unique:
        extra = c.max_items + 1 - c.size
        description = f"give {path} {c.max_items + 1} items"
        sites.append(Site(path, "maxItems", description, _grow(path, extra)))
    if c.min_items > 0:
        keep = c.min_items - 1
        sites.append(Site(path, "minItems", f"give {path} {keep} items", _shrink(path, keep)))
    return sites


def _enum_sites(c: FieldConstraint) -> list[Site]:
    if c.kind != "string" and c.wire != "xml":
        return []
    description = f"set {c.path} outside its enumeration"
    return [Site(c.path, "enum", description, _set(c.path, "NOT_DOCUMENTED"))]


def _number_sites(c: FieldConstraint, _text: str) -> list[Site]:
    path, xml = c.path, c.wire == "xml"
    sites = [Site(path, "type", f"set {path} to text", _set(path, "abc"))]
    if c.maximum is not None:
        above = _set(path, _number(xml, c.maximum + 1))
        sites.append(Site(path, "maximum", f"set {path} above its maximum", above))
    if c.minimum is not None:
        below = _set(path, _number(xml, c.minimum - 1))
        sites.append(Site(path, "minimum", f"set {path} below its minimum", below))
    return sites


def _boolean_sites(c: FieldConstraint, _text: str) -> list[Site]:
    return [Site(c.path, "type", f"set {c.path} to a non-boolean", _set(c.path, "maybe"))]


def _string_sites(c: FieldConstraint, text: str) -> list[Site]:
    path, patterns, anchored = c.path, c.patterns, c.anchored
    low, high, fmt = c.min_length, c.max_length, c.format
    sites: list[Site] = []
    if high is not None and text:
        longer = text + text[-1] * (high + 1 - len(text))
        if _matches_all(patterns, longer, anchored) and not fmt:
            sites.append(
                Site(
                    path, "maxLength", f"make {path} {high + 1} characters long", _set(path, longer)
                )
            )
        elif fmt in ("email", "uri") and not patterns:
            padded = _pad_format(text, high + 1, fmt)
            if padded:
                sites.append(
                    Site(
                        path,
                        "maxLength",
                        f"make {path} {high + 1} characters long",
                        _set(path, padded),
                    )
                )
    if low > 1 and len(text) >= low:
        shorter = text[: low - 1]
        if _matches_all(patterns, shorter, anchored):
            sites.append(
                Site(
                    path, "minLength", f"make {path} {low - 1} characters long", _set(path, shorter)
                )
            )
    if fmt in _BROKEN_FORMATS and c.wire == "json":
        broken = _BROKEN_FORMATS[fmt]
        if len(broken) >= low and (high is None or len(broken) <= high):
            sites.append(
                Site(path, "format", f"set {path} to an invalid {fmt}", _set(path, broken))
            )
    elif patterns:
        size = min(max(len(text), low, 1), high or max(len(text), 1))
        candidates = ["#" * size, "#" + text[1:] if text else "", text + " x"]
        for candidate in candidates:
            rule = _first_broken(patterns, candidate, anchored)
            if rule and low <= len(candidate) <= (high if high is not None else len(candidate)):
                sites.append(
                    Site(
                        path,
                        rule,
                        f"set {path} to a value its pattern refuses",
                        _set(path, candidate),
                    )
                )
    return sites


#: field kind → the mutations of its value (any other kind: a string's)
_SITES_BY_KIND: dict[str, Callable[[FieldConstraint, str], list[Site]]] = {
    "integer": _number_sites,
    "number": _number_sites,
    "boolean": _boolean_sites,
}
_BROKEN_FORMATS = {
    "email": "not-an-email",
    "uri": "not a uri",
    "date-time": "yesterday",
    "date": "yesterday",
}


def _number(xml: bool, value: Any) -> Any:
    return str(value) if xml else value


def _pad_format(text: str, size: int, fmt: str) -> str | None:
    if fmt == "email" and "@" in text:
        local, domain = text.split("@", 1)
        fill = size - len(text)
        return local + "a" * fill + "@" + domain if fill > 0 else None
    if fmt == "uri":
        fill = size - len(text)
        return text.rstrip("/") + "/" + "a" * (fill - 1) if fill > 1 else None
    return None
