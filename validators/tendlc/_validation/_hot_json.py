"""The JSON hot path: a yes/no answer from a validator compiled for speed.

It may only ever say "valid": :func:`accepts` returning False means "ask the explaining path",
which compiles the contract as written and writes the issues. The speed comes from one
rewrite, made only where it cannot change a verdict: ``unevaluatedProperties: false`` becomes
``additionalProperties: false`` on an object schema whose in-place subschemas (``allOf``,
``anyOf``, ``oneOf``, ``if``/``then``/``else``, ``dependentSchemas``, ``$ref``) can only mark
as evaluated properties that the schema itself lists. Then the two keywords refuse exactly the
same names, and jsonschema-rs no longer has to collect annotations to decide.

And one check moves: where the schema bounds the depth of what it accepts (every object it
admits closed, every array typed, no recursion) within the parser's limit, the parser does
not count brackets; the validator refuses anything deeper.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from .._catalog import Body, load_contract
from .._parsing import Limits, ParseError, parse_json
from .._shared import ref_target, split_pointer, walk
from ._json import validator_at
from ._once import once

_LISTS = ("allOf", "anyOf", "oneOf")
_SINGLES = ("if", "then", "else")


def checker(body: Body) -> Callable[[Any, Limits], bool]:
    """For one body: parse, then True only when the closed contract accepts the data."""
    contract, locator = body.contract, body.locator
    validator: Any = None  # compiled on the first call
    bound: int | None = None

    def check(payload: Any, limits: Limits) -> bool:
        nonlocal validator, bound
        if validator is None:
            validator = engine(contract, locator)
            bound = depth(contract, locator)
        try:
            data = parse_json(
                payload, limits, check_depth=bound is None or bound > limits.max_depth
            )
        except (ParseError, RecursionError):
            return False
        try:
            return bool(validator.is_valid(data))
        except Exception:  # anything unusual is for the explaining path to report
            return False

    return check


def accepts(contract: str, locator: str, data: Any) -> bool:
    """True only when the closed contract at ``locator`` accepts ``data``."""
    try:
        return bool(engine(contract, locator).is_valid(data))
    except Exception:  # anything unusual is for the explaining path to report
        return False


@once
def engine(contract: str, locator: str) -> Any:
    """The jsonschema-rs validator of the rewritten closed schema at ``locator``."""
    return validator_at(_fast_document(contract), locator)


@once
def depth(contract: str, locator: str) -> int | None:
    """The deepest value (the instance is at depth 1) an instance the closed schema at
    ``locator`` accepts can hold, or None when the schema does not bound it. (Read from the
    rewritten document: there an object closed with additionalProperties has no member the
    schema does not name.)"""
    document = _fast_document(contract)
    return _depth(walk(document, split_pointer(locator), None), document, frozenset())


_SCALARS = frozenset({"string", "number", "integer", "boolean", "null"})


def _depth(node: Any, document: Mapping[str, Any], seen: frozenset[int]) -> int | None:
    """A bound on the depth of the instances ``node`` accepts (sound, not tight): each keyword
    that must hold bounds it, and the smallest bound wins. None: no bound found."""
    if node is False:
        return 0
    if not isinstance(node, Mapping) or id(node) in seen:
        return None  # true, or a recursive schema
    seen = seen | {id(node)}
    bounds: list[int] = []
    own = _own_depth(node, document, seen)
    if own is not None:
        bounds.append(own)
    for sub in node.get("allOf", []) if isinstance(node.get("allOf"), list) else []:
        found = _depth(sub, document, seen)
        if found is not None:
            bounds.append(found)
    for key in ("anyOf", "oneOf"):
        branches = node.get(key)
        if isinstance(branches, list) and branches:
            found_all = [_depth(sub, document, seen) for sub in branches]
            if all(found is not None for found in found_all):
                bounds.append(max(found for found in found_all if found is not None))
    if "$ref" in node:
        target = ref_target(document, node["$ref"], None)
        found = _depth(target, document, seen) if target is not None else None
        if found is not None:
            bounds.append(found)
    return min(bounds) if bounds else None


def _own_depth(
    node: Mapping[str, Any], document: Mapping[str, Any], seen: frozenset[int]
) -> int | None:
    """The bound the schema's own keywords (type, enum, const, object and array members) set."""
    if "const" in node:
        return _value_depth(node["const"])
    if isinstance(node.get("enum"), list):
        return max((_value_depth(value) for value in node["enum"]), default=0)
    kinds = node.get("type")
    types = {kinds} if isinstance(kinds, str) else set(kinds) if isinstance(kinds, list) else None
    deepest = 1
    if types is None or "object" in types:
        if node.get("additionalProperties") is not False or "patternProperties" in node:
            return None  # members that nothing here bounds
        properties = node.get("properties", {})
        if not isinstance(properties, Mapping):
            return None
        for sub in properties.values():
            found = _depth(sub, document, seen)
            if found is None:
                return None
            deepest = max(deepest, found + 1)
    if types is None or "array" in types:
        items = node.get("items")
        if items is None or "prefixItems" in node:
            return None
        found = _depth(items, document, seen)
        if found is None:
            return None
        deepest = max(deepest, found + 1)
    if types is not None and not types <= _SCALARS | {"object", "array"}:
        return None
    return deepest


def _value_depth(value: Any) -> int:
    if isinstance(value, Mapping):
        return 1 + max((_value_depth(item) for item in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_value_depth(item) for item in value), default=0)
    return 1


@once
def _fast_document(contract: str) -> Mapping[str, Any]:
    """A copy of the contract with every verdict-preserving closing rewrite applied."""
    original: Mapping[str, Any] = load_contract(contract)
    document = copy.deepcopy(dict(original))
    for node in list(_schemas(document)):
        if _rewritable(node, document):
            del node["unevaluatedProperties"]
            node["additionalProperties"] = False
    return document


def rewritten(contract: str) -> tuple[int, int]:
    """(closed object schemas rewritten for speed, closed object schemas left as written)."""
    left = sum(
        1
        for node in _schemas(_fast_document(contract))
        if node.get("unevaluatedProperties") is False
    )
    closed = sum(
        1
        for node in _schemas(load_contract(contract))
        if node.get("unevaluatedProperties") is False
    )
    return closed - left, left


def _schemas(node: Any) -> list[dict[str, Any]]:
    """Every mapping of a document (schemas and the rest), iteratively."""
    found: list[dict[str, Any]] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _rewritable(node: Mapping[str, Any], document: Mapping[str, Any]) -> bool:
    if node.get("unevaluatedProperties") is not False:
        return False
    if "additionalProperties" in node or "patternProperties" in node:
        return False
    own = node.get("properties", {})
    if not isinstance(own, Mapping):
        return False
    names = _applicator_names(node, document, {id(node)})
    return names is not None and names <= set(own)


def _applicator_names(
    node: Mapping[str, Any], document: Mapping[str, Any], seen: set[int]
) -> set[str] | None:
    """The property names the in-place subschemas of ``node`` may mark as evaluated, or None
    when that cannot be told from the document."""
    if "$dynamicRef" in node or "$recursiveRef" in node:
        return None
    subschemas: list[Any] = []
    for key in _LISTS:
        value = node.get(key, [])
        if not isinstance(value, list):
            return None
        subschemas.extend(value)
    subschemas.extend(node[key] for key in _SINGLES if key in node)
    dependent = node.get("dependentSchemas", {})
    if not isinstance(dependent, Mapping):
        return None
    subschemas.extend(dependent.values())
    if "$ref" in node:
        target = ref_target(document, node["$ref"], None)
        if target is None:
            return None
        subschemas.append(target)
    names: set[str] = set()
    for sub in subschemas:
        if isinstance(sub, bool):
            continue
        if not isinstance(sub, Mapping):
            return None
        if id(sub) in seen:
            continue  # a cycle adds nothing the walk has not already counted
        seen.add(id(sub))
        if "patternProperties" in sub:
            return None
        for keyword in ("additionalProperties", "unevaluatedProperties"):
            if sub.get(keyword, False) is not False:
                return None
        properties = sub.get("properties", {})
        if not isinstance(properties, Mapping):
            return None
        names.update(properties)
        inner = _applicator_names(sub, document, seen)
        if inner is None:
            return None
        names.update(inner)
    return names
