"""Strict JSON parsing: UTF-8 only, no duplicate keys, no NaN, bounded numbers, depth and size.

Two passes, one answer. The usual document goes through :func:`json.loads` with the hooks that
refuse duplicate keys, constants and overlong numbers, after byte-level scans (C speed) that
show it cannot hold anything else to refuse: no ``\\u`` escape (the only way to spell a lone
surrogate in valid UTF-8), and brackets that cannot nest too deep. Only when a scan finds
something does the value walk of the strict parser run; it raises the same errors it always
did.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

from .._shared import escape
from ._errors import DuplicateKey, ParseError
from ._payload_limits import DEFAULT_LIMITS, Limits

_BOMS = {
    b"\xef\xbb\xbf": "a UTF-8 byte order mark",
    b"\xff\xfe": "a UTF-16 byte order mark",
    b"\xfe\xff": "a UTF-16 byte order mark",
}
_BOM_STARTS = frozenset(bom[:1] for bom in _BOMS)
# A JSON string, unrolled so that the regex engine does not backtrack per character.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_INNERMOST = re.compile(r"\[\]|\{\}")
_LOCAL = threading.local()
# The whitespace JSONDecoder.decode skips around the value.
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_JSON_SPACE = " \t\n\r"


def parse_json(payload: Any, limits: Limits = DEFAULT_LIMITS, *, check_depth: bool = True) -> Any:
    """Parse ``payload`` (bytes, str, or already-parsed data) into JSON data.

    Raises :class:`ParseError` for anything RFC 8259 would not call one JSON text, and for
    values no provider can receive (lone surrogates, numbers too long to be meant).
    ``check_depth=False`` leaves the depth limit to a caller that validates the data against a
    schema no deeper than the limit (Python's recursion limit still applies while parsing).
    """
    if type(payload) is bytes or isinstance(payload, bytearray | memoryview):
        text = _decode(bytes(payload), limits)
        # Valid UTF-8 cannot encode a surrogate: only a \u escape can make one.
        clean = "\\" not in text or "\\u" not in text
    elif isinstance(payload, str):
        if len(payload) > limits.max_bytes:
            raise ParseError(
                f"the body is {len(payload):,} characters, more than the "
                f"{limits.max_bytes:,} allowed"
            )
        text = payload
        clean = ("\\" not in text or "\\u" not in text) and _encodable(text)
    else:
        _check_value(payload, limits)
        return payload

    if not text or text.isspace():
        raise ParseError("the body is empty")
    if text[0] == "\ufeff":
        raise ParseError("the body starts with a byte order mark, which JSON does not allow")
    scanners: dict[int, Any] | None = getattr(_LOCAL, "scanners", None)
    scan = scanners.get(limits.max_number_digits) if scanners else None
    if scan is None:
        scan = _scanner(limits.max_number_digits)
    try:
        data = _loads(scan, text)
    except json.JSONDecodeError as exc:
        raise ParseError(
            f"not valid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno
        ) from None
    except RecursionError:
        raise ParseError(f"the document nests deeper than {limits.max_depth} levels") from None
    if not clean or (
        check_depth
        and text.count("[") + text.count("{") >= limits.max_depth
        and not _shallow(text, limits.max_depth)
    ):
        _check_value(data, limits)
    return data


def _loads(scan: Any, text: str) -> Any:
    """``decoder.decode(text)`` (the same result, the same errors) from the decoder's
    ``scan_once``, without the decoder's extra calls."""
    start = _skip_space(text, 0) if text[0] in _JSON_SPACE else 0
    try:
        data, end = scan(text, start)
    except StopIteration as exc:
        raise json.JSONDecodeError("Expecting value", text, exc.value) from None
    if end != len(text) and text[end:].strip(_JSON_SPACE):
        raise json.JSONDecodeError("Extra data", text, _skip_space(text, end))
    return data


def _skip_space(text: str, index: int) -> int:
    match = _WHITESPACE.match(text, index)
    return match.end() if match else index


def _encodable(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shallow(text: str, max_depth: int) -> bool:
    """True when no value of this (well-formed) JSON text can sit deeper than ``max_depth``.

    Values inside a container at nesting level L are at depth L + 1: the containers must nest
    fewer than ``max_depth`` levels (with fewer brackets than that they do). Brackets inside
    strings do not count.
    """
    brackets = _NOT_BRACKETS.sub("", _STRING.sub("", text))
    # Each round removes the innermost pairs: the rounds needed are the nesting depth.
    for _ in range(max_depth - 1):
        if not brackets:
            return True
        brackets = _INNERMOST.sub("", brackets)
    return not brackets


def _scanner(max_digits: int) -> Any:
    """This thread's scanner for a digit limit: ``json.loads`` with the strict hooks, built
    once (a decoder's scanner keeps state while it runs: one per thread)."""
    scanners: dict[int, Any] | None = getattr(_LOCAL, "scanners", None)
    if scanners is None:
        scanners = _LOCAL.scanners = {}
    scan = scanners.get(max_digits)
    if scan is None:
        parse_int, parse_float = _number_hooks(max_digits)
        decoder = json.JSONDecoder(
            object_pairs_hook=_no_duplicate_keys,
            parse_constant=_no_constant,
            parse_int=parse_int,
            parse_float=parse_float,
        )
        scan = scanners[max_digits] = decoder.scan_once  # type: ignore[attr-defined]
    return scan


def _number_hooks(max_digits: int) -> tuple[Callable[[str], int], Callable[[str], float]]:
    def parse_int(digits: str) -> int:
        if len(digits) > max_digits:
            raise ParseError(f"a number has {len(digits):,} digits, more than {max_digits}")
        return int(digits)

    def parse_float(digits: str) -> float:
        if len(digits) > max_digits:
            raise ParseError(f"a number has {len(digits):,} digits, more than {max_digits}")
        value = float(digits)
        if math.isinf(value):
            raise ParseError(f"the number {digits[:40]} is too large to represent")
        return value

    return parse_int, parse_float


def _decode(data: bytes, limits: Limits) -> str:
    if len(data) > limits.max_bytes:
        raise ParseError(
            f"the body is {len(data):,} bytes, more than the {limits.max_bytes:,} allowed"
        )
    if data[:1] in _BOM_STARTS:
        for bom, name in _BOMS.items():
            if data.startswith(bom):
                raise ParseError(f"the body starts with {name}; JSON must be UTF-8 without one")
    if b"\x00" in data[:4]:
        raise ParseError("the body looks like UTF-16 or UTF-32; JSON must be UTF-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ParseError(
            f"the body is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            line=line,
        ) from None


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return result


def _no_constant(name: str) -> Any:
    raise ParseError(f"{name} is not a JSON number")


def _check_value(data: Any, limits: Limits) -> None:
    """Walk parsed data iteratively: depth, lone surrogates, non-JSON values."""
    stack: list[tuple[Any, str, int]] = [(data, "", 1)]
    while stack:
        value, path, depth = stack.pop()
        if depth > limits.max_depth:
            raise ParseError(f"the document nests deeper than {limits.max_depth} levels", path=path)
        if isinstance(value, str):
            _check_text(value, path)
        elif isinstance(value, bool) or value is None:
            continue
        elif isinstance(value, int):
            if value.bit_length() > limits.max_number_digits * 4:
                raise ParseError("a number is too long to be meant", path=path)
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise ParseError(f"{value} is not a JSON number", path=path)
        elif isinstance(value, Mapping):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise ParseError(
                        f"object keys must be strings, got {type(key).__name__}", path=path
                    )
                _check_text(key, path)
                stack.append((item, f"{path}/{escape(key)}", depth + 1))
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                stack.append((item, f"{path}/{index}", depth + 1))
        else:
            raise ParseError(f"{type(value).__name__} is not JSON data", path=path)


def _check_text(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ParseError(
            f"a string contains a lone surrogate (U+{ord(text[exc.start]):04X})", path=path
        ) from None
