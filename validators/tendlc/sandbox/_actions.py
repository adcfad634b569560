"""What each action of the behaviour table does to the records it keeps, and the answer it
gives: one small function per action, looked up in :data:`ACTIONS`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from .._catalog import Operation
from .._parsing import local_name
from .._shared import copied
from ..traffic import Headers, Response
from ._behaviour import OperationBehaviour, Resource
from ._bodies import lay_over, list_body, media_type_of, read_record
from ._fields import Subject, values_of
from ._paging import page_of, paging_values
from ._state import Record, Records

__all__ = [
    "ACTIONS",
    "NEEDS_RECORD",
    "Call",
    "Host",
    "Target",
    "answer_record",
    "answer_template",
    "make",
    "requested_id",
    "subject_of",
]


class Host(Protocol):
    """What the actions need from the sandbox that runs them."""

    state: Records

    def now(self) -> float:
        """The sandbox's clock (seconds since the epoch)."""

    def error(
        self,
        operation: Operation,
        kind: str,
        status: int,
        message: str,
        resource: Resource | None = None,
    ) -> Response:
        """The provider's documented error body for a refusal of this kind."""

    def started(self, resource: Resource, record: Record) -> None:
        """A record whose resource moves on (an order) was made."""


@dataclass
class Call:
    """One request the sandbox acts on, once it was let in and found valid."""

    host: Host
    plan: OperationBehaviour
    status: int
    account: str
    user: str
    parameters: Mapping[str, str]
    headers: Headers
    body: bytes
    #: the request's path and query, and the sandbox's base URL (scheme://host and prefix)
    path: str = ""
    query: str = ""
    base_url: str = ""
    #: the id a seed gives the record it makes
    forced_id: str | None = None
    #: the record the call made, if it made one
    made: Record | None = None

    @property
    def operation(self) -> Operation:
        return self.plan.operation

    @cached_property
    def fields(self) -> Any:
        """The record fields the client sent (a parsed body root; None without a body)."""
        request = self.operation.request
        return read_record(request, self.body) if request is not None else None

    def media(self) -> dict[str, str]:
        body = self.operation.responses.get(self.status)
        return {"Content-Type": media_type_of(body)} if body is not None else {}

    def answer(self, data: bytes) -> Response:
        return Response(self.status, Headers(self.media() if data else {}), data)


@dataclass
class Target:
    """The records a call acts on: the kept set it belongs to, and the record when there is
    one (found by the path parameter, the id the client sent, or the singleton)."""

    resource: Resource
    kept: dict[str, Record]
    scope: tuple[str, ...]
    record_id: str | None
    record: Record | None = None
    #: the record's path parameters besides its own id: the account's and its parents'
    parameters: dict[str, str] = field(default_factory=dict)


# -- values ---------------------------------------------------------------------------------------


def subject_of(call: Call, record: Record | None) -> Subject:
    """What the fields of an answer about ``record`` (or about none) are computed from."""
    if record is None:
        return Subject(
            account=call.account,
            user=call.user,
            base_url=call.base_url,
            now=call.host.now(),
            parameters=dict(call.parameters),
            request=call.fields,
        )
    return Subject(
        account=record.account,
        user=record.user,
        base_url=call.base_url,
        now=call.host.now(),
        id=record.id,
        scope=record.scope,
        parameters={**call.parameters, **record.parameters},
        request=record.fields,
        progress=record.progress,
        created=record.created,
        updated=record.updated,
    )


def server_values(call: Call, resource: Resource, record: Record) -> dict[str, Any]:
    """The fields the sandbox sets on a record's item: its id and progress, the kept file's
    name and type, and the resource's ``fields``."""
    values: dict[str, Any] = {}
    if resource.id is not None:
        values["/" + resource.id.field] = record.id
    if resource.progress is not None and record.progress is not None:
        values["/" + resource.progress.field] = record.progress
    if resource.files is not None and record.files:
        name, media, _ = record.files[0]
        values["/" + resource.files["name"]] = name
        values["/" + resource.files["media_type"]] = media
    subject = subject_of(call, record)
    values.update(values_of(resource.fields, subject, call.host.state, resource.name))
    return values


def _root_values(call: Call, record: Record | None) -> dict[str, Any]:
    owner = call.operation.id
    return values_of(call.plan.fields, subject_of(call, record), call.host.state, owner)


def answer_record(call: Call, target: Target, record: Record) -> Response:
    """The documented body with the record laid over its item."""
    data = lay_over(
        call.operation,
        call.status,
        call.plan.item,
        record.fields,
        server_values(call, target.resource, record),
        _root_values(call, record),
    )
    return call.answer(data)


def answer_template(call: Call, record: Record | None = None) -> Response:
    """The documented body, with the operation's own ``fields`` set."""
    data = lay_over(call.operation, call.status, None, None, {}, _root_values(call, record))
    return call.answer(data)


# -- making and finding records ---------------------------------------------------------------


def requested_id(call: Call, resource: Resource) -> str | None:
    """The id a request names: the singleton's, its path parameter, or (where the operation
    keeps the client's ids) the id field of its body."""
    if resource.singleton:
        return "settings"
    spec = resource.id
    if spec is None:
        return None
    if spec.parameter and spec.parameter in call.parameters:
        return call.parameters[spec.parameter]
    if (call.plan.id_from_request or spec.from_request) and call.plan.action == "create":
        found = _field(call.fields, spec.field)
        if found:
            return found
    return None


def make(call: Call, target: Target, record_id: str | None, fields: Any) -> Record:
    """A new record, kept; ids the client did not give are made in the documented shape."""
    records = call.host.state
    resource = target.resource
    if record_id is None:
        record_id = records.new_id(resource)
    else:
        records.claim(resource, record_id)
    parameters = dict(target.parameters)
    if resource.id is not None and resource.id.parameter:
        parameters[resource.id.parameter] = record_id
    now = call.host.now()
    record = Record(
        id=record_id,
        fields=copied(fields),
        account=call.account,
        user=call.user,
        parameters=parameters,
        scope=target.scope,
        progress=resource.progress.steps[0] if resource.progress is not None else None,
        created=now,
        updated=now,
        base_url=call.base_url,
    )
    if resource.files is not None:
        record.files.extend(_file_parts(call.headers.get("content-type") or "", call.body))
    target.kept[record_id] = record
    call.made = record
    if resource.progress is not None:
        call.host.started(resource, record)
    return record


# -- the actions ----------------------------------------------------------------------------------


def _create(call: Call, target: Target) -> Response:
    if target.record is not None:
        if 409 in call.operation.responses:
            message = f"{target.record_id} already exists"
            return call.host.error(call.operation, "conflict", 409, message, target.resource)
        return answer_record(call, target, target.record)
    record_id = target.record_id
    if call.forced_id is not None and not target.resource.singleton:
        record_id = call.forced_id
        if record_id in target.kept:
            message = f"{record_id} already exists"
            return call.host.error(call.operation, "conflict", 409, message, target.resource)
    record = make(call, target, record_id, call.fields)
    return answer_record(call, target, record)


def _get(call: Call, target: Target) -> Response:
    assert target.record is not None
    return answer_record(call, target, target.record)


def _update(call: Call, target: Target) -> Response:
    assert target.record is not None
    _merge(target.record, call.fields)
    target.record.updated = call.host.now()
    return answer_record(call, target, target.record)


def _upsert(call: Call, target: Target) -> Response:
    if target.record is None:
        return _create(call, target)
    return _update(call, target)


def _delete(call: Call, target: Target) -> Response:
    assert target.record is not None and target.record_id is not None
    del target.kept[target.record_id]
    documented = call.operation.responses.get(call.status)
    if documented is not None and documented.binary and target.record.files:
        return _file_response(call.status, documented, target.record.files[-1])
    return answer_template(call, target.record)


def _act(call: Call, target: Target) -> Response:
    assert target.record is not None
    if call.plan.item is None:
        return answer_template(call, target.record)
    return answer_record(call, target, target.record)


def _store(call: Call, target: Target) -> Response:
    assert target.record is not None
    target.record.files.append(("upload", call.headers.get("content-type") or "", call.body))
    target.record.updated = call.host.now()
    return answer_template(call, target.record)


def _download(call: Call, target: Target) -> Response:
    assert target.record is not None
    documented = call.operation.responses[call.status]
    file = target.record.files[-1] if target.record.files else ("", "", b"")
    return _file_response(call.status, documented, file)


def _list(call: Call, target: Target) -> Response:
    records = list(target.kept.values())
    page = page_of(call.operation, call.query, len(records), call.plan.paging)
    shown = page.of(records) if page is not None else records
    entries = [(r.fields, server_values(call, target.resource, r)) for r in shown]
    root = paging_values(
        call.operation,
        call.plan.paging,
        page,
        len(records),
        base_url=call.base_url,
        path=call.path,
        query=call.query,
    )
    root.update(_root_values(call, None))
    data = list_body(call.operation, call.status, call.plan.items or "", entries, root)
    return Response(call.status, Headers(call.media()), data)


Action = Callable[[Call, Target], Response]

#: what each action of the behaviour table does
ACTIONS: Mapping[str, Action] = {
    "create": _create,
    "get": _get,
    "update": _update,
    "upsert": _upsert,
    "delete": _delete,
    "act": _act,
    "store": _store,
    "download": _download,
    "list": _list,
}
#: the actions that need the record to exist (404 otherwise)
NEEDS_RECORD = frozenset({"get", "update", "delete", "act", "store", "download"})


# -- helpers --------------------------------------------------------------------------------------


def _merge(record: Record, fields: Any) -> None:
    if fields is None:
        return
    if isinstance(record.fields, dict) and isinstance(fields, Mapping):
        record.fields.update(copied(dict(fields)))
        return
    if record.fields is not None and hasattr(fields, "tag"):
        for child in list(fields):
            if not isinstance(child.tag, str):
                continue
            previous = record.fields.find(child.tag)
            if previous is not None:
                record.fields.replace(previous, copied(child))
            else:
                record.fields.append(copied(child))
        return
    record.fields = copied(fields)


def _field(fields: Any, name: str) -> str | None:
    if isinstance(fields, Mapping):
        value = fields.get(name)
        return str(value) if value is not None else None
    if fields is not None and hasattr(fields, "findtext"):
        return fields.findtext(name) if local_name(fields) != name else (fields.text or None)
    return None


def _file_response(status: int, body: Any, file: tuple[str, str, bytes]) -> Response:
    """A kept file, as the documented body type says (its own type when that is covered)."""
    from .._validation import media_type_issues

    _, media, content = file
    if not media or media_type_issues(body, media):
        media = body.media_types[0] if body.media_types else "application/octet-stream"
    return Response(status, Headers({"Content-Type": media}), content)


def _file_parts(media_type: str, body: bytes) -> list[tuple[str, str, bytes]]:
    """(file name, media type, content) of every file part of a multipart body."""
    if "multipart/" not in media_type.lower():
        return []
    import email.parser
    import email.policy

    head = f"Content-Type: {media_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    files = []
    for part in message.iter_parts() if message.is_multipart() else ():
        name = part.get_param("filename", header="content-disposition")
        content = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(content, bytes):
            files.append((name, part.get_content_type(), content))
    return files
