"""The contracts' annotation vocabulary, read in one place for every layer.

XSD (namespace ``urn:tendlc:contract``, prefix ``t``): on an ``xs:assert`` ``t:rule``,
``t:field``, ``t:message``, ``t:kind`` (``requires`` | ``forbids`` | ``invalid``), ``t:when``,
``t:invalid`` and ``t:pattern``; on a simple type ``t:format``; on an ``xs:element``
``t:time`` (``future`` | ``past``) with ``t:rule`` and ``t:message``.

JSON Schema: ``x-rule``, ``x-field``, ``x-message``, ``x-invalid`` and ``x-time`` on the
subschema that expresses the rule.

``t:when`` is the one condition grammar: clauses ``Path=VALUE`` or ``Path!=VALUE`` joined by
`` and ``; a path is one or more child names joined by ``/`` (``A2pSettings/Action``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from .._errors import ContractError

__all__ = [
    "CONTRACT_NS",
    "JSON_FIELD",
    "JSON_INVALID",
    "JSON_MESSAGE",
    "JSON_RULE",
    "JSON_TIME",
    "AssertRule",
    "Clause",
    "TimeRule",
    "assert_rules",
    "json_time_rule",
    "parse_when",
    "xml_time_rule",
]

CONTRACT_NS = "urn:tendlc:contract"
_T = f"{{{CONTRACT_NS}}}"

JSON_RULE = "x-rule"
JSON_FIELD = "x-field"
JSON_MESSAGE = "x-message"
JSON_INVALID = "x-invalid"
JSON_TIME = "x-time"

AssertKind = Literal["requires", "forbids", "invalid"]
_KINDS = ("requires", "forbids", "invalid")
Direction = Literal["future", "past"]
_DIRECTIONS = ("future", "past")


@dataclass(frozen=True)
class Clause:
    """One clause of a ``t:when`` condition: the child at ``path`` equals (or not) ``value``."""

    path: tuple[str, ...]
    value: str
    negated: bool = False

    @property
    def field(self) -> str:
        """The path as written (``A2pSettings/Action``)."""
        return "/".join(self.path)

    def holds(self, actual: str | None) -> bool:
        """Whether the clause holds for the value found at its path (None: absent)."""
        return (actual != self.value) if self.negated else (actual == self.value)

    def __str__(self) -> str:
        return f"{self.field}{'!=' if self.negated else '='}{self.value}"


@cache
def parse_when(text: str) -> tuple[Clause, ...]:
    """Parse a ``t:when`` condition; an empty text is the condition that always holds."""
    clauses = []
    for raw in (part.strip() for part in text.split(" and ")):
        if not raw:
            continue
        negated = "!=" in raw
        name, separator, value = raw.partition("!=" if negated else "=")
        path = tuple(step.strip() for step in name.split("/"))
        if not separator or not all(path) or not value.strip():
            raise ContractError(f"t:when clause {raw!r} is not Path=VALUE or Path!=VALUE")
        clauses.append(Clause(path, value.strip(), negated))
    return tuple(clauses)


@dataclass(frozen=True)
class AssertRule:
    """A conditional rule of an XSD complex type, as its ``xs:assert`` annotations state it."""

    rule: str
    field: str | None
    message: str
    kind: AssertKind | None
    when: tuple[Clause, ...]
    invalid: str | None
    pattern: str | None
    component: Any

    def applies(self, element: Any) -> bool:
        """Whether the condition holds for an lxml element of this type."""
        return all(clause.holds(element.findtext(clause.field)) for clause in self.when)


def _assert_rule(assertion: Any) -> AssertRule:
    attrs: Mapping[str, str] = assertion.elem.attrib
    rule = attrs.get(f"{_T}rule", "assert")
    kind = attrs.get(f"{_T}kind")
    if kind is not None and kind not in _KINDS:
        raise ContractError(f"{rule}: t:kind must be one of {', '.join(_KINDS)}, not {kind!r}")
    return AssertRule(
        rule=rule,
        field=attrs.get(f"{_T}field"),
        message=attrs.get(f"{_T}message") or f"the rule {rule} is not met",
        kind=kind,  # type: ignore[arg-type]
        when=parse_when(attrs.get(f"{_T}when", "")),
        invalid=attrs.get(f"{_T}invalid"),
        pattern=attrs.get(f"{_T}pattern"),
        component=assertion,
    )


_ASSERTS: dict[int, tuple[Any, tuple[AssertRule, ...]]] = {}


def assert_rules(complex_type: Any) -> tuple[AssertRule, ...]:
    """The annotated asserts of a complex type (read once per type)."""
    cached = _ASSERTS.get(id(complex_type))
    if cached is None or cached[0] is not complex_type:
        rules = tuple(
            _assert_rule(assertion) for assertion in getattr(complex_type, "assertions", ()) or ()
        )
        cached = (complex_type, rules)
        _ASSERTS[id(complex_type)] = cached
    return cached[1]


def assert_rule_of(assertion: Any) -> AssertRule:
    """The annotations of one ``xs:assert`` component."""
    return _assert_rule(assertion)


@dataclass(frozen=True)
class TimeRule:
    """A date or instant that must lie in the future (or the past) of the moment of checking."""

    direction: Direction
    rule: str
    message: str


def _time_rule(direction: Any, rule: Any, message: Any, where: str) -> TimeRule | None:
    if direction is None:
        return None
    if direction not in _DIRECTIONS:
        raise ContractError(f"{where}: time direction must be future or past, not {direction!r}")
    rule_id = str(rule or f"time.{direction}")
    default = f"the date must lie in the {direction}"
    return TimeRule(direction, rule_id, str(message or default))


def xml_time_rule(declaration: Any) -> TimeRule | None:
    """The ``t:time`` rule of an element declaration, if it has one."""
    elem = getattr(declaration, "elem", None)
    if elem is None:
        return None
    attrs = elem.attrib
    return _time_rule(
        attrs.get(f"{_T}time"),
        attrs.get(f"{_T}rule"),
        attrs.get(f"{_T}message"),
        f"element {getattr(declaration, 'local_name', '?')}",
    )


def json_time_rule(node: Mapping[str, Any]) -> TimeRule | None:
    """The ``x-time`` rule of a JSON Schema node, if it has one."""
    return _time_rule(
        node.get(JSON_TIME), node.get(JSON_RULE), node.get(JSON_MESSAGE), "x-time schema"
    )
