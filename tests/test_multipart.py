"""Evidence uploads: real multipart/form-data bodies against the file rules the pages state.

Every upload of the catalog (an operation whose request is documented as multipart/form-data)
is exercised with the limits its own form schema carries, so a new upload operation is covered
by adding it to the contract; ``DOCUMENTED`` pins those limits to the page's sentences. The
rules, from 004_94fe2f16f9cd02e3.txt, "Upload evidence for a vetting appeal":

    Multiple files can be uploaded at once, with following limitations:
      • The size of each file cannot exceed 10MB
      • The total size of the HTTP request cannot exceed 100MB
      • Supported file types are: jpg jpeg png bmp raw tiff pdf docx htm odt rtf txt xml
    We expect the filename to be populated in the Content-Disposition header and the
    Content-Type to be set in each subpart.

and the body table, "file string(binary) Requerido" (a file of no bytes is taken for no file).
A MB is 2**20 bytes (errata VG-118).

The page states no number of files per upload. "A maximum of 10 evidence files can be
submitted with the appeal" and "The total size of the evidence files cannot exceed 30MB"
("Request vetting appeal for a brand") bound the evidence an appeal references by id: the
first is checked on the appeal's evidence_ids, the second would need the stored files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import httpx
import pytest

import tendlc
from tendlc._validation._multipart import form_schema
from tendlc.traffic import Exchange, Headers, Request, check_exchange

UPLOADS = [op for op in tendlc.operations() if op.request is not None and op.request.multipart]
MB = 2**20

#: operation → what its page states: (bytes per file, bytes per request, the file types listed)
DOCUMENTED: dict[str, tuple[int, int, str]] = {
    "vonage.appealEvidence.upload": (
        10 * MB,
        100 * MB,
        "jpg jpeg png bmp raw tiff pdf docx htm odt rtf txt xml",  # "Supported file types are: …"
    ),
}

BOUNDARY = "tendlc-evidence-7d1f"
MEDIA_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


# -- building bodies -------------------------------------------------------------------------


def _file_field(operation: tendlc.Operation) -> tuple[str, Mapping[str, Any]]:
    """The form's file field: its name and schema (the uploads have exactly one)."""
    assert operation.request is not None
    properties = form_schema(operation.request).get("properties") or {}
    files = [(name, field) for name, field in properties.items() if field.get("format") == "binary"]
    assert len(files) == 1, f"{operation.id}: the tests expect one file field, not {files}"
    required = set(form_schema(operation.request).get("required") or [])
    assert required <= {files[0][0]}, f"{operation.id}: required text fields need a value here"
    return files[0]


def _limits(operation: tendlc.Operation) -> tuple[int, int]:
    assert operation.request is not None
    _, field = _file_field(operation)
    return field["x-max-file-bytes"], form_schema(operation.request)["x-max-request-bytes"]


def _part(
    name: str,
    content: bytes,
    *,
    filename: str | None = "evidence.txt",
    content_type: str | None = "text/plain",
) -> bytes:
    disposition = f'form-data; name="{name}"'
    if filename is not None:
        disposition += f'; filename="{filename}"'
    head = f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n"
    if content_type is not None:
        head += f"Content-Type: {content_type}\r\n"
    return head.encode("utf-8") + b"\r\n" + content + b"\r\n"


def _body(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def _upload(operation: tendlc.Operation, count: int = 1, size: int = 64, **part: Any) -> bytes:
    """A body of ``count`` files of ``size`` bytes each, under the form's file field."""
    name, _ = _file_field(operation)
    return _body(*(_part(name, b"e" * size, **part) for _ in range(count)))


def _validate(operation: tendlc.Operation, body: bytes, media_type: str | None = MEDIA_TYPE):
    return tendlc.validate(operation, body, part="request", media_type=media_type)


def _errors(report: tendlc.Report) -> list[tuple[str, str]]:
    return [(issue.path, issue.rule) for issue in report.errors]


uploads = pytest.mark.parametrize("operation", UPLOADS, ids=[op.id for op in UPLOADS])


# -- the catalog and the contract ------------------------------------------------------------


def test_the_catalog_has_the_documented_uploads():
    assert sorted(op.id for op in UPLOADS) == sorted(DOCUMENTED)


@uploads
def test_the_form_carries_the_pages_limits(operation):
    per_file, per_request, extensions = DOCUMENTED[operation.id]
    _, field = _file_field(operation)
    assert _limits(operation) == (per_file, per_request)
    assert " ".join(field["x-file-extensions"]) == extensions


# -- one upload, file by file ----------------------------------------------------------------


@uploads
def test_a_valid_upload_passes(operation):
    report = _validate(operation, _upload(operation))
    assert report.valid, _errors(report)


@uploads
def test_every_supported_file_type_passes(operation):
    name, field = _file_field(operation)
    # extensions are compared without case; each media type is tried with a plain file name
    parts = [_part(name, b"evidence", filename=f"evidence.{e}") for e in field["x-file-extensions"]]
    parts += [
        _part(name, b"evidence", filename=f"EVIDENCE.{e.upper()}")
        for e in field["x-file-extensions"]
    ]
    parts += [_part(name, b"evidence", content_type=m) for m in field["x-media-types"]]
    report = _validate(operation, _body(*parts))
    assert report.valid, _errors(report)


@uploads
def test_a_body_from_a_real_client_passes(operation):
    name, _ = _file_field(operation)
    request = httpx.Request(
        "POST",
        "https://provider.test/upload",
        files=[(name, ("scan.pdf", b"%PDF-1.7 evidence", "application/pdf"))] * 2,
    )
    report = _validate(operation, request.read(), request.headers["content-type"])
    assert report.valid, _errors(report)


@uploads
def test_an_undocumented_file_type_fails_naming_its_part(operation):
    name, field = _file_field(operation)
    rule = field.get("x-rule", "format")
    body = _body(
        _part(name, b"evidence"),
        _part(
            name, b"MZ\x90\x00", filename="evidence.exe", content_type="application/x-msdownload"
        ),
    )
    report = _validate(operation, body)
    assert _errors(report) == [
        (f"/{name}/1/filename", rule),
        (f"/{name}/1/content-type", rule),
    ]
    by_path = {issue.path: issue for issue in report.errors}
    assert "'evidence.exe'" in by_path[f"/{name}/1/filename"].message
    assert by_path[f"/{name}/1/filename"].expected == field["x-file-extensions"]
    assert by_path[f"/{name}/1/content-type"].expected == field["x-media-types"]


@uploads
def test_a_file_name_without_a_supported_extension_fails(operation):
    name, field = _file_field(operation)
    rule = field.get("x-rule", "format")
    for filename in ("evidence", "evidence.txt.exe"):
        report = _validate(operation, _upload(operation, filename=filename))
        assert _errors(report) == [(f"/{name}/0/filename", rule)], filename


@uploads
def test_a_part_without_a_filename_or_content_type_fails(operation):
    name, _ = _file_field(operation)
    report = _validate(operation, _upload(operation, filename=None))
    assert _errors(report) == [(f"/{name}/0/filename", "required")]
    report = _validate(operation, _upload(operation, content_type=None))
    assert _errors(report) == [(f"/{name}/0/content-type", "required")]


@uploads
def test_a_file_at_the_size_limit_passes_and_one_byte_more_fails(operation):
    name, _ = _file_field(operation)
    per_file, _ = _limits(operation)
    assert _validate(operation, _upload(operation, size=per_file)).valid
    body = _body(_part(name, b"e" * 10), _part(name, b"e" * (per_file + 1)))
    report = _validate(operation, body)
    assert _errors(report) == [(f"/{name}/1", "maxLength")]
    assert report.errors[0].expected == per_file
    assert f"{per_file + 1:,} bytes" in report.errors[0].message


@uploads
def test_a_megabyte_is_two_to_the_twentieth_bytes(operation):
    # VG-118: a file over 10,000,000 bytes but within 10 * 2**20 is within "10MB"
    per_file, _ = _limits(operation)
    decimal = per_file // MB * 1_000_000
    assert _validate(operation, _upload(operation, size=decimal + 1)).valid


@uploads
def test_an_empty_file_fails(operation):
    name, _ = _file_field(operation)
    report = _validate(operation, _body(_part(name, b"evidence"), _part(name, b"")))
    assert _errors(report) == [(f"/{name}/1", "minLength")]


# -- the whole upload ------------------------------------------------------------------------


@uploads
def test_a_request_over_the_total_size_fails_even_when_every_file_is_within_its_own(operation):
    per_file, per_request = _limits(operation)
    # as many files at the per-file limit as the request limit holds: the delimiters tip it over
    body = _upload(operation, count=per_request // per_file, size=per_file)
    assert len(body) > per_request
    report = _validate(operation, body)
    assert _errors(report) == [("", "maxLength")]
    assert report.errors[0].expected == per_request
    assert f"{len(body):,} bytes" in report.errors[0].message


@uploads
def test_an_upload_takes_more_files_than_an_appeal_references(operation):
    # the page limits an upload by size only; "A maximum of 10 evidence files can be submitted
    # with the appeal" bounds the appeal's evidence_ids
    report = _validate(operation, _upload(operation, count=11))
    assert report.valid, _errors(report)
    appeal = {"categories": ["x"], "evidence_ids": [f"e{i}" for i in range(11)], "explanation": "x"}
    report = tendlc.validate("vonage.vetting.appeal", json.dumps(appeal))
    assert [(i.path, i.expected) for i in report.errors] == [("/evidence_ids", 10)]


@uploads
def test_an_undocumented_field_and_a_missing_file_fail(operation):
    name, _ = _file_field(operation)
    report = _validate(operation, _body(_part("attachment", b"evidence")))
    assert _errors(report) == [("/attachment", "additionalProperties"), (f"/{name}", "required")]


# -- bodies that cannot be read --------------------------------------------------------------

GOOD = _part("file", b"evidence")
UNREADABLE = {
    "no Content-Type": (_body(GOOD), None),
    "no boundary": (_body(GOOD), "multipart/form-data"),
    "an empty boundary": (_body(GOOD), 'multipart/form-data; boundary=""'),
    "another boundary": (_body(GOOD), "multipart/form-data; boundary=elsewhere"),
    "an empty body": (b"", MEDIA_TYPE),
    "bytes that are no form": (b"\x00\xff\xfe garbage \r\n\r\n--", MEDIA_TYPE),
    "JSON sent as a form": (b'{"file": "evidence.txt"}', MEDIA_TYPE),
    "a body cut short": (_body(GOOD)[:-30], MEDIA_TYPE),
    "no closing boundary": (GOOD, MEDIA_TYPE),
    "a part without headers": (
        _body(b"--" + BOUNDARY.encode() + b"\r\n\r\nevidence\r\n"),
        MEDIA_TYPE,
    ),
    "a header the standard library cannot parse": (
        _body(
            f"--{BOUNDARY}\r\n".encode()
            + b'Content-Disposition: form-data; name="file"; filename="a.txt" ;\xff*\r\n'
            + b"Content-Type: text/plain\r\n\r\nevidence\r\n"
        ),
        MEDIA_TYPE,
    ),
    "a non-Latin-1 Content-Type": (_body(GOOD), "multipart/form-data; boundary=évidence☃"),
}


@uploads
@pytest.mark.parametrize("case", list(UNREADABLE))
def test_an_unreadable_body_is_a_parse_issue_never_an_exception(operation, case):
    body, media_type = UNREADABLE[case]
    report = _validate(operation, body, media_type)
    assert not report.valid
    parse = [issue for issue in report.errors if issue.rule == "parse"]
    assert parse, _errors(report)
    assert all(issue.message and issue.location for issue in parse)


# -- the traffic layer -----------------------------------------------------------------------


def _url(operation: tendlc.Operation) -> str:
    path = re.sub(r"\{[^}]+\}", "BLQKOPK", operation.path)
    return f"{operation.host}{operation.base_path}{path}"


def _request_findings(result) -> list[tendlc.Issue]:
    return [i for i in result.issues if i.check == "body" and i.direction == "request"]


#: case → the _upload options that break one rule, given (bytes per file, bytes per request)
BAD_UPLOADS: dict[str, Any] = {
    "an undocumented type": lambda f, r: {
        "filename": "a.exe",
        "content_type": "application/x-msdos",
    },
    "an empty file": lambda f, r: {"size": 0},
    "an oversized file": lambda f, r: {"size": f + 1},
    "too many bytes in all": lambda f, r: {"count": r // f, "size": f},
}
#: case → the issues it gets: (path below the file field, or "" for the body; rule, or None for
#: the file field's own x-rule)
BAD_UPLOAD_ISSUES: dict[str, list[tuple[str | None, str | None]]] = {
    "an undocumented type": [("/0/filename", None), ("/0/content-type", None)],
    "an empty file": [("/0", "minLength")],
    "an oversized file": [("/0", "maxLength")],
    "too many bytes in all": [(None, "maxLength")],
}


@uploads
@pytest.mark.parametrize("case", list(BAD_UPLOADS))
def test_the_traffic_check_reports_what_validate_reports(operation, case):
    body = _upload(operation, **BAD_UPLOADS[case](*_limits(operation)))
    exchange = Exchange(
        Request(operation.method, _url(operation), Headers({"Content-Type": MEDIA_TYPE}), body)
    )
    result = check_exchange(exchange)
    assert result.operation == operation.id
    found = _request_findings(result)
    name, field = _file_field(operation)
    assert [(issue.path, issue.rule) for issue in found] == [
        ("" if below is None else f"/{name}{below}", rule or field.get("x-rule", "format"))
        for below, rule in BAD_UPLOAD_ISSUES[case]
    ]
    # the same issues, those of the exchange naming the side they concern
    assert [replace(i, direction="") for i in found] == list(_validate(operation, body).issues)
    assert any(i.check == "body" for i in result.issues)
    assert all(i.direction == "request" for i in result.issues if i.check == "body")


@uploads
def test_the_traffic_check_of_a_real_client_upload(operation):
    name, _ = _file_field(operation)
    sent = httpx.Request(
        operation.method,
        _url(operation),
        files=[(name, ("evidence.txt", b"evidence", "text/plain"))],
    )
    sent.read()
    response = httpx.Response(
        200,
        json={"id": "e1", "file_name": "evidence.txt", "mime_type": "text/plain"},
        request=sent,
    )
    result = check_exchange(Exchange.from_httpx(response))
    assert result.operation == operation.id
    assert _request_findings(result) == []

    garbled = Exchange(
        Request(
            operation.method,
            _url(operation),
            Headers({"Content-Type": "multipart/form-data"}),
            b"--x\r\n\r\nnot a form",
        )
    )
    found = _request_findings(check_exchange(garbled))
    assert [(issue.path, issue.rule) for issue in found] == [("", "parse")]
