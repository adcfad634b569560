"""The sandbox's behaviour table (each provider record's ``sandbox`` file), read into typed
records."""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .._catalog import Operation, get_operation, operations, per_catalog, providers
from .._errors import ContractError
from .._shared import load_yaml

__all__ = ["Behaviour", "IdSpec", "OperationBehaviour", "Progress", "Resource", "behaviour"]

Action = Literal[
    "create", "get", "update", "delete", "list", "upsert", "act", "store", "download", "template"
]
_ACTIONS = ("create", "get", "update", "delete", "list", "upsert", "act", "store", "download")
_DIGITS = "0123456789"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + _DIGITS
_HEX = "0123456789ABCDEF"


@dataclass(frozen=True)
class IdSpec:
    field: str
    parameter: str | None = None
    format: str = "uuid"
    #: the id is the value the client sends in the field (a phone number, an imported id)
    from_request: bool = False

    def new(self, rng: random.Random) -> str:
        if self.format == "uuid":
            return str(uuid.UUID(int=rng.getrandbits(128), version=4))
        pool = {"#": _UPPER, "9": _DIGITS, "x": _HEX}
        return "".join(rng.choice(pool[c]) if c in pool else c for c in self.format)


@dataclass(frozen=True)
class Progress:
    field: str
    steps: tuple[str, ...]
    every: float
    notify: str | None = None


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

    @property
    def provider(self) -> str:
        return self.name.split(".", 1)[0]


@dataclass(frozen=True)
class OperationBehaviour:
    operation: Operation
    action: Action = "template"
    resource: Resource | None = None
    item: str | None = None
    items: str | None = None
    count: str | None = None


@dataclass(frozen=True)
class Behaviour:
    resources: Mapping[str, Resource]
    operations: Mapping[str, OperationBehaviour]
    errors: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def of(self, operation: Operation) -> OperationBehaviour:
        return self.operations.get(operation.id) or OperationBehaviour(operation)

    def error_code(self, provider: str, kind: str, resource: Resource | None = None) -> str:
        codes = self.errors.get(provider, {})
        if kind == "invalid" and resource is not None:
            found = (codes.get("by_resource") or {}).get(resource.name)
            if found:
                return str(found)
        return str(codes.get(kind, kind))


def _resource(name: str, entry: Mapping[str, Any]) -> Resource:
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
        progress=None
        if not progress
        else Progress(
            field=str(progress["field"]),
            steps=tuple(str(step) for step in progress["steps"]),
            every=float(progress.get("every", 2.0)),
            notify=progress.get("notify"),
        ),
    )


@per_catalog
def behaviour() -> Behaviour:
    """The behaviour of every provider's operations (each provider record's ``sandbox``
    file, checked against the catalog when read)."""
    resources: dict[str, Resource] = {}
    entries: dict[str, tuple[str, Mapping[str, Any]]] = {}
    errors: dict[str, Mapping[str, Any]] = {}
    for provider in providers():
        path = provider.file("sandbox")
        data = (load_yaml(path) if path is not None else None) or {}
        for name, entry in (data.get("resources") or {}).items():
            resources[name] = _resource(name, entry)
        for operation_id, entry in (data.get("operations") or {}).items():
            entries[operation_id] = (str(path), entry)
        errors[provider.name] = data.get("errors") or {}
    for resource in resources.values():
        if resource.parent is not None and resource.parent not in resources:
            raise ContractError(f"{resource.name}: unknown parent {resource.parent}")
    known = {operation.id for operation in operations()}
    table: dict[str, OperationBehaviour] = {}
    for operation_id, (source, entry) in entries.items():
        if operation_id not in known:
            raise ContractError(f"{source} names {operation_id}, which is not in the catalog")
        action = entry.get("action", "template")
        if action not in _ACTIONS:
            raise ContractError(f"{operation_id}: unknown action {action!r}")
        table[operation_id] = OperationBehaviour(
            operation=get_operation(operation_id),
            action=action,
            resource=resources[entry["resource"]] if entry.get("resource") else None,
            item=entry.get("item"),
            items=entry.get("items"),
            count=entry.get("count"),
        )
    return Behaviour(resources, table, errors)
