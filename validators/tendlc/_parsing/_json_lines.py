"""Where the values of a JSON text start: the lines of the JSON Pointers issues name.

The parser keeps no positions: it runs at C speed on every payload, and most payloads have
nothing to explain. When a report has issues, this second pass reads the text again along the
pointers asked for only: the members of the objects and arrays on their way are read one by
one, and every other value is skipped whole by the C scanner of :mod:`json`. The walk keeps
its own stack (no recursion), reads keys with their escapes decoded (``"a\\/b"`` is the key
``a/b``, pointer token ``a~1b``), and stops quietly where the text stops being JSON: what it
found until then is the answer.
"""

from __future__ import annotations

import json
import json.decoder
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass

from .._shared import escape, split_pointer

__all__ = ["JsonPosition", "duplicate_key", "json_positions"]

_SPACE = re.compile(r"[ \t\n\r]*")
_SEPARATOR = re.compile(r"[ \t\n\r]*,[ \t\n\r]*")
# Members whose keys have no escape and whose values are strings, numbers or literals, each
# with the comma after it.
_SIMPLE_RUN = re.compile(
    r'(?:"[^"\\]*"[ \t\n\r]*:[ \t\n\r]*'
    r'(?:"[^"\\]*(?:\\.[^"\\]*)*"|-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|true|false|null)'
    r"[ \t\n\r]*,[ \t\n\r]*)*"
)
_COLON = re.compile(r"[ \t\n\r]*:")
_JSON_SPACE = " \t\n\r"
# The plain decoder's scanner (no hooks): it only measures the values it skips.
_SKIP = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
# The decoder's string reader (C): a key and the offset past its closing quote.
_SCAN_STRING: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_CLOSE = {"{": "}", "[": "]"}
#: a JSON text: UTF-8 bytes, or text
Text = str | bytes | bytearray | memoryview


@dataclass(frozen=True)
class JsonPosition:
    """Where one JSON Pointer leads in a text.

    ``line`` is the 1-based line where the value starts; for a pointer past the document (a
    missing member, an index beyond an array) the line of the deepest value on its way, with
    ``found`` False. ``key_line`` is the line of the member's key (None for an array item, the
    document itself, or a pointer past the document).
    """

    line: int
    key_line: int | None
    found: bool


class _Node:
    """A step of the pointers asked for: the values under it that are asked for too."""

    __slots__ = ("children", "key_at", "last", "value_at")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.value_at = -1  # offsets in the text, -1 until the walk reaches them
        self.key_at = -1
        self.last = False  # the last step of a pointer asked for


class _Frame:
    __slots__ = ("close", "index", "node", "run_end", "targets")

    def __init__(self, node: _Node, opening: str) -> None:
        self.node = node
        self.close = _CLOSE[opening]
        self.index = 0
        #: where the last run of scalar members read in this object ends
        self.run_end = -1
        #: an array's items asked for, in order (the others are skipped in a tight loop)
        self.targets = (
            sorted(int(t) for t in node.children if t.isascii() and t.isdigit())
            if opening == "["
            else []
        )

    def next_target(self) -> int | None:
        """The next item asked for from here on (None: none is)."""
        at = bisect_left(self.targets, self.index)
        return self.targets[at] if at < len(self.targets) else None


class _Stop(Exception):
    """The text stops being JSON here."""


def json_positions(payload: Text, pointers: Iterable[str]) -> dict[str, JsonPosition]:
    """The :class:`JsonPosition` of each JSON Pointer in a JSON text (bytes are UTF-8).

    A pointer that is not one (not empty and not starting with ``/``), and any pointer of a
    text that is not JSON where the walk begins, is left out of the answer.
    """
    text = _text(payload)
    root = _Node()
    wanted: dict[str, list[_Node]] = {}
    for pointer in pointers:
        try:
            tokens = split_pointer(pointer) if not pointer.startswith("#") else None
        except ValueError:
            tokens = None
        if tokens is None or text is None:
            continue
        node, steps = root, [root]
        for token in tokens:
            following = node.children.get(token)
            if following is None:
                following = node.children[token] = _Node()
            node = following
            steps.append(node)
        wanted[pointer] = steps
        node.last = True
    if not wanted or text is None:
        return {}
    ends = {id(steps[-1]) for steps in wanted.values()}
    # where the text stops being JSON (or nests too deep to skip), what was reached stands
    with suppress(_Stop, ValueError, IndexError, RecursionError):
        _walk(text, root, len(ends))
    lines = _Lines(text)
    found: dict[str, JsonPosition] = {}
    for pointer, steps in wanted.items():
        reached = [step for step in steps if step.value_at >= 0]
        if not reached:
            continue
        last = reached[-1]
        exact = last is steps[-1]
        key_line = lines.at(last.key_at) if exact and last.key_at >= 0 else None
        found[pointer] = JsonPosition(lines.at(last.value_at), key_line, exact)
    return found


def duplicate_key(payload: Text) -> tuple[str, int] | None:
    """The member whose key a JSON text repeats within one object: its JSON Pointer and the
    line of the repeated key; None when no object repeats a key (as far as the text is JSON).

    Objects are judged as they close, as :func:`~tendlc.parsing.parse_json` judges them: the
    answer is the repeated key it reports. The values on the way are tried whole by the C
    scanner, and only the one holding the repetition is read member by member.
    """
    text = _text(payload)
    if text is None:
        return None
    try:
        found = _repeated(text)
    except (_Stop, _Repeated, ValueError, IndexError, RecursionError):
        return None
    if found is None:
        return None
    pointer, offset = found
    return pointer, _Lines(text).at(offset)


def _text(payload: Text) -> str | None:
    if isinstance(payload, str):
        return payload
    try:
        return bytes(payload).decode("utf-8")
    except (UnicodeDecodeError, TypeError):
        return None


def _walk(text: str, root: _Node, ends: int) -> None:
    """Record where the values of ``root``'s steps start (and their members' keys), until the
    ``ends`` last steps of the pointers are all found (a pointer past the document keeps the
    walk going to the end)."""
    stack: list[_Frame] = []
    position = _space(text, 0)
    node: _Node | None = root
    key_at = -1
    while True:
        # A value starts at `position`; `node` is its step (None: not asked for).
        if node is not None:
            if node.last and node.value_at < 0:
                ends -= 1
            node.value_at, node.key_at = position, key_at
            if not ends:
                return  # every pointer's last step is found, and none lies below it
        opening = text[position : position + 1]
        if node is not None and node.children and opening in _CLOSE:
            frame = _Frame(node, opening)
            position = _space(text, position + 1)
            if text[position : position + 1] != frame.close:
                stack.append(frame)
                node, key_at, position = _member(text, position, frame)
                continue
            position += 1
        else:
            position = _skip(text, position)
        # A value has ended at `position`: the next member of its container, or its end.
        while stack:
            frame = stack[-1]
            position = _space(text, position)
            mark = text[position : position + 1]
            if mark == ",":
                position = _space(text, position + 1)
                if frame.close == "]":
                    position = _skip_items(text, position, frame)
                    if text[position : position + 1] == "]":
                        continue  # the array ends before any other item asked for
                node, key_at, position = _member(text, position, frame)
                break
            if mark != frame.close:
                raise _Stop
            position += 1
            stack.pop()
        else:
            return


def _skip_items(text: str, position: int, frame: _Frame) -> int:
    """Past the items of an array up to the next one asked for (``frame.index`` moves on):
    where it starts, or the array's closing bracket."""
    target = frame.next_target()
    index = frame.index
    while target is None or index < target:
        try:
            end = _SKIP(text, position)[1]
        except StopIteration:
            raise _Stop from None
        index += 1
        separator = _SEPARATOR.match(text, end)
        if separator is None:
            position = _space(text, end)
            if text[position : position + 1] != "]":
                raise _Stop
            break
        position = separator.end()
    frame.index = index
    return position


def _member(text: str, position: int, frame: _Frame) -> tuple[_Node | None, int, int]:
    """The member (or item) of ``frame`` starting at ``position``: its step, where its key
    starts (-1 for an item), and where its value starts."""
    if frame.close == "]":
        token = str(frame.index)
        frame.index += 1
        return frame.node.children.get(token), -1, position
    children = frame.node.children
    # A run of members whose values are plain scalars (the commonest shape of a payload) is
    # passed in one match; a member asked for inside it is found by its key. After that
    # member, the rest of the run is known to be scalar members: it is not matched again.
    if position < frame.run_end:
        end = frame.run_end
    else:
        end = frame.run_end = _SIMPLE_RUN.match(text, position).end()  # type: ignore[union-attr]
    if end > position:
        position = _first_key(text, position, end, children) or end
    key, value_at = _key(text, position)
    return children.get(key), position, value_at


def _first_key(text: str, start: int, end: int, keys: dict[str, _Node]) -> int | None:
    """Where the first member of a run of scalar members (``start`` to ``end``) whose key is
    one of ``keys`` starts. Inside a JSON string every quote is escaped, so a quoted key that
    follows a comma (or starts the run) and precedes a colon is a member's key."""
    first: int | None = None
    for key in keys:
        if '"' in key or "\\" in key:
            continue  # written with escapes: never in a run of plain keys
        quoted = f'"{key}"'
        found = text.find(quoted, start, end)
        while found >= 0 and (first is None or found < first):
            if _member_starts(text, start, found) and _COLON.match(text, found + len(quoted)):
                first = found
                break
            found = text.find(quoted, found + 1, end)
    return first


def _member_starts(text: str, start: int, at: int) -> bool:
    """Whether a member of a run starting at ``start`` can start at ``at``."""
    before = at - 1
    while before >= start and text[before] in _JSON_SPACE:
        before -= 1
    return before < start or text[before] == ","


def _key(text: str, position: int) -> tuple[str, int]:
    """The key of the member at ``position`` and where its value starts."""
    if text[position : position + 1] != '"':
        raise _Stop
    key, end = _SCAN_STRING(text, position + 1)
    end = _space(text, end)
    if text[end : end + 1] != ":":
        raise _Stop
    return key, _space(text, end + 1)


class _Repeated(Exception):
    """An object of the value being tried repeats a key."""


def _refuse_repeats(pairs: list[tuple[str, object]]) -> dict[str, object]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise _Repeated
    return found


# The decoder's scanner with the parser's one judgement of objects: it says whether a whole
# value holds an object that repeats a key, at C speed.
_TRY = json.JSONDecoder(object_pairs_hook=_refuse_repeats).scan_once  # type: ignore[attr-defined]


def _repeated(text: str) -> tuple[str, int] | None:
    """(pointer, offset of the key) of the repeated member the parser reports first."""
    position = _space(text, 0)
    pointer = ""
    while True:
        opening = text[position : position + 1]
        if opening not in _CLOSE:
            return None  # a value that is no object or array repeats nothing
        close = _CLOSE[opening]
        position = _space(text, position + 1)
        seen: set[str] = set()
        repeated: tuple[str, int] | None = None
        inner: tuple[str, int] | None = None
        index = 0
        while text[position : position + 1] != close:
            if opening == "{":
                key_at = position
                token, position = _key(text, position)
                if token in seen and repeated is None:
                    repeated = (token, key_at)
                seen.add(token)
            else:
                token, index = str(index), index + 1
            try:
                end = int(_TRY(text, position)[1])
            except _Repeated:
                # the first value to hold one closes before this object: the repetition the
                # parser reports is in there
                inner = (token, position)
                break
            except StopIteration:
                raise _Stop from None
            separator = _SEPARATOR.match(text, end)
            if separator is not None:
                position = separator.end()
            else:
                position = _space(text, end)
                if text[position : position + 1] != close:
                    raise _Stop
        if inner is not None:
            pointer, position = f"{pointer}/{escape(inner[0])}", inner[1]
            continue
        if repeated is None:
            return None
        return f"{pointer}/{escape(repeated[0])}", repeated[1]


def _space(text: str, position: int) -> int:
    """Past the JSON whitespace at ``position``."""
    return _SPACE.match(text, position).end()  # type: ignore[union-attr]


def _skip(text: str, position: int) -> int:
    """Past the value at ``position``, read by the C scanner."""
    try:
        return int(_SKIP(text, position)[1])
    except StopIteration:
        raise _Stop from None


class _Lines:
    """The lines of offsets in one text: the first few counted directly, then (a report with
    many issues) from an index of the text's line breaks, built once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.asked = 0
        self.breaks: list[int] | None = None

    def at(self, offset: int) -> int:
        self.asked += 1
        if self.breaks is None:
            if self.asked <= _DIRECT:
                return self.text.count("\n", 0, offset) + 1
            self.breaks = [found.start() for found in _BREAK.finditer(self.text)]
        return bisect_left(self.breaks, offset) + 1


#: offsets counted directly before the line breaks are indexed
_DIRECT = 8
_BREAK = re.compile("\n")
