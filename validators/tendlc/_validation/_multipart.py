"""``multipart/form-data`` bodies against the form schema of the contract.

The form schema is an object whose properties are the form fields; a field of
``format: binary`` is a file part, judged by the schema's own annotations: ``x-file-extensions``
(the file name's extension), ``x-media-types`` (the part's Content-Type) and
``x-max-file-bytes``; ``x-max-request-bytes`` bounds the whole body (a body over it is not read
further). Issue paths name the part: ``/file/0``, ``/file/1/filename``.
"""

from __future__ import annotations

import email.parser
import email.policy
from collections.abc import Mapping
from email.message import Message
from typing import Any

from .._catalog import JSON_MESSAGE, JSON_RULE, Body, get_at, json_pointer, load_contract
from .._catalog import resolve_ref as _resolve
from ._report import Issue

__all__ = ["form_schema", "validate_multipart"]

MULTIPART = "multipart/form-data"


def form_schema(body: Body) -> Mapping[str, Any]:
    """The resolved object schema of a multipart body (its fields as properties)."""
    document = load_contract(body.contract)
    node, _ = _resolve(document, get_at(document, body.locator, {}))
    return node if isinstance(node, Mapping) else {}


def request_limit(body: Body) -> int | None:
    """The contract's bound on the whole body, if it states one."""
    limit = form_schema(body).get("x-max-request-bytes")
    return int(limit) if isinstance(limit, int) else None


def _parts(data: bytes, media_type: str) -> list[Message]:
    head = f"Content-Type: {media_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + data)
    if not message.is_multipart():
        return []
    return [part for part in message.iter_parts() if isinstance(part, Message)]


def validate_multipart(body: Body, data: bytes, media_type: str | None) -> list[Issue]:
    """Every issue of a multipart body: fields, file names, types and sizes."""
    location = f"{body.contract}#{body.locator}"
    if not media_type or "boundary=" not in media_type.lower():
        return [
            Issue(
                "error",
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
        parts = _parts(data, media_type)
    except (ValueError, TypeError, LookupError) as exc:
        message = f"cannot read the multipart body: {exc}"[:200]
        return [Issue("error", "", "parse", message, location=location)]
    if not parts:
        return [Issue("error", "", "parse", "the multipart body holds no part", location=location)]
    issues: list[Issue] = []
    properties: Mapping[str, Any] = schema.get("properties") or {}
    seen: dict[str, int] = {}
    for part in parts:
        disposition = part.get("Content-Disposition", "")
        name = part.get_param("name", header="content-disposition")
        if not disposition or not isinstance(name, str) or not name:
            issues.append(
                Issue(
                    "error",
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
                    "error",
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
                    "error",
                    json_pointer([name]),
                    "required",
                    f"{name!r} is required",
                    location=location,
                    expected=name,
                )
            )
    return issues


def _file_issues(
    field: Mapping[str, Any], part: Message, tokens: list[str], location: str
) -> list[Issue]:
    issues: list[Issue] = []
    path = json_pointer(tokens)
    payload = part.get_payload(decode=True)
    content = payload if isinstance(payload, bytes) else b""
    filename = part.get_param("filename", header="content-disposition")
    content_type = part.get_content_type() if part.get("Content-Type") else None
    rule = str(field.get(JSON_RULE) or "format")
    message = field.get(JSON_MESSAGE)
    if not isinstance(filename, str) or not filename:
        issues.append(
            Issue(
                "error",
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
                    "error",
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
                "error",
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
                    "error",
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
        issues.append(Issue("error", path, "minLength", "the file is empty", location=location))
    return issues


def _too_large(path: str, size: int, limit: int, what: str, location: str) -> Issue:
    return Issue(
        "error",
        path,
        "maxLength",
        f"{what} is {size:,} bytes; at most {limit:,} allowed",
        location=location,
        expected=limit,
    )
