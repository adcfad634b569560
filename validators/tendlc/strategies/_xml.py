"""Hypothesis strategies from the XSD 1.1 contracts (Bandwidth), through xmlschema's model.

Elements are *built* valid: children are drawn from their declarations, then the complex
type's annotated asserts (``t:kind``, ``t:when``, ``t:field``, ``t:pattern``, ``t:invalid``)
are settled: a required child is added, a forbidden one removed, a value that breaks a rule
redrawn from what the rule allows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st
from lxml import etree

from .._parsing import local_name
from .._shared import AssertRule, assert_rules
from .._validation import child_declarations, simple_facets
from . import _text

__all__ = ["Pins", "XsdGenerator", "simple_values"]

#: pinned element texts by path of child names relative to an element
Pins = Mapping[tuple[str, ...], Any]
_NO_PINS: Pins = {}
MAX_REPEAT = 3
SETTLE_ROUNDS = 3


def simple_values(simple_type: Any) -> st.SearchStrategy[str]:
    """Lexical values of a simple type, edges included."""
    f = simple_facets(simple_type)
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
        self._cache: dict[tuple[int, Any], tuple[Any, st.SearchStrategy[etree._Element]]] = {}

    def element(self, declaration: Any, pins: Pins = _NO_PINS) -> st.SearchStrategy[etree._Element]:
        """The strategy of an element declaration (built once per declaration and pins)."""
        frozen = tuple(sorted(pins.items(), key=lambda item: item[0])) if pins else ()
        key: tuple[int, Any] = (id(declaration), frozen)
        try:
            hash(key)
        except TypeError:
            return st.deferred(lambda: self._build(declaration, pins))
        cached = self._cache.get(key)
        if cached is None or cached[0] is not declaration:
            cached = (declaration, st.deferred(lambda: self._build(declaration, pins)))
            self._cache[key] = cached
        return cached[1]

    def _build(self, declaration: Any, pins: Pins) -> st.SearchStrategy[etree._Element]:
        name = declaration.local_name
        kind = declaration.type
        if () in pins:
            pinned = pins[()]
            text = pinned if isinstance(pinned, st.SearchStrategy) else st.just(pinned)
            return text.map(lambda value: _leaf(name, _as_text(value)))
        if kind.is_simple() or kind.has_simple_content():
            return simple_values(kind).map(lambda text: _leaf(name, text))
        content = kind.content
        particles = list(child_declarations(declaration).values())
        if not particles:
            return st.builds(etree.Element, st.just(name))
        rules = [rule for rule in assert_rules(kind) if rule.kind and rule.field]
        triggers = _trigger_values(rules)
        parts = [
            self._occurrences(
                particle,
                {path[1:]: pin for path, pin in pins.items() if path[0] == particle.local_name},
                triggers.get(particle.local_name, ()),
            )
            for particle in particles
        ]
        if content.model == "all" and len(parts) > 1:
            # Any order: a permutation of the particles (their occurrences stay together).
            order = st.permutations(range(len(parts)))
            base = st.tuples(st.tuples(*parts), order).map(
                lambda drawn: _build_element(name, [drawn[0][i] for i in drawn[1]])
            )
        else:
            base = st.tuples(*parts).map(lambda groups: _build_element(name, list(groups)))
        if not rules:
            return base
        frozen = {path[0] for path in pins if len(path) == 1}
        order_of = {particle.local_name: index for index, particle in enumerate(particles)}
        ordered = content.model != "all"

        @st.composite
        def settled(draw: st.DrawFn) -> etree._Element:
            element = draw(base)
            for _ in range(SETTLE_ROUNDS):
                changed = False
                for rule in rules:
                    changed |= self._settle(
                        rule, element, declaration, draw, frozen, order_of if ordered else None
                    )
                if not changed:
                    break
            return element

        return settled()

    def _settle(
        self,
        rule: AssertRule,
        element: etree._Element,
        declaration: Any,
        draw: st.DrawFn,
        frozen: set[str],
        order_of: Mapping[str, int] | None,
    ) -> bool:
        """Make one element meet one annotated assert; True when something changed."""
        assert rule.field is not None
        if not rule.applies(element):
            return False
        present = element.findall(rule.field)
        if rule.kind == "requires":
            if present or rule.field in frozen:
                return False
            child = child_declarations(declaration).get(rule.field)
            if child is None:
                return False
            _insert(element, draw(self.element(child)), order_of)
            return True
        if rule.kind == "forbids":
            if not present or rule.field in frozen:
                return False
            for child in present:
                element.remove(child)
            return True
        # kind "invalid": the field, when present once, must match t:pattern / avoid t:invalid
        if len(present) != 1 or rule.field in frozen:
            return False
        text = present[0].text or ""
        if rule.pattern is not None and re.fullmatch(rule.pattern, text):
            return False
        if rule.pattern is None and text != rule.invalid:
            return False
        present[0].text = draw(self._allowed(rule, declaration))
        return True

    def _allowed(self, rule: AssertRule, declaration: Any) -> st.SearchStrategy[str]:
        """Values of the rule's field that meet both its type and the rule."""
        assert rule.field is not None
        child = child_declarations(declaration)[rule.field]
        if rule.pattern is not None:
            own = child.type
            return _text.pattern_text(rule.pattern).filter(lambda value: own.is_valid(value))
        enumeration = simple_facets(child.type).enumeration
        if enumeration:
            return st.sampled_from([value for value in enumeration if value != rule.invalid])
        return simple_values(child.type).filter(lambda value: value != rule.invalid)

    def _occurrences(
        self, particle: Any, pins: Pins, preferred: tuple[str, ...] = ()
    ) -> st.SearchStrategy[list[etree._Element]]:
        low = int(particle.min_occurs)
        high = particle.max_occurs
        high = max(low, MAX_REPEAT) if high is None else min(int(high), max(low, MAX_REPEAT))
        child = self.element(particle, pins)
        if pins:
            low = max(low, 1)  # a pinned field is present
            high = max(high, low)
        elif preferred:
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


def _trigger_values(rules: list[AssertRule]) -> dict[str, tuple[str, ...]]:
    """Child name -> the values the asserts switch on (``t:when="Child=VALUE"``)."""
    found: dict[str, list[str]] = {}
    for rule in rules:
        for clause in rule.when:
            if not clause.negated and len(clause.path) == 1:
                values = found.setdefault(clause.path[0], [])
                if clause.value not in values:
                    values.append(clause.value)
    return {name: tuple(values) for name, values in found.items()}


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _insert(
    element: etree._Element, child: etree._Element, order_of: Mapping[str, int] | None
) -> None:
    """Add a child: anywhere for ``xs:all``, at its declared place in a sequence."""
    if order_of is None:
        element.append(child)
        return
    rank = order_of.get(local_name(child), len(order_of))
    for index, sibling in enumerate(element):
        if order_of.get(local_name(sibling), len(order_of)) > rank:
            element.insert(index, child)
            return
    element.append(child)


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
