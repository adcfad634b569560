"""Field roles: which fields of an operation's body play the parts advice rules read.

The rules name roles (``samples``, ``brand_name``, ``opt_out_message`` ...); each provider maps
them, per operation, to JSON Pointers or element paths in ``<provider>/advice.yaml`` beside its
contracts. This module reads those maps and finds the values of every role in a parsed document
(a dict for JSON, an lxml element for XML), so the rules never know whose fields they read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any, NamedTuple

from lxml import etree

from ..._catalog import Operation, advice_files, operations, per_catalog
from ..._errors import InvalidArgument
from ..._parsing import element_path, find_elements
from ..._shared import escape


class Value(NamedTuple):
    """A role's value in one document, and the path of the field it came from."""

    path: str
    value: Any


#: ``Value`` made from a ``(path, value)`` pair without the named tuple's Python ``__new__``
#: (the role values of every document are made here).
_value = partial(tuple.__new__, Value)


@dataclass(frozen=True)
class Source:
    """One place a role's values are read from: a pointer (``*`` for every array item) or an
    element path, and optionally a pattern whose first group is the value."""

    pointer: str
    steps: tuple[str, ...]
    extract: re.Pattern[str] | None = None

    @classmethod
    def from_data(cls, data: Any) -> Source:
        if isinstance(data, str):
            data = {"pointer": data}
        pointer = str(data["pointer"])
        steps = tuple(step.replace("~1", "/").replace("~0", "~") for step in pointer.split("/")[1:])
        extract = re.compile(str(data["extract"])) if data.get("extract") else None
        return cls(pointer, steps, extract)

    def values(self, document: Any) -> Iterator[Value]:
        """This source's values in a document (none when the document is of the other wire)."""
        if type(document) is dict and self.steps and self.steps[0] != "*":
            # the common case first: a member of the top object, or none there
            value = document.get(self.steps[0])
            if value is None:
                return
            if len(self.steps) == 1:
                if self.extract is None:
                    yield Value(self.pointer, value)
                elif isinstance(value, str):
                    match = self.extract.search(value)
                    if match and match.group(1).strip():
                        yield Value(self.pointer, match.group(1).strip())
                return
        if isinstance(document, etree._Element):
            found: Iterator[Value] = self._elements(document)
        elif isinstance(document, Mapping | list):
            found = _walk(document, self.steps, "")
        else:
            return
        for value in found:
            if value.value is None:
                continue
            if self.extract is None:
                yield value
            elif isinstance(value.value, str):
                match = self.extract.search(value.value)
                if match and match.group(1).strip():
                    yield Value(value.path, match.group(1).strip())

    def _elements(self, root: etree._Element) -> Iterator[Value]:
        """The texts of the elements at this element path. A root without a namespace is
        searched by libxml2 itself (the path is the pointer when one element answers)."""
        if (
            self.steps
            and root.tag == self.steps[0]
            and all(step.isidentifier() for step in self.steps[1:])
        ):
            found = root.findall("/".join(self.steps[1:])) if self.steps[1:] else [root]
            for element in found:
                path = self.pointer if len(found) == 1 else element_path(element)
                yield Value(path, (element.text or "").strip())
            return
        for element in find_elements(root, self.pointer):
            yield Value(element_path(element), (element.text or "").strip())


def _walk(node: Any, steps: tuple[str, ...], path: str) -> Iterator[Value]:
    if not steps:
        yield Value(path, node)
        return
    step, rest = steps[0], steps[1:]
    if step == "*":
        if isinstance(node, list):
            for index, item in enumerate(node):
                yield from _walk(item, rest, f"{path}/{index}")
        return
    if isinstance(node, Mapping):
        if step in node:
            yield from _walk(node[step], rest, f"{path}/{escape(step)}")
    elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
        yield from _walk(node[int(step)], rest, f"{path}/{step}")


@dataclass(frozen=True)
class RoleMap:
    """The roles of one kind of document: role name -> the sources of its values."""

    roles: Mapping[str, tuple[Source, ...]]
    #: a body that may carry only what changes (rules asking for presence skip it)
    partial: bool = False

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> RoleMap:
        roles = {
            str(role): tuple(Source.from_data(item) for item in items)
            for role, items in data.items()
            if role != "partial"
        }
        return cls(roles, bool(data.get("partial")))

    def resolve(self, document: Any) -> dict[str, tuple[Value, ...]]:
        """Every role that has a value in the document, with its values in map order."""
        resolved: dict[str, tuple[Value, ...]] = {}
        rest: Iterable[tuple[str, tuple[Source, ...]]] = self.roles.items()
        if type(document) is dict:  # the common case first: members of the top object
            get = document.get
            for role, member, pointer in self._single:
                value = get(member)
                if value is not None:
                    resolved[role] = (_value((pointer, value)),)
            for role, members in self._several:
                found = [_value((p, v)) for k, p in members if (v := get(k)) is not None]
                if found:
                    resolved[role] = tuple(found)
            rest = self._complex
        for role, sources in rest:
            values = tuple(value for source in sources for value in source.values(document))
            if values:
                resolved[role] = values
        return resolved

    @cached_property
    def _simple(self) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
        """(role, ((member, pointer) ...)) of the roles read from members of a JSON object."""
        return tuple(
            (role, tuple((source.steps[0], source.pointer) for source in sources))
            for role, sources in self.roles.items()
            if all(len(source.steps) == 1 and source.extract is None for source in sources)
        )

    @cached_property
    def _single(self) -> tuple[tuple[str, str, str], ...]:
        """(role, member, pointer) of the roles read from one member of a JSON object."""
        return tuple((role, *members[0]) for role, members in self._simple if len(members) == 1)

    @cached_property
    def _several(self) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
        """The roles read from several members of a JSON object."""
        return tuple((role, members) for role, members in self._simple if len(members) != 1)

    @cached_property
    def _complex(self) -> tuple[tuple[str, tuple[Source, ...]], ...]:
        """The other roles (all of them for documents that are not JSON objects)."""
        simple = {role for role, _ in self._simple}
        return tuple((r, s) for r, s in self.roles.items() if r not in simple)

    def first_path(self, role: str) -> str:
        """The path a missing role is reported at: its first source's."""
        sources = self.roles.get(role, ())
        return sources[0].pointer if sources else ""


def role_map(operation: Operation) -> RoleMap | None:
    """The roles of an operation's request body, or None when no rule reads it."""
    return _role_map(operation.provider, operation.id)


@per_catalog
def _role_map(provider: str, operation_id: str) -> RoleMap | None:
    data = (advice_files().get(provider) or {}).get("operations", {}).get(operation_id)
    return None if data is None else RoleMap.from_data(data)


@per_catalog
def brand_maps(xml: bool) -> tuple[RoleMap, ...]:
    """Every way a brand document of one wire may be read: the brand documents of each
    provider whose requests travel on that wire."""
    wires = {
        operation.provider: operation.request.is_xml
        for operation in operations()
        if operation.request is not None and operation.request.structured
    }
    return tuple(
        RoleMap.from_data(data)
        for provider, provider_file in advice_files().items()
        if wires.get(provider) == xml
        for data in (provider_file.get("brand_documents") or {}).values()
    )


def brand_values(
    brand: Any, readings: Callable[[bool], tuple[RoleMap, ...]], parse: Callable[[Any], Any]
) -> dict[str, tuple[Value, ...]]:
    """The brand roles of a brand given to advise: plain data (``display_name``,
    ``company_name``, ``website`` ...), or a brand request or response of any provider, parsed
    or not (``parse`` reads bytes and text). ``readings(xml)`` are the role maps a brand of that
    wire may be read through (see :func:`brand_readings`); the reading that finds the most roles
    wins."""
    if brand is None:
        return {}
    document = parse(brand) if isinstance(brand, bytes | bytearray | str) else brand
    if not isinstance(document, Mapping | etree._Element):
        raise InvalidArgument(
            "brand must be a mapping (display_name, company_name, website ...), a brand "
            f"document or its bytes, not {type(brand).__name__}"
        )
    best: dict[str, tuple[Value, ...]] = {}
    for candidate in readings(isinstance(document, etree._Element)):
        values = candidate.resolve(document)
        if len(values) > len(best):
            best = values
    if not best:
        raise InvalidArgument(
            "the brand has none of the fields advice reads (display name, company name, "
            "website, email, entity type)"
        )
    return best


def brand_readings(plain: RoleMap, xml: bool) -> tuple[RoleMap, ...]:
    """Every way a brand of one wire may be read, each once: for XML the brand documents of
    the providers on XML, else ``plain`` (the rules file's mapping of plain data) and the brand
    documents of the providers on JSON."""
    candidates = brand_maps(True) if xml else (plain, *brand_maps(False))
    unique: list[RoleMap] = []
    for candidate in candidates:
        if candidate not in unique:  # the plain mapping may be a provider's own
            unique.append(candidate)
    return tuple(unique)
