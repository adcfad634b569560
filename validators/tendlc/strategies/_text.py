"""Strings that reach their edges: exact minimum and maximum lengths, formats, patterns.

Strategies here are built once per distinct argument set and reused (building Hypothesis
strategies, regex ones above all, costs far more than drawing from them).
"""

from __future__ import annotations

import importlib
import re
import string
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import Any

from hypothesis import strategies as st

# The standard library's regular expression parser (``re._parser``; ``sre_parse`` before
# Python 3.11), with its opcode constants as attributes.
_parser: Any = getattr(re, "_parser", None) or importlib.import_module("sre_parse")
_AT, _BEGIN, _END = _parser.AT, _parser.AT_BEGINNING, _parser.AT_END
_IN, _LITERAL, _RANGE, _NEGATE = _parser.IN, _parser.LITERAL, _parser.RANGE, _parser.NEGATE
_CATEGORY, _REPEAT, _MAXREPEAT = _parser.CATEGORY, _parser.MAX_REPEAT, _parser.MAXREPEAT

# Letters and digits of any script (shrinking towards "0" and ASCII letters). One character
# class, not a union of strategies: Hypothesis then draws whole strings at once.
_READABLE = st.characters(codec="ascii", categories=["Lu", "Ll", "Nd"])
_LETTERS = st.characters(codec="utf-8", categories=["Lu", "Ll", "Nd"])
_LOWER = string.ascii_lowercase + string.digits

UNBOUNDED_SAMPLE = 24  # how long an unbounded string may get in generated payloads
LONG = 64  # above this length a string is built from a repeated chunk
SPREAD = 40  # how far above the minimum the in-between lengths go


def _bounds(min_len: int, max_len: int | None) -> tuple[int, int]:
    low = max(min_len, 0)
    high = max_len if max_len is not None else max(low, UNBOUNDED_SAMPLE)
    return low, max(high, low)


def _sized(alphabet: st.SearchStrategy[str], low: int, high: int) -> st.SearchStrategy[str]:
    if high <= LONG:
        return st.text(alphabet=alphabet, min_size=low, max_size=high)
    if low == high:
        # Long edges (4096, 65535 …) repeat a short drawn chunk: exact length, small buffer.
        return st.text(alphabet=alphabet, min_size=1, max_size=8).map(
            lambda chunk: (chunk * (low // len(chunk) + 1))[:low]
        )
    return st.text(alphabet=alphabet, min_size=low, max_size=min(high, max(low, LONG)))


@cache
def text(
    min_len: int = 0, max_len: int | None = None, *, ascii_only: bool = False
) -> st.SearchStrategy[str]:
    """Letters and digits (non-ASCII too, unless ``ascii_only``) at an edge-biased length."""
    alphabet = _READABLE if ascii_only else _LETTERS
    low, high = _bounds(min_len, max_len)
    if low == high:
        return _sized(alphabet, low, low)
    return st.one_of(
        _sized(alphabet, low, low),
        _sized(alphabet, high, high),
        _sized(alphabet, low, min(high, low + SPREAD)),
    )


# Characters a pattern's character class is tested against when it restricts the alphabet.
_POOL = "".join(chr(code) for code in range(0x20, 0x7F)) + "\t\néñüßøåçΩЖ中"
_CLASS_ONLY = re.compile(r"^\^?(\[(?:\\.|[^\]])+\])(?:[*+]|\{\d+(?:,\d*)?\})\$?$")


def alphabet_of(pattern: str) -> str | None:
    r"""The characters a pattern allows, when it is only a repeated character class
    (``^[^\s]*$``, ``[A-Za-z0-9]+``); None for any other pattern."""
    match = _CLASS_ONLY.match(pattern)
    if match is None:
        return None
    allowed = re.compile(match.group(1))
    return "".join(char for char in _POOL if allowed.fullmatch(char))


_VISIBLE = st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"])
_CATEGORIES: dict[Any, Any] = {
    _parser.CATEGORY_DIGIT: lambda char: char.isdigit() and char.isascii(),
    _parser.CATEGORY_NOT_DIGIT: lambda char: not (char.isdigit() and char.isascii()),
    _parser.CATEGORY_SPACE: str.isspace,
    _parser.CATEGORY_NOT_SPACE: lambda char: not char.isspace(),
    _parser.CATEGORY_WORD: lambda char: char.isalnum() or char == "_",
    _parser.CATEGORY_NOT_WORD: lambda char: not (char.isalnum() or char == "_"),
}


@cache
def pattern_text(
    pattern: str, min_len: int = 0, max_len: int | None = None, alphabet: str | None = None
) -> st.SearchStrategy[str]:
    """Strings matching ``pattern`` (a whole-value match) within the length bounds, drawn from
    ``alphabet`` when given.

    Patterns that are a sequence of character sets with repetition counts (``^[1-9][0-9]{1,14}$``,
    ``\\+[1-9][0-9]{1,14}``, ``[^@\\s]+@[^@\\s]+``) are built directly at a length inside the
    bounds; any other pattern goes through Hypothesis's ``from_regex``, filtered by length.
    """
    built = _sequence_text(pattern, min_len, max_len, alphabet)
    if built is not None:
        return built
    high = max_len if max_len is not None else 10_000
    strategy = st.from_regex(
        re.compile(pattern),
        fullmatch=True,
        alphabet=alphabet if alphabet is not None else _VISIBLE,
    )
    if min_len <= 0 and max_len is None:
        return strategy
    return strategy.filter(lambda value: min_len <= len(value) <= high)


# One part of a simple pattern: a set of characters and how many of them (None: unbounded).
_Segment = tuple[str, int, int | None]


def _members(items: list[Any], alphabet: str | None) -> str:
    """The characters of the pool (and of ``alphabet``) that a parsed character set allows."""
    negate = bool(items) and items[0][0] == _NEGATE

    def allowed(char: str) -> bool:
        code = ord(char)
        for op, argument in items:
            if op == _LITERAL and code == argument:
                return True
            if op == _RANGE and argument[0] <= code <= argument[1]:
                return True
            if op == _CATEGORY and _CATEGORIES.get(argument, lambda _: False)(char):
                return True
        return False

    pool = alphabet if alphabet is not None else _POOL
    return "".join(char for char in pool if allowed(char) != negate)


def _segments(parsed: Any, alphabet: str | None) -> list[_Segment] | None:
    segments: list[_Segment] = []
    for index, (op, argument) in enumerate(parsed):
        if op == _AT:
            if (index, argument) not in ((0, _BEGIN), (len(parsed) - 1, _END)):
                return None
            continue
        low: int = 1
        high: int | None = 1
        body: list[Any] = [(op, argument)]
        if op == _REPEAT:
            low, high_or_max, body = argument
            high = None if high_or_max == _MAXREPEAT else high_or_max
            body = list(body)
        if len(body) != 1:
            return None
        atom_op, atom = body[0]
        if atom_op == _LITERAL:
            chars = chr(atom) if alphabet is None or chr(atom) in alphabet else ""
        elif atom_op == _IN:
            chars = _members(list(atom), alphabet)
        else:
            return None
        if not chars:
            return None
        segments.append((chars, int(low), None if high is None else int(high)))
    return segments


def _sequence_text(
    pattern: str, min_len: int, max_len: int | None, alphabet: str | None
) -> st.SearchStrategy[str] | None:
    try:
        segments = _segments(_parser.parse(pattern), alphabet)
    except (re.error, TypeError, ValueError, AttributeError):
        return None
    if not segments:
        return None
    least = sum(low for _, low, _ in segments)
    budget = max_len if max_len is not None else max(min_len, least) + UNBOUNDED_SAMPLE
    segments = [(chars, low, budget if high is None else high) for chars, low, high in segments]
    floor, ceiling = max(min_len, least), min(budget, sum(high or 0 for _, _, high in segments))
    if floor > ceiling:
        return None

    @st.composite
    def build(draw: st.DrawFn) -> str:
        parts: list[str] = []
        total = 0
        for index, (chars, low, high) in enumerate(segments):
            assert high is not None
            rest = segments[index + 1 :]
            rest_low = sum(item[1] for item in rest)
            rest_high = sum(item[2] or 0 for item in rest)
            lowest = max(low, floor - total - rest_high)
            highest = min(high, ceiling - total - rest_low)
            count = lowest if lowest == highest else draw(st.integers(lowest, highest))
            parts.append(
                draw(st.text(alphabet=chars, min_size=count, max_size=count))
                if len(chars) > 1
                else chars * count
            )
            total += count
        return "".join(parts)

    return build()


def _fill(size: int, suffix: str, prefix: str = "") -> st.SearchStrategy[str]:
    middle = max(size - len(suffix) - len(prefix), 1)
    return st.text(alphabet=_LOWER, min_size=middle, max_size=middle).map(
        lambda name: prefix + name + suffix
    )


_LOCAL_MAX = 64  # RFC 5321: the local part of an address
_LABEL_MAX = 63  # RFC 1035: one label of a domain name
_DOMAIN = "example.com"


def _label_sizes(room: int) -> list[int]:
    """Lengths of domain labels that, each with its dot, fill exactly ``room`` characters."""
    sizes = []
    while room > 0:
        size = min(_LABEL_MAX, room - 1)
        if room - (size + 1) == 1:
            size -= 1  # leave room for one more label of at least one character
        sizes.append(size)
        room -= size + 1
    return sizes


def _sized_address(size: int) -> st.SearchStrategy[str]:
    fixed = len("@" + _DOMAIN)
    local = max(min(size - fixed, _LOCAL_MAX), 1)
    if size - fixed - local == 1:
        local -= 1  # one character is too little for a label and its dot
    parts = [local, *_label_sizes(size - fixed - local)]
    return st.tuples(*(st.text(alphabet=_LOWER, min_size=n, max_size=n) for n in parts)).map(
        lambda drawn: f"{drawn[0]}@{''.join(label + '.' for label in drawn[1:])}{_DOMAIN}"
    )


@cache
def email(min_len: int = 6, max_len: int | None = None) -> st.SearchStrategy[str]:
    """Addresses ``local@domain.tld``, at exactly the bounds or in between (the local part and
    every domain label kept within their RFC limits)."""
    low, high = _bounds(
        max(min_len, len("@" + _DOMAIN) + 1), max_len if max_len is not None else 40
    )
    between = st.integers(low, min(high, low + SPREAD)).flatmap(_sized_address)
    return st.one_of(_sized_address(low), _sized_address(high), between)


@cache
def uri(min_len: int = 12, max_len: int | None = None) -> st.SearchStrategy[str]:
    """``https://`` URLs, at exactly the bounds or in between."""
    base = "https://www.example.com/"
    low, high = _bounds(max(min_len, len(base) + 1), max_len if max_len is not None else 60)
    between = st.text(
        alphabet=_LOWER, min_size=1, max_size=max(min(high, low + SPREAD) - len(base), 1)
    )
    return st.one_of(
        _fill(low, "", base), _fill(high, "", base), between.map(lambda tail: base + tail)
    )


_EARLIEST = datetime(2000, 1, 1)
_LATEST = datetime(2099, 12, 31)
# Relative dates keep this distance from the present, so that a run across midnight (or a
# clock a little off) never turns a generated "future" date into a past one.
_MARGIN = timedelta(days=2)


@cache
def _moments(when: str | None) -> st.SearchStrategy[datetime]:
    today = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    low, high = _EARLIEST, _LATEST
    if when == "future":
        low = today + _MARGIN
    elif when == "past":
        high = today - _MARGIN
    return st.datetimes(min_value=low, max_value=high).map(
        lambda moment: moment.replace(microsecond=0)
    )


def date_time(when: str | None = None) -> st.SearchStrategy[str]:
    """RFC 3339 / xs:dateTime timestamps in UTC (``when``: ``future`` or ``past`` of now)."""
    return _moments(when).map(
        lambda moment: moment.replace(tzinfo=timezone.utc).isoformat().replace("+00:00", "Z")
    )


def date(when: str | None = None) -> st.SearchStrategy[str]:
    """ISO 8601 calendar dates (``when``: ``future`` or ``past`` of today)."""
    return _moments(when).map(lambda moment: moment.date().isoformat())
