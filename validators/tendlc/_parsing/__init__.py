"""Safe readers for the two wire formats: every failure is a :class:`ParseError`, never a crash."""

from ._errors import ParseError
from ._json import parse_json
from ._limits import DEFAULT_LIMITS, Limits
from ._xml import parse_plain_xml, parse_xml, within_depth

__all__ = [
    "DEFAULT_LIMITS",
    "Limits",
    "ParseError",
    "parse_json",
    "parse_plain_xml",
    "parse_xml",
    "within_depth",
]
