"""The conformance probes (each provider record's ``probes`` file), read into typed records and
checked against the catalog when read."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._catalog import Operation, get_operation, get_provider, per_catalog
from .._errors import ContractError
from .._shared import load_yaml

__all__ = ["Poll", "Probe", "probes", "substitute"]

_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Poll:
    path: str
    until: tuple[str, ...]
    every: float = 5.0
    attempts: int = 12


@dataclass(frozen=True)
class Probe:
    """One call of the suite."""

    name: str
    operation: Operation
    write: bool = False
    parameters: Mapping[str, Any] = field(default_factory=dict)
    query: Mapping[str, Any] = field(default_factory=dict)
    body: str | None = None
    edits: Mapping[str, Any] = field(default_factory=dict)
    capture: Mapping[str, str] = field(default_factory=dict)
    poll: Poll | None = None
    expect: tuple[int, ...] = ()
    #: undoes what earlier probes made; runs last (after --fuzz)
    cleanup: bool = False

    def needs(self) -> set[str]:
        """The captured values this probe cannot run without."""
        found: set[str] = set()
        for value in (*self.parameters.values(), *self.query.values(), *self.edits.values()):
            found |= set(_REFERENCE.findall(str(value)))
        return found


def substitute(value: Any, values: Mapping[str, str]) -> Any:
    """``${name}`` references replaced by captured values, in strings, lists and mappings."""
    if isinstance(value, str):
        return _REFERENCE.sub(lambda match: values[match.group(1)], value)
    if isinstance(value, list):
        return [substitute(item, values) for item in value]
    if isinstance(value, Mapping):
        return {key: substitute(item, values) for key, item in value.items()}
    return value


@per_catalog
def probes(provider: str) -> tuple[Probe, ...]:
    """The probes of one provider, in order."""
    path = get_provider(provider).file("probes")
    entries = load_yaml(path) if path is not None else None
    if not entries:
        raise ContractError(f"no conformance probes for {provider!r}")
    found = []
    names: set[str] = set()
    for entry in entries:
        name = str(entry["name"])
        if name in names:
            raise ContractError(f"{provider}: two probes are called {name!r}")
        names.add(name)
        operation = get_operation(str(entry["operation"]))
        if operation.provider != provider:
            raise ContractError(f"{provider}: probe {name!r} calls {operation.id}")
        poll = entry.get("poll")
        found.append(
            Probe(
                name=name,
                operation=operation,
                write=bool(entry.get("write", False)),
                parameters=dict(entry.get("parameters") or {}),
                query=dict(entry.get("query") or {}),
                body=entry.get("body"),
                edits=dict(entry.get("set") or {}),
                capture=dict(entry.get("capture") or {}),
                poll=None
                if not poll
                else Poll(
                    path=str(poll["path"]),
                    until=tuple(str(v) for v in poll["until"]),
                    every=float(poll.get("every", 5)),
                    attempts=int(poll.get("attempts", 12)),
                ),
                expect=tuple(int(status) for status in entry.get("expect") or ()),
                cleanup=bool(entry.get("cleanup", False)),
            )
        )
    return tuple(found)
