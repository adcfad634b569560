"""Safe XML parsing: no DTD, no entities, no network, bounded size and depth."""

from __future__ import annotations

import re
import xml.etree.ElementTree as StdlibElementTree
from typing import Any

from lxml import etree

from ._errors import ParseError
from ._limits import DEFAULT_LIMITS, Limits

_DOCTYPE = re.compile(rb"<!\s*DOCTYPE", re.IGNORECASE)
_STR_DECLARED_ENCODING = re.compile(r"^(\ufeff?\s*<\?xml[^>]*?)\s+encoding\s*=\s*([\"'])[^\"']*\2")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        collect_ids=False,
        remove_blank_text=False,
    )


def parse_xml(payload: Any, limits: Limits = DEFAULT_LIMITS) -> etree._Element:
    """Parse ``payload`` (bytes, str, an lxml or ElementTree element) into an lxml element.

    Raises :class:`ParseError` for anything that is not a single, well-formed, DTD-free XML
    document within the limits.
    """
    if isinstance(payload, etree._ElementTree):
        payload = payload.getroot()
    if isinstance(payload, etree._Element):
        return _checked(payload, limits)
    if isinstance(payload, StdlibElementTree.ElementTree):
        payload = payload.getroot()
    if isinstance(payload, StdlibElementTree.Element):
        payload = StdlibElementTree.tostring(payload, encoding="utf-8")
    if isinstance(payload, str):
        if len(payload) > limits.max_bytes:
            raise ParseError(_too_large(len(payload), limits, unit="characters"))
        # lxml refuses str input that declares an encoding: the text is already decoded.
        text = _STR_DECLARED_ENCODING.sub(r"\1", payload, count=1)
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ParseError(
                f"the text contains a lone surrogate at character {exc.start}; it is not XML"
            ) from None
    elif isinstance(payload, bytes | bytearray | memoryview):
        data = bytes(payload)
    else:
        raise ParseError(f"expected XML as bytes, str or an element, got {type(payload).__name__}")

    if len(data) > limits.max_bytes:
        raise ParseError(_too_large(len(data), limits))
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xfe\xff"):
        raise ParseError("the body is empty")
    if _DOCTYPE.search(data[:4096]) or _DOCTYPE.search(data.replace(b"\x00", b"")[:8192]):
        raise ParseError("a document type declaration (DTD) is not allowed")
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"not well-formed XML: {_clean(exc.msg)}", line=exc.lineno) from None
    except (ValueError, LookupError) as exc:  # unknown declared encoding and the like
        raise ParseError(f"cannot read the XML: {_clean(str(exc))}") from None
    if root is None:
        raise ParseError("the body holds no XML element")
    return _checked(root, limits)


def _checked(root: etree._Element, limits: Limits) -> etree._Element:
    docinfo: Any = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise ParseError("a document type declaration (DTD) is not allowed")
    for sibling in (*root.itersiblings(preceding=True), *root.itersiblings()):
        if isinstance(sibling, etree._ProcessingInstruction):
            raise ParseError(
                f"processing instruction <?{sibling.target!s}?> is not allowed",
                line=_line(sibling),
            )
    # Iterative walk: a recursive one could be driven into the recursion limit.
    stack: list[tuple[etree._Element, int]] = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > limits.max_depth:
            raise ParseError(
                f"the document nests deeper than {limits.max_depth} levels",
                line=_line(element),
            )
        for child in element:
            if isinstance(child, etree._ProcessingInstruction):
                raise ParseError(
                    f"processing instruction <?{child.target!s}?> is not allowed",
                    line=_line(child),
                )
            if isinstance(child, etree._Entity):
                raise ParseError(
                    f"entity reference &{child.name}; is not allowed", line=_line(child)
                )
            if isinstance(child.tag, str):
                stack.append((child, depth + 1))
    return root


def _line(node: Any) -> int | None:
    line = getattr(node, "sourceline", None)
    return line if isinstance(line, int) else None


def _too_large(size: int, limits: Limits, unit: str = "bytes") -> str:
    return f"the body is {size:,} {unit}, more than the {limits.max_bytes:,} allowed"


def _clean(message: str) -> str:
    return " ".join(message.split())[:200]
