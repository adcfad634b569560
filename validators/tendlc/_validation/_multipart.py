"""``multipart/form-data`` bodies against the form schema of the contract.

The form schema is an object whose properties are the form fields; a field of
``format: binary`` is a file part, judged by the schema's own annotations: ``x-file-extensions``
(the file name's extension), ``x-media-types`` (the part's Content-Type) and
``x-max-file-bytes``; ``x-max-request-bytes`` bounds the whole body (a body over it is not read
further). Issue paths name the part: ``/file/0``, ``/file/1/filename``.
"""

from __future__ import annotations

import email.errors
import email.parser
import email.policy
from collections.abc import Callable, Mapping
from email.message import Message
from typing import Any, NamedTuple

from .._catalog import Body, load_contract
from .._shared import JSON_MESSAGE, JSON_RULE, get_at, json_pointer
from .._shared import resolve_ref as _resolve
from ._report import Issue, Severity

__all__ = ["form_schema", "validate_multipart"]


def form_schema(body: Body) -> Mapping[str, Any]:
    """The resolved object schema of a multipart body (its fields as properties)."""
    document = load_contract(body.contract)
    node, _ = _resolve(document, get_at(document, body.locator, {}))
    return node if isinstance(node, Mapping) else {}


def request_limit(body: Body) -> int | None:
    """The contract's bound on the whole body, if it states one."""
    limit = form_schema(body).get("x-max-request-bytes")
    return int(limit) if isinstance(limit, int) else None


class _Part(NamedTuple):
    """What the checks read of one part: its field name, file name, Content-Type, content."""

    name: str | None
    filename: str | None
    content_type: str | None
    content: bytes


def _parts(data: bytes, media_type: str) -> tuple[list[Message], bool]:
    """The parts of a body, and whether the body ends before its closing boundary."""
    head = f"Content-Type: {media_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + data)
    if not message.is_multipart():
        return [], False
    cut = any(isinstance(d, email.errors.CloseBoundaryNotFoundDefect) for d in message.defects)
    return [part for part in message.iter_parts() if isinstance(part, Message)], cut


def _read(part: Message) -> _Part:
    """A part's headers and content; the standard library's header parser raises on some
    malformed parameters (an IndexError for ``filename="a.txt" ;\\xff*``), so callers catch."""
    name = part.get_param("name", header="content-disposition")
    filename = part.get_param("filename", header="content-disposition")
    payload = part.get_payload(decode=True)
    return _Part(
        name if isinstance(name, str) and name and part.get("Content-Disposition") else None,
        filename if isinstance(filename, str) and filename else None,
        part.get_content_type() if part.get("Content-Type") else None,
        payload if isinstance(payload, bytes) else b"",
    )


def validate_multipart(body: Body, data: bytes, media_type: str | None) -> list[Issue]:
    """Every issue of a multipart body: fields, file names, types and sizes."""
    location = f"{body.contract}#{body.locator}"
    schema = form_schema(body)
    parts = _readable_parts(schema, data, media_type, location)
    if isinstance(parts, Issue):
        return [parts]
    issues: list[Issue] = []
    properties: Mapping[str, Any] = schema.get("properties") or {}
    seen: dict[str, int] = {}
    for number, message_part in enumerate(parts, start=1):
        issues.extend(_part_issues(number, message_part, properties, seen, location))
    issues.extend(
        _error(json_pointer([name]), "required", f"{name!r} is required", location, name)
        for name in schema.get("required", [])
        if name not in seen
    )
    return issues


def _readable_parts(
    schema: Mapping[str, Any], data: bytes, media_type: str | None, location: str
) -> list[Message] | Issue:
    """The parts of a body, or the one issue that keeps it from being read."""
    if not media_type or "boundary=" not in media_type.lower():
        message = (
            "a multipart body is read with its Content-Type (multipart/form-data; "
            "boundary=…); none was given"
        )
        return _error("", "parse", message, location)
    limit = schema.get("x-max-request-bytes")
    if isinstance(limit, int) and len(data) > limit:
        # the provider refuses such a request whole, and reading it costs what the bound limits
        return _too_large("", len(data), limit, "the request", location)
    try:
        parts, cut = _parts(data, media_type)
    except (ValueError, TypeError, LookupError) as exc:
        return _error("", "parse", f"cannot read the multipart body: {exc}"[:200], location)
    if not parts:
        message = "the multipart body holds no part opened by the Content-Type's boundary"
        return _error("", "parse", message, location)
    if cut:
        message = "the multipart body ends before its closing boundary: it was cut short"
        return _error("", "parse", message, location)
    return parts


def _part_issues(
    number: int,
    message_part: Message,
    properties: Mapping[str, Any],
    seen: dict[str, int],
    location: str,
) -> list[Issue]:
    """The issues of part ``number``; counts its field in ``seen``."""
    try:
        part = _read(message_part)
    except Exception as exc:  # the standard library's header parser, on malformed headers
        message = f"part {number}: its headers cannot be read ({type(exc).__name__})"
        return [_error("", "parse", message, location)]
    name = part.name
    if name is None:
        message = "a part has no Content-Disposition with a field name"
        return [_error("", "parse", message, location)]
    index = seen.get(name, 0)
    seen[name] = index + 1
    field = properties.get(name)
    if field is None:
        message = f"{name[:60]!r} is not a documented field of this form"
        return [_error(json_pointer([name]), "additionalProperties", message, location)]
    if field.get("format") != "binary":
        return []
    return _file_issues(field, part, [name, str(index)], f"{location}/properties/{name}")


def _file_issues(
    field: Mapping[str, Any], part: _Part, tokens: list[str], location: str
) -> list[Issue]:
    path = json_pointer(tokens)
    rule = str(field.get(JSON_RULE) or "format")
    message = field.get(JSON_MESSAGE)
    issues = [
        issue
        for told, value in ((_FILENAME, part.filename), (_CONTENT_TYPE, part.content_type))
        for issue in _told_issues(told, value, field, path, rule, message, location)
    ]
    content = part.content
    limit = field.get("x-max-file-bytes")
    if isinstance(limit, int) and len(content) > limit:
        issues.append(_too_large(path, len(content), limit, "the file", location))
    if not content:
        issues.append(_error(path, "minLength", "the file is empty", location))
    return issues


class _Told(NamedTuple):
    """What a file part tells of its file in a header, and the field keyword that lists the
    accepted values."""

    name: str  # the last step of its issue path
    absent: str  # the message when the part does not tell it
    keyword: str  # the field's list of accepted values (lower case)
    compared: Callable[[str], str]  # what of the value is looked up in that list
    refused: str  # the message when the list leaves it out ({value}, {accepted})


_FILENAME = _Told(
    "filename",
    "the part's Content-Disposition carries no filename",
    "x-file-extensions",
    lambda name: name.rsplit(".", 1)[-1].lower() if "." in name else "",
    "{value!r} is not a supported file type ({accepted})",
)
_CONTENT_TYPE = _Told(
    "content-type",
    "the part carries no Content-Type",
    "x-media-types",
    str.lower,
    "{value!r} is not a supported file type",
)


def _told_issues(
    told: _Told,
    value: str | None,
    field: Mapping[str, Any],
    path: str,
    rule: str,
    message: str | None,
    location: str,
) -> list[Issue]:
    where = f"{path}/{told.name}"
    if value is None:
        return [_error(where, "required", told.absent, location)]
    accepted = [str(item).lower() for item in field.get(told.keyword) or []]
    if not accepted or told.compared(value) in accepted:
        return []
    said = message or told.refused.format(value=value[:60], accepted=", ".join(accepted))
    return [_error(where, rule, said, location, accepted)]


def _error(path: str, rule: str, message: str, location: str, expected: Any = None) -> Issue:
    return Issue(Severity.ERROR, path, rule, message, location=location, expected=expected)


def _too_large(path: str, size: int, limit: int, what: str, location: str) -> Issue:
    return _error(
        path, "maxLength", f"{what} is {size:,} bytes; at most {limit:,} allowed", location, limit
    )
