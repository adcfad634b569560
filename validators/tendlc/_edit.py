"""Edit a payload at an issue path: the same paths reports use (``/Brand/City``, ``/a/0``)."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from lxml import etree

from .parsing import parse_json, parse_xml


def make_value(spec: Any) -> Any:
    """Expand a value spec: ``{len: N, char, prefix, suffix}`` builds a string of N characters."""
    if isinstance(spec, Mapping) and "len" in spec:
        prefix, suffix = str(spec.get("prefix", "")), str(spec.get("suffix", ""))
        fill = int(spec["len"]) - len(prefix) - len(suffix)
        if fill < 0:
            raise ValueError(f"prefix and suffix are longer than {spec['len']}")
        return prefix + str(spec.get("char", "a")) * fill + suffix
    if isinstance(spec, Mapping) and "json" in spec:
        return copy.deepcopy(spec["json"])
    return spec


def edit_xml(payload: bytes | str, sets: Mapping[str, Any], deletes: list[str]) -> bytes:
    """Apply ``set`` and ``delete`` edits to an XML document; returns UTF-8 bytes."""
    root = parse_xml(payload)
    # Resolve every path before removing anything, so indexes refer to the original document.
    doomed = [element for path in deletes for element in _xml_find(root, path)]
    for element in doomed:
        parent = element.getparent()
        if parent is None:
            raise ValueError("cannot delete the root element")
        parent.remove(element)
    for path, spec in sets.items():
        value = make_value(spec)
        found = _xml_find(root, path)
        if not found:
            parent_path, _, name = path.rpartition("/")
            parents = _xml_find(root, parent_path)
            if not parents:
                raise ValueError(f"no element at {parent_path} to add {name} to")
            found = [etree.SubElement(parents[0], name.split("[")[0])]
        for element in found[:1]:
            if isinstance(value, Mapping) and "xml" in value:
                fragment = etree.fromstring(str(value["xml"]))
                parent = element.getparent()
                if parent is None:
                    raise ValueError("cannot replace the root element")
                parent.replace(element, fragment)
            else:
                for child in list(element):
                    element.remove(child)
                element.text = _xml_text(value)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


def _xml_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _xml_find(root: etree._Element, path: str) -> list[etree._Element]:
    steps = [step for step in path.split("/") if step]
    if not steps:
        return []
    first, *rest = steps
    if first.split("[")[0] != root.tag:
        return []
    if not rest:
        return [root]
    found: Any = root.xpath("/".join([".", *rest]))
    return [node for node in found if isinstance(node, etree._Element)]


def edit_json(payload: Any, sets: Mapping[str, Any], deletes: list[str]) -> Any:
    """Apply ``set`` and ``delete`` edits to JSON data (parsed or text); returns the data."""
    data = (
        copy.deepcopy(parse_json(payload))
        if isinstance(payload, bytes | str)
        else (copy.deepcopy(payload))
    )
    # Later list items first, so earlier indexes still mean what the paths say.
    for path in sorted(deletes, key=_descending_index):
        parent, key = _json_parent(data, path)
        if isinstance(parent, list):
            del parent[int(key)]
        else:
            parent.pop(key, None)
    for path, spec in sets.items():
        parent, key = _json_parent(data, path)
        if isinstance(parent, list):
            index = int(key)
            if index == len(parent):
                parent.append(make_value(spec))
            else:
                parent[index] = make_value(spec)
        else:
            parent[key] = make_value(spec)
    return data


def _descending_index(path: str) -> tuple[str, int]:
    head, _, last = path.rpartition("/")
    return (head, -int(last)) if last.isdigit() else (path, 0)


def _json_parent(data: Any, path: str) -> tuple[Any, str]:
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in path.split("/")[1:]]
    if not tokens:
        raise ValueError("cannot edit the whole document")
    node = data
    for token in tokens[:-1]:
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node, tokens[-1]


def dump_json(data: Any) -> str:
    """Serialise JSON data compactly with non-ASCII characters kept as they are."""
    return json.dumps(data, ensure_ascii=False)


def edit_query(payload: str, sets: Mapping[str, Any], deletes: list[str]) -> str:
    """Apply edits to a query string; parameter paths are written ``?name``."""
    from urllib.parse import parse_qsl, urlencode

    pairs = [(k, v) for k, v in parse_qsl(payload.lstrip("?"), keep_blank_values=True)]
    drop = {path.lstrip("?") for path in deletes}
    pairs = [(k, v) for k, v in pairs if k not in drop]
    for path, spec in sets.items():
        name = path.lstrip("?")
        pairs = [(k, v) for k, v in pairs if k != name]
        pairs.append((name, _xml_text(make_value(spec))))
    return urlencode(pairs)
