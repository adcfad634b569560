"""One wire-neutral way to read and edit a parsed payload at the paths reports use.

An XML tree is addressed by element paths (``/Brand/City``, ``/Brand/Phone[2]``), JSON data by
JSON Pointers (``/sub_usecases/0``). The generators, the payload editor, the sandbox's bodies
and conform's captures all go through :class:`Document`, so neither wire is special-cased
where a field is read, set or removed.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any, Literal

from lxml import etree

from .._shared import delete_at, get_at, json_pointer, put_at, split_pointer
from ._paths import delete_element, element_children, element_path, find_element, put_element
from ._payload_limits import DEFAULT_LIMITS, Limits

__all__ = [
    "Document",
    "JsonDocument",
    "XmlDocument",
    "document_of",
    "parse_document",
    "wire_of",
]

DocumentWire = Literal["xml", "json"]
_ABSENT = object()
# What a document's first character after the whitespace both wires allow shows (a UTF-8
# byte order mark may come before an XML declaration).
_FIRST_TEXT = re.compile(r"\ufeff?[ \t\r\n]*([<{\[])")
_FIRST_BYTES = re.compile(rb"(?:\xef\xbb\xbf)?[ \t\r\n]*([<{\[])")
_SHOWN: dict[str | bytes, DocumentWire] = {
    "<": "xml",
    "{": "json",
    "[": "json",
    b"<": "xml",
    b"{": "json",
    b"[": "json",
}


class Document(ABC):
    """A parsed XML tree or JSON value, read and edited at report paths."""

    wire: DocumentWire
    #: the lxml root element (XML) or the parsed value (JSON); edits change it in place
    root: Any

    @abstractmethod
    def get(self, path: str, default: Any = None) -> Any:
        """The node at ``path``: an element (XML) or a value (JSON); ``default`` when absent."""

    def exists(self, path: str) -> bool:
        """Whether something is at ``path``."""
        return self.get(path, _ABSENT) is not _ABSENT

    @abstractmethod
    def text(self, path: str) -> str | None:
        """The scalar at ``path`` as text (an element's text, a JSON string or number);
        None when absent, empty or not a scalar."""

    @abstractmethod
    def put(self, path: str, value: Any) -> bool:
        """Set ``path`` (adding its last step when missing); False when its parent is absent
        or the path is the whole document."""

    def put_deep(self, path: str, value: Any) -> bool:
        """Set ``path``, adding every missing step on the way (empty elements or objects)."""
        steps = path.strip("/").split("/")
        for depth in range(1, len(steps)):
            prefix = "/" + "/".join(steps[:depth])
            if not self.exists(prefix) and not self.put(prefix, self._container()):
                return False
        return self.put(path, value)

    @abstractmethod
    def _container(self) -> Any:
        """What an intermediate step is made of."""

    @abstractmethod
    def delete(self, path: str) -> bool:
        """Remove what is at ``path``; False when nothing is (or it is the whole document)."""

    @abstractmethod
    def paths(self) -> Iterator[str]:
        """The path of every node below the root, in document order."""

    @abstractmethod
    def dump(self) -> bytes:
        """The document as UTF-8 bytes."""


class XmlDocument(Document):
    """An lxml tree; a value put is text, or an element that replaces the one at the path."""

    wire: DocumentWire = "xml"

    def __init__(self, root: etree._Element) -> None:
        self.root = root

    def get(self, path: str, default: Any = None) -> Any:
        if path in ("", "/"):
            return self.root
        found = find_element(self.root, path)
        return default if found is None else found

    def text(self, path: str) -> str | None:
        found = find_element(self.root, path)
        return found.text if found is not None and found.text else None

    def put(self, path: str, value: Any) -> bool:
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif value is None:
            value = ""
        elif not isinstance(value, etree._Element):
            value = str(value)
        return put_element(self.root, path, value)

    def delete(self, path: str) -> bool:
        return delete_element(self.root, path)

    def _container(self) -> Any:
        return ""

    def paths(self) -> Iterator[str]:
        for element in self.root.iter():
            if isinstance(element.tag, str) and element is not self.root:
                yield element_path(element)

    def children(self, path: str) -> list[etree._Element]:
        """The child elements at ``path`` (comments and processing instructions left out)."""
        found = find_element(self.root, path)
        return [] if found is None else list(element_children(found))

    def dump(self) -> bytes:
        return bytes(etree.tostring(self.root, encoding="utf-8", xml_declaration=True))


class JsonDocument(Document):
    """Parsed JSON data (dicts, lists, scalars)."""

    wire: DocumentWire = "json"

    def __init__(self, root: Any) -> None:
        self.root = root

    def get(self, path: str, default: Any = None) -> Any:
        return get_at(self.root, path, default)

    def text(self, path: str) -> str | None:
        value = get_at(self.root, path, None)
        if value is None or isinstance(value, dict | list) or value == "":
            return None
        return str(value)

    def put(self, path: str, value: Any) -> bool:
        return bool(split_pointer(path)) and put_at(self.root, path, value)

    def delete(self, path: str) -> bool:
        return bool(split_pointer(path)) and delete_at(self.root, path)

    def _container(self) -> Any:
        return {}

    def paths(self) -> Iterator[str]:
        stack: list[tuple[list[str | int], Any]] = [([], self.root)]
        while stack:
            tokens, node = stack.pop()
            if tokens:
                yield json_pointer(tokens)
            if isinstance(node, dict):
                children = [([*tokens, str(k)], v) for k, v in node.items()]
            elif isinstance(node, list):
                children = [([*tokens, i], v) for i, v in enumerate(node)]
            else:
                continue
            stack.extend(reversed(children))

    def dump(self) -> bytes:
        return json.dumps(self.root, ensure_ascii=False).encode("utf-8")


def document_of(root: Any) -> Document:
    """The accessor of a parsed payload: an lxml element is XML, anything else JSON data."""
    if isinstance(root, etree._Element):
        return XmlDocument(root)
    return JsonDocument(root)


def parse_document(
    wire: DocumentWire, data: bytes | str, limits: Limits = DEFAULT_LIMITS
) -> Document:
    """Parse a payload of a wire format safely (a :class:`ParseError` when it cannot be)."""
    from ._json import parse_json
    from ._xml import parse_xml

    if wire == "xml":
        return XmlDocument(parse_xml(data, limits))
    return JsonDocument(parse_json(data, limits))


def wire_of(payload: Any) -> tuple[DocumentWire, int | None] | None:
    """The wire format a payload shows, and the line where it starts: ``xml`` for text whose
    first character is ``<`` (or an lxml element), ``json`` for text that opens an object or
    an array (or parsed dicts and lists, which have no lines). None when it shows neither (a
    JSON scalar, a file, nothing). It looks at the start only: it does not say the payload is
    well formed."""
    if isinstance(payload, etree._Element | etree._ElementTree):
        return "xml", None
    if isinstance(payload, dict | list):
        return "json", None
    if isinstance(payload, str):
        found = _FIRST_TEXT.match(payload)
        if found is None:
            return None
        return _SHOWN[found.group(1)], payload.count("\n", 0, found.start(1)) + 1
    if isinstance(payload, bytes | bytearray | memoryview):
        data = payload if isinstance(payload, bytes) else bytes(payload)
        seen = _FIRST_BYTES.match(data)
        if seen is None:
            return None
        return _SHOWN[seen.group(1)], data.count(b"\n", 0, seen.start(1)) + 1
    return None
