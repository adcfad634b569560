"""Where JSON Schema (draft 2020-12) keeps its subschemas, and which mappings of a document are
schemas: the one table every walk over a contract's schemas reads.

A keyword's value is a subschema, a list of them, or a map from names (property names,
patterns, definition names) to them; anything else (``const``, ``enum``, ``default``,
``examples``, annotations, unknown keywords) is data, whatever it looks like. A mapping inside
``properties`` is a schema, the ``properties`` mapping itself is not, and neither is a
``const`` value that happens to read ``{"unevaluatedProperties": false}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ._pointer import ref_target

__all__ = [
    "DYNAMIC_KEYWORDS",
    "SUBSCHEMA_KEYWORDS",
    "SchemaMap",
    "openapi_schema_roots",
    "schema_map",
    "subschemas",
]

Kind = Literal["one", "list", "map"]

#: keyword → how its value holds subschemas (draft 2020-12, with ``definitions`` and the array
#: form of ``items`` read as earlier drafts wrote them). Every other keyword's value is data.
SUBSCHEMA_KEYWORDS: Mapping[str, Kind] = {
    **dict.fromkeys(
        (
            "additionalProperties",
            "unevaluatedProperties",
            "propertyNames",
            "items",
            "contains",
            "unevaluatedItems",
            "additionalItems",
            "not",
            "if",
            "then",
            "else",
            "contentSchema",
        ),
        "one",
    ),
    **dict.fromkeys(("allOf", "anyOf", "oneOf", "prefixItems"), "list"),
    **dict.fromkeys(
        ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions"), "map"
    ),
}

_UNRESOLVED = object()

#: Keywords that make a ``$ref`` mean something a walk of the document alone cannot tell: a new
#: base URI, anchors, dynamic scopes.
DYNAMIC_KEYWORDS = frozenset(
    {"$id", "$anchor", "$dynamicAnchor", "$dynamicRef", "$recursiveAnchor", "$recursiveRef"}
)


def subschemas(node: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """(keyword, subschema) for every subschema written in ``node`` itself (``$ref`` targets
    not followed)."""
    for keyword, value in node.items():
        kind = SUBSCHEMA_KEYWORDS.get(keyword)
        if kind == "one" and isinstance(value, list) and keyword == "items":
            kind = "list"  # the array form of earlier drafts
        if kind == "one":
            yield keyword, value
        elif kind == "list" and isinstance(value, list):
            for item in value:
                yield keyword, item
        elif kind == "map" and isinstance(value, Mapping):
            for item in value.values():
                yield keyword, item


@dataclass
class SchemaMap:
    """The mappings of a document that are schemas, reached from some roots."""

    #: every mapping used as a schema, each once, in the order found
    schemas: list[dict[str, Any]] = field(default_factory=list)
    #: ids of schema mappings also used as something else (data, a name map, a list): never
    #: to be edited, since an edit would change that other use too
    shared: set[int] = field(default_factory=set)
    #: a ``$ref`` the document alone does not resolve, or a keyword of :data:`DYNAMIC_KEYWORDS`
    dynamic: bool = False


def schema_map(document: Mapping[str, Any], roots: Iterable[Any]) -> SchemaMap:
    """Every schema reachable from ``roots`` through subschema keywords and local ``$ref``s
    (JSON Pointers into ``document``)."""
    found = SchemaMap()
    schemas: set[int] = set()
    other: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, True) for root in roots]
    while stack:
        node, is_schema = stack.pop()
        if not isinstance(node, dict | list):
            continue
        if not is_schema or isinstance(node, list):
            # data (or a list where a schema was expected): every container in it is data
            if id(node) not in other:
                other.add(id(node))
                stack.extend((item, False) for item in _items(node))
            continue
        if id(node) in schemas:
            continue
        schemas.add(id(node))
        found.schemas.append(node)
        if DYNAMIC_KEYWORDS.intersection(node):
            found.dynamic = True
        for keyword, value in node.items():
            kind = SUBSCHEMA_KEYWORDS.get(keyword)
            if kind is None:
                if keyword == "$ref":
                    target = ref_target(document, value, _UNRESOLVED)
                    if target is _UNRESOLVED:
                        found.dynamic = True
                    else:
                        stack.append((target, True))
                else:
                    stack.append((value, False))
            elif (kind != "one" or isinstance(value, list)) and isinstance(value, dict | list):
                other.add(id(value))  # a name map or a list of subschemas
        stack.extend((sub, True) for _, sub in subschemas(node))
    found.shared = schemas & other
    return found


def _items(node: dict[str, Any] | list[Any]) -> Iterable[Any]:
    return node.values() if isinstance(node, dict) else node


def openapi_schema_roots(document: Mapping[str, Any]) -> list[Any]:
    """The schemas an OpenAPI 3.1 document holds outside other schemas: ``components/schemas``
    and every ``schema`` of a media type, parameter or header (examples are not walked)."""
    roots: list[Any] = []
    components = document.get("components")
    if isinstance(components, Mapping):
        schemas = components.get("schemas")
        if isinstance(schemas, Mapping):
            roots.extend(schemas.values())
    stack: list[Any] = [document.get("paths"), document.get("webhooks"), components]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, Mapping):
            for key, value in node.items():
                if key == "schema":
                    roots.append(value)
                elif key not in ("schemas", "example", "examples"):
                    stack.append(value)
    return roots
