"""``validate``: one entry point, one report, for every operation, part and wire format."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from .._catalog import Body, Operation, Part, as_part, essence_of, get_operation
from .._parsing import (
    DEFAULT_LIMITS,
    DuplicateKey,
    Limits,
    ParseError,
    duplicate_key,
    parse_json,
    parse_xml,
    wire_of,
    within_depth,
)
from .._shared import escape
from . import _hot
from ._checks import Check, CheckContext, advises, check, run_checks, selected_checks
from ._checks import version as _checks_version
from ._clock import clock, clock_is_set
from ._json import compiled, validate_json_body
from ._lines import with_json_lines
from ._multipart import request_limit, validate_multipart
from ._parameters import validate_parameters
from ._report import Issue, Report, Severity

# Leading bytes of the file types the contracts accept as uploads.
_SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
    "image/bmp": (b"BM",),
}


def validate(
    operation_id: str | Operation,
    payload: Any,
    *,
    part: Part = "request",
    status: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
    now: datetime | None = None,
    media_type: str | None = None,
    checks: Iterable[str] | None = None,
    exclude_checks: Iterable[str] = (),
    advice: bool = False,
    advice_as_errors: bool = False,
    brand: Any = None,
    config: Mapping[str, Any] | None = None,
) -> Report:
    """Check ``payload`` against the contract of one operation and return a :class:`Report`.

    ``payload`` is bytes, str, parsed JSON data, or an XML element tree; ``part`` selects the
    request body, a response body (``status`` picks the documented status; by default the one
    the payload fits), the query string or the path parameters. Bad input never raises: it is
    an invalid report saying why. An unknown ``operation_id`` raises
    :class:`~tendlc.UnknownOperationError` (a :class:`LookupError`); an unknown ``part`` raises
    :class:`ValueError`. Rules relative to the present ("must be in the future") are checked
    against ``now`` (a timezone-aware datetime; default: the current time). ``media_type``
    is the body's Content-Type when known: it must be one the contract documents, and a
    multipart body is read with it.

    Every registered check of the part runs (:func:`tendlc.check`): ``checks`` names the only
    ones to run, ``exclude_checks`` those to leave out, ``advice=True`` adds the advice checks
    (about ``brand``, the brand behind a campaign, when given), and ``advice_as_errors`` makes
    their advice errors; ``config`` is handed to the checks.
    """
    plan = _plan_of(part, checks, exclude_checks, advice)
    options = (brand, config, advice_as_errors)
    if now is None and not clock_is_set():  # the current time: nothing to set for the call
        return _validate(operation_id, payload, part, status, limits, media_type, plan, options)
    with clock(now):
        return _validate(operation_id, payload, part, status, limits, media_type, plan, options)


def _plan_of(
    part: Any, checks: Iterable[str] | None, exclude: Iterable[str], advice: bool
) -> tuple[Check, ...]:
    if checks is None and not exclude and not advice:
        plan = _DEFAULT_PLANS.get(part)
        if plan is not None and plan[0] == _checks_version():
            return plan[1]
        found = selected_checks(as_part(part))
        _DEFAULT_PLANS[part] = (_checks_version(), found)
        return found
    return selected_checks(as_part(part), checks, exclude, advice=advice)


#: the default checks of each part, with the registry version they were chosen at
_DEFAULT_PLANS: dict[Any, tuple[int, tuple[Check, ...]]] = {}


def _validate(
    operation_id: str | Operation,
    payload: Any,
    part: Part,
    status: int | None,
    limits: Limits,
    media_type: str | None,
    plan: tuple[Check, ...],
    options: tuple[Any, Mapping[str, Any] | None, bool],
) -> Report:
    operation = get_operation(operation_id)
    part = as_part(part)
    if part != "response" or status is not None or not operation.responses:
        return _judged(operation, part, payload, status, limits, media_type, plan, options)
    # No status given: the documented status this payload fits, successes first (the lines of
    # the issues are read for the report chosen only).
    best: Report | None = None
    for code in sorted(operation.responses, key=lambda code: (code >= 300, code)):
        report = _judged(operation, part, payload, code, limits, media_type, plan, options, False)
        if report.valid:
            best = report
            break
        if best is None or len(report.errors) < len(best.errors):
            best = report
    assert best is not None
    if not best.issues:
        return best
    body = operation.responses.get(best.status) if best.status is not None else None
    placed = with_json_lines(body, payload, list(best.issues))
    return Report(best.operation, best.part, best.status, tuple(placed))


def _judged(
    operation: Operation,
    part: Part,
    payload: Any,
    status: int | None,
    limits: Limits,
    media_type: str | None,
    plan: tuple[Check, ...],
    options: tuple[Any, Mapping[str, Any] | None, bool],
    lines: bool = True,
) -> Report:
    """The report of the checks of ``plan`` on one part (``lines``: read a JSON text's lines
    for its issues)."""
    brand, config, advice_as_errors = options
    context = CheckContext(
        operation,
        part,
        payload,
        status=status,
        media_type=media_type,
        limits=limits,
        config=config if config is not None else _NO_CONFIG,
        advice=advises(plan),
        brand=brand,
    )
    issues = run_checks(context, plan, advice_as_errors=advice_as_errors, lines=lines)
    if issues:
        return Report(operation.id, part, status, tuple(issues))
    return _clean_report(operation.id, part, status)


_NO_CONFIG: Mapping[str, Any] = {}


@lru_cache(maxsize=4096)
def _clean_report(operation_id: str, part: Part, status: int | None) -> Report:
    """The report of a payload with nothing to say: reports are immutable, one is shared."""
    return Report(operation_id, part, status, ())


# -- the built-in checks: the contract, the status, the media type, the parameters ----------


@check("parameters", parts=("query", "path"))
def _parameters_check(context: CheckContext) -> list[Issue]:
    """The query string or the path parameters against the operation's parameters."""
    operation = context.operation
    assert operation is not None
    query = context.part == "query"
    schema = operation.query if query else operation.path_parameters
    try:
        return validate_parameters(schema, context.payload, marker="?" if query else ":")
    except ParseError as exc:
        return [Issue(Severity.ERROR, "", "parse", exc.message)]


def _status_quiet(context: CheckContext) -> bool:
    operation = context.operation
    assert operation is not None
    return bool(operation.responses) and (
        context.status is None or context.status in operation.responses
    )


@check("status", parts=("response",), quiet=_status_quiet)
def _status_check(context: CheckContext) -> list[Issue]:
    """The response's status is one the operation documents."""
    operation = context.operation
    assert operation is not None
    if not operation.responses:
        return [Issue(Severity.ERROR, "", "status", f"{operation.id} documents no response")]
    if context.status is None or context.status in operation.responses:
        return []
    documented = ", ".join(map(str, operation.statuses)) or "none"
    return [
        Issue(
            Severity.ERROR,
            "",
            "status",
            f"status {context.status} is not documented for {operation.id} "
            f"(documented: {documented})",
            expected=list(operation.statuses),
        )
    ]


def _media_type_quiet(context: CheckContext) -> bool:
    return not context.media_type or not media_type_issues(context.body, context.media_type)


@check("media-type", parts=("request", "response"), quiet=_media_type_quiet)
def _media_type_check(context: CheckContext) -> list[Issue]:
    """The body's Content-Type is one its contract documents."""
    found = media_type_issues(context.body, context.media_type)
    if found and context.media_type:
        other = _other_wire(context.body, context.payload)
        if other is not None and other[0] == _wire_named(context.media_type):
            # a document of the other wire, labelled as such: the body check says so, once
            return []
    return found


#: the memo key of the hot path's verdict on a context's body
_HOT = "body.hot"


def _body_quiet(context: CheckContext) -> bool:
    """True when the body check has nothing to say: the compiled hot path accepts the body
    (its verdict is kept for the check, which then does not ask again)."""
    settled = _without_document(context)
    if settled is not None:
        return not settled
    body = context.body
    assert body is not None
    if body.multipart:
        return False
    try:
        verdict = context.memo[_HOT] = _hot.attempt(body, context.payload, context.limits)
    except (ParseError, RecursionError):
        return False  # the check reads the payload again and says why
    return verdict is True


@check("body", parts=("request", "response"), quiet=_body_quiet)
def _body_check(context: CheckContext) -> list[Issue]:
    """The body against its contract (the operation's request, or the documented response of
    the status)."""
    settled = _without_document(context)
    if settled is not None:
        return settled
    body = context.body
    assert body is not None
    verdict = context.memo.get(_HOT)
    return _document_issues(body, context.payload, context.limits, context.media_type, verdict)


def _without_document(context: CheckContext) -> list[Issue] | None:
    """The body check's answer where there is no document to judge (an undocumented status,
    a body the operation does not take); None where there is one."""
    operation = context.operation
    assert operation is not None
    if context.part == "response" and context.status not in operation.responses:
        return []  # the status check says why
    body = context.body
    if body is not None and not body.empty:
        return None
    if _is_empty(context.payload):
        return []
    return [Issue(Severity.ERROR, "", "body", "this exchange has no body, but one was given")]


def prepare(*targets: str | Operation | Body | None) -> None:
    """Compile contracts now rather than on first use: those of operations (every body of
    each: its request and every documented response) or of bodies, for both paths (the
    explaining engine, and the hot path of this thread). A suite whose Hypothesis examples
    send traffic calls it before them, so that no example pays for a compilation."""
    for target in targets:
        if isinstance(target, Body) or target is None:
            _prepare_body(target)
            continue
        operation = get_operation(target)
        for body in (operation.request, *operation.responses.values()):
            _prepare_body(body)


def _prepare_body(body: Body | None) -> None:
    if body is None or not body.structured:
        return
    _hot.attempt(body, b"", DEFAULT_LIMITS)  # an empty payload: compiled, then declined
    if body.wire == "xml":
        from ._xsd import load_schema

        load_schema(body.contract)
    else:
        compiled(body.contract, body.locator, opened=False)
        if not body.closed:
            compiled(body.contract, body.locator, opened=True)


def media_type_issues(body: Body | None, media_type: str | None) -> list[Issue]:
    """An issue when a body's Content-Type is not one its contract documents."""
    if body is None or body.empty or not media_type:
        return []
    essence = essence_of(media_type)
    documented = [essence_of(media) for media in body.media_types]
    if any(_covers(pattern, essence) for pattern in documented) or (
        # "application/xml" documents text/xml too, and +xml / +json types their family
        body.wire in ("xml", "json")
        and (essence.endswith(f"/{body.wire}") or essence.endswith(f"+{body.wire}"))
    ):
        return []
    return [
        Issue(
            Severity.ERROR,
            "",
            "media-type",
            f"Content-Type {media_type[:60]!r} is not documented for this body "
            f"(documented: {', '.join(body.media_types)})",
            expected=list(body.media_types),
        )
    ]


def _covers(pattern: str, essence: str) -> bool:
    """Whether a documented media type (``*/*``, ``image/*`` or exact) covers one given."""
    if pattern == essence or pattern == "*/*":
        return True
    kind, _, sub = pattern.partition("/")
    return sub == "*" and essence.split("/", 1)[0] == kind


def _document_issues(
    body: Body,
    payload: Any,
    limits: Limits,
    media_type: str | None,
    verdict: _hot.Verdict | None = None,
) -> list[Issue]:
    """The body's issues; ``verdict`` is the hot path's, when it was asked already."""
    try:
        if body.multipart:
            if not isinstance(payload, bytes | bytearray | memoryview):
                return [Issue(Severity.ERROR, "", "type", "a multipart body is bytes")]
            bound = request_limit(body)
            if bound is None and len(payload) > limits.max_bytes:
                raise ParseError(f"the body is {len(payload):,} bytes, more than allowed")
            return validate_multipart(body, bytes(payload), media_type)
        if verdict is None:  # the compiled hot paths say only "valid"
            verdict = _hot.attempt(body, payload, limits)
        if verdict is True:
            return []
        if verdict.tree is not None:  # the tree the XML hot path read whole: not parsed again
            return _explain_xml(body, within_depth(verdict.tree, limits))
        if body.binary:
            return _binary_issues(body, payload, limits)
        # a body over the size limit is refused unread, by its size alone (the parser says so)
        oversized = isinstance(payload, _TEXT) and len(payload) > limits.max_bytes
        wrong = None if oversized else _wrong_wire(body, payload, media_type)
        if wrong is not None:
            return [wrong]
        if body.is_xml:
            return _explain_xml(body, parse_xml(payload, limits))
        data = parse_json(payload, limits)
        return validate_json_body(body, data)
    except ParseError as exc:
        path, line = exc.path, exc.line
        if isinstance(exc, DuplicateKey) and isinstance(payload, _TEXT):
            found = duplicate_key(payload)  # the parser keeps no positions: find the member
            if found is not None and found[0].endswith("/" + escape(exc.key)):
                path, line = found
        return [Issue(Severity.ERROR, path or _document_path(body), "parse", exc.message, line)]
    except RecursionError:
        return [
            Issue(
                Severity.ERROR,
                _document_path(body),
                "parse",
                "the document nests too deeply to be checked",
            )
        ]


_TEXT = (bytes, bytearray, memoryview, str)
#: what each wire is called in an issue
_WIRE_NAMES = {"json": "JSON", "xml": "XML"}


def _wrong_wire(body: Body | None, payload: Any, media_type: str | None = None) -> Issue | None:
    """The one issue of a document of the other wire (JSON for an XML body, XML for a JSON
    body), in place of the parser's complaint about its first character."""
    other = _other_wire(body, payload)
    if body is None or other is None:
        return None
    given, line = other
    labelled = f" (Content-Type {media_type[:60]!r})" if media_type else ""
    return Issue(
        Severity.ERROR,
        "",
        "media-type",
        f"this operation takes {_WIRE_NAMES[body.wire]} ({', '.join(body.media_types)}); "
        f"the body is {_WIRE_NAMES[given]}{labelled}",
        line,
        expected=list(body.media_types),
    )


def _other_wire(body: Body | None, payload: Any) -> tuple[str, int | None] | None:
    """The wire a payload shows and the line it starts on, when its body is a document of
    the other wire."""
    if body is None or not body.structured or body.multipart:
        return None
    shown = wire_of(payload)
    if shown is None or shown[0] == body.wire:
        return None
    return shown


def _wire_named(media_type: str) -> str | None:
    """The document wire a Content-Type names (``…/json``, ``…+xml``), if any."""
    essence = essence_of(media_type)
    for wire in _WIRE_NAMES:
        if essence.endswith((f"/{wire}", f"+{wire}")):
            return wire
    return None


def _explain_xml(body: Body, root: Any) -> list[Issue]:
    """The XML explaining path (xmlschema is imported when an XML body first needs it)."""
    from ._xml import validate_xml_body

    return validate_xml_body(body, root)


def _document_path(body: Body) -> str:
    """The path of the whole document: XPath's ``/`` for XML, JSON Pointer's ``""``."""
    return "/" if body.is_xml else ""


def _binary_issues(body: Body, payload: Any, limits: Limits) -> list[Issue]:
    if isinstance(payload, str):
        return [Issue(Severity.ERROR, "", "type", "a file upload is bytes, not text")]
    if not isinstance(payload, bytes | bytearray | memoryview):
        return [
            Issue(
                Severity.ERROR, "", "type", f"a file upload is bytes, not {type(payload).__name__}"
            )
        ]
    data = bytes(payload)
    if not data:
        return [Issue(Severity.ERROR, "", "minLength", "the file is empty")]
    if len(data) > limits.max_bytes:
        return [
            Issue(
                Severity.ERROR,
                "",
                "parse",
                f"the file is {len(data):,} bytes, more than the {limits.max_bytes:,} allowed",
            )
        ]
    known = [media for media in body.media_types if media in _SIGNATURES]
    if known and not any(data.startswith(sig) for media in known for sig in _SIGNATURES[media]):
        return [
            Issue(
                Severity.ERROR,
                "",
                "format",
                f"the file is not of an accepted type ({', '.join(body.media_types)})",
            )
        ]
    return []


def _is_empty(payload: Any) -> bool:
    if payload is None:
        return True
    if isinstance(payload, bytes | bytearray | str):
        return not payload.strip()
    return False
