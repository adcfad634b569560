"""Element paths in XML trees: the one home of ``/Root/Child[2]/Leaf`` for every layer.

Paths are the ones reports use: names, with a 1-based index only among same-name siblings.
The explainer names fields with :func:`element_path`; the generators, editors and the sandbox
find, set and remove elements with :func:`find_element`, :func:`put_element` and
:func:`delete_element`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

__all__ = [
    "delete_element",
    "element_children",
    "element_path",
    "element_steps",
    "find_element",
    "find_elements",
    "local_name",
    "put_element",
    "source_line",
]

_STEP = re.compile(r"^([^\[\]]+)(?:\[(\d+)\])?$")


def local_name(node: etree._Element) -> str:
    """The element's name without a namespace."""
    tag = node.tag
    if not isinstance(tag, str):
        return ""
    return tag if tag[:1] != "{" else tag.rsplit("}", 1)[-1]


def element_children(element: etree._Element) -> Iterator[etree._Element]:
    """The child elements (comments, processing instructions and entities left out)."""
    return (child for child in element if isinstance(child.tag, str))


def source_line(node: Any) -> int | None:
    """The line an lxml node started on, when the input had lines."""
    line = getattr(node, "sourceline", None)
    return line if isinstance(line, int) else None


def element_path(element: etree._Element) -> str:
    """``/Root/Child[2]/Leaf``: names, with a 1-based index only among same-name siblings."""
    parts: list[str] = []
    node: etree._Element | None = element
    while node is not None:
        parent = node.getparent()
        name = local_name(node)
        if parent is not None:
            # Counted in libxml2, so that paths into a list of thousands stay cheap.
            tag = node.tag
            before = sum(1 for _ in node.itersiblings(tag, preceding=True))
            if before or next(node.itersiblings(tag), None) is not None:
                name += f"[{before + 1}]"
        parts.append(name)
        node = parent
    return "/" + "/".join(reversed(parts))


def element_steps(path: str) -> list[tuple[str, int | None]]:
    """``/Root/A/B[2]`` as ``[("Root", None), ("A", None), ("B", 2)]``; ValueError for a step
    that is not a name with an optional 1-based index."""
    steps = []
    for step in (part for part in path.split("/") if part):
        match = _STEP.match(step)
        if match is None:
            raise ValueError(f"{step!r} is not a step of an element path")
        steps.append((match.group(1), int(match.group(2)) if match.group(2) else None))
    return steps


def find_elements(root: etree._Element, path: str) -> list[etree._Element]:
    """The elements at an element path; a step without an index matches every same-name child."""
    steps = element_steps(path)
    if not steps or steps[0][0] != local_name(root) or steps[0][1] not in (None, 1):
        return []
    found = [root]
    for name, index in steps[1:]:
        matched: list[etree._Element] = []
        for node in found:
            same = [child for child in element_children(node) if local_name(child) == name]
            if index is None:
                matched.extend(same)
            elif index <= len(same):
                matched.append(same[index - 1])
        found = matched
    return found


def find_element(root: etree._Element, path: str) -> etree._Element | None:
    """The element at an element path (a step without an index is the first of its name)."""
    steps = element_steps(path)
    if not steps or steps[0][0] != local_name(root) or steps[0][1] not in (None, 1):
        return None
    node: etree._Element | None = root
    for name, index in steps[1:]:
        assert node is not None
        same = [child for child in element_children(node) if local_name(child) == name]
        position = index or 1
        node = same[position - 1] if position <= len(same) else None
        if node is None:
            return None
    return node


def delete_element(root: etree._Element, path: str) -> bool:
    """Remove the element at an element path; False when there is none (or it is the root)."""
    element = find_element(root, path)
    parent = element.getparent() if element is not None else None
    if element is None or parent is None:
        return False
    parent.remove(element)
    return True


def put_element(root: etree._Element, path: str, value: str | etree._Element) -> bool:
    """Set the element at an element path: text replaces its content, an element replaces
    it; a missing last step is added under its parent. False when there is no parent (the
    parent path leads nowhere, or an element would replace the root)."""
    existing = find_element(root, path)
    parent_path, _, name = path.rpartition("/")
    parent = existing.getparent() if existing is not None else find_element(root, parent_path)
    if isinstance(value, str):
        if existing is None:
            if parent is None:
                return False
            existing = etree.SubElement(parent, name.split("[")[0])
        for child in list(existing):
            existing.remove(child)
        existing.text = value
        return True
    if parent is None:
        return False
    if existing is not None:
        parent.replace(existing, value)
    else:
        parent.append(value)
    return True
