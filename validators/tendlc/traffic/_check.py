"""Check an HTTP exchange against the contracts: one result per exchange.

The checks are registered in one table (:data:`CHECKS`), each a function of the exchange and
its matched operation that yields issues for one direction. The body checks are
:func:`tendlc.validate` itself, so an exchange's issues are the ones a payload gets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from .._catalog import Operation, get_operation
from .._parsing import DEFAULT_LIMITS, Limits, ParseError, local_name, parse_xml
from .._validation import Issue, Report, clock, validate
from ._exchange import Exchange
from ._router import Match, Router, default_router
from ._secrets import SecretRules, mask_url

__all__ = ["CHECKS", "Direction", "ExchangeResult", "Finding", "check"]

Direction = Literal["request", "response", "exchange"]


@dataclass(frozen=True)
class Finding:
    """One issue of an exchange, with the direction it concerns and the check that found it."""

    direction: Direction
    check: str
    issue: Issue

    def to_dict(self) -> dict[str, Any]:
        return {"direction": self.direction, "check": self.check, **self.issue.to_dict()}


@dataclass(frozen=True)
class ExchangeResult:
    """Everything the contracts say about one exchange."""

    exchange: Exchange
    operation: str | None
    findings: tuple[Finding, ...] = ()
    path_parameters: dict[str, str] = field(default_factory=dict)

    @property
    def matched(self) -> bool:
        return self.operation is not None

    @property
    def valid(self) -> bool:
        """True when no finding is an error (undocumented response fields are warnings)."""
        return not self.errors

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.issue.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.issue.severity == "warning")

    @property
    def provider(self) -> str | None:
        return self.operation.split(".", 1)[0] if self.operation else None

    def report(self, direction: Literal["request", "response"]) -> Report:
        """The findings of one direction as a :class:`~tendlc.Report`."""
        response = self.exchange.response
        return Report(
            self.operation or "",
            direction,
            response.status if direction == "response" and response is not None else None,
            tuple(f.issue for f in self.findings if f.direction == direction),
        )

    @property
    def request(self) -> Report:
        return self.report("request")

    @property
    def response(self) -> Report:
        return self.report("response")

    def describe(self, rules: SecretRules | None = None) -> str:
        """``POST https://…/brands (masked) → 201``: the exchange in one line, secrets masked
        (and the credential values ``rules`` know, such as an account id in the path)."""
        response = self.exchange.response
        status = f" → {response.status}" if response is not None else " → no response"
        request = self.exchange.request
        return f"{request.method} {mask_url(request.url, rules)}{status}"

    def to_dict(self) -> dict[str, Any]:
        response = self.exchange.response
        return {
            "operation": self.operation,
            "method": self.exchange.request.method,
            "url": mask_url(self.exchange.request.url),
            "status": None if response is None else response.status,
            "valid": self.valid,
            "findings": [finding.to_dict() for finding in self.findings],
        }


@dataclass(frozen=True)
class _Context:
    exchange: Exchange
    operation: Operation
    match: Match | None
    limits: Limits = DEFAULT_LIMITS


Check = Callable[[_Context], Iterator[Issue]]


def _path_parameters(context: _Context) -> Iterator[Issue]:
    if context.match is not None and context.operation.path_parameters:
        yield from validate(context.operation, dict(context.match.path_parameters), part="path")


def _query(context: _Context) -> Iterator[Issue]:
    query = urlsplit(context.exchange.request.url).query
    yield from validate(context.operation, query, part="query")


def _request_body(context: _Context) -> Iterator[Issue]:
    request = context.exchange.request
    yield from validate(
        context.operation,
        request.body,
        part="request",
        media_type=request.media_type,
        limits=context.limits,
    )


def _status(context: _Context) -> Iterator[Issue]:
    response = context.exchange.response
    if response is None:
        return
    if response.status not in context.operation.responses:
        documented = ", ".join(map(str, context.operation.statuses)) or "none"
        yield Issue(
            "error",
            "",
            "status",
            f"status {response.status} is not documented for {context.operation.id} "
            f"(documented: {documented})",
            expected=list(context.operation.statuses),
        )


def _response_body(context: _Context) -> Iterator[Issue]:
    response = context.exchange.response
    if response is None or response.status not in context.operation.responses:
        return
    yield from validate(
        context.operation,
        response.body,
        part="response",
        status=response.status,
        media_type=response.media_type if response.body.strip() else None,
        limits=context.limits,
    )


#: name → (direction, check): every check an exchange goes through, in order
CHECKS: dict[str, tuple[Direction, Check]] = {
    "path_parameters": ("request", _path_parameters),
    "query": ("request", _query),
    "request_body": ("request", _request_body),
    "status": ("response", _status),
    "response_body": ("response", _response_body),
}


def check(
    exchange: Exchange,
    *,
    operation: str | Operation | None = None,
    router: Router | None = None,
    now: datetime | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ExchangeResult:
    """Check one exchange: find its operation (or take ``operation``), then run every check
    of :data:`CHECKS`, bodies within ``limits``. An exchange that matches no operation is a
    result with an ``unmatched`` error, never a silent pass."""
    router = router or default_router()
    match: Match | None = None
    found: Operation | None
    if operation is not None:
        found = get_operation(operation)
        match = router.match(exchange.request.method, exchange.request.url)
        if match is not None and match.operation.id != found.id:
            match = None
    else:
        match = router.match(exchange.request.method, exchange.request.url)
        found = match.operation if match is not None else _by_body(router, exchange)
    if found is None:
        return ExchangeResult(exchange, None, (_unmatched(router, exchange),))
    context = _Context(exchange, found, match, limits)
    findings: list[Finding] = []
    with clock(now):
        for name, (direction, run) in CHECKS.items():
            findings.extend(Finding(direction, name, issue) for issue in run(context))
    return ExchangeResult(
        exchange,
        found.id,
        tuple(findings),
        dict(match.path_parameters) if match is not None else {},
    )


def _by_body(router: Router, exchange: Exchange) -> Operation | None:
    body = exchange.request.body
    if not body.lstrip().startswith(b"<"):
        return None
    try:
        root = parse_xml(body)
    except ParseError:
        return None
    return router.match_body(exchange.request.method, local_name(root))


def _unmatched(router: Router, exchange: Exchange) -> Finding:
    request = exchange.request
    others = router.nearest(request.method, request.url)
    hint = f"; documented with another method: {', '.join(others)}" if others else ""
    return Finding(
        "exchange",
        "operation",
        Issue(
            "error",
            "",
            "unmatched",
            f"{request.method} {urlsplit(mask_url(request.url)).path} is not a documented "
            f"operation{hint}",
        ),
    )
