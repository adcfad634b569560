"""What a sandbox keeps: its records (per resource, account and parent), the ids it made and
the values it generated, behind one lock."""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._behaviour import Behaviour, Resource, Source, new_id
from ._fields import Subject

__all__ = ["Record", "Records"]

#: (resource, account, the ids of the record's parents)
Key = tuple[str, str, tuple[str, ...]]


@dataclass
class Record:
    """One record: the fields its client sent, and what the sandbox keeps beside them."""

    id: str
    fields: Any
    account: str
    user: str
    #: the path parameters that address it (the account, its parents' ids, its own id)
    parameters: dict[str, str]
    scope: tuple[str, ...] = ()
    progress: str | None = None
    created: float = 0.0
    updated: float = 0.0
    #: the sandbox's base URL when the record was made (where its links point)
    base_url: str = ""
    files: list[tuple[str, str, bytes]] = field(default_factory=list)


class Records:
    """The records of a sandbox, thread-safe under :attr:`lock`."""

    def __init__(self, table: Behaviour, rng: random.Random) -> None:
        self.table = table
        self.rng = rng
        self.lock = threading.RLock()
        self._kept: dict[Key, dict[str, Record]] = {}
        self._issued: dict[str, set[str]] = {}
        self._generated: dict[tuple[str, str, str, tuple[str, ...]], str] = {}

    def clear(self) -> None:
        with self.lock:
            self._kept.clear()
            self._issued.clear()
            self._generated.clear()

    def kept(self, resource: Resource, account: str, scope: tuple[str, ...]) -> dict[str, Record]:
        """The records of a resource under one account and parent (made when missing)."""
        return self._kept.setdefault((resource.name, account, scope), {})

    def scope(
        self, resource: Resource, parameters: Mapping[str, str], account: str
    ) -> tuple[str, ...] | None:
        """The ids of the parents a record lives under (None: a parent does not exist)."""
        chain: list[str] = []
        parent_name = resource.parent
        while parent_name is not None:
            chain.append(parent_name)
            parent_name = self.table.resources[parent_name].parent
        scope: list[str] = []
        for name in reversed(chain):
            parent = self.table.resources[name]
            assert parent.id is not None and parent.id.parameter is not None
            value = parameters.get(parent.id.parameter)
            if value is None or value not in self._kept.get((name, account, tuple(scope)), {}):
                return None
            scope.append(value)
        return tuple(scope)

    def forget(self, resource: str, account: str, record_id: str) -> None:
        """Take a record back, wherever under the account it is."""
        with self.lock:
            for (name, owner, _), kept in self._kept.items():
                if name == resource and owner == account:
                    kept.pop(record_id, None)

    def new_id(self, resource: Resource) -> str:
        """An id of the resource's documented shape that no record of it ever had."""
        spec = resource.id
        if spec is None:
            return "settings"
        issued = self._issued.setdefault(resource.name, set())
        made = spec.new(self.rng)
        while made in issued:
            made = spec.new(self.rng)
        issued.add(made)
        return made

    def claim(self, resource: Resource, record_id: str) -> None:
        """Note an id a client chose, so that no id made later repeats it."""
        self._issued.setdefault(resource.name, set()).add(record_id)

    # -- what field sources need --------------------------------------------------------------
    def generated(self, owner: str, path: str, source: Source, subject: Subject) -> str:
        whose = () if source.per == "account" else (*subject.scope, subject.id or "")
        key = (owner, path, subject.account, whose)
        with self.lock:
            found = self._generated.get(key)
            if found is None:
                found = self._generated[key] = new_id(str(source.argument), self.rng)
            return found

    def count(self, resource: str, subject: Subject) -> int:
        under = (*subject.scope, subject.id or "")
        with self.lock:
            return len(self._kept.get((resource, subject.account, under), {}))

    def dump(self, resource: str) -> list[dict[str, Any]]:
        """The records kept for a resource (every account and parent), for inspection."""
        with self.lock:
            return [
                {"id": record.id, "account": account, "scope": list(scope)}
                | ({"progress": record.progress} if record.progress is not None else {})
                for (name, account, scope), kept in self._kept.items()
                if name == resource
                for record in kept.values()
            ]
