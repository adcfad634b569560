"""Hypothesis strategies from the XSD 1.1 contracts (Bandwidth), through xmlschema's model."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from lxml import etree

from . import _text

CONTRACT_NS = "urn:tendlc:contract"
MAX_REPEAT = 3


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


def facets(simple_type: Any) -> SimpleFacets:
    enumeration = None
    patterns: list[str] = []
    min_length, max_length = 0, None
    min_value = max_value = None
    fmt = None
    node = simple_type
    while node is not None and getattr(node, "is_simple", lambda: False)():
        if enumeration is None and getattr(node, "enumeration", None):
            enumeration = tuple(str(v) for v in node.enumeration)
        if getattr(node, "patterns", None) is not None:
            patterns.extend(node.patterns.regexps)
        if getattr(node, "min_length", None) is not None:
            min_length = max(min_length, int(node.min_length))
        if getattr(node, "max_length", None) is not None:
            length = int(node.max_length)
            max_length = length if max_length is None else min(max_length, length)
        for attr in ("min_value", "max_value"):
            value = getattr(node, attr, None)
            if value is not None and (min_value if attr == "min_value" else max_value) is None:
                if attr == "min_value":
                    min_value = value
                else:
                    max_value = value
        elem = getattr(node, "elem", None)
        if fmt is None and elem is not None:
            fmt = elem.get(f"{{{CONTRACT_NS}}}format")
        node = getattr(node, "base_type", None)
    primitive = getattr(getattr(simple_type, "primitive_type", None), "local_name", "string")
    builtin = (
        getattr(simple_type, "local_name", "")
        if getattr(simple_type, "is_builtin", lambda: False)()
        else None
    )
    for candidate in (builtin, *_builtin_ancestors(simple_type)):
        if candidate in _INTEGER_BOUNDS:
            low, high = _INTEGER_BOUNDS[candidate]
            min_value = low if min_value is None else min_value
            max_value = high if max_value is None else max_value
            primitive = "integer"
            break
    return SimpleFacets(
        primitive, enumeration, tuple(patterns), min_length, max_length, min_value, max_value, fmt
    )


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


def _builtin_ancestors(simple_type: Any) -> list[str]:
    names = []
    node = simple_type
    while node is not None:
        if getattr(node, "is_builtin", lambda: False)():
            names.append(node.local_name)
        node = getattr(node, "base_type", None)
    return names


def simple_values(simple_type: Any) -> st.SearchStrategy[str]:
    """Lexical values of a simple type, edges included."""
    f = facets(simple_type)
    if f.enumeration:
        return st.sampled_from(f.enumeration)
    if f.format == "email":
        return _text.email(f.min_length, f.max_length)
    if f.format == "uri":
        return _text.uri(f.min_length, f.max_length)
    if f.primitive == "integer":
        low = int(f.min_value) if f.min_value is not None else 0
        high = int(f.max_value) if f.max_value is not None else None
        edges = [st.just(low)] + ([st.just(high)] if high is not None else [])
        return st.one_of(*edges, st.integers(low, high if high is not None else low + 10**6)).map(
            str
        )
    if f.primitive == "boolean":
        return st.sampled_from(["true", "false"])
    if f.primitive == "dateTime":
        return _text.date_time()
    if f.primitive == "date":
        return _text.date()
    if f.primitive == "anyURI":
        return _text.uri(f.min_length, f.max_length)
    if f.primitive in ("decimal", "double", "float"):
        return st.integers(0, 10**6).map(str)
    if f.patterns:
        first, *others = f.patterns
        compiled = [re.compile(p) for p in others]
        return _text.pattern_text(
            first, max(f.min_length, 1 if f.min_length else 0), f.max_length
        ).filter(
            lambda value: (
                all(c.fullmatch(value) for c in compiled)
                and value.strip() == value
                and "  " not in value
            )
        )
    return _text.text(max(f.min_length, 1), f.max_length)


class XsdGenerator:
    """Builds element strategies for the global elements of one compiled XSD 1.1 schema."""

    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self._cache: dict[int, tuple[Any, st.SearchStrategy[etree._Element]]] = {}

    def element(self, declaration: Any) -> st.SearchStrategy[etree._Element]:
        """The strategy of an element declaration (built once per declaration)."""
        cached = self._cache.get(id(declaration))
        if cached is None or cached[0] is not declaration:
            cached = (declaration, st.deferred(lambda: self._build(declaration)))
            self._cache[id(declaration)] = cached
        return cached[1]

    def _build(self, declaration: Any) -> st.SearchStrategy[etree._Element]:
        name = declaration.local_name
        kind = declaration.type
        if kind.is_simple() or kind.has_simple_content():
            simple = kind if kind.is_simple() else kind.content
            return simple_values(simple).map(lambda text: _leaf(name, text))
        content = kind.content
        particles = list(_particles(content))
        if not particles:
            return st.just(etree.Element(name))
        triggers = _trigger_values(kind)
        parts = [
            self._occurrences(particle, triggers.get(particle.local_name, ()))
            for particle in particles
        ]
        if content.model == "all" and len(parts) > 1:
            # Any order: a permutation of the particles (their occurrences stay together).
            order = st.permutations(range(len(parts)))
            return st.tuples(st.tuples(*parts), order).map(
                lambda drawn: _build_element(name, [drawn[0][i] for i in drawn[1]])
            )
        return st.tuples(*parts).map(lambda groups: _build_element(name, list(groups)))

    def _occurrences(
        self, particle: Any, preferred: tuple[str, ...] = ()
    ) -> st.SearchStrategy[list[etree._Element]]:
        low = int(particle.min_occurs)
        high = particle.max_occurs
        high = max(low, MAX_REPEAT) if high is None else min(int(high), max(low, MAX_REPEAT))
        child = self.element(particle)
        if preferred:
            # Values that switch a conditional rule on (t:when) are drawn on purpose.
            name = particle.local_name
            child = st.sampled_from(preferred).map(lambda text: _leaf(name, text)) | child
        if low == high:
            return st.lists(child, min_size=low, max_size=low)
        return st.one_of(
            *(
                st.lists(child, min_size=a, max_size=b)
                for a, b in ((low, low), (high, high), (low, high))
            )
        )

    def declaration_at(self, path: str) -> Any:
        """The element declaration of an issue path such as ``/Brand/StockSymbol``."""
        names = [re.sub(r"\[\d+\]$", "", step) for step in path.split("/") if step]
        if not names:
            return None
        declaration = self.schema.elements.get(names[0])
        for name in names[1:]:
            if declaration is None:
                return None
            children = {
                p.local_name: p for p in _particles(getattr(declaration.type, "content", None))
            }
            declaration = children.get(name)
        return declaration


def _trigger_values(complex_type: Any) -> dict[str, tuple[str, ...]]:
    """Child name -> the values its parent's asserts switch on (``t:when="Child=VALUE"``)."""
    found: dict[str, list[str]] = {}
    for assertion in getattr(complex_type, "assertions", None) or []:
        when = assertion.elem.get(f"{{{CONTRACT_NS}}}when", "")
        for clause in when.split(" and "):
            name, equals, value = clause.partition("=")
            if equals and not name.endswith("!") and "/" not in name and value:
                found.setdefault(name.strip(), [])
                if value.strip() not in found[name.strip()]:
                    found[name.strip()].append(value.strip())
    return {name: tuple(values) for name, values in found.items()}


def _particles(group: Any) -> list[Any]:
    """The element declarations of a content model, nested groups flattened."""
    if group is None or not hasattr(group, "iter_elements"):
        return []
    return [p for p in group.iter_elements() if getattr(p, "local_name", None)]


def _leaf(name: str, text: str) -> etree._Element:
    element = etree.Element(name)
    element.text = text
    return element


def _build_element(name: str, groups: list[list[etree._Element]]) -> etree._Element:
    element = etree.Element(name)
    for group in groups:
        for child in group:
            element.append(_copy(child))
    return element


def _copy(element: etree._Element) -> etree._Element:
    clone = etree.Element(element.tag)
    clone.text = element.text
    for child in element:
        clone.append(_copy(child))
    return clone
