"""Safe readers for the two wire formats (every failure is a :class:`ParseError`, never a
crash), element paths in XML trees, and :class:`Document`, one way to read and edit a parsed
payload of either wire at the paths reports use."""

from ._document import (
    Document,
    JsonDocument,
    XmlDocument,
    document_of,
    parse_document,
    wire_of,
)
from ._errors import DuplicateKey, ParseError
from ._json import parse_json
from ._json_lines import JsonPosition, duplicate_key, json_positions
from ._paths import (
    delete_element,
    element_children,
    element_path,
    element_steps,
    find_element,
    find_elements,
    local_name,
    put_element,
    source_line,
)
from ._payload_limits import DEFAULT_LIMITS, Limits
from ._xml import parse_plain_xml, parse_xml, within_depth

__all__ = [
    "DEFAULT_LIMITS",
    "Document",
    "DuplicateKey",
    "JsonDocument",
    "JsonPosition",
    "Limits",
    "ParseError",
    "XmlDocument",
    "delete_element",
    "document_of",
    "duplicate_key",
    "element_children",
    "element_path",
    "element_steps",
    "find_element",
    "find_elements",
    "json_positions",
    "local_name",
    "parse_document",
    "parse_json",
    "parse_plain_xml",
    "parse_xml",
    "put_element",
    "source_line",
    "wire_of",
    "within_depth",
]
