"""XSD patterns for libxml2: the shapes it reads as xmlschema does, spelled so that it does.

libxml2's regular expressions (2.14) match some patterns wrongly, in both directions. A wrong
refusal only sends a document to the explaining path; a wrong acceptance would let the hot
path call an invalid document valid. Measured against xmlschema (elementpath's translation to
Python), libxml2 accepts what it should not when

* a counted repetition (``{n}``, ``{n,m}``, ``{n,}``) sits in a pattern with ``|`` or a
  group: ``[0-9]{5}-[0-9]{4}|[0-9]{5}`` accepts ``310202201``, ``(-{1,2}b+)?-?`` accepts
  ``--``, ``a([a-])+[a-b]{2}`` accepts ``aabaaa``;
* groups nest: ``((a)*|a-)b`` accepts ``a-ab``;
* a repeated group sits in a branch of ``|``: ``[a-]([b\\-]*a?)*|\\-*|[b\\-]`` accepts ``ba``;
* a class range ends in an escape: libxml2 reads ``[\\t-\\r]`` as a range, elementpath as the
  set {TAB, ``-``, ``\\``, ``r``}.

So a pattern is read into a small syntax tree and given to libxml2 only in one of the
:data:`SHAPES`; anything else gives None, and the caller checks that pattern in Python with
xmlschema's own compiled expression. The atoms are the same in every shape: ASCII literals,
the escapes of :data:`_SINGLE_ESCAPES` and ``\\s``, and positive classes of those, with ranges
between plain characters only. A negated class, ``.`` and ``\\S`` are left to Python too:
libxml2 mistakes some of them (it refuses ``c`` for ``[^b]?[^a]``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

__all__ = ["SHAPES", "Declined", "libxml2_pattern", "shape_of"]

#: The pattern shapes libxml2 is given (tests/test_xsd_regex.py pins them, with examples):
#: "flat": atoms in sequence, each with any quantifier, counted ones as written;
#: "shallow": branches (``|``) of atoms; or one branch of atoms and groups whose branches hold
#: atoms only (no group inside a group, no group beside ``|``); counted repetitions written
#: out as copies (``X{2,4}`` as ``XXX?X?``).
SHAPES = ("flat", "shallow")

# Escapes both engines read alike as one character.
_SINGLE_ESCAPES = frozenset("\\|.-^?*+{}()[]nrt")
# Characters with a meaning of their own outside a class (``^`` and ``$`` are plain in XSD,
# but Python-minded readers of a pattern disagree about them: left out).
_META = frozenset("\\|.^$?*+{}()[]")
_QUANTIFIER = re.compile(r"\{([0-9]{1,6})(,([0-9]{0,6}))?\}")
#: The most copies one counted repetition is written out as, and the most atoms a written
#: out pattern may hold: beyond them the pattern is checked in Python.
MAX_COPIES = 16
MAX_ATOMS = 256


class Declined(Exception):
    """The pattern is outside the shapes libxml2 is given (the message says where)."""


@dataclass(frozen=True)
class _Piece:
    atom: str | list[list[_Piece]]  # one character's spelling, or a group's branches
    low: int
    high: int | None  # None: unbounded

    @property
    def counted(self) -> bool:
        return (self.low, self.high) not in ((1, 1), (0, 1), (0, None), (1, None))


def libxml2_pattern(pattern: str) -> str | None:
    """The pattern spelled for libxml2 when it has one of the :data:`SHAPES`, else None."""
    try:
        return _translate(pattern)[1]
    except Declined:
        return None


def shape_of(pattern: str) -> str:
    """The shape a pattern has (one of :data:`SHAPES`), or why it is declined."""
    try:
        return _translate(pattern)[0]
    except Declined as exc:
        return f"declined: {exc}"


@functools.lru_cache(maxsize=1024)
def _translate(pattern: str) -> tuple[str, str]:
    branches = _Parser(pattern).parse()
    groups = [piece for branch in branches for piece in branch if isinstance(piece.atom, list)]
    if len(branches) == 1 and not groups:
        return "flat", _spell(branches, expand=False)
    if len(branches) > 1 and groups:
        raise Declined("a group in a branch of '|'")
    for group in groups:
        assert isinstance(group.atom, list)
        if any(isinstance(inner.atom, list) for branch in group.atom for inner in branch):
            raise Declined("a group inside a group")
    written = _spell(branches, expand=True)
    if _atoms(branches) > MAX_ATOMS:
        raise Declined("too long once counted repetitions are written out")
    return "shallow", written


def _atoms(branches: list[list[_Piece]]) -> int:
    total = 0
    for branch in branches:
        for piece in branch:
            size = _atoms(piece.atom) if isinstance(piece.atom, list) else 1
            total += size * _copies(piece)
    return total


def _copies(piece: _Piece) -> int:
    if not piece.counted:
        return 1
    return piece.high if piece.high is not None else piece.low


def _spell(branches: list[list[_Piece]], *, expand: bool) -> str:
    return "|".join("".join(_spell_piece(piece, expand) for piece in branch) for branch in branches)


def _spell_piece(piece: _Piece, expand: bool) -> str:
    atom = piece.atom if isinstance(piece.atom, str) else f"({_spell(piece.atom, expand=True)})"
    low, high = piece.low, piece.high
    if (low, high) == (1, 1):
        return atom
    if (low, high) == (0, 1):
        return atom + "?"
    if (low, high) == (0, None):
        return atom + "*"
    if (low, high) == (1, None):
        return atom + "+"
    if not expand:
        return atom + (f"{{{low}}}" if high == low else f"{{{low},{'' if high is None else high}}}")
    if _copies(piece) > MAX_COPIES:
        raise Declined(f"a counted repetition of more than {MAX_COPIES}")
    if high is None:  # low >= 2
        return atom * (low - 1) + atom + "+"
    return atom * low + (atom + "?") * (high - low)


class _Parser:
    """XSD regular expression syntax, restricted to what both engines read alike."""

    def __init__(self, pattern: str) -> None:
        self.text = pattern
        self.index = 0

    def parse(self) -> list[list[_Piece]]:
        branches = self._branches()
        if self.index != len(self.text):
            raise Declined(f"{self.text[self.index]!r} at {self.index}")
        return branches

    def _peek(self) -> str:
        return self.text[self.index : self.index + 1]

    def _branches(self) -> list[list[_Piece]]:
        branches = [self._branch()]
        while self._peek() == "|":
            self.index += 1
            branches.append(self._branch())
        return branches

    def _branch(self) -> list[_Piece]:
        pieces: list[_Piece] = []
        while self._peek() not in ("", "|", ")"):
            atom = self._atom()
            low, high = self._quantifier()
            pieces.append(_Piece(atom, low, high))
        return pieces

    def _atom(self) -> str | list[list[_Piece]]:
        char = self._peek()
        if char == "(":
            self.index += 1
            branches = self._branches()
            if self._peek() != ")":
                raise Declined("an unclosed group")
            self.index += 1
            return branches
        if char == "[":
            return self._class()
        if char == "\\":
            escape = self._escape(in_class=False)
            return "[" + _python_space() + "]" if escape == "\\s" else escape
        if char == ".":
            raise Declined("'.' (any character)")
        if char in _META:
            raise Declined(f"{char!r} at {self.index}")
        self._plain(char)
        self.index += 1
        return char

    def _quantifier(self) -> tuple[int, int | None]:
        char = self._peek()
        if char in ("?", "*", "+"):
            self.index += 1
            bounds = {"?": (0, 1), "*": (0, None), "+": (1, None)}[char]
        elif char == "{":
            match = _QUANTIFIER.match(self.text, self.index)
            if match is None:
                raise Declined(f"a quantifier at {self.index}")
            self.index = match.end()
            low = int(match.group(1))
            high = None if match.group(3) == "" else int(match.group(3) or low)
            if high is not None and high < low:
                raise Declined("a quantifier whose maximum is below its minimum")
            bounds = (low, high)
        else:
            return 1, 1
        if self._peek() in ("?", "*", "+", "{"):
            raise Declined(f"a quantifier after a quantifier at {self.index}")
        return bounds

    def _escape(self, *, in_class: bool) -> str:
        escape = self.text[self.index + 1 : self.index + 2]
        if escape in _SINGLE_ESCAPES or escape == "s":
            self.index += 2
            return "\\" + escape
        if escape == "S":
            raise Declined("\\S (a negated class)")
        raise Declined(f"the escape \\{escape}" + (" in a class" if in_class else ""))

    def _plain(self, char: str) -> None:
        if not " " <= char <= "~":
            raise Declined(f"the character {char!r}")

    def _class(self) -> str:
        start = self.index
        self.index += 1
        if self._peek() == "^":
            raise Declined("a negated class")
        if self._peek() in ("]", "-", ""):
            raise Declined(f"a class starting with {self._peek()!r}")
        while True:
            char = self._peek()
            if char == "":
                raise Declined("an unclosed class")
            if char == "]":
                self.index += 1
                return self.text[start : self.index]
            if char == "[":
                raise Declined("'[' in a class")
            if char == "\\":
                self._escape(in_class=True)
                if self._peek() == "-" and self.text[self.index + 1 : self.index + 2] != "]":
                    raise Declined("a class range from an escape")
                continue
            if char == "-":
                if self.text[self.index + 1 : self.index + 2] != "]":
                    raise Declined("'-' inside a class, not last")
                self.index += 1
                continue
            self._plain(char)
            if self.text[self.index + 1 : self.index + 2] == "-" and self.text[
                self.index + 2 : self.index + 3
            ] not in ("]", ""):
                end = self.text[self.index + 2]
                if end in "\\[-":
                    raise Declined("a class range to an escape, '[' or '-'")
                self._plain(end)
                if end < char:
                    raise Declined("a class range that runs backwards")
                self.index += 3
                continue
            self.index += 1


@functools.cache
def _python_space() -> str:
    """Python's whitespace (what its ``\\s`` matches: this Python's Unicode tables) among the
    characters XML allows, spelled for an XSD character class (runs as ranges: libxml2 tests
    a class item by item).

    xmlschema hands a bare ``\\s`` to Python, where it is Unicode whitespace (NEL, no-break
    space, the em space ...), not the four characters of XSD: libxml2 gets the class of
    exactly what Python matches."""
    spaces = re.findall(r"\s", "".join(map(chr, range(0x110000))))
    codes = [ord(c) for c in spaces if c in "\t\n\r" or ord(c) >= 0x20]
    runs: list[list[int]] = []
    for code in codes:
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    escapes = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}

    def spell(code: int) -> str:
        return escapes.get(chr(code), chr(code))

    return "".join(
        spell(low)
        if low == high
        else f"{spell(low)}-{spell(high)}"
        if high > low + 1
        else spell(low) + spell(high)
        for low, high in runs
    )
