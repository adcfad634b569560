"""One interface over XML element trees and JSON data, so generation, mutation and repair
share code. Paths are the ones reports use (``/Brand/City``, ``/sub_usecases/0``)."""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from hypothesis import strategies as st

from .._catalog import Body, Wire, load_contract
from .._parsing import (
    document_of,
    element_children,
    element_path,
    element_steps,
    find_element,
)
from .._shared import (
    JSON_RULE,
    assert_rules,
    json_pointer,
    split_pointer,
)
from .._validation import (
    child_declarations,
    declaration_at,
    declarations_by_element,
    load_schema,
    simple_facets,
)
from . import _text
from ._errors import InvalidArgument
from ._json import JsonSchemaGenerator
from ._xml import XsdGenerator

__all__ = [
    "Adapter",
    "FieldConstraint",
    "JsonAdapter",
    "XmlAdapter",
    "adapter_for",
    "rule_nodes",
]

Kind = Literal["string", "integer", "number", "boolean", "object", "list", "const", "other"]
_NESTING = 12  # how deep a schema walk for field names goes (contracts are shallower)


@dataclass(frozen=True)
class FieldConstraint:
    """What the contract says about one field of one payload, and the value it has there."""

    path: str
    wire: Wire
    kind: Kind
    value: Any
    required: bool
    repeatable: bool = False
    enum: tuple[Any, ...] | None = None
    #: every pattern the value must match, with the rule a failure reports
    patterns: tuple[tuple[str, str], ...] = ()
    #: XSD patterns match the whole value; JSON Schema patterns search
    anchored: bool = False
    format: str | None = None
    min_length: int = 0
    max_length: int | None = None
    minimum: Any = None
    maximum: Any = None
    min_items: int = 0
    max_items: int | None = None
    size: int = 0
    unique: bool = False


class Adapter(ABC):
    """What the generator, the mutations and the repair loop need from a wire format."""

    wire: Wire
    body: Body

    @abstractmethod
    def initial(self, pins: Mapping[str, Any]) -> st.SearchStrategy[Any]:
        """Payloads built valid, with the fields at these paths (from :meth:`pin_paths`)
        pinned to a value or strategy."""

    @abstractmethod
    def field_names(self) -> set[str]: ...

    @abstractmethod
    def schema_path(self, path: str) -> tuple[str, ...]:
        """An issue path as schema paths are written: below the root, ``*`` for any item."""

    @abstractmethod
    def pin_paths(self, key: str) -> list[tuple[str, ...]]:
        """The schema paths an override key (a name or an issue path) pins."""

    @abstractmethod
    def value_strategy(
        self, path: str, rule: str | None = None
    ) -> st.SearchStrategy[Any] | None: ...

    def exists(self, payload: Any, path: str) -> bool:
        return document_of(payload).exists(path)

    def get(self, payload: Any, path: str) -> Any:
        return document_of(payload).get(path)

    def put(self, payload: Any, path: str, value: Any) -> bool:
        return document_of(payload).put(path, value)

    def delete(self, payload: Any, path: str) -> bool:
        return document_of(payload).delete(path)

    @abstractmethod
    def required(self, path: str) -> bool: ...

    @abstractmethod
    def fields(self, payload: Any) -> list[FieldConstraint]: ...

    @abstractmethod
    def closed_objects(self, payload: Any) -> list[str]: ...

    def encode(self, payload: Any) -> bytes:
        return document_of(payload).dump()

    def duplicate(self, payload: Any, path: str) -> bool:
        """Repeat the element at ``path`` (XML only)."""
        return False

    def grow(self, payload: Any, path: str, extra: int) -> bool:
        """Add ``extra`` items to the list at ``path`` (JSON only)."""
        return False

    def shrink(self, payload: Any, path: str, keep: int) -> bool:
        """Keep the first ``keep`` items of the list at ``path`` (JSON only)."""
        return False

    def clone(self, payload: Any) -> Any:
        return copy.deepcopy(payload)

    def wire_value(self, value: Any) -> Any:
        """A pinned or drawn value as the wire format holds it."""
        return value


# -- JSON ----------------------------------------------------------------------------------


class JsonAdapter(Adapter):
    wire: Wire = "json"

    def __init__(self, body: Body, *, response: bool) -> None:
        self.body = body
        self.generator = JsonSchemaGenerator(load_contract(body.contract), response=response)
        self.root = self.generator.at(body.locator)

    def initial(self, pins: Mapping[str, Any]) -> st.SearchStrategy[Any]:
        resolved = {path: value for key, value in pins.items() for path in self.pin_paths(key)}
        return self.generator.strategy(self.root, resolved)

    def _schema_fields(self) -> Iterator[tuple[tuple[str, ...], str]]:
        """(path, name) of every property the schema describes, ``*`` for array items."""
        stack: list[tuple[Any, tuple[str, ...]]] = [(self.root, ())]
        seen: set[tuple[int, tuple[str, ...]]] = set()
        while stack:
            node, path = stack.pop()
            node = self.generator.resolve(node)
            if not isinstance(node, Mapping) or (id(node), path) in seen or len(path) > _NESTING:
                continue
            seen.add((id(node), path))
            for name, sub in (node.get("properties") or {}).items():
                yield (*path, name), name
                stack.append((sub, (*path, name)))
            if isinstance(node.get("items"), Mapping):
                stack.append((node["items"], (*path, "*")))
            for key in ("allOf", "oneOf", "anyOf"):
                stack.extend((member, path) for member in node.get(key, []))
            for key in ("then", "else"):
                if isinstance(node.get(key), Mapping):
                    stack.append((node[key], path))

    def field_names(self) -> set[str]:
        return {name for _, name in self._schema_fields()}

    def schema_path(self, path: str) -> tuple[str, ...]:
        return tuple("*" if token.isdigit() else token for token in split_pointer(path))

    def pin_paths(self, key: str) -> list[tuple[str, ...]]:
        if key.startswith("/"):
            return [self.schema_path(key)]
        return sorted({path for path, name in self._schema_fields() if name == key})

    def value_strategy(self, path: str, rule: str | None = None) -> st.SearchStrategy[Any] | None:
        tokens = split_pointer(path)
        schema = self.generator.schema_at_path(self.root, tokens)
        if schema is None:
            return None
        demanded = self._rule_requirement(rule, tokens) if rule else None
        if demanded is not None:
            return self.generator.strategy(self.generator.both(schema, demanded))
        return self.generator.strategy(schema)

    def _rule_requirement(self, rule: str, tokens: list[str]) -> Any:
        """What a conditional rule's ``then`` demands of the field at ``tokens``, if anything."""
        parent = self.generator.schema_at_path(self.root, tokens[:-1]) if tokens else None
        if parent is None:
            return None
        for node in rule_nodes(self.generator, parent):
            if node.get(JSON_RULE) != rule:
                continue
            then = self.generator.resolve(node.get("then", {}))
            demanded = (then.get("properties") or {}).get(tokens[-1])
            if demanded is not None:
                return demanded
        return None

    def required(self, path: str) -> bool:
        tokens = split_pointer(path)
        if not tokens:
            return True
        parent = self.generator.schema_at_path(self.root, tokens[:-1])
        if parent is None:
            return False
        return tokens[-1] in self.generator.flatten(parent).get("required", [])

    # -- mutation support --------------------------------------------------------------
    def walk(self, payload: Any) -> list[tuple[str, Any, Any, Any]]:
        """(path, value, schema, parent schema) for every value below the root."""
        found: list[tuple[str, Any, Any, Any]] = []
        stack: list[tuple[list[str], Any, Any]] = [([], payload, self.root)]
        while stack:
            tokens, value, schema = stack.pop()
            resolved = self.generator.resolve(schema)
            if isinstance(value, dict):
                for key, item in value.items():
                    child = self.generator.property_schema(resolved, key)
                    if child is None:
                        continue
                    found.append((json_pointer([*tokens, key]), item, child, resolved))
                    stack.append(([*tokens, key], item, child))
            elif isinstance(value, list) and isinstance(resolved, Mapping):
                items = resolved.get("items", {})
                for index, item in enumerate(value):
                    stack.append(([*tokens, str(index)], item, items))
        return found

    def fields(self, payload: Any) -> list[FieldConstraint]:
        result = []
        for path, value, schema, parent in self.walk(payload):
            name = split_pointer(path)[-1]
            result.append(
                self._constraint(
                    schema,
                    path=path,
                    value=value,
                    required=name in self._required_of(parent, payload, path),
                )
            )
        return result

    def _constraint(self, schema: Any, *, path: str, value: Any, required: bool) -> FieldConstraint:
        flat = self.generator.flatten(schema)
        kind = flat.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), None)
        shape: Kind
        if "const" in flat:
            shape = "const"
        elif kind == "array":
            shape = "list"
        elif kind == "object" or "properties" in flat:
            shape = "object"
        elif kind in ("string", "integer", "number", "boolean"):
            shape = kind
        else:
            shape = "other"
        return FieldConstraint(
            path=path,
            wire="json",
            kind=shape,
            value=value,
            required=required,
            enum=tuple(flat["enum"]) if "enum" in flat else None,
            patterns=_json_patterns(self.generator, schema),
            anchored=False,
            format=flat.get("format"),
            min_length=int(flat.get("minLength", 0)),
            max_length=flat.get("maxLength"),
            minimum=flat.get("minimum"),
            maximum=flat.get("maximum"),
            min_items=int(flat.get("minItems", 0)),
            max_items=flat.get("maxItems"),
            size=len(value) if isinstance(value, list) else 0,
            unique=bool(flat.get("uniqueItems")),
        )

    def _required_of(self, parent: Any, payload: Any, path: str) -> set[str]:
        flat = self.generator.flatten(parent)
        required = set(flat.get("required", []))
        container = self.get(payload, path.rsplit("/", 1)[0]) if path.count("/") > 1 else payload
        for branch in flat.get("_branches", []) or []:
            branch_flat = self.generator.flatten(branch)
            consts = {
                name: self.generator.flatten(sub)["const"]
                for name, sub in branch_flat.get("properties", {}).items()
                if "const" in self.generator.flatten(sub)
            }
            if (
                consts
                and isinstance(container, dict)
                and all(container.get(k) == v for k, v in consts.items())
            ):
                required |= set(branch_flat.get("required", []))
        return required

    def closed_objects(self, payload: Any) -> list[str]:
        candidates = [("", self.root, payload)] + [
            (path, schema, value) for path, value, schema, _ in self.walk(payload)
        ]
        return [
            path
            for path, schema, value in candidates
            if isinstance(value, dict)
            and (
                self.generator.flatten(schema).get("unevaluatedProperties") is False
                or self.generator.flatten(schema).get("additionalProperties") is False
            )
        ]

    def holds(self, condition: Any, instance: Any) -> bool:
        """Whether ``instance`` meets a rule's condition (a subschema of the contract)."""
        return self.generator.holds(condition, instance)

    def grow(self, payload: Any, path: str, extra: int) -> bool:
        items = self.get(payload, path)
        if not isinstance(items, list) or not items:
            return False
        items.extend(copy.deepcopy(items[-1]) for _ in range(extra))
        return True

    def shrink(self, payload: Any, path: str, keep: int) -> bool:
        items = self.get(payload, path)
        if not isinstance(items, list):
            return False
        del items[keep:]
        return True


def rule_nodes(generator: JsonSchemaGenerator, schema: Any) -> list[Mapping[str, Any]]:
    """The annotated rule nodes (``x-rule``) of an object schema and its ``allOf`` members."""
    found = []
    stack = [schema]
    while stack:
        node = generator.resolve(stack.pop())
        if not isinstance(node, Mapping):
            continue
        if JSON_RULE in node:
            found.append(node)
        stack.extend(node.get("allOf", []))
    return found


def _json_patterns(generator: JsonSchemaGenerator, schema: Any) -> tuple[tuple[str, str], ...]:
    """Every pattern a string must match, with the rule a failure reports."""
    found: list[tuple[str, str]] = []
    stack: list[tuple[Any, str]] = [(schema, "pattern")]
    while stack:
        node, rule = stack.pop()
        node = generator.resolve(node)
        if not isinstance(node, Mapping):
            continue
        rule = node.get(JSON_RULE, rule)
        if "pattern" in node:
            found.append((node["pattern"], rule))
        stack.extend((member, rule) for member in node.get("allOf", []))
    return tuple(found)


# -- XML -----------------------------------------------------------------------------------


class XmlAdapter(Adapter):
    wire: Wire = "xml"

    def __init__(self, body: Body) -> None:
        self.body = body
        self.schema = load_schema(body.contract)
        self.generator = XsdGenerator(self.schema)
        self.declaration = self.schema.elements[body.locator]

    def initial(self, pins: Mapping[str, Any]) -> st.SearchStrategy[Any]:
        resolved = {
            path: self.wire_value(value) if not isinstance(value, st.SearchStrategy) else value
            for key, value in pins.items()
            for path in self.pin_paths(key)
        }
        return self.generator.element(self.declaration, resolved)

    def _schema_fields(self) -> Iterator[tuple[tuple[str, ...], str]]:
        stack: list[tuple[Any, tuple[str, ...]]] = [(self.declaration, ())]
        while stack:
            declaration, path = stack.pop()
            if len(path) > _NESTING:
                continue
            for name, child in child_declarations(declaration).items():
                yield (*path, name), name
                stack.append((child, (*path, name)))

    def field_names(self) -> set[str]:
        return {name for _, name in self._schema_fields()}

    def schema_path(self, path: str) -> tuple[str, ...]:
        return tuple(name for name, _ in element_steps(path)[1:])

    def pin_paths(self, key: str) -> list[tuple[str, ...]]:
        if key.startswith("/"):
            try:
                steps = element_steps(key)
            except ValueError as exc:
                raise InvalidArgument(
                    f"override key {key!r} is not an element path: {exc}"
                ) from None
            return [self.schema_path(key)] if steps and steps[0][0] == self.body.locator else []
        return sorted({path for path, name in self._schema_fields() if name == key})

    def wire_value(self, value: Any) -> Any:
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value) if isinstance(value, int | float) else value

    def value_strategy(self, path: str, rule: str | None = None) -> st.SearchStrategy[Any] | None:
        declaration = declaration_at(self.declaration, path)
        if declaration is None:
            return None
        pattern = self._rule_pattern(path, rule) if rule else None
        if pattern is not None:
            return _text.pattern_text(pattern, 1)
        return self.generator.element(declaration)

    def _rule_pattern(self, path: str, rule: str) -> str | None:
        """The pattern an assert (``t:pattern``) demands of the field at ``path``, if any."""
        parent = declaration_at(self.declaration, path.rsplit("/", 1)[0])
        for assertion in assert_rules(getattr(parent, "type", None)):
            if assertion.rule == rule:
                return assertion.pattern
        return None

    def required(self, path: str) -> bool:
        declaration = declaration_at(self.declaration, path)
        return declaration is None or int(declaration.min_occurs) > 0

    # -- mutation support --------------------------------------------------------------
    def fields(self, payload: Any) -> list[FieldConstraint]:
        result = []
        for child, decl in declarations_by_element(payload, self.declaration).items():
            parent = child.getparent()
            if parent is None:
                continue
            siblings = sum(1 for c in element_children(parent) if c.tag == child.tag)
            common: dict[str, Any] = {
                "path": element_path(child),
                "wire": "xml",
                "required": int(decl.min_occurs) > 0 and siblings <= int(decl.min_occurs),
                "repeatable": decl.max_occurs is None or int(decl.max_occurs) > 1,
                "anchored": True,
            }
            kind = decl.type
            if not (kind.is_simple() or kind.has_simple_content()):
                result.append(FieldConstraint(kind="object", value=None, **common))
                continue
            f = simple_facets(kind)
            shape: Kind = {"integer": "integer", "boolean": "boolean"}.get(  # type: ignore[assignment]
                f.primitive, "string"
            )
            if f.primitive in ("dateTime", "date", "anyURI"):
                shape = "other"  # the lexical rules are the type's own, not facets
            result.append(
                FieldConstraint(
                    kind=shape,
                    value=child.text or "",
                    enum=f.enumeration,
                    patterns=tuple(
                        (pattern, "format" if f.format else "pattern") for pattern in f.patterns
                    ),
                    format=f.format,
                    min_length=f.min_length,
                    max_length=f.max_length,
                    minimum=f.min_value,
                    maximum=f.max_value,
                    **common,
                )
            )
        return result

    def closed_objects(self, payload: Any) -> list[str]:
        return [
            element_path(element)
            for element in payload.iter()
            if isinstance(element.tag, str)
            and not (element.text or "").strip()
            and (len(element) or element is payload)
        ]

    def duplicate(self, payload: Any, path: str) -> bool:
        element = find_element(payload, path)
        parent = None if element is None else element.getparent()
        if element is None or parent is None:
            return False
        parent.append(copy.deepcopy(element))
        return True


def adapter_for(body: Body, *, response: bool) -> Adapter:
    """The adapter of a structured body's wire format."""
    if body.wire == "xml":
        return XmlAdapter(body)
    return JsonAdapter(body, response=response)
