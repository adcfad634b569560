"""The safe parsers, fast, against the way they were: the same data, the same errors.

parse_json skips the walk over every value when byte scans show nothing it could refuse;
parse_xml checks the tree in libxml2 and walks it only to say what it found. Both are
compared here with the reference they replace, written out below as it was: every value
walked, every element walked.
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from _support.budgets import CALLS
from tendlc._parsing import Limits, ParseError, parse_json, parse_xml
from tendlc._parsing import _json as fast_json
from tendlc._parsing import _xml as fast_xml

BUDGET = settings(deadline=CALLS, max_examples=max(200, settings.default.max_examples * 3))


# --------------------------------------------------------------- the JSON reference


def strict_json(payload, limits):
    """parse_json as it was: json.loads with the hooks, then a walk over every value."""
    if isinstance(payload, bytes | bytearray | memoryview):
        data = bytes(payload)
        if len(data) > limits.max_bytes:
            raise ParseError(
                f"the body is {len(data):,} bytes, more than the {limits.max_bytes:,} allowed"
            )
        for bom, name in fast_json._BOMS.items():
            if data.startswith(bom):
                raise ParseError(f"the body starts with {name}; JSON must be UTF-8 without one")
        if b"\x00" in data[:4]:
            raise ParseError("the body looks like UTF-16 or UTF-32; JSON must be UTF-8")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise ParseError(
                f"the body is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                line=line,
            ) from None
    elif isinstance(payload, str):
        if len(payload) > limits.max_bytes:
            raise ParseError(
                f"the body is {len(payload):,} characters, more than the "
                f"{limits.max_bytes:,} allowed"
            )
        text = payload
    else:
        fast_json._check_value(payload, limits)
        return payload
    if not text.strip():
        raise ParseError("the body is empty")
    if text.startswith("\ufeff"):
        raise ParseError("the body starts with a byte order mark, which JSON does not allow")

    def pairs(items):
        result = {}
        for key, value in items:
            if key in result:
                raise ParseError(f"the key {key[:60]!r} appears twice in one object")
            result[key] = value
        return result

    def number(digits, kind):
        if len(digits) > limits.max_number_digits:
            raise ParseError(
                f"a number has {len(digits):,} digits, more than {limits.max_number_digits}"
            )
        value = kind(digits)
        if kind is float and math.isinf(value):
            raise ParseError(f"the number {digits[:40]} is too large to represent")
        return value

    def constant(name):
        raise ParseError(f"{name} is not a JSON number")

    try:
        data = json.loads(
            text,
            object_pairs_hook=pairs,
            parse_constant=constant,
            parse_int=lambda digits: number(digits, int),
            parse_float=lambda digits: number(digits, float),
        )
    except json.JSONDecodeError as exc:
        raise ParseError(
            f"not valid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno
        ) from None
    except RecursionError:
        raise ParseError(f"the document nests deeper than {limits.max_depth} levels") from None
    fast_json._check_value(data, limits)
    return data


def _outcome(parse, payload, limits, **options):
    try:
        return ("ok", json.dumps(parse(payload, limits, **options), sort_keys=True))
    except ParseError as exc:
        return ("error", exc.message, exc.line, exc.path)


_ATOMS = st.sampled_from(
    [
        *'{}[]",: \n\t0123456789-+.eE',
        *("true", "false", "null", "NaN", "Infinity", "-Infinity", '"a"', '"a"', '"b"'),
        *("\\ud800", "\\udc00", "\\ud83d\\ude00", "\\u0041", "\\\\u", "1e400", "-1e400"),
        *("1e-400", "9" * 12, "\ud800", "\x00", "\ufeff", "\xff", "\x85", "\\"),
    ]
)
_TEXTS = st.lists(_ATOMS, max_size=40).map("".join)
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=12,
)


@st.composite
def _documents(draw):
    """Well-formed JSON texts, then edits that may break one rule of the parser."""
    text = json.dumps(draw(_VALUES), ensure_ascii=draw(st.booleans()))
    edit = draw(st.sampled_from(["none", "duplicate", "surrogate", "number", "deep", "space"]))
    if edit == "duplicate" and "{" in text:
        text = text.replace("{", '{"k": 1, "k": 2, ', 1).replace(", }", "}")
    elif edit == "surrogate" and '"' in text:
        text = text.replace('"', '"\\udfff', 1)
    elif edit == "number":
        number = draw(st.sampled_from(["1" * 14, "-" + "1" * 11, "1.5e309", "0." + "1" * 12]))
        text = f"[{number}, {text}]"
    elif edit == "deep":
        depth = draw(st.integers(1, 12))
        text = "[" * depth + text + "]" * depth
    elif edit == "space":
        text = draw(st.sampled_from([" ", "\n", "\t\r"])) + text + " "
    return text


_LIMITS = st.builds(
    Limits,
    max_bytes=st.sampled_from([10, 200, 10_000]),
    max_depth=st.integers(1, 8),
    max_number_digits=st.integers(1, 12),
)


@BUDGET
@given(st.one_of(_TEXTS, _documents()), _LIMITS, st.sampled_from(["str", "bytes"]))
def test_parse_json_is_the_strict_parser(text, limits, form):
    if form == "bytes":
        try:
            payload = text.encode("utf-8", "surrogatepass")
        except UnicodeEncodeError:
            return
    else:
        payload = text
    expected = _outcome(strict_json, payload, limits)
    assert _outcome(parse_json, payload, limits) == expected
    # Without the depth check, only a depth error may turn into data.
    unchecked = _outcome(parse_json, payload, limits, check_depth=False)
    if unchecked != expected:
        assert expected[0] == "error" and "nests deeper" in expected[1], (expected, unchecked)
        assert unchecked[0] == "ok"


def test_brackets_inside_strings_do_not_count_as_depth():
    limits = Limits(max_depth=4)
    text = '{"a": "[[[[[[{{{{{{", "b": ["]]]]", {"c": 1}]}'  # 1 is at depth 4
    assert parse_json(text, limits) == strict_json(text, limits)
    with pytest.raises(ParseError, match="nests deeper"):
        parse_json('{"a": [[{"b": 1}]]}', limits)


# ---------------------------------------------------------------- the XML reference


def _xml_outcome(payload, limits):
    try:
        return ("ok", etree.tostring(parse_xml(payload, limits)))
    except ParseError as exc:
        return ("error", exc.message, exc.line)


_XML_PARTS = st.sampled_from(
    ["<a>", "</a>", "<b/>", "<c>x</c>", "<?pi data?>", "<!-- c -->", "&#65;", "text", "<d>"]
)


@st.composite
def _xml_documents(draw):
    depth = draw(st.integers(0, 12))
    inner = "".join(draw(st.lists(_XML_PARTS, max_size=6)))
    body = "<e>" * depth + inner + "</e>" * depth
    return f"<r>{body}</r>".encode()


@BUDGET
@given(_xml_documents(), st.integers(1, 14))
def test_parse_xml_finds_what_the_walk_finds(payload, max_depth):
    limits = Limits(max_depth=max_depth)
    fast = _xml_outcome(payload, limits)
    original = fast_xml._too_deep
    try:
        fast_xml._too_deep = lambda root, depth: True  # always walk
        walked = _xml_outcome(payload, limits)
    finally:
        fast_xml._too_deep = original
    assert fast == walked


def test_each_thread_reuses_one_xml_parser():
    import threading

    parsers = []

    def worker():
        parse_xml(b"<a/>")
        first = fast_xml._parser()
        parse_xml(b"<b/>")
        parsers.append((first, fast_xml._parser()))

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(first is again for first, again in parsers)
    assert len({id(first) for first, _ in parsers}) == 3
