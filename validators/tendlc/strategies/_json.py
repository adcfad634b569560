"""Hypothesis strategies from JSON Schema 2020-12 (the Vonage OpenAPI components)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from . import _text

_COMPOSITION = ("allOf", "oneOf", "anyOf", "if", "then", "else", "not", "dependentSchemas")
MAX_ITEMS = 3


class JsonSchemaGenerator:
    """Builds strategies for the schemas of one document (``$ref`` resolved locally)."""

    def __init__(self, document: Mapping[str, Any], *, response: bool = False) -> None:
        self.document = document
        self.response = response
        # id(node) -> (node, strategy); the node is kept so that its id cannot be reused.
        self._cache: dict[int, tuple[Any, st.SearchStrategy[Any]]] = {}

    # -- schema navigation -------------------------------------------------------------
    def resolve(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, Mapping) and "$ref" in node:
            target: Any = self.document
            for token in node["$ref"][2:].split("/"):
                target = target[token.replace("~1", "/").replace("~0", "~")]
            if len(node) > 1:  # siblings of $ref apply too
                merged = dict(target)
                merged.update({k: v for k, v in node.items() if k != "$ref"})
                target = merged
            node = target
            seen += 1
            if seen > 50:
                raise ValueError("$ref cycle in the contract")
        return node

    def at(self, pointer: str) -> Any:
        node: Any = self.document
        for token in pointer.split("/")[1:]:
            node = node[token.replace("~1", "/").replace("~0", "~")]
        return self.resolve(node)

    def flatten(self, node: Any) -> dict[str, Any]:
        """The schema with its ``allOf`` members merged in (conditional parts left out)."""
        node = self.resolve(node)
        if not isinstance(node, Mapping):
            return {}
        merged: dict[str, Any] = {k: v for k, v in node.items() if k not in _COMPOSITION}
        merged["_patterns"] = [node["pattern"]] if "pattern" in node else []
        merged["_triggers"] = self._triggers(node)
        for member in node.get("allOf", []):
            part = self.flatten(member)
            merged["_patterns"] = merged["_patterns"] + part.get("_patterns", [])
            merged.setdefault("properties", {})
            merged["properties"] = {**part.get("properties", {}), **merged["properties"]}
            merged["required"] = sorted({*merged.get("required", []), *part.get("required", [])})
            for key, value in part.items():
                if key not in ("properties", "required"):
                    merged.setdefault(key, value)
        if "oneOf" in node or "anyOf" in node:
            merged["_branches"] = node.get("oneOf") or node.get("anyOf")
        return merged

    def _triggers(self, node: Mapping[str, Any]) -> dict[str, list[Any]]:
        """Property -> the constant values the object's conditional rules switch on."""
        found: dict[str, list[Any]] = {}
        stack = [self.resolve(member) for member in node.get("allOf", [])]
        while stack:
            member = stack.pop()
            if not isinstance(member, Mapping):
                continue
            stack.extend(self.resolve(inner) for inner in member.get("allOf", []))
            condition = self.resolve(member.get("if", {}))
            for name, sub in (condition.get("properties") or {}).items():
                sub = self.resolve(sub)
                if isinstance(sub, Mapping) and "const" in sub:
                    values = found.setdefault(name, [])
                    if sub["const"] not in values:
                        values.append(sub["const"])
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

    def schema_at_path(self, root: Any, tokens: list[str]) -> Any:
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

    # -- strategies --------------------------------------------------------------------
    def strategy(self, node: Any) -> st.SearchStrategy[Any]:
        """The strategy of a schema node (built once per node of the document)."""
        key = id(node)
        cached = self._cache.get(key)
        if cached is None or cached[0] is not node:
            cached = (node, self._build(node))
            self._cache[key] = cached
        return cached[1]

    def _build(self, node: Any) -> st.SearchStrategy[Any]:
        schema = self.flatten(node)
        if "_branches" in schema:
            branches = schema.pop("_branches")
            return st.one_of(*(self._merged_branch(schema, branch) for branch in branches))
        return self._plain(schema)

    def _merged_branch(self, base: Mapping[str, Any], branch: Any) -> st.SearchStrategy[Any]:
        part = self.flatten(branch)
        merged = dict(base)
        merged["properties"] = {**base.get("properties", {}), **part.get("properties", {})}
        merged["required"] = sorted({*base.get("required", []), *part.get("required", [])})
        for key, value in part.items():
            if key not in ("properties", "required", "_branches"):
                merged[key] = value
        if "_branches" in part:
            return self.strategy({**merged, "oneOf": part["_branches"]})
        return self._plain(merged)

    def _plain(self, schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
        if "const" in schema:
            return st.just(schema["const"])
        if "enum" in schema:
            return st.sampled_from(list(schema["enum"]))
        kind = schema.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if k != "null"] or ["null"]
            return st.one_of(*(self._plain({**schema, "type": chosen}) for chosen in kinds))
        if kind == "object" or (kind is None and "properties" in schema):
            return self._object(schema)
        if kind == "array":
            return self._array(schema)
        if kind == "string":
            return self._string(schema)
        if kind == "integer":
            return self._integer(schema)
        if kind == "number":
            return self._integer(schema).map(float) | st.floats(
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

    def _object(self, schema: Mapping[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
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
            base = self.strategy(properties[name])
            # Values that switch a conditional rule on are drawn on purpose.
            return st.sampled_from(triggers[name]) | base if triggers.get(name) else base

        fixed = {name: value(name) for name in required}
        extra = {name: value(name) for name in optional}
        return st.fixed_dictionaries(fixed, optional=extra)

    def _array(self, schema: Mapping[str, Any]) -> st.SearchStrategy[list[Any]]:
        low = int(schema.get("minItems", 0))
        high = int(schema.get("maxItems", max(low, MAX_ITEMS)))
        high = min(high, max(low, MAX_ITEMS)) if "maxItems" not in schema else high
        items = self.strategy(schema.get("items", {}))
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
        patterns = schema.get("_patterns") or ([schema["pattern"]] if "pattern" in schema else [])
        if patterns:
            compiled = [re.compile(pattern) for pattern in patterns]
            return st.one_of(
                *(_text.pattern_text(pattern, low, high) for pattern in patterns)
            ).filter(lambda value: all(c.search(value) for c in compiled))
        if fmt == "email":
            return _text.email(low, high)
        if fmt in ("uri", "url", "iri"):
            return _text.uri(low, high)
        if fmt == "date-time":
            return _text.date_time()
        if fmt == "date":
            return _text.date()
        if fmt == "uuid":
            return st.uuids().map(str)
        if fmt in ("binary", "byte"):
            return st.just("ZmlsZQ==")
        return _text.text(low, high)

    @staticmethod
    def _integer(schema: Mapping[str, Any]) -> st.SearchStrategy[int]:
        low = schema.get("minimum")
        high = schema.get("maximum")
        if "exclusiveMinimum" in schema:
            low = schema["exclusiveMinimum"] + 1
        if "exclusiveMaximum" in schema:
            high = schema["exclusiveMaximum"] - 1
        edges = [st.just(v) for v in (low, high) if v is not None]
        return st.one_of(*edges, st.integers(min_value=low, max_value=high))


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
