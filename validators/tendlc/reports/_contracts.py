"""The contract text a report quotes: where a finding's rule is written, as an anchor of the
page, and the text behind each anchor.

A finding's ``location`` is ``<provider>/<file>#<where>``. For an XSD, the anchor is the named
top-level component the rule sits in (``xs:complexType[@name='BrandCreate']``), and the text
is the whole schema file, split at its named components, each with its anchor. For an OpenAPI
(or other YAML or JSON) document, there is one anchor per JSON pointer the run's findings
refer to, and its text is the fragment at that pointer (the object around it when the pointer
names a value or a list). A location that is not a contract's (an advice rule's URL) has none.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .._catalog import contract_path, load_contract

__all__ = ["Block", "ContractText", "anchor_of", "contract_texts"]

#: the longest fragment of a document shown for one pointer
MAX_FRAGMENT = 6000
_COMPONENT = re.compile(r"^/xs:schema/xs:([A-Za-z]+)\[@name='([^']+)'\]")
_DOCUMENTS = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Block:
    """One anchored piece of a contract's text."""

    anchor: str
    title: str
    text: str


@dataclass(frozen=True)
class ContractText:
    """What the page shows of one contract file."""

    name: str
    anchor: str
    blocks: tuple[Block, ...]


def _slug(text: str) -> str:
    """``text`` as an id, one to one: what is not a letter, a digit, ``.`` or ``-`` written
    as ``_`` and its code point."""
    return re.sub(r"[^A-Za-z0-9.-]", lambda m: f"_{ord(m.group()):x}_", text)


def _split(location: str) -> tuple[str, str] | None:
    name, found, where = location.partition("#")
    if not found or "://" in name or "/" not in name:
        return None
    if not name.endswith((".xsd", *_DOCUMENTS)):
        return None
    return name, where


def anchor_of(location: str) -> str | None:
    """The page anchor of a finding's contract location (None for no contract's)."""
    split = _split(location)
    if split is None:
        return None
    name, where = split
    if name.endswith(".xsd"):
        component = _COMPONENT.match(where)
        if component is None:
            return "contract-" + _slug(name)
        return f"contract-{_slug(name)}-{component[1]}-{_slug(component[2])}"
    return f"contract-{_slug(name)}-{_slug(where)}"


def contract_texts(locations: Iterable[str]) -> tuple[ContractText, ...]:
    """The text of every contract file the locations refer to, by file name; a file that
    cannot be read is left out (its links then lead nowhere, and say so by their text)."""
    by_file: dict[str, set[str]] = {}
    for location in locations:
        split = _split(location)
        if split is not None:
            by_file.setdefault(split[0], set()).add(split[1])
    found = []
    for name in sorted(by_file):
        try:
            blocks = _xsd_blocks(name) if name.endswith(".xsd") else _fragments(name, by_file[name])
        except (OSError, ValueError, LookupError):
            continue
        found.append(ContractText(name, "contract-" + _slug(name), tuple(blocks)))
    return tuple(found)


def _xsd_blocks(name: str) -> list[Block]:
    """The schema's text cut at each named top-level component (the lines before the first
    one are the file's own block)."""
    from .._parsing import ParseError, parse_xml

    text = contract_path(name).read_text(encoding="utf-8")
    lines = text.splitlines()
    try:
        root = parse_xml(text.encode("utf-8"))
    except ParseError:
        return [Block("contract-" + _slug(name), name, text)]
    starts: list[tuple[int, str, str]] = []
    for child in root:
        named = child.get("name") if isinstance(child.tag, str) else None
        line = child.sourceline
        if named and isinstance(line, int):
            kind = str(child.tag).rpartition("}")[2]
            starts.append((line - 1, kind, str(named)))
    blocks: list[Block] = []
    first = starts[0][0] if starts else len(lines)
    blocks.append(Block("contract-" + _slug(name), name, "\n".join(lines[:first])))
    for index, (start, kind, named) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(lines)
        blocks.append(
            Block(
                f"contract-{_slug(name)}-{kind}-{_slug(named)}",
                f"xs:{kind} {named}",
                "\n".join(lines[start:end]).rstrip(),
            )
        )
    return blocks


def _fragments(name: str, pointers: set[str]) -> list[Block]:
    document = load_contract(name)
    blocks = []
    for pointer in sorted(pointers):
        node = _resolve(document, pointer)
        text = json.dumps(node, indent=2, ensure_ascii=False, default=str)
        if len(text) > MAX_FRAGMENT:
            text = text[:MAX_FRAGMENT] + f"\n… ({len(text) - MAX_FRAGMENT} more characters)"
        blocks.append(Block(f"contract-{_slug(name)}-{_slug(pointer)}", pointer or "/", text))
    return blocks


def _resolve(document: object, pointer: str) -> object:
    """The object at ``pointer``, or the object around it when it names a value or a list
    (``/required``: the schema that lists them), or the deepest object the pointer reaches."""
    node, parent = document, document
    for step in pointer.split("/")[1:] if pointer else []:
        key = step.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and key in node:
            parent, node = node, node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            parent, node = node, node[int(key)]
        else:
            return node
    return node if isinstance(node, dict) else parent
