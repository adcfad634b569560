"""Strings that reach their edges: exact minimum and maximum lengths, formats, patterns.

Strategies here are built once per distinct argument set and reused (building Hypothesis
strategies, regex ones above all, costs far more than drawing from them).
"""

from __future__ import annotations

import re
import string
from datetime import datetime, timezone
from functools import cache

from hypothesis import strategies as st

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


def lengths(min_len: int, max_len: int | None) -> st.SearchStrategy[int]:
    """Lengths biased to the edges: exactly the minimum, exactly the maximum, or between."""
    low, high = _bounds(min_len, max_len)
    if high == low:
        return st.just(low)
    return st.one_of(st.just(low), st.just(high), st.integers(low, min(high, low + SPREAD)))


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


@cache
def pattern_text(
    pattern: str, min_len: int = 0, max_len: int | None = None
) -> st.SearchStrategy[str]:
    """Strings matching ``pattern`` (a whole-value match) within the length bounds."""
    high = max_len if max_len is not None else 10_000
    strategy = st.from_regex(
        re.compile(pattern),
        fullmatch=True,
        alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]),
    )
    return strategy.filter(lambda value: min_len <= len(value) <= high)


def _fill(size: int, suffix: str, prefix: str = "") -> st.SearchStrategy[str]:
    middle = max(size - len(suffix) - len(prefix), 1)
    return st.text(alphabet=_LOWER, min_size=middle, max_size=middle).map(
        lambda name: prefix + name + suffix
    )


@cache
def email(min_len: int = 6, max_len: int | None = None) -> st.SearchStrategy[str]:
    """Addresses ``local@domain.tld``, at exactly the bounds or in between."""
    suffix = "@example.com"
    low, high = _bounds(max(min_len, len(suffix) + 1), max_len if max_len is not None else 40)
    between = st.text(alphabet=_LOWER, min_size=1, max_size=min(high, low + SPREAD) - len(suffix))
    return st.one_of(
        _fill(low, suffix), _fill(high, suffix), between.map(lambda name: name + suffix)
    )


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


_MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2099, 12, 31),
).map(lambda moment: moment.replace(microsecond=0))


def date_time() -> st.SearchStrategy[str]:
    """RFC 3339 / xs:dateTime timestamps in UTC."""
    return _MOMENTS.map(
        lambda moment: moment.replace(tzinfo=timezone.utc).isoformat().replace("+00:00", "Z")
    )


def date() -> st.SearchStrategy[str]:
    """ISO 8601 calendar dates."""
    return _MOMENTS.map(lambda moment: moment.date().isoformat())
