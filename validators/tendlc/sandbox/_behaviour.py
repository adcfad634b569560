"""The sandbox's behaviour table (each provider record's ``sandbox`` file), read into typed
records.

What a record is, how its ids look, which answer fields the sandbox sets and from what (the
record's id, the caller's account and user, its clock, a link on its own base URL, a value the
client sent), where a list's paging goes and what an order notifies: all of it is data here,
checked when read, so that the engine names no field of any provider.
"""

from __future__ import annotations

import random
import re
import string
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .._catalog import Operation, get_operation, operations, per_catalog, providers
from .._errors import ContractError
from .._shared import load_yaml

__all__ = [
    "ACTIONS",
    "Behaviour",
    "IdSpec",
    "Notify",
    "OperationBehaviour",
    "Paging",
    "Progress",
    "Resource",
    "Source",
    "behaviour",
]

Action = Literal[
    "create", "get", "update", "delete", "list", "upsert", "act", "store", "download", "template"
]
ACTIONS = ("create", "get", "update", "delete", "list", "upsert", "act", "store", "download")
_DIGITS = "0123456789"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + _DIGITS
_HEX = "0123456789ABCDEF"
_POOLS = {"#": _UPPER, "9": _DIGITS, "x": _HEX}

#: sources named by a bare word, and sources given as a one-key mapping
_WORDS = ("id", "account", "user", "progress", "created", "updated", "omit")
_KEYED: tuple[str, ...] = ("created", "updated", "generate", "link", "count", "request")
_KEYED += ("parameter", "value", "text")
#: the names a ``text`` source may use besides the path parameters of its provider
TEXT_NAMES = ("id", "account", "user", "progress", "millis")
#: the default form of a ``created`` / ``updated`` date (ISO 8601, UTC)
ISO_SECONDS = "%Y-%m-%dT%H:%M:%SZ"
_LINKS = ("self", "first", "previous", "next", "last")
_PAGING_KEYS = ("page", "size", "total", "pages", "links", "tokens", "token_parameter")


def new_id(format: str, rng: random.Random) -> str:
    """An id of a documented shape: ``uuid``, or a pattern (``#`` an upper-case letter or
    digit, ``9`` a digit, ``x`` a hex digit, anything else itself)."""
    if format == "uuid":
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))
    return "".join(rng.choice(_POOLS[c]) if c in _POOLS else c for c in format)


@dataclass(frozen=True)
class IdSpec:
    """How a resource's records are told apart: the body field and path parameter of the id,
    and the shape of the ids the sandbox makes."""

    field: str
    parameter: str | None = None
    format: str = "uuid"
    #: every creating operation takes the id the client sends in the field
    from_request: bool = False

    def new(self, rng: random.Random) -> str:
        return new_id(self.format, rng)


@dataclass(frozen=True)
class Source:
    """Where the sandbox takes the value of one answer field (contracts/README.md, "Sandbox
    behaviour", fields).

    ``kind`` is one of ``id``, ``account``, ``user``, ``progress``, ``created``, ``updated``
    (``argument``: a strftime pattern, ``%3f`` the milliseconds), ``generate`` (``argument``:
    an id format; ``per``: ``record`` or ``account``), ``link`` (``argument``: an operation
    id), ``count`` (``argument``: a child resource), ``request`` (``argument``: a path in the
    body the client sent), ``parameter`` (``argument``: a path parameter), ``value``
    (``argument``: the value), ``text`` (``argument``: a template of :data:`TEXT_NAMES` and
    path parameters) and ``omit`` (the documented field is left out)."""

    kind: str
    argument: Any = None
    per: Literal["record", "account"] = "record"


@dataclass(frozen=True)
class Notify:
    """What an order posts at each step: the named operation's documented body with these
    fields set (paths from the body's root)."""

    operation: str
    fields: Mapping[str, Source] = field(default_factory=dict)


@dataclass(frozen=True)
class Progress:
    field: str
    steps: tuple[str, ...]
    every: float
    notify: Notify | None = None


@dataclass(frozen=True)
class Resource:
    name: str
    id: IdSpec | None = None
    parent: str | None = None
    singleton: bool = False
    #: the singleton record exists before anything creates it
    always: bool = False
    progress: Progress | None = None
    #: response fields that carry a kept file's name and media type
    files: Mapping[str, str] | None = None
    #: the answer fields the sandbox sets on every answer carrying a record (paths relative
    #: to the record's item)
    fields: Mapping[str, Source] = field(default_factory=dict)

    @property
    def provider(self) -> str:
        return self.name.split(".", 1)[0]


@dataclass(frozen=True)
class Paging:
    """Where a list body carries its paging: the page number, the page size, the number of
    items and of pages, the links to pages (their ``href``) and the page tokens, each a path
    in the body (None: the body has no such field)."""

    page: str | None = None
    size: str | None = None
    total: str | None = None
    pages: str | None = None
    links: Mapping[str, str] = field(default_factory=dict)
    tokens: Mapping[str, str] = field(default_factory=dict)
    #: the query parameter a page token comes back in
    token_parameter: str | None = None

    def over(self, base: Paging) -> Paging:
        """These settings, the unset ones taken from ``base``."""
        return Paging(
            page=self.page or base.page,
            size=self.size or base.size,
            total=self.total or base.total,
            pages=self.pages or base.pages,
            links={**base.links, **self.links},
            tokens={**base.tokens, **self.tokens},
            token_parameter=self.token_parameter or base.token_parameter,
        )


@dataclass(frozen=True)
class OperationBehaviour:
    operation: Operation
    action: Action = "template"
    resource: Resource | None = None
    item: str | None = None
    items: str | None = None
    #: where a list's paging goes (the provider's ``paging``, refined by the operation's)
    paging: Paging = field(default_factory=Paging)
    #: answer fields the operation sets (paths from the body's root)
    fields: Mapping[str, Source] = field(default_factory=dict)
    #: a new record takes the id the client sends (an import keeps its id)
    id_from_request: bool = False

    @property
    def count(self) -> str | None:
        """Where the number of records goes in a list body."""
        return self.paging.total


@dataclass(frozen=True)
class Behaviour:
    resources: Mapping[str, Resource]
    operations: Mapping[str, OperationBehaviour]
    errors: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def of(self, operation: Operation) -> OperationBehaviour:
        return self.operations.get(operation.id) or OperationBehaviour(operation)

    def error_code(self, provider: str, kind: str, resource: Resource | None = None) -> str:
        """The code a refusal of ``kind`` puts in the provider's error envelope: the
        resource's own (``by_resource``: a code for ``invalid``, or a code per kind), else
        the provider's."""
        codes = self.errors.get(provider, {})
        if resource is not None:
            found = (codes.get("by_resource") or {}).get(resource.name)
            if isinstance(found, Mapping):
                found = found.get(kind)
            elif kind != "invalid":
                found = None
            if found:
                return str(found)
        return str(codes.get(kind, kind))


# -- reading ------------------------------------------------------------------------------------


class _Reader:
    """Reads one provider's sandbox file; every refusal names the file and the key."""

    def __init__(self, source: str, provider: str, parameters: frozenset[str]) -> None:
        self.source = source
        self.provider = provider
        self.parameters = parameters

    def fail(self, where: str, message: str) -> ContractError:
        return ContractError(f"{self.source}: {where}: {message}")

    def mapping(self, where: str, value: Any) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.fail(where, f"must be a mapping, not {type(value).__name__}")
        return value

    def source_of(self, where: str, entry: Any) -> Source:
        if isinstance(entry, str):
            if entry not in _WORDS:
                raise self.fail(where, f"unknown source {entry!r} (one of {', '.join(_WORDS)})")
            if entry in ("created", "updated"):
                return Source(entry, ISO_SECONDS)
            return Source(entry)
        if entry is None:
            return Source("omit")
        entry = self.mapping(where, entry)
        keys = [key for key in entry if key != "per"]
        if len(keys) != 1 or keys[0] not in _KEYED:
            raise self.fail(where, f"one key of {', '.join(_KEYED)} (and per:), not {keys}")
        kind = str(keys[0])
        argument = entry[kind]
        per = entry.get("per", "record")
        if per not in ("record", "account"):
            raise self.fail(where, f"per: record or account, not {per!r}")
        if kind != "value":
            argument = str(argument)
        if kind == "link":
            try:
                get_operation(argument)
            except LookupError:
                message = f"links to {argument}, which is not in the catalog"
                raise self.fail(where, message) from None
        if kind == "text":
            names = {name for _, name, _, _ in string.Formatter().parse(argument) if name}
            unknown = names - set(TEXT_NAMES) - self.parameters
            if unknown:
                raise self.fail(where, f"the text names {sorted(unknown)}, which it cannot fill")
        if kind == "request" and not argument.startswith("/"):
            raise self.fail(where, f"a request path starts with /: {argument!r}")
        return Source(kind, argument, per)

    def fields(self, where: str, entry: Any) -> dict[str, Source]:
        found = {}
        for path, value in self.mapping(where, entry).items():
            if not isinstance(path, str) or not path.startswith("/"):
                raise self.fail(where, f"a field's path starts with /: {path!r}")
            found[path] = self.source_of(f"{where}.{path}", value)
        return found

    def paging(self, where: str, entry: Any) -> Paging:
        data = self.mapping(where, entry)
        unknown = set(data) - set(_PAGING_KEYS)
        if unknown:
            raise self.fail(where, f"unknown keys {sorted(unknown)}")
        for kind in ("links", "tokens"):
            wrong = set(self.mapping(f"{where}.{kind}", data.get(kind))) - set(_LINKS)
            if wrong:
                raise self.fail(f"{where}.{kind}", f"{sorted(wrong)}: one of {', '.join(_LINKS)}")
        return Paging(
            page=data.get("page"),
            size=data.get("size"),
            total=data.get("total"),
            pages=data.get("pages"),
            links=dict(data.get("links") or {}),
            tokens=dict(data.get("tokens") or {}),
            token_parameter=data.get("token_parameter"),
        )

    def resource(self, name: str, entry: Mapping[str, Any]) -> Resource:
        where = f"resources.{name}"
        spec = entry.get("id")
        progress = entry.get("progress")
        return Resource(
            name=name,
            id=None
            if not spec
            else IdSpec(
                field=str(spec["field"]),
                parameter=spec.get("parameter"),
                format=str(spec.get("format", "uuid")),
                from_request=bool(spec.get("from_request", False)),
            ),
            parent=entry.get("parent"),
            singleton=bool(entry.get("singleton", False)),
            always=bool(entry.get("always", False)),
            files=dict(entry["files"]) if entry.get("files") else None,
            progress=None if not progress else self.progress(f"{where}.progress", progress),
            fields=self.fields(f"{where}.fields", entry.get("fields")),
        )

    def progress(self, where: str, entry: Mapping[str, Any]) -> Progress:
        notify = entry.get("notify")
        if isinstance(notify, str):
            notify = {"operation": notify}
        return Progress(
            field=str(entry["field"]),
            steps=tuple(str(step) for step in entry["steps"]),
            every=float(entry.get("every", 2.0)),
            notify=None
            if not notify
            else Notify(
                operation=self.operation_id(f"{where}.notify", notify.get("operation")),
                fields=self.fields(f"{where}.notify.fields", notify.get("fields")),
            ),
        )

    def operation_id(self, where: str, value: Any) -> str:
        try:
            return get_operation(str(value)).id
        except LookupError:
            raise self.fail(where, f"{value} is not in the catalog") from None


def _parameters(provider: str) -> frozenset[str]:
    """The path parameter names of a provider's operations (what a text may name)."""
    return frozenset(
        name
        for operation in operations()
        if operation.provider == provider
        for name in re.findall(r"\{(\w+)\}", operation.url_template)
    )


@per_catalog
def behaviour() -> Behaviour:
    """The behaviour of every provider's operations (each provider record's ``sandbox``
    file, checked against the catalog when read)."""
    resources: dict[str, Resource] = {}
    entries: dict[str, tuple[_Reader, Mapping[str, Any]]] = {}
    errors: dict[str, Mapping[str, Any]] = {}
    paging: dict[str, Paging] = {}
    for provider in providers():
        path = provider.file("sandbox")
        data = (load_yaml(path) if path is not None else None) or {}
        reader = _Reader(str(path), provider.name, _parameters(provider.name))
        for name, entry in reader.mapping("resources", data.get("resources")).items():
            resources[name] = reader.resource(name, reader.mapping(f"resources.{name}", entry))
        for operation_id, entry in reader.mapping("operations", data.get("operations")).items():
            entries[operation_id] = (reader, reader.mapping(f"operations.{operation_id}", entry))
        errors[provider.name] = data.get("errors") or {}
        paging[provider.name] = reader.paging("paging", data.get("paging"))
    for kept in resources.values():
        if kept.parent is not None and kept.parent not in resources:
            raise ContractError(f"{kept.name}: unknown parent {kept.parent}")
        for field_path, source in kept.fields.items():
            _check_count(resources, kept, field_path, source)
    known = {operation.id for operation in operations()}
    table: dict[str, OperationBehaviour] = {}
    for operation_id, (reader, entry) in entries.items():
        where = f"operations.{operation_id}"
        if operation_id not in known:
            raise reader.fail(where, f"{operation_id} is not in the catalog")
        action = entry.get("action", "template")
        if action not in ACTIONS:
            raise reader.fail(where, f"unknown action {action!r}")
        resource = resources.get(entry["resource"]) if entry.get("resource") else None
        if entry.get("resource") and resource is None:
            raise reader.fail(where, f"unknown resource {entry['resource']}")
        own = reader.paging(f"{where}.paging", entry.get("paging"))
        if entry.get("count"):
            own = Paging(total=str(entry["count"])).over(own)
        fields = reader.fields(f"{where}.fields", entry.get("fields"))
        for field_path, source in fields.items():
            if resource is not None:
                _check_count(resources, resource, field_path, source)
        table[operation_id] = OperationBehaviour(
            operation=get_operation(operation_id),
            action=action,
            resource=resource,
            item=entry.get("item"),
            items=entry.get("items"),
            paging=own.over(paging[reader.provider]),
            fields=fields,
            id_from_request=bool(entry.get("id_from_request", False)),
        )
    return Behaviour(resources, table, errors)


def _check_count(
    resources: Mapping[str, Resource], owner: Resource, path: str, source: Source
) -> None:
    if source.kind != "count":
        return
    counted = resources.get(str(source.argument))
    if counted is None or counted.parent != owner.name:
        raise ContractError(
            f"{owner.name} {path}: counts {source.argument}, which is not a resource kept "
            f"under {owner.name}"
        )
