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

Both read the document through the catalog's table of where subschemas live
(:func:`~tendlc._catalog.schema_map`): only a mapping used as a schema is rewritten, never a
property-name map, a ``const`` or ``enum`` value, or a mapping also used as one of those. A
document whose references the walk cannot follow alone (``$id``, anchors, dynamic references,
other documents) is compiled as written, without a depth bound. Whatever fails to compile or
to bound declines: the explaining path, which compiles the contract as written, answers.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .._catalog import Body, contract_path, load_contract
from .._parsing import Limits, ParseError, parse_json
from .._shared import (
    directory_digest,
    disk_cached,
    openapi_schema_roots,
    ref_target,
    schema_map,
    split_pointer,
    walk,
)
from ._json import validator_at
from ._once import once

# The in-place applicators: the subschemas that may mark properties of the instance itself as
# evaluated (``not`` never does: it passes only when its subschema fails).
_LISTS = ("allOf", "anyOf", "oneOf")
_SINGLES = ("if", "then", "else")


def checker(body: Body) -> Callable[[Any, Limits], bool]:
    """For one body: parse, then True only when the closed contract accepts the data."""
    contract, locator = body.contract, body.locator
    compiled = False  # on the first call
    validator: Any = None  # None: the contract does not compile here, every payload declines
    bound: int | None = None

    def check(payload: Any, limits: Limits) -> bool:
        nonlocal compiled, validator, bound
        if not compiled:
            validator, bound = engine(contract, locator), depth(contract, locator)
            compiled = True
        if validator is None:
            return False
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
    validator = engine(contract, locator)
    try:
        return validator is not None and bool(validator.is_valid(data))
    except Exception:  # anything unusual is for the explaining path to report
        return False


@once
def engine(contract: str, locator: str) -> Any:
    """The jsonschema-rs validator of the rewritten closed schema at ``locator``, or None when
    it cannot be compiled (the explaining path then answers, or says why the contract is
    wrong)."""
    try:
        fast = _fast(contract)
    except Exception:  # a document too deep to copy, say: the explaining path answers
        return None
    return fast_engine(fast, locator)


@once
def depth(contract: str, locator: str) -> int | None:
    """The deepest value (the instance is at depth 1) an instance the closed schema at
    ``locator`` accepts can hold, or None when the schema does not bound it (kept on disk
    with the compiled contracts: the walk costs more than reading it back)."""
    digest = directory_digest(contract_path(contract).parent)
    return disk_cached(
        "json-depth", (contract, locator), lambda: _depth_of(contract, locator), source=(digest,)
    )


def _depth_of(contract: str, locator: str) -> int | None:
    try:
        fast = _fast(contract)
    except Exception:
        return None
    return fast_depth(fast, locator)


def fast_engine(fast: Fast, locator: str) -> Any:
    """:func:`engine` of a rewritten document."""
    try:
        return validator_at(fast.at(locator), locator)
    except Exception:
        return None


def fast_depth(fast: Fast, locator: str) -> int | None:
    """:func:`depth` of a rewritten document. (Read from the rewritten document: there an
    object closed with additionalProperties has no member the schema does not name.)"""
    if fast.dynamic:
        return None
    try:
        document = fast.at(locator)
        return _depth(walk(document, split_pointer(locator), None), document, frozenset())
    except Exception:  # a schema too deep, or not a schema at all: no bound
        return None


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


@dataclass(frozen=True)
class Fast:
    """A contract rewritten for speed."""

    original: Mapping[str, Any]
    document: Mapping[str, Any]  # the copy, rewritten
    schemas: frozenset[int]  # the ids of the copy's mappings the rewrite read as schemas
    dynamic: bool  # references the walk cannot follow alone: nothing rewritten
    rewritten: int  # closed object schemas rewritten
    left: int  # closed object schemas left as written
    nodes: tuple[Any, ...] = ()  # the mappings whose ids are ``schemas`` (kept alive with them)

    def at(self, locator: str) -> Mapping[str, Any]:
        """The rewritten document, when the schema at ``locator`` is one the rewrite read as
        a schema; else the document as written."""
        node = walk(self.document, split_pointer(locator), None)
        return self.document if id(node) in self.schemas else self.original


@once
def _fast(contract: str) -> Fast:
    original = load_contract(contract)
    digest = directory_digest(contract_path(contract).parent)

    def dump(fast: Fast) -> tuple[Any, ...]:
        # the schemas themselves, not their ids: pickled with the document, they stay its own
        return (fast.document, fast.nodes, fast.dynamic, fast.rewritten, fast.left)

    def load(kept: tuple[Any, ...]) -> Fast:
        document, nodes, dynamic, done, left = kept
        return Fast(original, document, frozenset(map(id, nodes)), dynamic, done, left, nodes)

    return disk_cached(
        "json-fast",
        (contract,),
        lambda: fast_document(original),
        source=(digest,),
        dump=dump,
        load=load,
    )


def fast_document(original: Mapping[str, Any]) -> Fast:
    """A copy of an OpenAPI document with every verdict-preserving closing rewrite applied to
    the schemas it holds (see :func:`~tendlc._catalog.openapi_schema_roots`)."""
    document = copy.deepcopy(dict(original))
    found = schema_map(document, openapi_schema_roots(document))
    rewritten = left = 0
    for node in found.schemas:
        if node.get("unevaluatedProperties") is not False:
            continue
        if found.dynamic or id(node) in found.shared or not _safely_rewritable(node, document):
            left += 1
            continue
        del node["unevaluatedProperties"]
        node["additionalProperties"] = False
        rewritten += 1
    nodes = tuple(found.schemas)
    schemas = frozenset(map(id, nodes))
    return Fast(original, document, schemas, found.dynamic, rewritten, left, nodes)


def rewritten(contract: str) -> tuple[int, int]:
    """(closed object schemas rewritten for speed, closed object schemas left as written)."""
    fast = _fast(contract)
    return fast.rewritten, fast.left


def _safely_rewritable(node: Mapping[str, Any], document: Mapping[str, Any]) -> bool:
    try:
        return _rewritable(node, document)
    except RecursionError:  # in-place subschemas nested too deep to tell: left as written
        return False


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
