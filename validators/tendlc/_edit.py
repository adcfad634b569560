"""Edit a payload at an issue path: the same paths reports use (``/Brand/City``, ``/a/0``)."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from lxml import etree

from ._catalog import delete_at, find_elements, put_at, put_element
from ._parsing import parse_json, parse_xml


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
    doomed = [element for path in deletes for element in find_elements(root, path)]
    for element in doomed:
        parent = element.getparent()
        if parent is None:
            raise ValueError("cannot delete the root element")
        parent.remove(element)
    for path, spec in sets.items():
        value = make_value(spec)
        if isinstance(value, Mapping) and "xml" in value:
            done = put_element(root, path, etree.fromstring(str(value["xml"])))
        else:
            done = put_element(root, path, _xml_text(value))
        if not done:
            raise ValueError(f"no parent element at {path.rpartition('/')[0] or '/'} for {path}")
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


def _xml_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def edit_json(payload: Any, sets: Mapping[str, Any], deletes: list[str]) -> Any:
    """Apply ``set`` and ``delete`` edits to JSON data (parsed or text); returns the data."""
    data = (
        copy.deepcopy(parse_json(payload))
        if isinstance(payload, bytes | str)
        else (copy.deepcopy(payload))
    )
    # Later list items first, so earlier indexes still mean what the paths say.
    for path in sorted(deletes, key=_descending_index):
        delete_at(data, path)
    for path, spec in sets.items():
        if not put_at(data, path, make_value(spec)):
            raise ValueError(f"no place at {path} to set a value")
    return data


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
