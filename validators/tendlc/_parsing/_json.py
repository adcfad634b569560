"""Strict JSON parsing: UTF-8 only, no duplicate keys, no NaN, bounded numbers, depth and size."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from .._catalog import escape
from ._errors import ParseError
from ._limits import DEFAULT_LIMITS, Limits

_BOMS = {
    b"\xef\xbb\xbf": "a UTF-8 byte order mark",
    b"\xff\xfe": "a UTF-16 byte order mark",
    b"\xfe\xff": "a UTF-16 byte order mark",
}


def parse_json(payload: Any, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Parse ``payload`` (bytes, str, or already-parsed data) into JSON data.

    Raises :class:`ParseError` for anything RFC 8259 would not call one JSON text, and for
    values no provider can receive (lone surrogates, numbers too long to be meant).
    """
    if isinstance(payload, bytes | bytearray | memoryview):
        text = _decode(bytes(payload), limits)
    elif isinstance(payload, str):
        if len(payload) > limits.max_bytes:
            raise ParseError(
                f"the body is {len(payload):,} characters, more than the "
                f"{limits.max_bytes:,} allowed"
            )
        text = payload
    else:
        _check_value(payload, limits)
        return payload

    if not text.strip():
        raise ParseError("the body is empty")
    if text.startswith("\ufeff"):
        raise ParseError("the body starts with a byte order mark, which JSON does not allow")
    try:
        data = json.loads(
            text,
            object_pairs_hook=_no_duplicate_keys,
            parse_constant=_no_constant,
            parse_int=lambda digits: _parse_int(digits, limits),
            parse_float=lambda digits: _parse_float(digits, limits),
        )
    except json.JSONDecodeError as exc:
        raise ParseError(
            f"not valid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno
        ) from None
    except RecursionError:
        raise ParseError(f"the document nests deeper than {limits.max_depth} levels") from None
    _check_value(data, limits)
    return data


def _decode(data: bytes, limits: Limits) -> str:
    if len(data) > limits.max_bytes:
        raise ParseError(
            f"the body is {len(data):,} bytes, more than the {limits.max_bytes:,} allowed"
        )
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
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ParseError(f"the key {key[:60]!r} appears twice in one object")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ParseError(f"{name} is not a JSON number")


def _parse_int(digits: str, limits: Limits) -> int:
    if len(digits) > limits.max_number_digits:
        raise ParseError(
            f"a number has {len(digits):,} digits, more than {limits.max_number_digits}"
        )
    return int(digits)


def _parse_float(digits: str, limits: Limits) -> float:
    if len(digits) > limits.max_number_digits:
        raise ParseError(
            f"a number has {len(digits):,} digits, more than {limits.max_number_digits}"
        )
    value = float(digits)
    if math.isinf(value):
        raise ParseError(f"the number {digits[:40]} is too large to represent")
    return value


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
