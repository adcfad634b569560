"""Hypothesis strategies from JSON Schema 2020-12 (the Vonage OpenAPI components).

Payloads are *built* valid: an object strategy draws a ``oneOf`` variant compatible with the
pinned fields, draws its properties, then settles the object's conditional rules from the
contract's own keywords (``if``/``then``/``else``, ``not``, ``anyOf``, ``dependentRequired``),
adding, removing or redrawing only the fields a rule names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import jsonschema_rs
from hypothesis import strategies as st

from .._shared import JSON_TIME, get_at, resolve_ref
from . import _text

__all__ = ["JsonSchemaGenerator", "Pins", "intersect"]

#: pinned values by path relative to a schema node (``*`` for every item of an array)
Pins = Mapping[tuple[str, ...], Any]
_NO_PINS: Pins = {}

_RULE_KEYS = ("if", "then", "else", "not", "dependentRequired")
_BRANCH_KEYS = ("oneOf", "anyOf")
_COMPOSITION = ("allOf", *_BRANCH_KEYS, *_RULE_KEYS, "dependentSchemas")
MAX_ITEMS = 3
SETTLE_ROUNDS = 4


def intersect(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """The schema both flattened schemas describe (bounds tightened, lists combined)."""
    merged = dict(a)
    for key, value in b.items():
        if key not in merged:
            merged[key] = value
        elif key == "properties":
            properties = dict(merged[key])
            for name, schema in value.items():
                properties[name] = (
                    {"allOf": [properties[name], schema]} if name in properties else schema
                )
            merged[key] = properties
        elif key == "required":
            merged[key] = sorted({*merged[key], *value})
        elif key in ("maxLength", "maximum", "maxItems"):
            merged[key] = min(merged[key], value)
        elif key in ("minLength", "minimum", "minItems"):
            merged[key] = max(merged[key], value)
        elif key in ("_patterns", "_rules", "_nots"):
            merged[key] = [*merged[key], *value]
        elif key == "_triggers":
            triggers = {name: list(values) for name, values in merged[key].items()}
            for name, values in value.items():
                triggers.setdefault(name, []).extend(v for v in values if v not in triggers[name])
            merged[key] = triggers
        elif key == "enum":
            merged[key] = [item for item in merged[key] if item in value]
        elif key == "type":
            mine = merged[key] if isinstance(merged[key], list) else [merged[key]]
            theirs = value if isinstance(value, list) else [value]
            both = [kind for kind in mine if kind in theirs] or theirs
            merged[key] = both if len(both) > 1 else both[0]
        else:
            merged[key] = value
    return merged


class JsonSchemaGenerator:
    """Builds strategies for the schemas of one document (``$ref`` resolved locally)."""

    def __init__(self, document: Mapping[str, Any], *, response: bool = False) -> None:
        self.document = document
        self.response = response
        # id(node) -> (node, value); the node is kept so that its id cannot be reused.
        self._flat: dict[int, tuple[Any, dict[str, Any]]] = {}
        self._strategies: dict[tuple[int, Any], tuple[Any, st.SearchStrategy[Any]]] = {}
        self._conditions: dict[int, tuple[Any, Any]] = {}
        self._pairs: dict[tuple[int, int], tuple[Any, Any, dict[str, Any]]] = {}
        self._components = {k: v for k, v in document.items() if k == "components"}

    # -- schema navigation -------------------------------------------------------------
    def resolve(self, node: Any) -> Any:
        return resolve_ref(self.document, node)[0]

    def at(self, pointer: str) -> Any:
        return self.resolve(get_at(self.document, pointer))

    def flatten(self, node: Any) -> dict[str, Any]:
        """The schema with its unconditional ``allOf`` members merged in. Conditional members
        are kept under ``_rules``, alternatives under ``_branches``, ``not`` s of values under
        ``_nots`` and the values that switch rules on under ``_triggers``."""
        key = id(node)
        cached = self._flat.get(key)
        if cached is None or cached[0] is not node:
            cached = (node, self._flatten(node))
            self._flat[key] = cached
        return cached[1]

    def _flatten(self, node: Any) -> dict[str, Any]:
        node = self.resolve(node)
        if not isinstance(node, Mapping):
            return {}
        merged: dict[str, Any] = {k: v for k, v in node.items() if k not in _COMPOSITION}
        merged["_patterns"] = [node["pattern"]] if "pattern" in node else []
        merged["_rules"] = []
        merged["_nots"] = []
        merged["_triggers"] = {}
        rule = {k: node[k] for k in _RULE_KEYS if k in node}
        if "not" in rule and not _is_object_rule(self.resolve(rule["not"])):
            merged["_nots"].append(self.resolve(rule.pop("not")))
        if rule:
            merged["_rules"].append(rule)
            merged["_triggers"] = self._triggers(rule)
        if any(key in node for key in _BRANCH_KEYS):
            merged["_branches"] = list(node.get("oneOf") or node.get("anyOf") or [])
        for member in node.get("allOf", []):
            part = dict(self.flatten(member))
            branches = part.pop("_branches", None)
            if branches:
                part["_rules"] = [*part["_rules"], {"anyOf": branches}]
            merged = intersect(merged, part)
        return merged

    def _triggers(self, rule: Mapping[str, Any]) -> dict[str, list[Any]]:
        """Property -> the constant values a rule's condition switches on."""
        found: dict[str, list[Any]] = {}
        condition = self.resolve(rule.get("if", {}))
        for name, sub in (condition.get("properties") or {}).items():
            sub = self.resolve(sub)
            if not isinstance(sub, Mapping):
                continue
            values = [sub["const"]] if "const" in sub else list(sub.get("enum") or [])[:1]
            found.setdefault(name, []).extend(values)
        return found

    def property_schema(self, node: Any, name: str) -> Any:
        """The schema of property ``name`` anywhere in ``node`` (branches and conditions too)."""
        stack = [node]
        while stack:
            current = self.resolve(stack.pop())
            if not isinstance(current, Mapping):
                continue
            properties = current.get("properties", {})
            if name in properties:
                return properties[name]
            for key in ("allOf", "oneOf", "anyOf"):
                stack.extend(current.get(key, []))
            for key in ("then", "else"):
                if key in current:
                    stack.append(current[key])
            stack.extend(current.get("dependentSchemas", {}).values())
        return None

    def schema_at_path(self, root: Any, tokens: Sequence[str]) -> Any:
        """The schema describing the value at ``tokens`` (a JSON Pointer's parts)."""
        node = root
        for token in tokens:
            resolved = self.resolve(node)
            if isinstance(resolved, Mapping) and (
                resolved.get("type") == "array" or "items" in resolved
            ):
                node = resolved.get("items", {})
                continue
            node = self.property_schema(resolved, token)
            if node is None:
                return None
        return node

    def holds(self, condition: Any, instance: Any) -> bool:
        """Whether ``instance`` meets a subschema of the contract (a rule's condition)."""
        key = id(condition)
        cached = self._conditions.get(key)
        if cached is None or cached[0] is not condition:
            root = dict(self._components)
            resolved = self.resolve(condition)
            root.update(resolved if isinstance(resolved, Mapping) else {"const": resolved})
            cached = (condition, jsonschema_rs.validator_for(root, validate_formats=True))
            self._conditions[key] = cached
        return bool(cached[1].is_valid(instance))

    # -- strategies --------------------------------------------------------------------
    def strategy(self, node: Any, pins: Pins = _NO_PINS) -> st.SearchStrategy[Any]:
        """The strategy of a schema node (built once per node and pins)."""
        frozen = tuple(sorted(pins.items(), key=lambda item: item[0])) if pins else ()
        key: tuple[int, Any] = (id(node), frozen)
        try:
            hash(key)
        except TypeError:  # unhashable pinned values: build afresh
            return self._build(node, pins)
        cached = self._strategies.get(key)
        if cached is None or cached[0] is not node:
            cached = (node, self._build(node, pins))
            self._strategies[key] = cached
        return cached[1]

    def _build(self, node: Any, pins: Pins) -> st.SearchStrategy[Any]:
        if () in pins:
            return _pinned(pins[()])
        schema = self.flatten(node)
        branches = schema.get("_branches")
        if branches:
            base = {k: v for k, v in schema.items() if k != "_branches"}
            variants = [intersect(base, self.flatten(branch)) for branch in branches]
        else:
            variants = [schema]
        if _is_object_schema(schema):
            return self._object(variants, pins)
        strategies = [self._plain(variant, pins) for variant in variants]
        return st.one_of(*strategies) if len(strategies) > 1 else strategies[0]

    def _plain(self, schema: Mapping[str, Any], pins: Pins) -> st.SearchStrategy[Any]:
        nots = schema.get("_nots") or []
        strategy = self._unconstrained(schema, pins)
        if nots:
            if "enum" not in schema and schema.get("type") == "boolean":
                allowed = [v for v in (False, True) if not any(self.holds(n, v) for n in nots)]
                return st.sampled_from(allowed)
            strategy = strategy.filter(lambda value: not any(self.holds(n, value) for n in nots))
        return strategy

    def _unconstrained(self, schema: Mapping[str, Any], pins: Pins) -> st.SearchStrategy[Any]:
        if "const" in schema:
            return st.just(schema["const"])
        if "enum" in schema:
            return st.sampled_from(list(schema["enum"]))
        kind = schema.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if k != "null"] or ["null"]
            return st.one_of(*(self._plain({**schema, "type": chosen}, pins) for chosen in kinds))
        if kind == "array":
            return self._array(schema, pins)
        if kind == "string":
            return self._string(schema)
        if kind == "integer":
            return _integer(schema)
        if kind == "number":
            return _integer(schema).map(float) | st.floats(
                min_value=schema.get("minimum"),
                max_value=schema.get("maximum"),
                allow_nan=False,
                allow_infinity=False,
            )
        if kind == "boolean":
            return st.booleans()
        if kind == "null":
            return st.none()
        return st.just("value")

    # -- objects: draw, then settle the rules ---------------------------------------------
    def _object(self, variants: list[dict[str, Any]], pins: Pins) -> st.SearchStrategy[Any]:
        top = {path[0]: value for path, value in pins.items() if len(path) == 1}
        fields = [self._fields(variant, pins, top) for variant in variants]

        @st.composite
        def build(draw: st.DrawFn) -> dict[str, Any]:
            pinned = {name: _draw_pin(draw, value) for name, value in top.items()}
            fitting = [
                index
                for index, variant in enumerate(variants)
                if all(self._admits(variant, name, value) for name, value in pinned.items())
            ] or list(range(len(variants)))
            index = draw(st.sampled_from(fitting)) if len(fitting) > 1 else fitting[0]
            value: dict[str, Any] = draw(fields[index])
            value.update(pinned)
            self.settle(variants[index], value, draw, frozenset(pinned))
            return value

        return build()

    def _fields(
        self, schema: Mapping[str, Any], pins: Pins, top: Mapping[str, Any]
    ) -> st.SearchStrategy[dict[str, Any]]:
        properties: Mapping[str, Any] = schema.get("properties", {})
        required = [name for name in schema.get("required", []) if name in properties]
        optional = [
            name
            for name in properties
            if name not in required
            and (self.response or not self.resolve(properties[name]).get("readOnly", False))
        ]
        triggers = schema.get("_triggers", {})

        def value(name: str) -> st.SearchStrategy[Any]:
            nested = {path[1:]: pin for path, pin in pins.items() if path[0] == name}
            base = self.strategy(properties[name], nested)
            wanted = [v for v in triggers.get(name, []) if self._admits(schema, name, v)]
            # Values that switch a conditional rule on are drawn on purpose.
            return st.sampled_from(wanted) | base if wanted and not nested else base

        # A field with something pinned below it is always drawn, so the pin takes effect.
        below = {path[0] for path in pins if len(path) > 1}
        fixed = {name: value(name) for name in properties if name in below and name not in top}
        fixed.update({name: value(name) for name in required if name not in top})
        extra = {name: value(name) for name in optional if name not in top and name not in fixed}
        return st.fixed_dictionaries(fixed, optional=extra)

    def _admits(self, schema: Mapping[str, Any], name: str, value: Any) -> bool:
        """Whether a variant's own constant or enumeration for ``name`` allows ``value``."""
        sub = schema.get("properties", {}).get(name)
        if sub is None:
            return True
        flat = self.flatten(sub)
        if "const" in flat:
            return bool(flat["const"] == value)
        if "enum" in flat:
            return value in flat["enum"]
        return True

    def settle(
        self,
        schema: Mapping[str, Any],
        value: dict[str, Any],
        draw: st.DrawFn,
        frozen: frozenset[str] = frozenset(),
    ) -> None:
        """Make ``value`` meet the object's conditional rules, changing only the fields the
        rules name (and never a pinned one)."""
        rules = schema.get("_rules") or []
        for _ in range(SETTLE_ROUNDS):
            changed = False
            for rule in rules:
                changed |= self._satisfy(schema, rule, value, draw, frozen)
            if not changed:
                return

    def _satisfy(
        self,
        schema: Mapping[str, Any],
        fragment: Any,
        value: dict[str, Any],
        draw: st.DrawFn,
        frozen: frozenset[str],
    ) -> bool:
        fragment = self.resolve(fragment)
        if not isinstance(fragment, Mapping):
            return False
        changed = False
        if "if" in fragment:
            branch = fragment.get("then") if self.holds(fragment["if"], value) else None
            branch = fragment.get("else") if branch is None and "else" in fragment else branch
            if branch is not None and not self.holds(branch, value):
                changed |= self._satisfy(schema, branch, value, draw, frozen)
        for name in fragment.get("required", []):
            if name not in value:
                value[name] = draw(self._value(schema, name, fragment))
                changed = True
        for name, constraint in (fragment.get("properties") or {}).items():
            if name in value and name not in frozen and not self.holds(constraint, value[name]):
                value[name] = draw(self._value(schema, name, fragment))
                changed = True
        if "not" in fragment:
            changed |= self._falsify(schema, fragment["not"], value, draw, frozen)
        for dependent, needed in (fragment.get("dependentRequired") or {}).items():
            if dependent in value:
                for name in needed:
                    if name not in value:
                        value[name] = draw(self._value(schema, name, fragment))
                        changed = True
        for member in fragment.get("allOf", []):
            changed |= self._satisfy(schema, member, value, draw, frozen)
        options = fragment.get("anyOf") or fragment.get("oneOf")
        if options and not any(self.holds(option, value) for option in options):
            chosen = draw(st.sampled_from(list(options)))
            changed |= self._satisfy(schema, chosen, value, draw, frozen)
        return changed

    def _falsify(
        self,
        schema: Mapping[str, Any],
        negated: Any,
        value: dict[str, Any],
        draw: st.DrawFn,
        frozen: frozenset[str],
    ) -> bool:
        negated = self.resolve(negated)
        if not self.holds(negated, value):
            return False
        # "not both of these fields": leave out one that nothing else requires.
        names = [name for name in negated.get("required", []) if name in value]
        required = set(schema.get("required", []))
        removable = [name for name in names if name not in required and name not in frozen]
        if removable:
            del value[draw(st.sampled_from(removable))]
            return True
        for name, constraint in (negated.get("properties") or {}).items():
            if name in value and name not in frozen and self.holds(constraint, value[name]):
                sub = schema.get("properties", {}).get(name, {})
                value[name] = draw(self.strategy(sub).filter(self._refusing(constraint)))
                return True
        return False

    def _refusing(self, constraint: Any) -> Any:
        def refused(item: Any) -> bool:
            return not self.holds(constraint, item)

        return refused

    def _value(
        self, schema: Mapping[str, Any], name: str, fragment: Mapping[str, Any]
    ) -> st.SearchStrategy[Any]:
        """A value for ``name`` that meets both the object's schema and the rule's demand."""
        base = schema.get("properties", {}).get(name)
        demanded = (fragment.get("properties") or {}).get(name)
        if base is None:
            base = self.property_schema(fragment, name) or {}
        if demanded is None:
            return self.strategy(base)
        return self.strategy(self.both(base, demanded))

    def both(self, a: Any, b: Any) -> Any:
        """One node standing for both schemas (the same node each time, so its strategy is
        built once)."""
        key = (id(a), id(b))
        cached = self._pairs.get(key)
        if cached is None or cached[0] is not a or cached[1] is not b:
            cached = (a, b, {"allOf": [a, b]})
            self._pairs[key] = cached
        return cached[2]

    # -- arrays and scalars ------------------------------------------------------------
    def _array(self, schema: Mapping[str, Any], pins: Pins) -> st.SearchStrategy[list[Any]]:
        low = int(schema.get("minItems", 0))
        high = int(schema.get("maxItems", max(low, MAX_ITEMS)))
        high = min(high, max(low, MAX_ITEMS)) if "maxItems" not in schema else high
        nested = {path[1:]: pin for path, pin in pins.items() if path[0] == "*"}
        items = self.strategy(schema.get("items", {}), nested)
        unique = bool(schema.get("uniqueItems"))
        strategy = st.one_of(
            *(
                st.lists(items, min_size=a, max_size=b, unique=unique)
                for a, b in ((low, low), (high, high), (low, high))
            )
        )
        contains = schema.get("contains")
        if contains is not None:
            needed = self.strategy(contains)
            strategy = st.tuples(strategy, needed).map(
                lambda pair: _with_item(pair[0], pair[1], high, unique)
            )
        return strategy

    def _string(self, schema: Mapping[str, Any]) -> st.SearchStrategy[str]:
        low = int(schema.get("minLength", 0))
        high = schema.get("maxLength")
        fmt = schema.get("format")
        when = schema.get(JSON_TIME)
        patterns = list(schema.get("_patterns") or [])
        if patterns:
            alphabets = [_text.alphabet_of(pattern) for pattern in patterns]
            restrictions = [a for a in alphabets if a is not None]
            alphabet = None
            if restrictions and len(restrictions) < len(patterns):
                alphabet = "".join(c for c in restrictions[0] if all(c in r for r in restrictions))
                patterns = [p for p, a in zip(patterns, alphabets, strict=True) if a is None]
            compiled = [re.compile(pattern) for pattern in patterns[1:]]
            strategy = _text.pattern_text(patterns[0], low, high, alphabet)
            if compiled:
                strategy = strategy.filter(lambda value: all(c.search(value) for c in compiled))
            return strategy
        if fmt == "email":
            return _text.email(low, high)
        if fmt in ("uri", "url", "iri"):
            return _text.uri(low, high)
        if fmt == "date-time":
            return _text.date_time(when)
        if fmt == "date":
            return _text.date(when)
        if fmt == "uuid":
            return st.uuids().map(str)
        if fmt in ("binary", "byte"):
            return st.just("ZmlsZQ==")
        return _text.text(low, high)


def _is_object_rule(node: Any) -> bool:
    return isinstance(node, Mapping) and any(
        key in node for key in ("required", "properties", "dependentRequired")
    )


def _is_object_schema(schema: Mapping[str, Any]) -> bool:
    kind = schema.get("type")
    return kind == "object" or (kind is None and ("properties" in schema or "_branches" in schema))


def _integer(schema: Mapping[str, Any]) -> st.SearchStrategy[int]:
    low = schema.get("minimum")
    high = schema.get("maximum")
    if "exclusiveMinimum" in schema:
        low = schema["exclusiveMinimum"] + 1
    if "exclusiveMaximum" in schema:
        high = schema["exclusiveMaximum"] - 1
    edges = [st.just(v) for v in (low, high) if v is not None]
    return st.one_of(*edges, st.integers(min_value=low, max_value=high))


def _pinned(value: Any) -> st.SearchStrategy[Any]:
    return value if isinstance(value, st.SearchStrategy) else st.just(value)


def _draw_pin(draw: st.DrawFn, value: Any) -> Any:
    return draw(value) if isinstance(value, st.SearchStrategy) else value


def _with_item(items: list[Any], needed: Any, high: int, unique: bool) -> list[Any]:
    if needed in items:
        return items
    result = [*items[: max(high - 1, 0)], needed]
    if unique:
        seen: list[Any] = []
        for item in result:
            if item not in seen:
                seen.append(item)
        result = seen
    return result
