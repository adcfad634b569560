"""One interface over XML element trees and JSON data, so generation and repair share code."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any, Protocol

from hypothesis import strategies as st
from lxml import etree

from ..catalog import Body, load_contract
from ..validation._xml import schema as compiled_xsd
from . import _text
from ._json import JsonSchemaGenerator
from ._xml import CONTRACT_NS, XsdGenerator

_INDEX = re.compile(r"^(.*)\[(\d+)\]$")


class Adapter(Protocol):
    """What the generator needs from a wire format."""

    def initial(self) -> st.SearchStrategy[Any]: ...
    def field_names(self) -> set[str]: ...
    def value_strategy(
        self, path: str, rule: str | None = None
    ) -> st.SearchStrategy[Any] | None: ...
    def exists(self, payload: Any, path: str) -> bool: ...
    def put(self, payload: Any, path: str, value: Any) -> bool: ...
    def delete(self, payload: Any, path: str) -> bool: ...
    def get(self, payload: Any, path: str) -> Any: ...
    def required(self, path: str) -> bool: ...
    def clone(self, payload: Any) -> Any: ...
    def encode(self, payload: Any) -> bytes: ...
    def fields(self, payload: Any) -> list[tuple[str, dict[str, Any]]]: ...
    def closed_objects(self, payload: Any) -> list[str]: ...
    def conditional_sites(self, payload: Any) -> list[Any]: ...
    def duplicate(self, payload: Any, path: str) -> bool: ...
    def grow(self, payload: Any, path: str, extra: int) -> bool: ...
    def shrink(self, payload: Any, path: str, keep: int) -> bool: ...


class JsonAdapter:
    def __init__(self, body: Body, *, response: bool) -> None:
        self.generator = JsonSchemaGenerator(load_contract(body.contract), response=response)
        self.root = self.generator.at(body.locator)
        self._conditions: dict[int, Any] = {}

    def initial(self) -> st.SearchStrategy[Any]:
        return self.generator.strategy(self.root)

    def field_names(self) -> set[str]:
        names: set[str] = set()
        stack = [self.root]
        seen: set[int] = set()
        while stack:
            node = self.generator.resolve(stack.pop())
            if not isinstance(node, Mapping) or id(node) in seen:
                continue
            seen.add(id(node))
            names.update(node.get("properties", {}))
            stack.extend(node.get("properties", {}).values())
            for key in ("allOf", "oneOf", "anyOf"):
                stack.extend(node.get(key, []))
            for key in ("then", "else", "items"):
                if isinstance(node.get(key), Mapping):
                    stack.append(node[key])
        return names

    def _tokens(self, path: str) -> list[str]:
        return [t.replace("~1", "/").replace("~0", "~") for t in path.split("/")[1:]]

    def value_strategy(self, path: str, rule: str | None = None) -> st.SearchStrategy[Any] | None:
        tokens = self._tokens(path)
        schema = self.generator.schema_at_path(self.root, tokens)
        if schema is None:
            return None
        stricter = self._rule_requirement(rule, tokens) if rule else None
        if stricter is not None:
            merged = {**self.generator.flatten(schema), **self.generator.flatten(stricter)}
            merged.pop("_branches", None)
            return self.generator.strategy(merged)
        return self.generator.strategy(schema)

    def _rule_requirement(self, rule: str, tokens: list[str]) -> Any:
        """What a conditional rule's ``then`` demands of the field at ``tokens``, if anything."""
        from ._conditions import _rule_nodes

        parent = self.generator.schema_at_path(self.root, tokens[:-1]) if tokens else None
        if parent is None:
            return None
        for node in _rule_nodes(self.generator, parent):
            if node.get("x-rule") != rule:
                continue
            then = self.generator.resolve(node.get("then", {}))
            demanded = (then.get("properties") or {}).get(tokens[-1])
            if demanded is not None:
                return demanded
        return None

    def _parent(self, payload: Any, path: str) -> tuple[Any, str] | None:
        tokens = self._tokens(path)
        if not tokens:
            return None
        node = payload
        for token in tokens[:-1]:
            if isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            elif isinstance(node, dict) and token in node:
                node = node[token]
            else:
                return None
        return node, tokens[-1]

    def exists(self, payload: Any, path: str) -> bool:
        found = self._parent(payload, path)
        if found is None:
            return not self._tokens(path)
        node, key = found
        if isinstance(node, list):
            return key.isdigit() and int(key) < len(node)
        return isinstance(node, dict) and key in node

    def get(self, payload: Any, path: str) -> Any:
        found = self._parent(payload, path)
        if found is None:
            return payload
        node, key = found
        return node[int(key)] if isinstance(node, list) else node.get(key)

    def put(self, payload: Any, path: str, value: Any) -> bool:
        found = self._parent(payload, path)
        if found is None:
            return False
        node, key = found
        if isinstance(node, list):
            if not key.isdigit():
                return False
            index = int(key)
            if index < len(node):
                node[index] = value
            else:
                node.append(value)
            return True
        if isinstance(node, dict):
            node[key] = value
            return True
        return False

    def delete(self, payload: Any, path: str) -> bool:
        found = self._parent(payload, path)
        if found is None:
            return False
        node, key = found
        if isinstance(node, list) and key.isdigit() and int(key) < len(node):
            del node[int(key)]
            return True
        if isinstance(node, dict) and key in node:
            del node[key]
            return True
        return False

    def required(self, path: str) -> bool:
        tokens = self._tokens(path)
        if not tokens:
            return True
        parent = self.generator.schema_at_path(self.root, tokens[:-1])
        if parent is None:
            return False
        return tokens[-1] in self.generator.flatten(parent).get("required", [])

    # -- mutation support --------------------------------------------------------------
    def _walk(self, payload: Any) -> list[tuple[str, Any, Any, Any]]:
        """(path, value, schema, parent schema) for every value below the root."""
        found: list[tuple[str, Any, Any, Any]] = []
        stack: list[tuple[str, Any, Any]] = [("", payload, self.root)]
        while stack:
            path, value, schema = stack.pop()
            resolved = self.generator.resolve(schema)
            if isinstance(value, dict):
                for key, item in value.items():
                    child = self.generator.property_schema(resolved, key)
                    if child is None:
                        continue
                    found.append((f"{path}/{key}", item, child, resolved))
                    stack.append((f"{path}/{key}", item, child))
            elif isinstance(value, list) and isinstance(resolved, Mapping):
                items = resolved.get("items", {})
                for index, item in enumerate(value):
                    stack.append((f"{path}/{index}", item, items))
        return found

    def fields(self, payload: Any) -> list[tuple[str, dict[str, Any]]]:
        result = []
        for path, value, schema, parent in self._walk(payload):
            constraint = _json_constraint(self.generator, schema)
            constraint["value"] = value
            constraint["size"] = len(value) if isinstance(value, list) else 0
            constraint["required"] = path.rsplit("/", 1)[1] in self._required_of(
                parent, payload, path
            )
            result.append((path, constraint))
        return result

    def _required_of(self, parent: Any, payload: Any, path: str) -> set[str]:
        flat = self.generator.flatten(parent)
        required = set(flat.get("required", []))
        container = self.get(payload, path.rsplit("/", 1)[0]) if path.count("/") > 1 else payload
        for branch in flat.get("_branches", []) or []:
            branch_flat = self.generator.flatten(branch)
            consts = {
                k: self.generator.resolve(v).get("const")
                for k, v in branch_flat.get("properties", {}).items()
                if isinstance(self.generator.resolve(v), Mapping)
                and "const" in self.generator.resolve(v)
            }
            if (
                consts
                and isinstance(container, dict)
                and all(container.get(k) == v for k, v in consts.items())
            ):
                required |= set(branch_flat.get("required", []))
        return required

    def closed_objects(self, payload: Any) -> list[str]:
        paths = []
        candidates = [("", self.root, payload)] + [
            (path, schema, value) for path, value, schema, _ in self._walk(payload)
        ]
        for path, schema, value in candidates:
            flat = self.generator.flatten(schema)
            if isinstance(value, dict) and (
                flat.get("unevaluatedProperties") is False
                or flat.get("additionalProperties") is False
            ):
                paths.append(path)
        return paths

    def holds(self, condition: Any, instance: Any) -> bool:
        """Whether ``instance`` meets a rule's ``if`` condition (a subschema of the contract)."""
        key = id(condition)
        if key not in self._conditions:
            import jsonschema_rs

            root = {k: v for k, v in self.generator.document.items() if k == "components"}
            root.update(condition)
            self._conditions[key] = jsonschema_rs.validator_for(root)
        return bool(self._conditions[key].is_valid(instance))

    def conditional_sites(self, payload: Any) -> list[Any]:
        from ._conditions import json_conditional_sites

        return json_conditional_sites(self, payload)

    def duplicate(self, payload: Any, path: str) -> bool:
        return False

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

    def clone(self, payload: Any) -> Any:
        return copy.deepcopy(payload)

    def encode(self, payload: Any) -> bytes:
        import json

        return json.dumps(payload, ensure_ascii=False).encode("utf-8")


class XmlAdapter:
    def __init__(self, body: Body) -> None:
        self.schema = compiled_xsd(body.contract)
        self.generator = XsdGenerator(self.schema)
        self.declaration = self.schema.elements[body.locator]
        self.root_name = body.locator

    def initial(self) -> st.SearchStrategy[Any]:
        return self.generator.element(self.declaration)

    def field_names(self) -> set[str]:
        names: set[str] = set()
        stack = [self.declaration]
        seen: set[int] = set()
        while stack:
            decl = stack.pop()
            if id(decl) in seen:
                continue
            seen.add(id(decl))
            content = getattr(decl.type, "content", None)
            if content is not None and hasattr(content, "iter_elements"):
                for child in content.iter_elements():
                    if getattr(child, "local_name", None):
                        names.add(child.local_name)
                        stack.append(child)
        return names

    def value_strategy(self, path: str, rule: str | None = None) -> st.SearchStrategy[Any] | None:
        declaration = self.generator.declaration_at(path)
        if declaration is None:
            return None
        pattern = self._rule_pattern(path, rule) if rule else None
        if pattern is not None:
            return _text.pattern_text(pattern, 1)
        return self.generator.element(declaration)

    def _rule_pattern(self, path: str, rule: str) -> str | None:
        """The pattern an assert (``t:pattern``) demands of the field at ``path``, if any."""
        parent = self.generator.declaration_at(path.rsplit("/", 1)[0])
        for assertion in getattr(getattr(parent, "type", None), "assertions", None) or []:
            attrs = assertion.elem.attrib
            if attrs.get(f"{{{CONTRACT_NS}}}rule") == rule:
                pattern = attrs.get(f"{{{CONTRACT_NS}}}pattern")
                return str(pattern) if pattern is not None else None
        return None

    def _find(self, payload: etree._Element, path: str) -> etree._Element | None:
        steps = [s for s in path.split("/") if s]
        if not steps or re.sub(r"\[\d+\]$", "", steps[0]) != payload.tag:
            return None
        node: etree._Element | None = payload
        for step in steps[1:]:
            if node is None:
                return None
            match = _INDEX.match(step)
            name, index = (match.group(1), int(match.group(2))) if match else (step, 1)
            children = [c for c in node if c.tag == name]
            node = children[index - 1] if len(children) >= index else None
        return node

    def exists(self, payload: Any, path: str) -> bool:
        return self._find(payload, path) is not None

    def get(self, payload: Any, path: str) -> Any:
        return self._find(payload, path)

    def put(self, payload: Any, path: str, value: Any) -> bool:
        existing = self._find(payload, path)
        if isinstance(value, str):
            if existing is None:
                parent = self._find(payload, path.rsplit("/", 1)[0])
                if parent is None:
                    return False
                existing = etree.SubElement(parent, _INDEX.sub(r"\1", path.rsplit("/", 1)[1]))
            for child in list(existing):
                existing.remove(child)
            existing.text = value
            return True
        if existing is not None:
            parent = existing.getparent()
            if parent is None:
                return False
            parent.replace(existing, value)
            return True
        parent = self._find(payload, path.rsplit("/", 1)[0])
        if parent is None:
            return False
        parent.append(value)
        return True

    def delete(self, payload: Any, path: str) -> bool:
        existing = self._find(payload, path)
        if existing is None or existing.getparent() is None:
            return False
        parent = existing.getparent()
        assert parent is not None
        parent.remove(existing)
        return True

    def required(self, path: str) -> bool:
        declaration = self.generator.declaration_at(path)
        return declaration is None or int(declaration.min_occurs) > 0

    # -- mutation support --------------------------------------------------------------
    def fields(self, payload: Any) -> list[tuple[str, dict[str, Any]]]:
        from ..validation._xml import _declarations_by_element, element_path
        from ._xml import facets

        result = []
        for child, decl in _declarations_by_element(payload, self.declaration).items():
            parent = child.getparent()
            if parent is None:
                continue
            siblings = sum(1 for c in parent if c.tag == child.tag)
            constraint: dict[str, Any] = {
                "xml": True,
                "required": int(decl.min_occurs) > 0 and siblings <= int(decl.min_occurs),
                "repeatable": decl.max_occurs is None or int(decl.max_occurs) > 1,
                "kind": "object",
            }
            kind = decl.type
            if kind.is_simple() or kind.has_simple_content():
                f = facets(kind if kind.is_simple() else kind.content)
                constraint.update(
                    {
                        "kind": {"integer": "integer", "boolean": "boolean"}.get(
                            f.primitive, "string"
                        ),
                        "enum": f.enumeration,
                        "patterns": tuple(
                            (pattern, "format" if f.format else "pattern") for pattern in f.patterns
                        ),
                        "anchored": True,
                        "format": f.format,
                        "min_length": f.min_length,
                        "max_length": f.max_length,
                        "minimum": f.min_value,
                        "maximum": f.max_value,
                        "value": child.text or "",
                    }
                )
                if f.primitive in ("dateTime", "date", "anyURI"):
                    constraint["kind"] = "format-only"
            result.append((element_path(child), constraint))
        return result

    def closed_objects(self, payload: Any) -> list[str]:
        from ..validation._xml import element_path

        return [
            element_path(element)
            for element in payload.iter()
            if isinstance(element.tag, str)
            and not (element.text or "").strip()
            and (len(element) or element is payload)
        ]

    def conditional_sites(self, payload: Any) -> list[Any]:
        from ._conditions import xml_conditional_sites

        return xml_conditional_sites(self, payload)

    def duplicate(self, payload: Any, path: str) -> bool:
        element = self._find(payload, path)
        parent = None if element is None else element.getparent()
        if element is None or parent is None:
            return False
        parent.append(copy.deepcopy(element))
        return True

    def grow(self, payload: Any, path: str, extra: int) -> bool:
        return False

    def shrink(self, payload: Any, path: str, keep: int) -> bool:
        return False

    def clone(self, payload: Any) -> Any:
        return copy.deepcopy(payload)

    def encode(self, payload: Any) -> bytes:
        return etree.tostring(payload, encoding="utf-8", xml_declaration=True)


def adapter_for(body: Body, *, response: bool) -> Adapter:
    return XmlAdapter(body) if body.is_xml else JsonAdapter(body, response=response)


def _json_constraint(generator: JsonSchemaGenerator, schema: Any) -> dict[str, Any]:
    flat = generator.flatten(schema)
    kind = flat.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    constraint: dict[str, Any] = {
        "kind": "const" if "const" in flat else ("list" if kind == "array" else kind),
        "enum": flat.get("enum"),
        "patterns": _json_patterns(generator, schema),
        "anchored": False,
        "format": flat.get("format"),
        "min_length": int(flat.get("minLength", 0)),
        "max_length": flat.get("maxLength"),
        "minimum": flat.get("minimum"),
        "maximum": flat.get("maximum"),
        "min_items": int(flat.get("minItems", 0)),
        "max_items": flat.get("maxItems"),
        "unique": bool(flat.get("uniqueItems")),
    }
    if kind == "object" or "properties" in flat:
        constraint["kind"] = "object"
    return constraint


def _json_patterns(generator: JsonSchemaGenerator, schema: Any) -> tuple[tuple[str, str], ...]:
    """Every pattern a string must match, with the rule a failure reports."""
    found: list[tuple[str, str]] = []
    stack: list[tuple[Any, str]] = [(schema, "pattern")]
    while stack:
        node, rule = stack.pop()
        node = generator.resolve(node)
        if not isinstance(node, Mapping):
            continue
        rule = node.get("x-rule", rule)
        if "pattern" in node:
            found.append((node["pattern"], rule))
        stack.extend((member, rule) for member in node.get("allOf", []))
    return tuple(found)
