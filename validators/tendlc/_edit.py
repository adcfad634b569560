"""Edit a payload at an issue path: the same paths reports use (``/Brand/City``, ``/a/0``)."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from lxml import etree

from ._parsing import JsonDocument, find_elements, parse_document


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
    document = parse_document("xml", payload)
    # Resolve every path before removing anything, so indexes refer to the original document.
    doomed = [element for path in deletes for element in find_elements(document.root, path)]
    for element in doomed:
        parent = element.getparent()
        if parent is None:
            raise ValueError("cannot delete the root element")
        parent.remove(element)
    for path, spec in sets.items():
        value = make_value(spec)
        if isinstance(value, Mapping) and "xml" in value:
            value = etree.fromstring(str(value["xml"]))
        if not document.put(path, value):
            raise ValueError(f"no parent element at {path.rpartition('/')[0] or '/'} for {path}")
    return document.dump()


def _xml_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def edit_json(payload: Any, sets: Mapping[str, Any], deletes: list[str]) -> Any:
    """Apply ``set`` and ``delete`` edits to JSON data (parsed or text); returns the data."""
    document = (
        parse_document("json", payload)
        if isinstance(payload, bytes | str)
        else JsonDocument(copy.deepcopy(payload))
    )
    # Later list items first, so earlier indexes still mean what the paths say.
    for path in sorted(deletes, key=_descending_index):
        document.delete(path)
    for path, spec in sets.items():
        if not document.put(path, make_value(spec)):
            raise ValueError(f"no place at {path} to set a value")
    return document.root


def _descending_index(path: str) -> tuple[str, int]:
    head, _, last = path.rpartition("/")
    return (head, -int(last)) if last.isdigit() else (path, 0)


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
