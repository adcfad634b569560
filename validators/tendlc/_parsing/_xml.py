"""Safe XML parsing: no DTD, no entities, no network, bounded size and depth.

Each thread reuses one parser. The checks of a parsed tree run in libxml2 (one filtered
iteration for processing instructions and entity references, one XPath for the depth); only
when they find something does the element walk run that says what and where.
"""

from __future__ import annotations

import re
import threading
import xml.etree.ElementTree as StdlibElementTree
from typing import Any

from lxml import etree

from ._errors import ParseError
from ._payload_limits import DEFAULT_LIMITS, Limits

_DOCTYPE = re.compile(rb"<!\s*DOCTYPE", re.IGNORECASE)
_STR_DECLARED_ENCODING = re.compile(r"^(\ufeff?\s*<\?xml[^>]*?)\s+encoding\s*=\s*([\"'])[^\"']*\2")


_LOCAL = threading.local()
_TREES = (etree._ElementTree, etree._Element)
_ATTRIBUTES = "boolean(descendant-or-self::*/@*)"
# Up to this size a document holding "!" or "?" is scanned for "<!" and "<?" (beyond, the
# regular expression costs more than the tree checks).
_SCANNED = 16 * 1024
_DECLARATIONS: dict[bytes, bool] = {}  # XML declarations seen, and whether they are ASCII-based
_MARKUP = re.compile(rb"<[!?]")  # a DTD, comment, CDATA section or processing instruction
_DECLARED_ENCODING = re.compile(rb"encoding\s*=\s*[\"']([A-Za-z0-9._:\-]+)[\"']")
# Encodings in which every byte below 0x80 is the ASCII character (and no other byte is).
_ASCII_BASED = frozenset(
    {"UTF-8", "UTF8", "US-ASCII", "ASCII", "ISO-8859-1", "LATIN1", "ISO-8859-15", "WINDOWS-1252"}
)
# Deeper limits than this are checked by the walk (libxml2 parses at most 256 levels anyway).
_PROBED_DEPTH = 200
# Up to this size a plain document keeps its whitespace-only text, so that its tree is the one
# parse_xml gives and can be explained without a second parse; beyond, dropping that text
# spares a validator thousands of text nodes.
_WHOLE = 16 * 1024


#: A plain document as :func:`parse_plain_xml` reads it: the root; the comments inside it; and
#: whether the tree is the one :func:`parse_xml` gives, whitespace-only text included (if not,
#: that text between elements is left out). A plain tuple: the hot path builds one per call.
PlainXml = tuple[etree._Element, list[Any], bool]


def within_depth(root: etree._Element, limits: Limits) -> etree._Element:
    """``root``, once the one check :func:`parse_plain_xml` leaves out passes: the depth
    limit. Raises :class:`ParseError` as :func:`parse_xml` does."""
    if _too_deep(root, limits.max_depth):
        return _walked(root, limits)
    return root


def _parser() -> etree.XMLParser:
    """This thread's parser (an lxml parser must not be shared between threads)."""
    return _local_parser("parser", remove_blank_text=False)


def _plain_parser() -> etree.XMLParser:
    """This thread's parser for plain documents: the same, but it drops the whitespace-only
    text between elements (libxml2 keeps it in an element without children, where it is a
    value), which spares a validator thousands of text nodes."""
    return _local_parser("plain", remove_blank_text=True)


def _local_parser(slot: str, *, remove_blank_text: bool) -> etree.XMLParser:
    parser: etree.XMLParser | None = getattr(_LOCAL, slot, None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            collect_ids=False,
            remove_blank_text=remove_blank_text,
        )
        setattr(_LOCAL, slot, parser)
    return parser


def _xpath(expression: str) -> etree.XPath:
    """This thread's compiled XPath for an expression."""
    compiled: dict[str, etree.XPath] | None = getattr(_LOCAL, "xpath", None)
    if compiled is None:
        compiled = _LOCAL.xpath = {}
    found = compiled.get(expression)
    if found is None:
        found = compiled[expression] = etree.XPath(expression)
    return found


def parse_xml(payload: Any, limits: Limits = DEFAULT_LIMITS) -> etree._Element:
    """Parse ``payload`` (bytes, str, an lxml or ElementTree element) into an lxml element.

    Raises :class:`ParseError` for anything that is not a single, well-formed, DTD-free XML
    document within the limits.
    """
    if isinstance(payload, etree._ElementTree):
        payload = payload.getroot()
    if isinstance(payload, etree._Element):
        return _checked(payload, limits)
    data = _data(payload, limits)
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"not well-formed XML: {_clean(exc.msg)}", line=exc.lineno) from None
    except (ValueError, LookupError) as exc:  # unknown declared encoding and the like
        raise ParseError(f"cannot read the XML: {_clean(str(exc))}") from None
    if root is None:
        raise ParseError("the body holds no XML element")
    return _checked(root, limits)


def parse_plain_xml(payload: Any, limits: Limits = DEFAULT_LIMITS) -> PlainXml | None:
    """A plain XML document parsed as :func:`parse_xml` parses it, with its comments; or None.

    A plain document holds elements, text and comments: no DTD, processing instruction,
    entity reference or attribute (so no ``xsi:`` attribute either). It passes every check of
    :func:`parse_xml` except the depth limit, which is not checked here (libxml2's own limit
    still applies): a caller that validates the tree against a schema of bounded depth learns
    the depth from the schema. The tree is the one :func:`parse_xml` gives; over 16 KiB it
    is without the whitespace-only text between elements (which element-only content ignores),
    and ``whole`` is False. The comments returned are those inside the root element (a comment
    inside a value splits the text one reader sees whole and another in pieces: the caller
    decides). None means "ask :func:`parse_xml`", which says what is wrong, if anything.
    The answer is a :data:`PlainXml`: ``(root, comments, whole)``.
    """
    if type(payload) is bytes:
        data = payload
    elif isinstance(payload, _TREES):
        try:
            root = parse_xml(payload, limits)  # refuses trees with entity references too
        except ParseError:
            return None
        return _plain(root, None, whole=True)
    else:
        try:
            data = _data(payload, limits)
        except ParseError:
            return None
    if len(data) > limits.max_bytes:
        return None
    whole = len(data) <= _WHOLE
    start = _ascii_start(data)
    # No "<!" and no "<?": no DTD, comment, CDATA section or processing instruction, hence no
    # entity. A document without "!" or "?" tells at memchr speed; a small one with them
    # is scanned for the pairs; a large one with them is parsed and its tree checked.
    if start >= 0 and (
        (b"!" not in data and data.find(b"?", start) < 0)
        or (len(data) <= _SCANNED and _MARKUP.search(data, start) is None)
    ):
        try:
            parser = getattr(_LOCAL, "parser" if whole else "plain", None)
            root = etree.fromstring(data, parser or (_parser() if whole else _plain_parser()))
        except (etree.XMLSyntaxError, ValueError, LookupError):
            return None
        # Without a "=" no attribute.
        if data.find(b"=", start) >= 0 and _xpath(_ATTRIBUTES)(root):
            return None
        return root, [], whole
    return _plain_with_markup(data, limits, whole)


def _plain_with_markup(data: bytes, limits: Limits, whole: bool) -> PlainXml | None:
    """:func:`parse_plain_xml` of a document a byte scan cannot clear (it may hold a comment,
    a CDATA section, a DTD or a processing instruction): parsed, then its tree checked."""
    try:
        data = _data(data, limits)
        root = etree.fromstring(data, parser=_parser() if whole else _plain_parser())
    except (ParseError, etree.XMLSyntaxError, ValueError, LookupError):
        return None
    if root is None:
        return None
    docinfo: Any = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        return None  # (and without a DTD there is no entity reference)
    if any(isinstance(node, etree._ProcessingInstruction) for node in _siblings(root)):
        return None
    ascii_based = (docinfo.encoding or "").upper() in _ASCII_BASED
    return _plain(root, data if ascii_based else None, whole=whole)


def _ascii_start(data: bytes) -> int:
    """Where the document proper starts (after its XML declaration) when its bytes below 0x80
    are ASCII characters (no NUL, no byte order mark, an ASCII-based declared encoding), so
    that a byte scan finds every ``<!``, ``<?`` and ``=``; else -1."""
    if not data.startswith(b"<?xml"):
        # libxml2 reads UTF-16 and UTF-32 from a NUL among the first bytes, EBCDIC from its
        # own "<": anything else without a declaration is UTF-8.
        return 0 if data.startswith(b"<") and data[1:2] != b"\x00" else -1
    end = data.find(b"?>")
    if end < 0:
        return -1
    declaration = data[:end]
    known = _DECLARATIONS.get(declaration)
    if known is None:
        known = _DECLARATIONS[declaration] = _ascii_declaration(declaration)
        if len(_DECLARATIONS) > 256:
            _DECLARATIONS.clear()
    return end + 2 if known else -1


def _ascii_declaration(declaration: bytes) -> bool:
    """An XML declaration (up to its ``?>``) that leaves the bytes ASCII-based."""
    if declaration[5:6] not in (b" ", b"\t", b"\r", b"\n") or b"<" in declaration[1:]:
        return False
    declared = _DECLARED_ENCODING.search(declaration)
    return declared is None or declared.group(1).decode().upper() in _ASCII_BASED


def _siblings(root: etree._Element) -> tuple[Any, ...]:
    return (*root.itersiblings(preceding=True), *root.itersiblings())


def _plain(root: etree._Element, data: bytes | None, *, whole: bool) -> PlainXml | None:
    """``root`` and its comments, when it holds no processing instruction and no attribute.

    ``data``: the document's bytes when they are in an encoding where the byte of ``=`` is
    always the character: without one past the XML declaration there is no attribute.
    """
    comments: list[Any] = []
    for node in root.iter(etree.Comment, etree.PI):
        if isinstance(node, etree._ProcessingInstruction):
            return None
        comments.append(node)
    if data is not None:
        declared = data.startswith(b"<?xml", 3 if data.startswith(b"\xef\xbb\xbf") else 0)
        if data.find(b"=", data.find(b"?>") + 2 if declared else 0) == -1:
            return root, comments, whole
    if _xpath(_ATTRIBUTES)(root):
        return None
    return root, comments, whole


def _data(payload: Any, limits: Limits) -> bytes:
    """The bytes of a document that :func:`parse_xml` may hand to libxml2."""
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
    if _declares_doctype(data):
        raise ParseError("a document type declaration (DTD) is not allowed")
    return data


def _declares_doctype(data: bytes) -> bool:
    """``<!DOCTYPE`` in the first 4 KiB, or in the first 8 KiB once NUL bytes are dropped
    (UTF-16 and UTF-32 spell it with NULs between the letters)."""
    head = data[:8192]
    if b"\x00" not in head:
        return _DOCTYPE.search(head) is not None
    return bool(_DOCTYPE.search(data[:4096]) or _DOCTYPE.search(data.replace(b"\x00", b"")[:8192]))


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
    if next(root.iter(etree.PI, etree.Entity), None) is None and not _too_deep(
        root, limits.max_depth
    ):
        return root
    return _walked(root, limits)


def _too_deep(root: etree._Element, max_depth: int) -> bool:
    """Whether an element sits deeper than ``max_depth`` (the root is at depth 1)."""
    if not 1 <= max_depth <= _PROBED_DEPTH:
        return True  # the walk decides
    return bool(_xpath("boolean(" + "/".join(["*"] * max_depth) + ")")(root))


def _walked(root: etree._Element, limits: Limits) -> etree._Element:
    """The element walk: the first processing instruction, entity or too-deep element found."""
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
