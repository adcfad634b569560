"""The values of the answer fields the sandbox sets, from the sources its behaviour table
names (``_behaviour.Source``): one mechanism for every provider's ids, accounts, users,
dates, links and counts."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from .._catalog import get_operation
from .._parsing import Document, JsonDocument, XmlDocument, document_of, local_name
from ._behaviour import Source

__all__ = ["OMIT", "Subject", "apply_values", "format_time", "link", "values_of"]


class _Omit:
    def __repr__(self) -> str:
        return "OMIT"


#: the value of a field the answer leaves out
OMIT: Any = _Omit()


@dataclass(frozen=True)
class Subject:
    """What the fields of one answer are computed from: the record (when there is one), the
    caller, the request's path parameters and the sandbox's own base URL and clock."""

    account: str
    user: str
    base_url: str
    now: float
    id: str | None = None
    #: the ids of the record's parents
    scope: tuple[str, ...] = ()
    #: path parameters: the request's, and those that address the record
    parameters: Mapping[str, str] = field(default_factory=dict)
    #: the fields the client sent for the record (a parsed body root)
    request: Any = None
    progress: str | None = None
    created: float | None = None
    updated: float | None = None


class State(Protocol):
    """What a source needs from the sandbox's state."""

    def generated(self, owner: str, path: str, source: Source, subject: Subject) -> str:
        """A value made once (per record or per account) and kept."""

    def count(self, resource: str, subject: Subject) -> int:
        """The number of records of ``resource`` kept under the subject's record."""


def format_time(moment: float, pattern: str) -> str:
    """``moment`` (seconds since the epoch) in UTC, as a strftime ``pattern`` says; ``%3f``
    is the milliseconds."""
    seconds = time.gmtime(moment)
    millis = f"{int(moment * 1000) % 1000:03d}"
    return time.strftime(pattern.replace("%3f", millis), seconds)


def link(operation_id: str, parameters: Mapping[str, str], base_url: str) -> str | None:
    """The URL of an operation on the sandbox's base URL (None: a parameter is missing)."""
    try:
        path = get_operation(operation_id).url_template.format_map(dict(parameters))
    except KeyError:
        return None
    return base_url.rstrip("/") + path


def _request_value(subject: Subject, path: str) -> Any:
    if subject.request is None:
        return OMIT
    document = document_of(subject.request)
    if isinstance(document, XmlDocument):
        value = document.text("/" + local_name(document.root) + path)
    else:
        value = document.get(path, OMIT)
    return OMIT if value is None else value


def value_of(source: Source, subject: Subject, state: State, owner: str, path: str) -> Any:
    """The value ``source`` gives this subject (:data:`OMIT`: the field is left out)."""
    kind, argument = source.kind, source.argument
    if kind == "omit":
        return OMIT
    if kind == "value":
        return argument
    if kind in ("id", "progress"):
        found = subject.id if kind == "id" else subject.progress
        return OMIT if found is None else found
    if kind in ("account", "user"):
        return subject.account if kind == "account" else subject.user
    if kind in ("created", "updated"):
        moment = subject.created if kind == "created" else subject.updated
        return format_time(subject.now if moment is None else moment, str(argument))
    if kind == "generate":
        return state.generated(owner, path, source, subject)
    if kind == "link":
        found = link(str(argument), subject.parameters, subject.base_url)
        return OMIT if found is None else found
    if kind == "count":
        return state.count(str(argument), subject)
    if kind == "request":
        return _request_value(subject, str(argument))
    if kind == "parameter":
        return subject.parameters.get(str(argument), OMIT)
    names = {
        **subject.parameters,
        "id": subject.id or "",
        "account": subject.account,
        "user": subject.user,
        "progress": subject.progress or "",
        "millis": str(int(subject.now * 1000)),
    }
    return str(argument).format_map(names)


def values_of(
    fields: Mapping[str, Source], subject: Subject, state: State, owner: str
) -> dict[str, Any]:
    """Each field's path and its value for this subject."""
    return {path: value_of(source, subject, state, owner, path) for path, source in fields.items()}


def apply_values(
    document: Document,
    prefix: str,
    values: Mapping[str, Any],
    allows: Callable[[str], bool] | None = None,
) -> None:
    """Set each value at ``prefix`` + its path where the documented body has a place for it:
    the path is there, or its parent is and ``allows`` (the contract declares such a child)
    says it may be added. :data:`OMIT` removes the field, and any parent it leaves empty."""
    for path, value in values.items():
        target = prefix + path
        if value is OMIT:
            _prune(document, target, prefix)
        elif document.exists(target) or allows is None or allows(target):
            document.put(target, value)


def _prune(document: Document, target: str, floor: str) -> None:
    if not document.delete(target):
        return
    parent = target.rpartition("/")[0]
    while parent and len(parent) > len(floor):
        node = document.get(parent)
        if isinstance(document, JsonDocument):
            empty = node in ({}, [])
        else:
            empty = node is not None and len(node) == 0 and not (node.text or "").strip()
        if not empty or not document.delete(parent):
            return
        parent = parent.rpartition("/")[0]
