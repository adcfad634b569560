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
from collections.abc import Mapping
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
    if not media_type or "boundary=" not in media_type.lower():
        return [
            Issue(
                Severity.ERROR,
                "",
                "parse",
                "a multipart body is read with its Content-Type (multipart/form-data; "
                "boundary=…); none was given",
                location=location,
            )
        ]
    schema = form_schema(body)
    limit = schema.get("x-max-request-bytes")
    if isinstance(limit, int) and len(data) > limit:
        # the provider refuses such a request whole, and reading it costs what the bound limits
        return [_too_large("", len(data), limit, "the request", location)]
    try:
        parts, cut = _parts(data, media_type)
    except (ValueError, TypeError, LookupError) as exc:
        message = f"cannot read the multipart body: {exc}"[:200]
        return [Issue(Severity.ERROR, "", "parse", message, location=location)]
    if not parts:
        message = "the multipart body holds no part opened by the Content-Type's boundary"
        return [Issue(Severity.ERROR, "", "parse", message, location=location)]
    if cut:
        message = "the multipart body ends before its closing boundary: it was cut short"
        return [Issue(Severity.ERROR, "", "parse", message, location=location)]
    issues: list[Issue] = []
    properties: Mapping[str, Any] = schema.get("properties") or {}
    seen: dict[str, int] = {}
    for number, message_part in enumerate(parts, start=1):
        try:
            part = _read(message_part)
        except Exception as exc:  # the standard library's header parser, on malformed headers
            issues.append(
                Issue(
                    Severity.ERROR,
                    "",
                    "parse",
                    f"part {number}: its headers cannot be read ({type(exc).__name__})",
                    location=location,
                )
            )
            continue
        name = part.name
        if name is None:
            issues.append(
                Issue(
                    Severity.ERROR,
                    "",
                    "parse",
                    "a part has no Content-Disposition with a field name",
                    location=location,
                )
            )
            continue
        index = seen.get(name, 0)
        seen[name] = index + 1
        field = properties.get(name)
        if field is None:
            issues.append(
                Issue(
                    Severity.ERROR,
                    json_pointer([name]),
                    "additionalProperties",
                    f"{name[:60]!r} is not a documented field of this form",
                    location=location,
                )
            )
            continue
        if field.get("format") == "binary":
            where = f"{location}/properties/{name}"
            issues.extend(_file_issues(field, part, [name, str(index)], where))
    for name in schema.get("required", []):
        if name not in seen:
            issues.append(
                Issue(
                    Severity.ERROR,
                    json_pointer([name]),
                    "required",
                    f"{name!r} is required",
                    location=location,
                    expected=name,
                )
            )
    return issues


def _file_issues(
    field: Mapping[str, Any], part: _Part, tokens: list[str], location: str
) -> list[Issue]:
    issues: list[Issue] = []
    path = json_pointer(tokens)
    content, filename, content_type = part.content, part.filename, part.content_type
    rule = str(field.get(JSON_RULE) or "format")
    message = field.get(JSON_MESSAGE)
    if filename is None:
        issues.append(
            Issue(
                Severity.ERROR,
                f"{path}/filename",
                "required",
                "the part's Content-Disposition carries no filename",
                location=location,
            )
        )
    else:
        extensions = [str(e).lower() for e in field.get("x-file-extensions") or []]
        extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if extensions and extension not in extensions:
            issues.append(
                Issue(
                    Severity.ERROR,
                    f"{path}/filename",
                    rule,
                    message
                    or f"{filename[:60]!r} is not a supported file type ({', '.join(extensions)})",
                    location=location,
                    expected=extensions,
                )
            )
    if content_type is None:
        issues.append(
            Issue(
                Severity.ERROR,
                f"{path}/content-type",
                "required",
                "the part carries no Content-Type",
                location=location,
            )
        )
    else:
        media_types = [str(m).lower() for m in field.get("x-media-types") or []]
        if media_types and content_type.lower() not in media_types:
            issues.append(
                Issue(
                    Severity.ERROR,
                    f"{path}/content-type",
                    rule,
                    message or f"{content_type[:60]!r} is not a supported file type",
                    location=location,
                    expected=media_types,
                )
            )
    limit = field.get("x-max-file-bytes")
    if isinstance(limit, int) and len(content) > limit:
        issues.append(_too_large(path, len(content), limit, "the file", location))
    if not content:
        issues.append(
            Issue(Severity.ERROR, path, "minLength", "the file is empty", location=location)
        )
    return issues


def _too_large(path: str, size: int, limit: int, what: str, location: str) -> Issue:
    return Issue(
        Severity.ERROR,
        path,
        "maxLength",
        f"{what} is {size:,} bytes; at most {limit:,} allowed",
        location=location,
        expected=limit,
    )
