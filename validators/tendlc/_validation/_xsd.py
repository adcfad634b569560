"""The XSD side of the contracts: compiled schemas, declaration maps, facets and locations.

The one home of these jobs for every layer: everything that walks a document beside its
contract uses :func:`declarations_by_element`, and every issue names where its rule lives
with :func:`component_location`. xmlschema is the engine behind them.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import xmlschema
from lxml import etree

from .._catalog import contract_name, contract_path, per_catalog
from .._parsing import element_steps, local_name
from .._shared import directory_digest, disk_cached
from ._asserts import share_assert_contexts

__all__ = [
    "SimpleFacets",
    "child_declarations",
    "component_location",
    "declaration_at",
    "declarations_by_element",
    "load_schema",
    "simple_facets",
]

_XS = "{http://www.w3.org/2001/XMLSchema}"
_LOCK = threading.Lock()


@per_catalog
def _load(contract: str) -> Any:
    path = contract_path(contract)
    # Unpickling a built schema takes about a twentieth of building it again.
    digest = directory_digest(path.parent)
    schema = disk_cached("xsd", (contract,), lambda: _build(path), source=(digest,))
    _restore_xpath_sources(schema)
    return schema


def _restore_xpath_sources(schema: Any) -> None:
    """Give back each XPath parser of the schema the expression it parsed: elementpath's
    parsers do not pickle it, and the message of an XPath error (an assertion over a
    repeated element, say) is written from it."""
    for component in schema.maps.iter_components():  # included schemas' components too
        holders = [component, *getattr(component, "assertions", ())]
        holders += list((getattr(component, "facets", None) or {}).values())
        for holder in holders:
            parser = getattr(holder, "parser", None)
            expression = getattr(holder, "path", None)
            if parser is not None and isinstance(expression, str):
                try:
                    parser.source  # noqa: B018 - set unless unpickled
                except AttributeError:
                    parser.source = expression


def _build(path: Path) -> Any:
    schema = xmlschema.XMLSchema11(str(path))
    share_assert_contexts(schema)
    return schema


def load_schema(contract: str) -> Any:
    """The compiled XSD 1.1 schema of a contract file (once per process, thread-safe; kept
    on disk between processes, see :func:`~tendlc._shared.disk_cached`)."""
    with _LOCK:
        return _load(contract)


def _position(node: Any, parent: Any) -> str:
    """``[n]``, the 1-based place of a node among its same-name siblings, when it has any."""
    same = [sibling for sibling in parent if sibling.tag == node.tag]
    return f"[{same.index(node) + 1}]" if len(same) > 1 else ""


@cache
def child_declarations(declaration: Any) -> Mapping[str, Any]:
    """The declarations of an element's children, by name (computed once per declaration)."""
    content = getattr(declaration.type, "content", None)
    if content is None or not hasattr(content, "iter_elements"):
        return {}
    return {child.local_name: child for child in content.iter_elements() if child.local_name}


def declarations_by_element(root: etree._Element, declaration: Any) -> dict[Any, Any]:
    """Each element of the document mapped to the declaration it answers to (undeclared
    elements and everything below them are left out)."""
    found = {root: declaration}
    stack = [(root, declaration)]
    while stack:
        element, decl = stack.pop()
        children = child_declarations(decl)
        if not children:
            continue
        for child in element:
            if not isinstance(child.tag, str):  # a comment or processing instruction
                continue
            child_decl = children.get(local_name(child))
            if child_decl is not None:
                found[child] = child_decl
                stack.append((child, child_decl))
    return found


def declaration_at(root_declaration: Any, path: str) -> Any:
    """The declaration of the element at an element path (None when the contract has none)."""
    steps = element_steps(path)
    if not steps or steps[0][0] != root_declaration.local_name:
        return None
    declaration = root_declaration
    for name, _ in steps[1:]:
        declaration = child_declarations(declaration).get(name)
        if declaration is None:
            return None
    return declaration


# -- what a simple type says about its values ------------------------------------------------

CONTRACT_FORMAT = "{urn:tendlc:contract}format"

_INTEGER_BOUNDS: dict[str, tuple[int | None, int | None]] = {
    "integer": (None, None),
    "long": (None, None),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedLong": (0, None),
    "unsignedShort": (0, 2**16 - 1),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
}


@dataclass(frozen=True)
class SimpleFacets:
    """Everything a simple type (and its bases) says about its values."""

    primitive: str
    enumeration: tuple[str, ...] | None
    patterns: tuple[str, ...]
    min_length: int
    max_length: int | None
    min_value: Any
    max_value: Any
    format: str | None


def _is_simple(node: Any) -> bool:
    return bool(getattr(node, "is_simple", lambda: False)())


def _is_builtin(node: Any) -> bool:
    return bool(getattr(node, "is_builtin", lambda: False)())


@cache
def _facets(simple_type: Any) -> SimpleFacets:
    enumeration = None
    patterns: list[str] = []
    min_length, max_length = 0, None
    min_value = max_value = None
    fmt = None
    builtins: list[str] = []
    node = simple_type
    while node is not None and _is_simple(node):
        if _is_builtin(node):
            builtins.append(node.local_name)
        if enumeration is None and getattr(node, "enumeration", None):
            enumeration = tuple(str(v) for v in node.enumeration)
        if getattr(node, "patterns", None) is not None:
            patterns.extend(node.patterns.regexps)
        if getattr(node, "min_length", None) is not None:
            min_length = max(min_length, int(node.min_length))
        if getattr(node, "max_length", None) is not None:
            length = int(node.max_length)
            max_length = length if max_length is None else min(max_length, length)
        if min_value is None and getattr(node, "min_value", None) is not None:
            min_value = node.min_value
        if max_value is None and getattr(node, "max_value", None) is not None:
            max_value = node.max_value
        elem = getattr(node, "elem", None)
        if fmt is None and elem is not None:
            fmt = elem.get(CONTRACT_FORMAT)
        node = getattr(node, "base_type", None)
    primitive = getattr(getattr(simple_type, "primitive_type", None), "local_name", "string")
    for name in builtins:
        if name in _INTEGER_BOUNDS:
            low, high = _INTEGER_BOUNDS[name]
            min_value = low if min_value is None else min_value
            max_value = high if max_value is None else max_value
            primitive = "integer"
            break
    return SimpleFacets(
        primitive, enumeration, tuple(patterns), min_length, max_length, min_value, max_value, fmt
    )


def simple_facets(simple_type: Any) -> SimpleFacets:
    """The facets of a simple type (or of a complex type's simple content), bases included."""
    if not _is_simple(simple_type) and hasattr(simple_type, "content"):
        simple_type = simple_type.content
    return _facets(simple_type)


# -- where in the contract a component lives ----------------------------------------------------


@cache
def _parents(root: Any) -> Mapping[Any, Any]:
    return {child: parent for parent in root.iter() for child in parent}


@cache
def _xpath(root: Any, elem: Any) -> str:
    parents = _parents(root)
    steps: list[str] = []
    node = elem
    while node is not None:
        tag = str(node.tag)
        name = "xs:" + tag[len(_XS) :] if tag.startswith(_XS) else tag
        parent = parents.get(node)
        if node.get("name") is not None:
            name += f"[@name='{node.get('name')}']"
        elif parent is not None:
            name += _position(node, parent)
        steps.append(name)
        node = parent
    return "/" + "/".join(reversed(steps))


@cache
def _relative(url: str) -> str:
    return contract_name(Path(unquote(urlsplit(url).path)))


# By identity: some components are mappings, which do not hash.
_LOCATIONS: dict[int, tuple[Any, str]] = {}


def component_location(component: Any) -> str:
    """``bandwidth/types.xsd#/xs:schema/xs:simpleType[@name='String100']/…``: where a schema
    component (facet, assert, element, type) is written in the contracts."""
    known = _LOCATIONS.get(id(component))
    if known is None or known[0] is not component:
        if len(_LOCATIONS) > 65536:  # the contracts hold a few thousand components
            _LOCATIONS.clear()
        known = _LOCATIONS[id(component)] = (component, _location(component))
    return known[1]


def _location(component: Any) -> str:
    schema = getattr(component, "schema", None)
    elem = getattr(component, "elem", None)
    url = getattr(schema, "url", None)
    if schema is None or elem is None or not url:
        return ""
    return f"{_relative(url)}#{_xpath(schema.root, elem)}"
